"""The access log: who looked at which records, who downloaded them, and who was refused.

It is app state (``safeguarding.appstore``): one row appended per entry in its own short
transaction, so an entry costs the same however long the log grows, a reader never sees half an
entry, many dashboard processes log at once, and a records view is logged even while an import
holds the records' writer lock for minutes (the records file is never involved).

By default the log is in the app-state store beside the database (``<db>.app.sqlite3``);
``$SAFEGUARDING_AUDIT`` names a separate SQLite file for it instead, e.g. to keep it on a volume
the dashboard cannot delete. Older versions kept it in ``<db>.audit.duckdb``; its entries are
copied into the app-state store on first start (``appstore.migrate``).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from safeguarding import appstore
from safeguarding.paths import db_path

if TYPE_CHECKING:
    import pandas as pd

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


class LogUnavailable(OSError):
    """The access log could not be written (so the records it would log are not shown)."""


def default_path(database: str | os.PathLike[str] | None = None) -> Path:
    """Where the log is: $SAFEGUARDING_AUDIT, else the app-state store beside the database."""
    env = os.environ.get(AUDIT_ENV_VAR)
    if env:
        return Path(env)
    return appstore.default_path(database)


def legacy_path(database: str | os.PathLike[str] | None = None) -> Path:
    """Where older versions kept the log (a DuckDB file), for the first-start migration."""
    env = os.environ.get(AUDIT_ENV_VAR)
    if env and Path(env).suffix == ".duckdb":
        return Path(env)
    return db_path(database).with_suffix(".audit.duckdb")


def _store(path: str | os.PathLike[str] | None) -> appstore.AppStore:
    if path is None:
        env = os.environ.get(AUDIT_ENV_VAR)
        return appstore.at(env) if env else appstore.open()
    return appstore.at(path)


def log(entry: Entry, path: str | os.PathLike[str] | None = None) -> int:
    """Append one entry and return its id; raises if it could not be written.

    Callers write the entry before they hand records over, so a failure here means the records are
    not shown: nothing is seen that is not logged.
    """
    if entry.action not in ACTIONS:
        raise ValueError(f"Unknown audit action {entry.action!r}; expected one of {ACTIONS}")
    try:
        return _append(entry, path)
    except sqlite3.Error as exc:
        raise LogUnavailable(f"The access log could not be written ({exc}).") from exc


def _append(entry: Entry, path: str | os.PathLike[str] | None) -> int:
    with _store(path).write(bump=False) as tx:
        cursor = tx.execute(
            """
            insert into access_log (logged_at_utc, user_id, role, action, metric_id, district,
                                    month, rows, detail)
            values (:logged_at, :user_id, :role, :action, :metric_id, :district, :month, :rows,
                    :detail)
            """,
            {
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
        entry_id = int(cursor.lastrowid)
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
    import pandas as pd

    if path is not None and not Path(path).exists():
        return pd.DataFrame(columns=COLUMNS)
    with _store(path).read() as tx:
        frame = tx.frame(
            f"""
            select {", ".join(COLUMNS)}
            from access_log
            where (:user_id is null or lower(user_id) = lower(:user_id))
              and (:action is null or action = :action)
              and (:district is null or district = :district)
            order by entry_id desc
            limit :limit
            """,
            {"user_id": user_id, "action": action, "district": district, "limit": int(limit)},
            timestamps=("logged_at_utc", "month"),
        )
    return frame
