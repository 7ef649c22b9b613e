-- iioc_backlog_over_30d
-- IIOC cases submitted but not completed at month end that had been waiting more than 30 days.
-- grain: district x month, plus one row per force (district = the force's name)
-- unit: cases; numerator = value = cases; denominator = 1
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, forensic_cases
-- choices:
--   * month end is the last day of the month.
--   * not completed at month end: completed_on is null or after month end (a case completed on
--     the last day of the month is not in the backlog).
--   * waiting more than 30 days: month end - submitted_on > 30 calendar days (exactly 30: not).
with district_list as (
    select district, force from districts
),

iioc_cases as (
    select case_ref, district, submitted_on, completed_on
    from forensic_cases
    where iioc
      and submitted_on < last_day($to_month::date) - 30
      and (completed_on is null or completed_on > last_day($from_month::date))
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

rolled_up as (
    select
        coalesce(spine.district, spine.force) as district,
        spine.month,
        count(iioc_cases.case_ref)::double as numerator
    from spine
    left join iioc_cases
        on iioc_cases.district = spine.district
        and date_diff('day', iioc_cases.submitted_on, spine.month_end) > 30
        and (iioc_cases.completed_on is null or iioc_cases.completed_on > spine.month_end)
    group by grouping sets ((spine.force, spine.district, spine.month), (spine.force, spine.month))
),

final as (
    select district, month, numerator, 1.0::double as denominator, numerator as value
    from rolled_up
)

select * from final order by district, month
