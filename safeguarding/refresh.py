"""One refresh pipeline: bring the figures in line with the records and the app state.

Every caller that changes what a figure depends on ends here: the demo build and imports (records,
through ``store.writer``), rebases, targets and recommendation progress (app state, through
``store.figures_writer``). It recomputes only what changed:

1. the app-state mirrors in the figures file (targets, rebases, recommendations with their
   progress) are compared with the app state and rewritten;
2. metric figures are recomputed for the metrics whose source tables changed (the registry's
   ``sources``), from the first month the change touched to the last month of the data; a
   record changed in month M can only move figures of month M onward, since every metric looks
   back from its month end (the 90-day repeat-missing window, visits overdue, cases open more
   than 30 days), never forward. A period grown by an import adds its new months for every
   metric. Recommendation progress recomputes the metrics computed from recommendations;
3. SPC signals are recomputed for the series whose figures or rebases changed (an XmR chart is
   a function of its whole series, so a changed series is recomputed over its whole history);
   a changed target rewrites only the target and assurance of its metric's points, since the
   limits do not depend on the target.

Figures are computed one force at a time, inside :func:`scoped`: every metric's figures for a
district depend only on its force's records (the force row rolls up its own districts, and a
child's reports in another force's districts do not count, see misper_repeat_children.sql). A
full rebuild therefore holds one force's working set at a time and reports progress per force,
and a write that touched one force (an import is one force's file) recomputes that force only.

The result equals a full rebuild (tests/test_refresh.py checks that on random imports).

The connection given is the figures catalog (``use figures``) with the records attached as
``live`` and ``figures`` first on the search path, as ``store.writer`` and
``store.figures_writer`` set it up.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator

import duckdb
import pandas as pd

from safeguarding import appstore, metrics, registry, signals, spc, sql, targets
from safeguarding.tables import BELONGS_TO

RECOMMENDATIONS = "recommendations"

Progress = Callable[[int, int, str], None]

# The tables the metric SQL reads, and how each is cut to some forces' rows inside scoped():
# by its district, by its own force column, or through the record it belongs to (BELONGS_TO).
_BY_DISTRICT = (
    "population",
    "offenders",
    "offender_managers",
    "missing_reports",
    "forensic_cases",
    "investigations",
    "conferences",
    "custody_detentions",
    "workforce",
)


def _literal(values: Iterable[str]) -> str:
    """A SQL list of string literals (for a view's text, which cannot take parameters)."""
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def forces_of(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The forces in the records, in name order."""
    rows = con.execute("select distinct force from live.main.districts order by force")
    return [r[0] for r in rows.fetchall()]


def _districts_of(con: duckdb.DuckDBPyConnection, forces: Iterable[str]) -> list[str]:
    rows = con.execute(
        "select district from live.main.districts where list_contains($f, force) order by 1",
        {"f": sorted(set(forces))},
    ).fetchall()
    return [r[0] for r in rows]


def areas_of(con: duckdb.DuckDBPyConnection, forces: Iterable[str]) -> list[str]:
    """The areas a figure can be about in ``forces``: their districts and the forces' own rows."""
    wanted = set(forces)
    return sorted(set(_districts_of(con, wanted)) | wanted)


@contextlib.contextmanager
def scoped(con: duckdb.DuckDBPyConnection, forces: Iterable[str]) -> Iterator[None]:
    """Inside the block, the metric SQL on ``con`` sees only the records of ``forces``.

    Each table it reads is shadowed by a temporary view of those forces' rows (temporary objects
    come first on DuckDB's search path). The forces' districts are written into the views as
    literals, so DuckDB filters each table's scan by them and skips the row groups of other
    forces (records are stored force by force)."""
    wanted = sorted(set(forces))
    districts = _districts_of(con, wanted)
    in_districts = _literal(districts) if districts else "(null)"
    in_forces = _literal(wanted) if wanted else "(null)"
    views = {
        "districts": f"select * from live.main.districts where force in {in_forces}",
        RECOMMENDATIONS: f"select * from figures.main.recommendations where force in {in_forces}",
    }
    for table in _BY_DISTRICT:
        views[table] = f"select * from live.main.{table} where district in {in_districts}"
    for table, (key, parent) in BELONGS_TO.items():
        views[table] = (
            f"select * from live.main.{table} where {key} in "
            f"(select {key} from live.main.{parent} where district in {in_districts})"
        )
    for name, body in views.items():
        con.execute(f"create or replace temp view {name} as {body}")
    try:
        yield
    finally:
        for name in views:
            con.execute(f"drop view if exists temp.main.{name}")


def _period(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    info = dict(con.execute("select key, value from live.main.meta").fetchall())
    first, last = info.get("first_month"), info.get("last_month")
    return (
        dt.date.fromisoformat(first) if first else None,
        dt.date.fromisoformat(last) if last else None,
    )


def _stored_period(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    info = dict(con.execute("select key, value from figures.main.meta").fetchall())
    first, last = info.get("values_first_month"), info.get("values_last_month")
    return (
        dt.date.fromisoformat(first) if first else None,
        dt.date.fromisoformat(last) if last else None,
    )


def _replace(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    con.execute(f"delete from figures.main.{table}")
    if frame.empty:
        return
    con.register("incoming_rows", frame)
    try:
        cols = ", ".join(frame.columns)
        con.execute(f"insert into figures.main.{table} ({cols}) select {cols} from incoming_rows")
    finally:
        con.unregister("incoming_rows")


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def _canon(frame: pd.DataFrame) -> list[tuple]:
    """The rows as sorted tuples of text, so a mirror and the app state compare whatever dtypes
    pandas gave each (a date or a timestamp at midnight; None or NaN)."""
    columns = []
    for name in frame.columns:
        column = frame[name]
        if str(column.dtype).startswith("datetime"):
            text = column.dt.strftime("%Y-%m-%d")
        else:
            text = column.map(
                lambda v: (
                    v.isoformat()
                    if isinstance(v, dt.date)
                    else repr(v)
                    if isinstance(v, float)
                    else str(v)
                ),
                na_action="ignore",
            )
        columns.append(text.astype(object).where(column.notna(), "").to_numpy())
    return sorted(zip(*columns, strict=True)) if columns else []


def _same(old: pd.DataFrame, new: pd.DataFrame, keys: list[str] | None = None) -> bool:
    return len(old) == len(new) and _canon(old) == _canon(new)


def _by_metric(frame: pd.DataFrame) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for row in _canon(frame):
        out.setdefault(row[0], []).append(row)
    return out


def _app_frames(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The app-state tables the figures depend on, as the mirrors' rows."""
    app = appstore.for_connection(con)
    with app.read() as tx:
        target_rows = tx.frame(
            """
            select metric_id, district, effective_from, effective_to, target, note
            from targets where superseded_at is null
            """,
            dates=("effective_from", "effective_to"),
        )
        rebase_rows = tx.frame(
            "select metric_id, district, month, reason, agreed_by, agreed_on from rebases",
            dates=("month", "agreed_on"),
        )
        progress = tx.frame(
            """
            select p.recommendation_ref, p.status, p.evidence, p.completed_on, p.owner,
                   p.due_date
            from recommendation_progress as p
            where p.change_id = (
                select max(change_id) from recommendation_progress as q
                where q.recommendation_ref = p.recommendation_ref
            )
            """,
            dates=("completed_on", "due_date"),
        )
    target_rows["target"] = target_rows["target"].astype(float)
    return {
        "targets": target_rows,
        "rebases": rebase_rows,
        RECOMMENDATIONS: _recommendations(con, progress),
    }


REC_COLUMNS = [
    "recommendation_ref",
    "force",
    "report",
    "report_date",
    "text",
    "owner",
    "due_date",
    "status",
    "evidence",
    "completed_on",
    "linked_metrics",
]


def _recommendations(con: duckdb.DuckDBPyConnection, progress: pd.DataFrame) -> pd.DataFrame:
    """The records' recommendations with the progress people recorded laid over them."""
    try:
        base = con.execute(f"select {', '.join(REC_COLUMNS)} from live.main.recommendations").df()
    except duckdb.CatalogException:
        return pd.DataFrame(columns=REC_COLUMNS)
    for name in ("report_date", "due_date", "completed_on"):
        base[name] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in base[name]]
        base[name] = base[name].astype(object)
    if progress.empty:
        return base
    updates = progress.set_index("recommendation_ref")
    out = base.set_index("recommendation_ref")
    known = updates.index.intersection(out.index)
    for name in ("status", "evidence", "completed_on", "owner", "due_date"):
        column = out[name].astype(object)
        column.loc[known] = updates.loc[known, name].astype(object).to_numpy()
        out[name] = column
    return out.reset_index()[REC_COLUMNS]


def _mirror(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    frames = {}
    for table in ("targets", "rebases", RECOMMENDATIONS):
        frame = con.execute(f"select * from figures.main.{table}").df()
        for name in frame.columns:
            if str(frame[name].dtype).startswith("datetime"):
                frame[name] = [None if pd.isna(v) else v.date() for v in frame[name]]
                frame[name] = frame[name].astype(object)
        frames[table] = frame
    return frames


def mirrors_behind(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The app-state tables whose mirror in the figures differs from the app state (a change
    committed whose refresh never ran); ``con`` may be a reader."""
    old, new = _mirror(con), _app_frames(con)
    return [table for table, frame in new.items() if not _same(old[table], frame)]


def _keys(frame: pd.DataFrame, columns: list[str]) -> set[tuple]:
    return set(frame[columns].astype(str).itertuples(index=False, name=None))


def after_records(
    con: duckdb.DuckDBPyConnection,
    *,
    tables: set[str] | None,
    first_month: dt.date | None = None,
    forces: set[str] | None = None,
    reuse_values: bool = False,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Refresh the figures after a change; ``tables=None`` rebuilds every figure.

    ``tables`` are the record tables a write changed (empty for an app-state change),
    ``first_month`` the first month their changed records touch (None: from the start) and
    ``forces`` the forces whose records they are (None: any). A full rebuild calls
    ``progress(done, total, force)`` as each force's figures are done.
    ``reuse_values`` keeps the figures already in the file (adopted from an older database) and
    only refreshes what the app state changes. Returns counts of what was recomputed.
    """
    first, last = _period(con)
    old = _mirror(con)
    new = _app_frames(con)
    for table, frame in new.items():
        if not _same(old[table], frame, list(frame.columns[:3])):
            _replace(con, table, frame)
    if first is None or last is None:
        # No records with dates yet: no period to compute figures for.
        return {"metrics": 0, "series": 0}
    known = registry.metrics()
    if tables is None and not reuse_values:
        _rebuild(con, first, last, progress)
        _set_period(con, first, last)
        return {"metrics": len(known), "series": -1}

    # 2. figures: per metric, the first month to recompute and for which forces (None: all)
    windows: dict[str, tuple[dt.date, frozenset[str] | None]] = {}

    def widen(metric_id: str, start: dt.date, which: Iterable[str] | None) -> None:
        found = windows.get(metric_id)
        scope = None if which is None else frozenset(which)
        if found is not None:
            start = min(start, found[0])
            scope = None if scope is None or found[1] is None else scope | found[1]
        windows[metric_id] = (start, scope)

    stored_first, stored_last = _stored_period(con)
    if reuse_values and stored_first is None:
        stored_first, stored_last = _values_period(con)
    if stored_first is None or stored_last is None or first < stored_first:
        for metric_id in known:
            widen(metric_id, first, None)
    else:
        if last > stored_last:
            grown = (pd.Timestamp(stored_last) + pd.DateOffset(months=1)).date()
            for metric_id in known:
                widen(metric_id, grown, None)
        if last < stored_last:
            con.execute(
                "delete from figures.main.metric_values where month > $last", {"last": last}
            )
        start = max(first, metrics.first_of_month(first_month)) if first_month else first
        for metric in known.values():
            if tables and set(metric.sources) & tables:
                widen(metric.id, start, forces)
        if not _same(old[RECOMMENDATIONS], new[RECOMMENDATIONS], ["recommendation_ref"]):
            for metric in known.values():
                if RECOMMENDATIONS in metric.sources:
                    widen(metric.id, first, None)
    changed: set[tuple[str, str]] = set()
    for metric_id, (start, scope) in windows.items():
        changed |= _recompute(con, metric_id, start, last, scope)
    _set_period(con, first, last)

    # 3. signals
    old_rebases = _keys(old["rebases"], ["metric_id", "district", "month"])
    new_rebases = _keys(new["rebases"], ["metric_id", "district", "month"])
    changed |= {(m, d) for m, d, _ in old_rebases ^ new_rebases}
    if last < (stored_last or last):
        changed |= set(
            con.execute(
                "select distinct metric_id, district from figures.main.metric_signals"
            ).fetchall()
        )
    old_targets, new_targets = _by_metric(old["targets"]), _by_metric(new["targets"])
    retarget: dict[str, set[str] | None] = {}
    for m in known:
        moved = set(old_targets.get(m, [])) ^ set(new_targets.get(m, []))
        if moved:
            areas = {row[1] for row in moved}
            # a force-wide row (no district) reaches every area; otherwise only those named
            retarget[m] = None if "" in areas else areas
    series = signals.refresh_series(con, changed)
    for metric_id, named in sorted(retarget.items()):
        _retarget(con, metric_id, named, skip={d for m, d in changed if m == metric_id})
    return {"metrics": len(windows), "series": series, "retargeted": len(retarget)}


def _values_period(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    first, last = sql.one(con, "select min(month), max(month) from figures.main.metric_values")
    return first, last


def _set_period(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> None:
    for key, value in (("values_first_month", first), ("values_last_month", last)):
        con.execute(
            "insert or replace into figures.main.meta (key, value) values ($k, $v)",
            {"k": key, "v": value.isoformat()},
        )


def _rebuild(
    con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date, progress: Progress | None
) -> None:
    """Every figure and signal, computed force by force (see the module's notes)."""
    con.execute("delete from figures.main.metric_values")
    con.execute("delete from figures.main.metric_signals")
    forces = forces_of(con)
    for done, force in enumerate(forces, start=1):
        with scoped(con, [force]):
            metrics.insert_all(con, first, last)
        areas = areas_of(con, [force])
        keys = con.execute(
            "select distinct metric_id, district from figures.main.metric_values "
            "where list_contains($areas, district)",
            {"areas": areas},
        ).fetchall()
        signals.insert(con, signals.compute(con, set(keys)))
        if progress is not None:
            progress(done, len(forces), force)


def _recompute(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    start: dt.date,
    last: dt.date,
    forces: frozenset[str] | None = None,
) -> set[tuple[str, str]]:
    """Recompute one metric from ``start`` (for ``forces`` only, or all); return the series
    whose figures changed."""
    if forces is None:
        frame = metrics.compute_frame(con, metric_id, start, last)
        areas = None
    else:
        with scoped(con, forces):
            frame = metrics.compute_frame(con, metric_id, start, last)
        areas = areas_of(con, forces)
    frame = frame[metrics.FRAME_COLUMNS]
    con.register("recomputed_values", frame)
    try:
        params = {"m": metric_id, "start": start, "areas": areas}
        changed = con.execute(
            """
            with old as (
                select district, month, numerator, denominator, value
                from figures.main.metric_values where metric_id = $m and month >= $start
                  and ($areas is null or list_contains($areas, district))
            ),
            new as (
                select district, cast(month as date) as month, numerator, denominator, value
                from recomputed_values
            ),
            differ as (
                (select * from old except select * from new)
                union all
                (select * from new except select * from old)
            )
            select distinct district from differ
            """,
            params,
        ).fetchall()
        con.execute(
            "delete from figures.main.metric_values where metric_id = $m and month >= $start "
            "and ($areas is null or list_contains($areas, district))",
            params,
        )
        con.execute(
            "insert into figures.main.metric_values (metric_id, district, month, numerator, "
            "denominator, value) select $m, district, month, numerator, denominator, value "
            "from recomputed_values",
            {"m": metric_id},
        )
    finally:
        con.unregister("recomputed_values")
    return {(metric_id, d) for (d,) in changed}


def _retarget(
    con: duckdb.DuckDBPyConnection, metric_id: str, areas: set[str] | None, skip: set[str]
) -> None:
    """New targets and assurance for one metric's points in ``areas`` (None: every area); the
    limits do not depend on the target, so they stay."""
    metric = registry.get(metric_id)
    wanted = None if areas is None else sorted(areas)
    figures = targets.figures(con, metric_id=metric_id, districts=wanted)
    figures = figures[["district", "month", "target"]]
    stored = con.execute(
        "select * from figures.main.metric_signals where metric_id = $m "
        "and ($areas is null or list_contains($areas, district))",
        {"m": metric_id, "areas": wanted},
    ).df()
    if stored.empty:
        return
    skip = skip | (set() if areas is None else set(stored["district"]) - areas)
    stored = stored[~stored["district"].isin(skip)].drop(columns=["target", "assurance"])
    merged = stored.merge(figures, on=["district", "month"], how="left")
    merged["assurance"] = spc.assurances(
        merged["lpl"].to_numpy(dtype=float),
        merged["upl"].to_numpy(dtype=float),
        merged["target"].to_numpy(dtype=float),
        metric.improvement,
    )
    con.execute(
        "delete from figures.main.metric_signals where metric_id = $m and not "
        "list_contains($skip, district) and ($areas is null or list_contains($areas, district))",
        {"m": metric_id, "skip": sorted(skip), "areas": wanted},
    )
    merged = merged[signals.SIGNAL_COLUMNS]
    con.register("retargeted", merged)
    try:
        cols = ", ".join(signals.SIGNAL_COLUMNS)
        con.execute(
            f"insert into figures.main.metric_signals ({cols}) select {cols} from retargeted"
        )
    finally:
        con.unregister("retargeted")
