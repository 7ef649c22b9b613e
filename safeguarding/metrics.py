"""Metric figures: each metric's records query in queries/ rolled up to the standard frame.

A metric is defined once, by queries/<id>.sql: the records behind its figures, one row per record
and month it counts in, with district, month and what the record contributes (the columns
``numerator`` and ``denominator``, or ``value`` for a median). ``frame_sql`` derives the standard
metric frame from those records according to the metric's kind (registry ``kind``): district,
month, numerator, denominator, value; one row per district per month plus one per force
(district = the force's name). The district x month spine and the force roll-up are here and
nowhere else.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from safeguarding import registry, sql

FRAME_COLUMNS = ["district", "month", "numerator", "denominator", "value"]

# What each kind's records must carry, and how their sums become the frame's figures. The
# numerator and denominator of the frame are what the value is made of (see queries/metrics.toml).
#   columns      contribution columns the records query must return
#   numerator    the frame's numerator, over the records joined to one spine row (or a force)
#   denominator  likewise
#   value        the figure, from the rolled-up numerator and denominator (or median_value)
# Every district of the spine row (one district, or all of a force's) has a record.
_COMPLETE = "count(distinct records.district) = count(distinct spine.district)"

KIND_ROLL_UP: dict[str, dict[str, str | tuple[str, ...]]] = {
    "proportion": {
        "columns": ("numerator", "denominator"),
        "numerator": "coalesce(sum(records.numerator), 0)::double",
        "denominator": "coalesce(sum(records.denominator), 0)::double",
        "value": "100.0 * numerator / nullif(denominator, 0)",
    },
    "ratio": {
        "columns": ("numerator", "denominator"),
        "numerator": "coalesce(sum(records.numerator), 0)::double",
        "denominator": "coalesce(sum(records.denominator), 0)::double",
        "value": "numerator / nullif(denominator, 0)",
    },
    "count": {
        "columns": ("numerator",),
        "numerator": "coalesce(sum(records.numerator), 0)::double",
        "denominator": "1.0::double",
        "value": "numerator",
    },
    "median": {
        # The total and number of the records' values; the figure is their median, which cannot
        # be rolled up from district medians, so the force row takes the median over all records.
        "columns": ("value",),
        "numerator": "coalesce(sum(records.value), 0)::double",
        "denominator": "count(records.value)::double",
        "value": "median_value",
    },
    "level": {
        # A level (e.g. FTE in post) is known for an area only when every district in it sent a
        # record for the month: a missing return must never show as a fall.
        "columns": ("numerator", "denominator"),
        "numerator": f"case when {_COMPLETE} then sum(records.numerator)::double end",
        "denominator": f"case when {_COMPLETE} then sum(records.denominator)::double end",
        "value": "numerator",
    },
}

_FRAME_SQL = """
with records as (
{records}
),

months as (
    select month_start::date as month
    from generate_series($from_month::date, $to_month::date, interval 1 month)
        as series (month_start)
),

units as (
    {units}
),

spine as (
    select units.force, units.district, months.month
    from units
    cross join months
),

rolled_up as (
    select
        {district} as district,
        spine.month,
        {numerator} as numerator,
        {denominator} as denominator,
        {median} as median_value
    from spine
    left join records
        on records.district = spine.district
        and records.month = spine.month
    group by grouping sets ({grouping_sets})
),

final as (
    select district, month, numerator, denominator, ({value})::double as value
    from rolled_up
)

select * from final order by district, month
"""

# A district-scope metric has a row per district and one per force; a force-scope metric's records
# carry the force's name as their district and it has the force rows only.
_SCOPES = {
    "district": {
        "units": "select force, district from districts",
        "district": "coalesce(spine.district, spine.force)",
        "grouping_sets": "(spine.force, spine.district, spine.month), (spine.force, spine.month)",
    },
    "force": {
        "units": "select distinct force, force as district from districts",
        "district": "spine.force",
        "grouping_sets": "(spine.force, spine.month)",
    },
}


@cache
def _sql(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def records_sql(metric_id: str) -> str:
    """A metric's definition: its records query, params $from_month and $to_month."""
    return _sql(registry.get(metric_id).sql_file).rstrip().removesuffix(";")


# Every records query ends "select * from final order by ..." (tests/test_queries.py checks): the
# order is for the people reading the records; the roll-up joins on district and month, and
# sorting millions of offender-months first would double the cost of a refresh.
_FINAL_ORDER = re.compile(r"(select \* from final)\s+order by [^;]*$", re.IGNORECASE)


def _unordered(records: str) -> str:
    return _FINAL_ORDER.sub(r"\1", records)


@cache
def frame_sql(metric_id: str) -> str:
    """The standard frame of a metric, rolled up from its records query by its kind and scope."""
    metric = registry.get(metric_id)
    kind = KIND_ROLL_UP[metric.kind]
    scope = _SCOPES[metric.scope]
    return _FRAME_SQL.format(
        # The newline keeps a trailing line comment in the records file from swallowing ")".
        records=_unordered(records_sql(metric_id)) + "\n",
        units=scope["units"],
        district=scope["district"],
        grouping_sets=scope["grouping_sets"],
        numerator=kind["numerator"],
        denominator=kind["denominator"],
        median="median(records.value)::double" if metric.kind == "median" else "null::double",
        value=kind["value"],
    )


def first_of_month(value: dt.date) -> dt.date:
    return value.replace(day=1)


def compute_frame(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    from_month: dt.date,
    to_month: dt.date,
) -> pd.DataFrame:
    """Run a metric's SQL over the record tables (not the materialised table)."""
    params = {"from_month": first_of_month(from_month), "to_month": first_of_month(to_month)}
    return con.execute(frame_sql(metric_id), params).df()


def refresh(con: duckdb.DuckDBPyConnection, from_month: dt.date, to_month: dt.date) -> int:
    """Recompute every metric into metric_values. Their SPC signals are ``signals.refresh``'s:
    ``safeguarding.refresh`` runs both in the write that changed the data, so figures and
    signals always change together."""
    con.execute("delete from metric_values")
    insert_all(con, from_month, to_month)
    return sql.scalar(con, "select count(*) from metric_values")


def insert_all(con: duckdb.DuckDBPyConnection, from_month: dt.date, to_month: dt.date) -> None:
    """Append every metric's figures over the records the connection sees (all of them, or one
    force's inside ``refresh.scoped``) to metric_values."""
    params = {"from_month": first_of_month(from_month), "to_month": first_of_month(to_month)}
    for metric in registry.metrics().values():
        con.execute(
            f"insert into metric_values select '{metric.id}', * from ({frame_sql(metric.id)})",
            params,
        )


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

    The rows of the metric's records query for that month and area (a force name gives all its
    districts; a force-only metric gives the force of a district), each with what it contributes
    and ``in_numerator``: whether it counts in the numerator (for a median, every record; for a
    level, whether the district's return was received). For a level metric, a district in the area
    with no record gets a row of nulls, so the gap that blanks the force figure is visible.
    """
    metric = registry.get(metric_id)
    month = first_of_month(month)
    rows = con.execute(records_sql(metric_id), {"from_month": month, "to_month": month}).df()
    area = con.execute(
        "select district, force from districts where district = $area or force = $area",
        {"area": district},
    ).fetchall()
    in_area = {force for _, force in area} if metric.scope == "force" else {d for d, _ in area}
    rows = rows[rows["district"].isin(in_area)]
    if metric.kind == "level":
        missing = sorted(in_area - set(rows["district"]))
        gaps = pd.DataFrame({"district": missing, "month": pd.Timestamp(month)})
        rows = pd.concat([rows, gaps], ignore_index=True) if missing else rows
        rows = rows.sort_values("district", kind="stable")
    rows = rows.reset_index(drop=True)
    if metric.kind == "median":
        rows["in_numerator"] = True
    elif metric.kind == "level":
        rows["in_numerator"] = rows["numerator"].notna()
    else:
        rows["in_numerator"] = rows["numerator"].fillna(0).gt(0)
    return rows
