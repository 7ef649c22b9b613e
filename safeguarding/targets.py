"""Targets: which target is in force for each figure, and whether the figure meets it.

Targets are dated (effective_from .. effective_to, inclusive) and either force-wide (district
empty) or for one district or force row by name; a district's own target beats the force-wide one.
The target for a month is the one in force on the month's last day, so a target changed mid-month
applies to that month.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from safeguarding import registry

STATUS_WORDS = {
    "met": "Met",
    "not_met": "Not met",
    "no_target": "No target",
    "no_data": "No data",
}
# Shapes, not colours, carry the status; the words go beside them everywhere.
STATUS_SYMBOLS = {"met": "✓", "not_met": "✗", "no_target": "–", "no_data": "…"}


FIGURES_WITH_TARGETS_SQL = """
with registry_frame as (
    select
        unnest($registry_ids) as metric_id,
        unnest($registry_directions) as direction,
        unnest($registry_target_sources) as target_source
),

figures as (
    select v.*
    from metric_values as v
    where ($metric_id is null or v.metric_id = $metric_id)
      and ($from_month is null or v.month >= $from_month)
      and ($to_month is null or v.month <= $to_month)
      and ($districts is null or list_contains($districts, v.district))
),

in_force as (
    select
        f.metric_id,
        f.district,
        f.month,
        t.target,
        row_number() over (
            partition by f.metric_id, f.district, f.month
            order by (t.district is not null) desc, t.effective_from desc
        ) as preference
    from figures as f
    inner join targets as t
        on t.metric_id = f.metric_id
        and (t.district is null or t.district = f.district)
        and last_day(f.month)
            between t.effective_from and coalesce(t.effective_to, date '9999-12-31')
),

with_target as (
    select
        f.*,
        r.direction,
        case when r.target_source = 'denominator' then f.denominator else i.target end as target
    from figures as f
    inner join registry_frame as r on r.metric_id = f.metric_id
    left join in_force as i
        on i.metric_id = f.metric_id
        and i.district = f.district
        and i.month = f.month
        and i.preference = 1
),

final as (
    select
        metric_id,
        district,
        month,
        numerator,
        denominator,
        value,
        target,
        case
            when value is null then 'no_data'
            when direction = 'neutral' or target is null then 'no_target'
            when direction = 'higher_is_better' and round(value, 9) >= round(target, 9) then 'met'
            when direction = 'lower_is_better' and round(value, 9) <= round(target, 9) then 'met'
            else 'not_met'
        end as status
    from with_target
)

select * from final order by metric_id, district, month
"""


def figures(
    con: duckdb.DuckDBPyConnection,
    *,
    metric_id: str | None = None,
    from_month: dt.date | None = None,
    to_month: dt.date | None = None,
    districts: list[str] | None = None,
) -> pd.DataFrame:
    """Materialised figures with the target in force and the status (met, not_met, ...)."""
    if metric_id is not None:
        registry.get(metric_id)
    known = list(registry.metrics().values())
    return con.execute(
        FIGURES_WITH_TARGETS_SQL,
        {
            "metric_id": metric_id,
            "from_month": from_month,
            "to_month": to_month,
            "districts": districts,
            "registry_ids": [m.id for m in known],
            "registry_directions": [m.direction for m in known],
            "registry_target_sources": [m.target_source for m in known],
        },
    ).df()


def history(con: duckdb.DuckDBPyConnection, metric_id: str | None = None) -> pd.DataFrame:
    """Every target ever set, newest first: for the 'About the data' page."""
    return con.execute(
        """
        select metric_id, coalesce(district, 'All districts and the force') as applies_to,
               effective_from, effective_to, target, note
        from targets
        where $metric_id is null or metric_id = $metric_id
        order by metric_id, applies_to, effective_from desc
        """,
        {"metric_id": metric_id},
    ).df()
