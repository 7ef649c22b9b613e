"""Loading a validated file all or nothing, the audit of every import, and export for re-import."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from safeguarding import appstore, contract, metrics, sql, store
from safeguarding.characters import plain_file_name
from safeguarding.contract import Column, TableContract
from safeguarding.imports.common import (
    PROBLEM_COLUMNS,
    Report,
    Result,
    _count,
    _q,
    describe,
)
from safeguarding.imports.read import as_file, sha256_of
from safeguarding.imports.validate import _drop_temp, _stage, keep_typed_only
from safeguarding.tables import BELONGS_TO

# The column whose dates place a table's records in time (the period the metrics cover).
# Offenders and offender managers are stock: their start dates may go back decades, so they only
# make sure the period reaches their newest date.
ACTIVITY_DATE = {
    "offender_visits": "visit_date",
    "missing_reports": "reported_at",
    "forensic_cases": "submitted_on",
    "investigations": "opened_on",
    "investigation_reviews": "reviewed_on",
    "conferences": "held_on",
    "custody_detentions": "charged_at",
    "workforce": "month",
}


class Rejected(Exception):
    """A file refused whole (the report says why): raised inside the write, so nothing of it is
    stored, and audited by ``audit_rejected`` once the write is discarded."""

    def __init__(self, report: Report):
        super().__init__(report.summary())
        self.report = report


def _upsert(con: duckdb.DuckDBPyConnection, table: TableContract) -> tuple[int, int, int]:
    """Update stored records that differ, insert new ones; (inserted, updated, unchanged)."""
    name = _q(table.name)
    cols = ", ".join(_q(c) for c in table.column_names)
    join = " and ".join(f"t.{_q(k)} = s.{_q(k)}" for k in table.key)
    others = [c for c in table.column_names if c not in table.key]
    differs = " or ".join(f"t.{_q(c)} is distinct from s.{_q(c)}" for c in others) or "false"
    con.execute(
        f"""create or replace temp table _imp_changed as
            select {", ".join(f"s.{_q(c)}" for c in table.column_names)}
            from _imp_typed s join {name} t on {join} where {differs}"""
    )
    updated = sql.scalar(con, "select count(*) from _imp_changed")
    total = sql.scalar(con, "select count(*) from _imp_typed")
    if updated and others:
        sets = ", ".join(f"{_q(c)} = s.{_q(c)}" for c in others)
        con.execute(f"update {name} as t set {sets} from _imp_changed s where {join}")
    con.execute("drop table if exists temp._imp_changed")
    # New records go straight from the staged rows into the table: no copy of them in between
    # (a million new rows would otherwise be held three times at once).
    (inserted,) = sql.one(
        con,
        f"""insert into {name} ({cols})
            select {cols} from _imp_typed s
            where not exists (select 1 from {name} t where {join})""",
    )
    return inserted, updated, total - inserted - updated


def _period(
    con: duckdb.DuckDBPyConnection, table: TableContract, today: dt.date
) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    """(first month, last month, newest date) that the imported rows bring, up to today.

    The first month is None for stock tables (offenders, offender managers): they only make sure
    the period reaches their newest date.
    """
    dated = [c for c in table.columns if c.kind in ("date", "timestamp")]
    if not dated:
        return None, None, None

    def as_date(c: Column) -> str:
        expr = f"cast({_q(c.name)} as date)"
        return f"last_day({expr})" if c.month_start else expr

    newest = sql.scalar(
        con, f"select max(greatest({', '.join(as_date(c) for c in dated)})) from _imp_typed"
    )
    if newest is None:
        return None, None, None
    newest = min(newest, today)
    activity = ACTIVITY_DATE.get(table.name)
    if activity:
        oldest = sql.scalar(con, f"select min(cast({_q(activity)} as date)) from _imp_typed")
        first = metrics.first_of_month(min(oldest, newest))
    else:
        first = None  # stock: its old start dates say nothing about the period to report
    return first, metrics.first_of_month(newest), newest


def _refresh(con: duckdb.DuckDBPyConnection, table: TableContract, today: dt.date) -> None:
    """Move the data's period and as-at date forward (the writer recomputes the figures the
    import feeds as it commits: ``store.touched``)."""
    info = store.meta(con)
    first, last, newest = _period(con, table, today)

    def stored(key: str) -> dt.date | None:
        return dt.date.fromisoformat(info[key]) if info.get(key) else None

    last = max(filter(None, [stored("last_month"), last]), default=None)
    # A database's first stock-only import starts the period at its newest month.
    first = min(filter(None, [stored("first_month"), first]), default=last)
    as_at = max(filter(None, [stored("as_at"), newest]), default=None)
    values = {"source": "import"}
    if first and last and as_at:
        values.update(
            first_month=first.isoformat(), last_month=last.isoformat(), as_at=as_at.isoformat()
        )
    store.set_meta(con, **values)


def _first_touched(con: duckdb.DuckDBPyConnection, table: TableContract) -> dt.date | None:
    """The earliest date on any incoming row or on the stored row it replaces: figures before
    that month cannot change (a record counts at a month end only once one of its dates has
    passed). None for a table without dates (every month may change)."""
    dated = [c.name for c in table.columns if c.kind in ("date", "timestamp")]
    if not dated:
        return None

    def earliest(alias: str) -> str:
        parts = [f"cast({alias}.{_q(c)} as date)" for c in dated]
        return f"least({', '.join(parts)})" if len(parts) > 1 else parts[0]

    join = " and ".join(f"t.{_q(k)} = s.{_q(k)}" for k in table.key)
    incoming = sql.scalar(con, f"select min({earliest('s')}) from _imp_typed as s")
    stored = sql.scalar(
        con,
        f"select min({earliest('t')}) from {_q(table.name)} as t "
        f"semi join _imp_typed as s on {join}",
    )
    found = min(filter(None, [incoming, stored]), default=None)
    return metrics.first_of_month(found) if found else None


def _touched_forces(con: duckdb.DuckDBPyConnection, table: TableContract) -> set[str] | None:
    """The forces whose records the import changed (incoming rows and the stored rows they
    replace): only their figures are recomputed. None when that cannot be told (every force's
    figures are then recomputed)."""
    names = {c.name for c in table.columns}
    join = " and ".join(f"t.{_q(k)} = s.{_q(k)}" for k in table.key)

    def rows(column: str) -> str:
        return (
            f"select {_q(column)} as v from _imp_typed "
            f"union select t.{_q(column)} from {_q(table.name)} as t "
            f"semi join _imp_typed as s on {join}"
        )

    if "district" in names:
        forces_query = f"select force from districts where district in ({rows('district')})"
        if "force" in names:  # the districts table: a new district's force is in the file
            forces_query += " union select force from _imp_typed"
    elif "force" in names:
        forces_query = rows("force")
    elif table.name in BELONGS_TO:
        key, parent = BELONGS_TO[table.name]
        forces_query = (
            f"select d.force from ({rows(key)}) as r "
            f"join {parent} as p on p.{key} = r.v join districts as d on d.district = p.district"
        )
        # A row whose record is not stored counts in no figure; if some are, say "any force".
        unlinked = sql.scalar(
            con,
            f"select count(*) from _imp_typed as s anti join {parent} as p on p.{key} = s.{key}",
        )
        if unlinked:
            return None
    else:
        return None
    return {r[0] for r in con.execute(forces_query).fetchall() if r[0] is not None}


def _audit(
    db: str | os.PathLike[str] | None,
    report: Report,
    *,
    outcome: str,
    by: str | None,
    now: dt.datetime,
    inserted: int = 0,
    updated: int = 0,
    message: str,
    force: str | None = None,
) -> int:
    """Record the import in the app-state store's audit; returns its id."""
    with appstore.open(db).write() as tx:
        cursor = tx.execute(
            """
            insert into imports (imported_at, imported_by, file_name, sha256, table_name,
                                 rows_inserted, rows_updated, rows_rejected, outcome, message,
                                 force)
            values (:at, :by, :file, :sha, :table, :inserted, :updated, :rejected, :outcome,
                    :message, :force)
            """,
            {**_audit_row(report, outcome, by, now, inserted, updated, message), "force": force},
        )
        return int(cursor.lastrowid)


def _audit_row(report, outcome, by, now, inserted, updated, message) -> dict:
    return {
        "at": now,
        "by": by,
        "file": report.file_name,
        "sha": report.sha256,
        "table": report.table,
        "inserted": inserted,
        "updated": updated,
        "rejected": report.rows_with_errors if report.errors else 0,
        "outcome": outcome,
        "message": message,
    }


def audit_rejected(
    db: str | os.PathLike[str] | None,
    report: Report,
    *,
    by: str | None,
    now: dt.datetime,
    force: str | None = None,
) -> Result:
    """Audit a refused file and say so. Only the audit changes: the tables it was for stay
    exactly as they were."""
    message = _rejection_message(report)
    import_id = _audit(db, report, outcome="rejected", by=by, now=now, message=message, force=force)
    return Result(report, "rejected", 0, 0, 0, import_id, message)


def _rejection_message(report: Report) -> str:
    first = report.problems[report.problems["severity"] == "error"].head(1).to_dict("records")
    where = (
        f"on {_count(report.rows_with_errors, 'line')}"
        if report.rows_with_errors
        else "in the file as a whole"
    )
    text = f"Rejected: {_count(report.errors, 'error')} {where}; nothing was loaded."
    return text + (f" First: {describe(first[0])}" if first else "")


def import_file(
    db: str | os.PathLike[str] | None,
    table: str,
    data: bytes | os.PathLike[str],
    file_name: str,
    *,
    by: str | None = None,
    now: Callable[[], dt.datetime] | None = None,
    today: dt.date | None = None,
    force: str | None = None,
) -> Result:
    """Validate and load a file into ``table``: all of it, or (with any error) none of it.

    ``force``: the file is that force's (its districts only; the audit records it).

    ``by`` is who imported it (the OS user from the CLI, the signed-in user from the page);
    ``now`` and ``today`` are the clock, injectable for tests. Re-importing a stored reference
    updates it; a file whose records are all stored unchanged changes nothing (outcome
    'unchanged'). Raises UnknownTableError for a table that cannot be imported.
    """
    contract_ = contract.get(table)
    clock = now or dt.datetime.now
    today = today or dt.date.today()
    file_name = plain_file_name(Path(file_name).name)
    with as_file(data) as path:
        return _import(db, contract_, path, file_name, by=by, clock=clock, today=today, force=force)


def _import(
    db: str | os.PathLike[str] | None,
    contract_: TableContract,
    path: Path,
    file_name: str,
    *,
    by: str | None,
    clock: Callable[[], dt.datetime],
    today: dt.date,
    force: str | None = None,
) -> Result:
    try:
        with store.writer(db) as con:
            report = _stage(con, contract_, path, file_name, today, force)
            if not report.ok:
                raise Rejected(report)
            keep_typed_only(con, contract_)
            first_touched = _first_touched(con, contract_)
            forces_touched = _touched_forces(con, contract_)
            inserted, updated, unchanged = _upsert(con, contract_)
            outcome = "loaded" if inserted or updated else "unchanged"
            if outcome == "loaded":
                _refresh(con, contract_, today)
                # The writer then recomputes only what this table feeds, from that month.
                store.touched(con, {contract_.name}, first_touched, forces=forces_touched)
            else:
                store.touched(con, set())
            message = (
                f"{inserted:,} inserted, {updated:,} updated, {unchanged:,} unchanged; "
                f"{_count(report.queries, 'query')}"
            )
            _drop_temp(con)
        # Audited once the records are in place (the audit is app state, not in the copy).
        import_id = _audit(
            db,
            report,
            outcome=outcome,
            by=by,
            now=clock(),
            inserted=inserted,
            updated=updated,
            message=message,
            force=force,
        )
    except Rejected as rejected:
        return audit_rejected(db, rejected.report, by=by, now=clock(), force=force)
    except Exception as exc:
        # Something other than the file failed (disk full, a bug): the writer has already
        # discarded its copy, so nothing changed. Record the attempt if the database allows it,
        # then let the caller see the failure.
        failed = Report(
            file_name,
            contract_.name,
            sha256_of(path),
            0,
            0,
            0,
            0,
            pd.DataFrame(columns=PROBLEM_COLUMNS),
        )
        note = f"Failed while loading ({type(exc).__name__}: {exc}); nothing was changed."
        with contextlib.suppress(Exception):
            _audit(db, failed, outcome="rejected", by=by, now=clock(), message=note, force=force)
        raise
    return Result(report, outcome, inserted, updated, unchanged, import_id, message)


# --- export and the audit -----------------------------------------------------------------------


def export_csv(con: duckdb.DuckDBPyConnection, table: str, out: str | os.PathLike[str]) -> int:
    """Write a table's stored rows as a CSV that imports back unchanged; returns the row count.

    Ordered by reference, so two exports of the same data are byte-identical.
    """
    contract_ = contract.get(table)
    cols = ", ".join(_q(c) for c in contract_.column_names)
    order = ", ".join(_q(k) for k in contract_.key)
    target = str(out).replace("'", "''")
    con.execute(
        f"copy (select {cols} from {_q(table)} order by {order}) to '{target}' "
        "(format csv, header true, delimiter ',', quote '\"')"
    )
    return sql.scalar(con, f"select count(*) from {_q(table)}")


AUDIT_COLUMNS = [
    "import_id",
    "imported_at",
    "imported_by",
    "file_name",
    "sha256",
    "table_name",
    "rows_inserted",
    "rows_updated",
    "rows_rejected",
    "outcome",
    "message",
]


def history(con, *, limit: int = 200) -> pd.DataFrame:
    """The import audit (in the app-state store beside ``con``'s records), newest first.

    A ``force`` column (after ``table_name``) says which force each file was imported for; it is
    there only once some import named a force (a several-force database), so the audit of a
    one-force database reads as it always has."""
    columns = [*AUDIT_COLUMNS[:6], "force", *AUDIT_COLUMNS[6:]]
    with appstore.session(con) as tx:
        frame = tx.frame(
            f"select {', '.join(columns)} from imports order by import_id desc limit :limit",
            {"limit": limit},
            timestamps=("imported_at",),
        )
    if frame["force"].isna().all():
        frame = frame.drop(columns=["force"])
    return frame


def register_history(con: duckdb.DuckDBPyConnection) -> None:
    """Make the import audit readable as ``imports`` on a records cursor, for queries that group
    or join it."""
    con.register("imports", history(con, limit=1_000_000))


def last_loaded(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """When each importable table was last loaded, from the imports audit.

    A demo database records no imports (the demo builder does not write the audit); its tables
    are reported as demo data with the data's as-at date from ``meta``.
    """
    register_history(con)  # the audit is app state; grouped here as a table
    latest = {
        row[0]: row[1:]
        for row in con.execute(
            """
            select table_name, max(imported_at), arg_max(file_name, imported_at),
                   arg_max(imported_by, imported_at), arg_max(outcome, imported_at)
            from imports
            where outcome in ('loaded', 'unchanged', 'demo')
            group by table_name
            """
        ).fetchall()
    }
    info = store.meta(con)
    demo_as_at = info.get("as_at") if info.get("source") == "demo" else None
    rows = []
    for table in contract.IMPORT_TABLES:
        count = sql.scalar(con, f'select count(*) from "{table}"')
        if table in latest:
            when, file_name, by, outcome = latest[table]
            rows.append(
                {
                    "table": table,
                    "rows": count,
                    "last_loaded": when,
                    "source": f"{file_name} ({outcome})",
                    "by": by or "",
                }
            )
        else:
            rows.append(
                {
                    "table": table,
                    "rows": count,
                    "last_loaded": pd.NaT,
                    "source": (
                        f"Demo data, as at {dt.date.fromisoformat(demo_as_at):%d %B %Y}"
                        if demo_as_at
                        else "Never loaded"
                    ),
                    "by": "",
                }
            )
    return pd.DataFrame(rows, columns=["table", "rows", "last_loaded", "source", "by"])
