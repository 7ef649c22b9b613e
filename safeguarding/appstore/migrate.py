"""First start: carry an older database's own app-state tables into the app-state store.

Before the app state had its own store, actions, rebases, targets, board-pack snapshots and the
import audit were tables in the DuckDB records file, and the access log a DuckDB file of its own
(``<db>.audit.duckdb`` or ``$SAFEGUARDING_AUDIT``). The first time a store is opened beside such a
database, their rows are copied in, in one transaction, and the store records that it was
migrated, so it happens once. The old tables are left where they were (nothing reads them again),
so a failed migration loses nothing and simply runs again on the next start.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

MIGRATED_KEY = "migrated_at"

# table -> columns, in the app-state store's names (the same as the old tables').
TABLES = {
    "actions": [
        "action_id",
        "metric_id",
        "district",
        "quarter",
        "raised_on",
        "text",
        "owner",
        "due_date",
        "status",
        "response",
        "closed_on",
    ],
    "rebases": ["metric_id", "district", "month", "reason", "agreed_by", "agreed_on"],
    "targets": ["metric_id", "district", "effective_from", "effective_to", "target", "note"],
    "packs": ["snapshot_id", "quarter", "force", "as_at", "created_at", "created_by", "content"],
    "imports": [
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
    ],
}
ACCESS_LOG = [
    "entry_id",
    "logged_at_utc",
    "user_id",
    "role",
    "action",
    "metric_id",
    "district",
    "month",
    "rows",
    "detail",
]


def _text(value):
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _read(path: Path, tables: dict[str, list[str]]) -> dict[str, list[dict]]:
    if not path.exists():
        return {}
    import duckdb  # only for an older database: a migrated store's writes do without it

    con = duckdb.connect(":memory:")
    try:
        quoted = str(path).replace("'", "''")
        try:
            con.execute(f"attach '{quoted}' as old (read_only)")
        except duckdb.Error:
            return {}  # not an older DuckDB file (e.g. $SAFEGUARDING_AUDIT already names SQLite)
        present = {
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where database_name = 'old'"
            ).fetchall()
        }
        out = {}
        for table, columns in tables.items():
            if table not in present:
                continue
            cursor = con.execute(f"select {', '.join(columns)} from old.main.{table}")
            out[table] = [
                {c: _text(v) for c, v in zip(columns, row, strict=True)}
                for row in cursor.fetchall()
            ]
        return out
    finally:
        con.close()


def ensure(app) -> dict[str, int]:
    """Migrate once; returns the rows copied per table (empty if already done)."""
    with app.read() as tx:
        if tx.one("select value from meta where key = :k", {"k": MIGRATED_KEY}):
            return {}
    from safeguarding import audit  # only when there is something to migrate

    old = _read(app.database, TABLES)
    old.update(_read(audit.legacy_path(app.database), {"access_log": ACCESS_LOG}))
    copied: dict[str, int] = {}
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    with app.write(bump=False) as tx:
        if tx.one("select value from meta where key = :k", {"k": MIGRATED_KEY}):
            return {}
        for table, rows in old.items():
            if not rows:
                continue
            columns = list(rows[0])
            if table == "targets":
                columns += ["set_by", "set_at"]
                rows = [{**r, "set_by": "before app-state store", "set_at": now} for r in rows]
            tx.executemany(
                f"insert or ignore into {table} ({', '.join(columns)}) "
                f"values ({', '.join(':' + c for c in columns)})",
                rows,
            )
            copied[table] = len(rows)
        if copied.get("targets") or copied.get("rebases"):
            # an older database came with its seeds: never seed on top of them
            tx.execute(
                "insert or ignore into meta (key, value) values ('seeded_at', :now)", {"now": now}
            )
        tx.execute(
            "insert into meta (key, value) values (:k, :v)",
            {"k": MIGRATED_KEY, "v": f"{now} from {app.database.name}: {copied}"},
        )
    return copied
