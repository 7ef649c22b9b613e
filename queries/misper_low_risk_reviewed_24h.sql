-- misper_low_risk_reviewed_24h
-- Percentage of missing-child reports graded low risk or no apparent risk, reported in the month,
-- reviewed by a supervisor within 24 hours of the report.
-- grain: district x month, plus one row per force (district = the force's name)
-- unit: % (0-100); numerator: reviewed within 24 hours; denominator: low / no-apparent-risk reports
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, missing_reports
-- choices:
--   * "in the month" is the calendar month of reported_at (local wall-clock time).
--   * within 24 hours is inclusive: supervisor_review_at <= reported_at + 24 hours.
--   * a report with no supervisor_review_at is in the denominator and not the numerator.
--   * no such reports: numerator and denominator 0, value null.
with district_list as (
    select district, force from districts
),

lower_risk_reports as (
    select
        report_ref,
        district,
        date_trunc('month', reported_at)::date as month,
        coalesce(supervisor_review_at <= reported_at + interval 24 hour, false)
            as reviewed_within_24h
    from missing_reports
    where risk_grade in ('low', 'no_apparent_risk')
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
        count(reports.report_ref) filter (where reports.reviewed_within_24h)::double as numerator,
        count(reports.report_ref)::double as denominator
    from spine
    left join lower_risk_reports as reports
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
