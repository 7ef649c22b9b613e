"""What a transaction on the app-state store offers, whatever the backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def _value(value: Any) -> Any:
    # Dates travel as ISO text so that every backend stores and compares them the same way
    # (a pandas Timestamp is a datetime, so it is written the same way too).
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class Session:
    """One transaction: ``execute`` runs SQL with ``:name`` parameters."""

    def __init__(self, connection, app=None) -> None:
        self._con = connection
        #: the AppStore this transaction is on (its ``database`` is the records file beside it)
        self.app = app

    def execute(self, sql: str, params: Mapping[str, Any] | None = None):
        return self._con.execute(sql, {k: _value(v) for k, v in (params or {}).items()})

    def executemany(self, sql: str, rows: Iterable[Mapping[str, Any]]) -> None:
        self._con.executemany(sql, [{k: _value(v) for k, v in row.items()} for row in rows])

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        cursor = self.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def one(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def frame(
        self,
        sql: str,
        params: Mapping[str, Any] | None = None,
        *,
        dates: Iterable[str] = (),
        timestamps: Iterable[str] = (),
    ) -> pd.DataFrame:
        """The result as a DataFrame; ``dates`` columns become datetime.date (None if empty),
        ``timestamps`` become datetime64[us]."""
        import pandas as pd

        cursor = self.execute(sql, params)
        names = [c[0] for c in cursor.description]
        frame = pd.DataFrame(cursor.fetchall(), columns=names)
        for name in dates:
            frame[name] = [None if pd.isna(v) else dt.date.fromisoformat(v) for v in frame[name]]
            frame[name] = frame[name].astype(object)
        for name in timestamps:
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[us]")
        return frame
