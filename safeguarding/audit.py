"""The access log: who looked at which records, who downloaded them, and who was refused.

It lives in its own DuckDB file beside the database (``<db>.audit.duckdb``, or the file named by
``$SAFEGUARDING_AUDIT``), not in the database itself, for two reasons: an import replaces the whole
database file, and must not be able to lose or rewrite the log; and a view of records must be
logged even while an import holds the database's writer lock for minutes.

Writes go through ``store.writer`` (copy, write in one transaction, atomic rename), so a reader
never sees half an entry and two dashboard processes queue rather than collide. The file is small,
so the copy is cheap. ``store.writer`` also creates the project's (empty) tables in the file; they
are harmless and never used here.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from safeguarding import store
from safeguarding.paths import db_path

AUDIT_ENV_VAR = "SAFEGUARDING_AUDIT"
ACTIONS = ("view", "download", "refused")

COLUMNS = [
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

_TABLE_SQL = """
create table if not exists access_log (
    entry_id integer primary key,
    logged_at_utc timestamp not null,
    user_id varchar not null,
    role varchar not null,
    action varchar not null check (action in ('view', 'download', 'refused')),
    metric_id varchar,
    district varchar,
    month date,
    rows integer check (rows is null or rows >= 0),
    detail varchar
)
"""


@dataclass(frozen=True)
class Entry:
    """One line of the access log; ``rows`` is None for a refusal (nothing was returned)."""

    user_id: str
    role: str
    action: str
    metric_id: str | None
    district: str | None
    month: dt.date | None
    rows: int | None = None
    detail: str | None = None


def default_path(database: str | os.PathLike[str] | None = None) -> Path:
    """The audit file: $SAFEGUARDING_AUDIT, else the database's name with ``.audit.duckdb``."""
    env = os.environ.get(AUDIT_ENV_VAR)
    if env:
        return Path(env)
    return db_path(database).with_suffix(".audit.duckdb")


def log(entry: Entry, path: str | os.PathLike[str] | None = None) -> int:
    """Append one entry and return its id; raises if it could not be written.

    Callers write the entry before they hand records over, so a failure here means the records are
    not shown: nothing is seen that is not logged.
    """
    if entry.action not in ACTIONS:
        raise ValueError(f"Unknown audit action {entry.action!r}; expected one of {ACTIONS}")
    target = Path(path) if path else default_path()
    with store.writer(target) as con:
        con.execute(_TABLE_SQL)
        # The writer holds an exclusive lock for the whole copy-write-rename, so max + 1 cannot
        # race with another process.
        (entry_id,) = con.execute(
            "select coalesce(max(entry_id), 0) + 1 from access_log"
        ).fetchone()
        con.execute(
            """
            insert into access_log
            values ($entry_id, $logged_at, $user_id, $role, $action, $metric_id, $district,
                    $month, $rows, $detail)
            """,
            {
                "entry_id": entry_id,
                "logged_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
                "user_id": entry.user_id,
                "role": entry.role,
                "action": entry.action,
                "metric_id": entry.metric_id,
                "district": entry.district,
                "month": entry.month,
                "rows": entry.rows,
                "detail": entry.detail,
            },
        )
    return entry_id


def recent(
    path: str | os.PathLike[str] | None = None,
    *,
    limit: int = 500,
    user_id: str | None = None,
    action: str | None = None,
    district: str | None = None,
) -> pd.DataFrame:
    """The latest entries, newest first, optionally for one user, action or district.

    An audit file that does not exist yet (nobody has looked at any records) gives an empty frame.
    """
    target = Path(path) if path else default_path()
    if not target.exists():
        return pd.DataFrame(columns=COLUMNS)
    con = store.reader(target)
    try:
        return con.execute(
            f"""
            select {", ".join(COLUMNS)}
            from access_log
            where ($user_id is null or lower(user_id) = lower($user_id))
              and ($action is null or action = $action)
              and ($district is null or district = $district)
            order by entry_id desc
            limit $limit
            """,
            {"user_id": user_id, "action": action, "district": district, "limit": int(limit)},
        ).df()
    except duckdb.CatalogException:
        # The file exists but no entry has been written to it yet.
        return pd.DataFrame(columns=COLUMNS)
