-- records: recommendations_on_time_pct
-- The inspection recommendations due by month end, with their completion date.
-- grain: one row per recommendation due; in_numerator = completed on or before the due date
-- params: $district (the force's name; a district name gives the district's force), $month
-- (DATE, first of month)
-- source: districts, recommendations
-- choices: as queries/recommendations_on_time_pct.sql (due_date <= month end; completed_on <=
-- due_date). The status shown is today's, not the status at month end.
with force_list as (
    select distinct force
    from districts
    where district = $district or force = $district
),

due_recommendations as (
    select recommendation_ref, force, report, report_date, due_date, status, completed_on
    from recommendations
    where due_date <= last_day($month::date)
),

final as (
    select
        due_recommendations.recommendation_ref,
        due_recommendations.force as district,
        due_recommendations.report,
        due_recommendations.report_date,
        due_recommendations.due_date,
        due_recommendations.completed_on,
        due_recommendations.status,
        coalesce(due_recommendations.completed_on <= due_recommendations.due_date, false)
            as in_numerator
    from due_recommendations
    inner join force_list on force_list.force = due_recommendations.force
)

select * from final order by district, due_date, recommendation_ref
