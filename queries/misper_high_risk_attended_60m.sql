-- misper_high_risk_attended_60m
-- Percentage of missing-child reports graded high risk, reported in the month, where an officer
-- attended within 60 minutes of the report.
-- grain: district x month, plus one row per force (district = the force's name)
-- unit: % (0-100); numerator: attended within 60 minutes; denominator: high-risk reports
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, missing_reports
-- choices:
--   * "in the month" is the calendar month of reported_at (local wall-clock time).
--   * within 60 minutes is inclusive: attended_at <= reported_at + 60 minutes.
--   * a report with no attended_at is in the denominator and not the numerator.
--   * no high-risk reports: numerator and denominator 0, value null.
with district_list as (
    select district, force from districts
),

high_risk_reports as (
    select
        report_ref,
        district,
        date_trunc('month', reported_at)::date as month,
        coalesce(attended_at <= reported_at + interval 60 minute, false) as attended_within_60m
    from missing_reports
    where risk_grade = 'high'
      and reported_at >= $from_month::date
      and reported_at < $to_month::date + interval 1 month
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
        count(reports.report_ref) filter (where reports.attended_within_60m)::double as numerator,
        count(reports.report_ref)::double as denominator
    from spine
    left join high_risk_reports as reports
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
