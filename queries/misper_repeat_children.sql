-- misper_repeat_children
-- Children reported missing 3 or more times in the 90 days to month end, counted in the district
-- of their latest report in that window. The force figure counts each child once, across districts.
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (count)
-- contributes: numerator 1 (the figure is the number of records; denominator 1)
-- unit: children; numerator = value = children; denominator = 1
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, missing_reports
-- choices:
--   * the 90 days to month end are the calendar days month end - 89 .. month end inclusive (by the
--     date of reported_at): a report exactly 90 days before month end is outside.
--   * reports are counted per force: a child's reports in another force's districts neither add
--     to the count nor move the child's latest district out of this force.
--   * latest report: greatest reported_at, ties broken by report_ref, so the district is stable.
--   * each child is in exactly one district of the force, so the force row (distinct children)
--     also equals the sum of its district rows.
-- how: only reports that sit in a run of 3 consecutive reports of the child (in the force) spanning
-- at most 89 days can be in a counted window (a window with 3 or more reports contains such a
-- run around each of its reports), so the others are dropped first (about two thirds of the
-- reports in the national demo data). Each remaining report is then in the windows of the month
-- ends from its own day to 89 days later: its own month and up to 3 more. Every report in a
-- counted window is in such a run, so reports_in_90_days counts all of the window's reports.
with district_list as (
    select district, force from districts
),

reports as (
    select
        missing_reports.report_ref,
        missing_reports.child_ref,
        missing_reports.district,
        district_list.force,
        missing_reports.reported_at
    from missing_reports
    inner join district_list on district_list.district = missing_reports.district
    where missing_reports.reported_at >= last_day($from_month::date) - 89
      and missing_reports.reported_at < $to_month::date + interval 1 month
),

with_neighbours as (
    select
        reports.*,
        reported_at::date as reported_on,
        lag(reported_at::date, 2) over child_reports as second_before_on,
        lag(reported_at::date, 1) over child_reports as before_on,
        lead(reported_at::date, 1) over child_reports as after_on,
        lead(reported_at::date, 2) over child_reports as second_after_on
    from reports
    window child_reports as (partition by force, child_ref order by reported_at, report_ref)
),

clustered_reports as (
    select report_ref, child_ref, district, force, reported_at, reported_on
    from with_neighbours
    where reported_on - second_before_on <= 89
       or after_on - before_on <= 89
       or second_after_on - reported_on <= 89
),

-- Month ends E with reported_on <= E <= reported_on + 89 days: the report's month plus 0-3 months.
reports_in_window as (
    select
        clustered_reports.*,
        (date_trunc('month', clustered_reports.reported_on) + to_months(offsets.n))::date as month
    from clustered_reports
    cross join (values (0), (1), (2), (3)) as offsets (n)
    where clustered_reports.reported_on
        >= last_day(date_trunc('month', clustered_reports.reported_on) + to_months(offsets.n)) - 89
),

repeat_children as (
    select
        child_ref,
        arg_max(district, row(reported_at, report_ref)) as district,
        month,
        count(*) as reports_in_90_days,
        min(reported_at) as first_report_in_window_at,
        max(reported_at) as latest_report_at,
        arg_max(report_ref, row(reported_at, report_ref)) as latest_report_ref
    from reports_in_window
    where month between $from_month::date and $to_month::date
    group by force, month, child_ref
    having count(*) >= 3
),

final as (
    select
        child_ref,
        district,
        month,
        reports_in_90_days,
        last_day(month) - 89 as window_start,
        last_day(month) as window_end,
        first_report_in_window_at,
        latest_report_at,
        latest_report_ref,
        1 as numerator
    from repeat_children
)

select * from final order by district, month, child_ref
