-- misper_return_interview_72h
-- Percentage of missing children found in the month who were given a return home interview
-- within 72 hours of being found. Counted per missing report (episode): a child found twice in
-- the month counts twice.
-- grain: district x month, plus one row per force (district = the force's name)
-- unit: % (0-100); numerator: interviewed within 72 hours; denominator: reports found in the month
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, missing_reports
-- choices:
--   * "found in the month" is the calendar month of found_at; the district is the report's.
--   * all risk grades count.
--   * within 72 hours is inclusive: return_interview_at <= found_at + 72 hours.
--   * no return_interview_at: denominator only. Not yet found: not in the figure.
--   * nobody found: numerator and denominator 0, value null.
with district_list as (
    select district, force from districts
),

found_reports as (
    select
        report_ref,
        district,
        date_trunc('month', found_at)::date as month,
        coalesce(return_interview_at <= found_at + interval 72 hour, false)
            as interviewed_within_72h
    from missing_reports
    where found_at >= $from_month::date
      and found_at < $to_month::date + interval 1 month
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
        count(reports.report_ref) filter (where reports.interviewed_within_72h)::double
            as numerator,
        count(reports.report_ref)::double as denominator
    from spine
    left join found_reports as reports
        on reports.district = spine.district
        and reports.month = spine.month
    group by grouping sets ((spine.force, spine.district, spine.month), (spine.force, spine.month))
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
