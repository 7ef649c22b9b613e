"""Small helpers for the frames DuckDB hands back, shared by the stored registers (the action
log, the recommendations tracker)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def missing(value: object) -> bool:
    """None, NaN, NaT or pd.NA: no value (an empty string is a value)."""
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def with_dates(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy with ``columns`` (those present) as datetime.date or None, whatever DuckDB gave."""
    import pandas as pd

    out = frame.copy()
    for column in columns:
        if column in out:
            out[column] = pd.Series(
                [None if missing(v) else pd.Timestamp(v).date() for v in out[column]],
                index=out.index,
                dtype=object,
            )
    return out
