-- records: misper_repeat_children
-- The children counted: reported missing 3 or more times in the 90 days to month end, in the
-- district of their latest report in that window (within one force).
-- grain: one row per child counted; in_numerator is always true
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, missing_reports
-- choices: as queries/misper_repeat_children.sql (window month end - 89 .. month end by report
-- date; reports counted per force; latest by reported_at then report_ref). The district filter is
-- applied to the child's latest district, after counting across the force.
with all_districts as (
    select district, force from districts
),

reports as (
    select report_ref, child_ref, district, reported_at
    from missing_reports
    where reported_at >= last_day($month::date) - 89
      and reported_at < last_day($month::date) + 1
),

reports_in_force as (
    select reports.*, all_districts.force
    from reports
    inner join all_districts on all_districts.district = reports.district
),

repeat_children as (
    select
        child_ref,
        arg_max(district, row(reported_at, report_ref)) as district,
        force,
        count(*) as reports_in_90_days,
        min(reported_at) as first_report_in_window_at,
        max(reported_at) as latest_report_at,
        arg_max(report_ref, row(reported_at, report_ref)) as latest_report_ref
    from reports_in_force
    group by force, child_ref
    having count(*) >= 3
),

final as (
    select
        child_ref,
        district,
        reports_in_90_days,
        last_day($month::date) - 89 as window_start,
        last_day($month::date) as window_end,
        first_report_in_window_at,
        latest_report_at,
        latest_report_ref,
        true as in_numerator
    from repeat_children
    where district = $district or force = $district
)

select * from final order by district, child_ref
