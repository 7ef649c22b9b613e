-- cai_over_3m_reviewed_pct
-- Of child abuse investigations open more than 3 months at month end, the percentage with a
-- supervisory review in the 28 days to month end.
-- grain: district x month, plus one row per force (district = the force's name)
-- unit: % (0-100); numerator: reviewed in the 28 days; denominator: cai_open_over_3m's count
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, investigations, investigation_reviews
-- choices:
--   * the denominator is exactly cai_open_over_3m (open at month end: closed_on null or after
--     month end; opened_on + interval 3 month < month end).
--   * the 28 days to month end are month end - 27 .. month end inclusive: the last review on or
--     before month end (ASOF join) counts when reviewed_on >= month end - 27. A review after
--     month end does not count for that month.
--   * no long-running investigations: denominator 0, value null.
with district_list as (
    select district, force from districts
),

open_investigations as (
    select investigation_ref, district, opened_on, closed_on
    from investigations
    where opened_on < last_day($to_month::date)
      and (closed_on is null or closed_on > last_day($from_month::date))
),

reviews as (
    select investigation_ref, reviewed_on
    from investigation_reviews
    where reviewed_on <= last_day($to_month::date)
),

months as (
    select
        month_start::date as month,
        last_day(month_start::date) as month_end
    from generate_series($from_month::date, $to_month::date, interval 1 month)
        as series (month_start)
),

spine as (
    select district_list.force, district_list.district, months.month, months.month_end
    from district_list
    cross join months
),

long_running as (
    select
        spine.force,
        spine.district,
        spine.month,
        spine.month_end,
        open_investigations.investigation_ref
    from spine
    left join open_investigations
        on open_investigations.district = spine.district
        and open_investigations.opened_on + interval 3 month < spine.month_end
        and (open_investigations.closed_on is null
            or open_investigations.closed_on > spine.month_end)
),

with_last_review as (
    select
        long_running.*,
        coalesce(reviews.reviewed_on >= long_running.month_end - 27, false) as reviewed_in_28_days
    from long_running
    asof left join reviews
        on reviews.investigation_ref = long_running.investigation_ref
        and long_running.month_end >= reviews.reviewed_on
),

rolled_up as (
    select
        coalesce(district, force) as district,
        month,
        count(investigation_ref) filter (where reviewed_in_28_days)::double as numerator,
        count(investigation_ref)::double as denominator
    from with_last_review
    group by grouping sets ((force, district, month), (force, month))
),

final as (
    select
        district,
        month,
        numerator,
        denominator,
        100.0 * numerator / nullif(denominator, 0) as value
    from rolled_up
)

select * from final order by district, month
