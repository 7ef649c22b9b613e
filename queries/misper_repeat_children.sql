-- misper_repeat_children
-- Children reported missing 3 or more times in the 90 days to month end, counted in the district
-- of their latest report in that window. The force figure counts each child once, across districts.
-- grain: district x month, plus one row per force (district = the force's name)
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
-- ends from its own day to 89 days later: its own month and up to 3 more. The records query
-- (queries/records/misper_repeat_children.sql) counts one window directly, and
-- tests/test_queries.py checks that the two agree.
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

months as (
    select
        month_start::date as month,
        last_day(month_start::date) as month_end
    from generate_series($from_month::date, $to_month::date, interval 1 month)
        as series (month_start)
),

spine as (
    select district_list.force, district_list.district, months.month
    from district_list
    cross join months
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
        force,
        month,
        child_ref,
        arg_max(district, row(reported_at, report_ref)) as district
    from reports_in_window
    where month between $from_month::date and $to_month::date
    group by force, month, child_ref
    having count(*) >= 3
),

rolled_up as (
    select
        coalesce(spine.district, spine.force) as district,
        spine.month,
        count(repeat_children.child_ref)::double as numerator
    from spine
    left join repeat_children
        on repeat_children.district = spine.district
        and repeat_children.month = spine.month
    group by grouping sets ((spine.force, spine.district, spine.month), (spine.force, spine.month))
),

final as (
    select district, month, numerator, 1.0::double as denominator, numerator as value
    from rolled_up
)

select * from final order by district, month
