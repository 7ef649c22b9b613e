-- iioc_turnaround_days
-- Median days from submission to completed examination, for indecent images of children (IIOC)
-- cases completed in the month.
-- grain: district x month, plus one row per force (district = the force's name)
-- unit: days; numerator: total days; denominator: cases completed; value: median days
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, forensic_cases
-- choices:
--   * "completed in the month" is the calendar month of completed_on.
--   * days = completed_on - submitted_on in whole calendar days (same day = 0).
--   * median is DuckDB's median: with an even number of cases, the mean of the middle two.
--   * force row: the median over all the force's cases, not a median of district medians.
--   * no cases completed: numerator and denominator 0, value null.
with district_list as (
    select district, force from districts
),

completed_cases as (
    select
        case_ref,
        district,
        date_trunc('month', completed_on)::date as month,
        date_diff('day', submitted_on, completed_on) as days
    from forensic_cases
    where iioc
      and completed_on >= $from_month::date
      and completed_on <= last_day($to_month::date)
),

months as (
    select month_start::date as month
    from generate_series($from_month::date, $to_month::date, interval 1 month)
        as series (month_start)
),

spine as (
    select district_list.force, district_list.district, months.month
    from district_list
    cross join months
),

rolled_up as (
    select
        coalesce(spine.district, spine.force) as district,
        spine.month,
        coalesce(sum(completed_cases.days), 0)::double as numerator,
        count(completed_cases.case_ref)::double as denominator,
        median(completed_cases.days)::double as value
    from spine
    left join completed_cases
        on completed_cases.district = spine.district
        and completed_cases.month = spine.month
    group by grouping sets ((spine.force, spine.district, spine.month), (spine.force, spine.month))
),

final as (
    select district, month, numerator, denominator, value
    from rolled_up
)

select * from final order by district, month
