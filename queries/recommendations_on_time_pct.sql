-- recommendations_on_time_pct
-- Of inspection recommendations due by month end, the percentage completed on or before their due
-- date. Force only.
-- grain: one row per recommendation due and month, district = the force's name (a force-only
--   figure); safeguarding/metrics.py derives the standard frame (one row per force and month)
--   from these by the metric's kind (proportion)
-- contributes: numerator 1 if the record counts in the numerator, else 0; denominator 1
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
--   * the status shown with each record is today's, not the status at month end.
with due_recommendations as (
    select recommendation_ref, force, report, report_date, due_date, status, completed_on
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

final as (
    select
        due_recommendations.recommendation_ref,
        due_recommendations.force as district,
        months.month,
        due_recommendations.report,
        due_recommendations.report_date,
        due_recommendations.due_date,
        due_recommendations.completed_on,
        due_recommendations.status,
        case
            when due_recommendations.completed_on <= due_recommendations.due_date then 1 else 0
        end as numerator,
        1 as denominator
    from due_recommendations
    inner join months on due_recommendations.due_date <= months.month_end
)

select * from final order by district, month, due_date, recommendation_ref
