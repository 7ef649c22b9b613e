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
with district_list as (
    select district, force from districts
),

reports as (
    select report_ref, child_ref, district, reported_at
    from missing_reports
    where reported_at >= last_day($from_month::date) - 89
      and reported_at < $to_month::date + interval 1 month
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

reports_in_window as (
    select
        months.month,
        district_list.force,
        reports.child_ref,
        reports.district,
        reports.reported_at,
        reports.report_ref
    from months
    inner join reports
        on reports.reported_at >= months.month_end - 89
        and reports.reported_at < months.month_end + 1
    inner join district_list on district_list.district = reports.district
),

repeat_children as (
    select
        force,
        month,
        child_ref,
        arg_max(district, row(reported_at, report_ref)) as district
    from reports_in_window
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
