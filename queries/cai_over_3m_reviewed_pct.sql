-- cai_over_3m_reviewed_pct
-- Of child abuse investigations open more than 3 months at month end, the percentage with a
-- supervisory review in the 28 days to month end.
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (proportion)
-- contributes: numerator 1 if the record counts in the numerator, else 0; denominator 1
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
with open_investigations as (
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

long_running as (
    select
        open_investigations.investigation_ref,
        open_investigations.district,
        months.month,
        months.month_end,
        open_investigations.opened_on,
        open_investigations.closed_on
    from open_investigations
    inner join months
        on open_investigations.opened_on + interval 3 month < months.month_end
        and (open_investigations.closed_on is null
            or open_investigations.closed_on > months.month_end)
),

with_last_review as (
    select
        long_running.*,
        reviews.reviewed_on as last_review_on,
        coalesce(reviews.reviewed_on >= long_running.month_end - 27, false) as reviewed_in_28_days
    from long_running
    asof left join reviews
        on reviews.investigation_ref = long_running.investigation_ref
        and long_running.month_end >= reviews.reviewed_on
),

final as (
    select
        investigation_ref,
        district,
        month,
        opened_on,
        closed_on,
        last_review_on,
        case when reviewed_in_28_days then 1 else 0 end as numerator,
        1 as denominator
    from with_last_review
)

select * from final order by district, month, opened_on, investigation_ref
