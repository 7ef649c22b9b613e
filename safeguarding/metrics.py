"""Run the metric SQL in queries/ and keep every metric's frame materialised.

Each metric's SQL returns the standard metric frame: district, month, numerator, denominator,
value; one row per district per month plus one per force (district = the force's name).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from safeguarding import registry, signals

FRAME_COLUMNS = ["district", "month", "numerator", "denominator", "value"]


@cache
def _sql(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def first_of_month(value: dt.date) -> dt.date:
    return value.replace(day=1)


def compute_frame(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    from_month: dt.date,
    to_month: dt.date,
) -> pd.DataFrame:
    """Run a metric's SQL over the record tables (not the materialised table)."""
    metric = registry.get(metric_id)
    params = {"from_month": first_of_month(from_month), "to_month": first_of_month(to_month)}
    return con.execute(_sql(metric.sql_file), params).df()


def refresh(con: duckdb.DuckDBPyConnection, from_month: dt.date, to_month: dt.date) -> int:
    """Recompute every metric into metric_values, then their SPC signals into metric_signals.

    Call inside the write that changed the data (records, targets or rebases), so the figures
    and their signals always change together.
    """
    con.execute("delete from metric_values")
    params = {"from_month": first_of_month(from_month), "to_month": first_of_month(to_month)}
    for metric in registry.metrics().values():
        con.execute(
            f"insert into metric_values select '{metric.id}', * from ({_sql(metric.sql_file)})",
            params,
        )
    signals.refresh(con)
    return con.execute("select count(*) from metric_values").fetchone()[0]


def frame(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    *,
    from_month: dt.date | None = None,
    to_month: dt.date | None = None,
    districts: list[str] | None = None,
) -> pd.DataFrame:
    """A metric's standard frame from the materialised table, ordered by district and month."""
    registry.get(metric_id)
    return con.execute(
        """
        select district, month, numerator, denominator, value
        from metric_values
        where metric_id = $metric_id
          and ($from_month is null or month >= $from_month)
          and ($to_month is null or month <= $to_month)
          and ($districts is null or list_contains($districts, district))
        order by district, month
        """,
        {
            "metric_id": metric_id,
            "from_month": from_month,
            "to_month": to_month,
            "districts": districts,
        },
    ).df()


def records(
    con: duckdb.DuckDBPyConnection, metric_id: str, district: str, month: dt.date
) -> pd.DataFrame:
    """The pseudonymised records behind one figure (a district or force name, and a month).

    Every row is a record in the figure's denominator; ``in_numerator`` says whether it also
    counts in the numerator.
    """
    metric = registry.get(metric_id)
    params = {"district": district, "month": first_of_month(month)}
    return con.execute(_sql(metric.records_sql_file), params).df()
