-- recommendations_on_time_pct
-- Of inspection recommendations due by month end, the percentage completed on or before their due
-- date. Force only.
-- grain: force x month (district = the force's name); no district rows
-- unit: % (0-100); numerator: completed on or before the due date; denominator: due by month end
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts (the forces), recommendations
-- choices:
--   * month end is the last day of the month; due by month end: due_date <= month end.
--   * on time: completed_on <= due_date (completed on the due date is on time). Such a completion
--     is never after month end, so a past month's figure does not change later.
--   * late, open or in progress: denominator only.
--   * one row per force in districts; recommendations of a force with no districts are not shown.
--   * nothing due: numerator and denominator 0, value null.
with forces as (
    select distinct force from districts
),

due_recommendations as (
    select recommendation_ref, force, due_date, completed_on
    from recommendations
    where due_date <= last_day($to_month::date)
),

months as (
    select
        month_start::date as month,
        last_day(month_start::date) as month_end
    from generate_series($from_month::date, $to_month::date, interval 1 month)
        as series (month_start)
),

rolled_up as (
    select
        forces.force as district,
        months.month,
        count(due_recommendations.recommendation_ref)
            filter (where due_recommendations.completed_on <= due_recommendations.due_date)::double
            as numerator,
        count(due_recommendations.recommendation_ref)::double as denominator
    from forces
    cross join months
    left join due_recommendations
        on due_recommendations.force = forces.force
        and due_recommendations.due_date <= months.month_end
    group by forces.force, months.month
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
