-- records: cai_over_3m_reviewed_pct
-- The child abuse investigations open more than 3 months at month end, with the last supervisory
-- review on or before month end.
-- grain: one row per investigation; in_numerator = last review in month end - 27 .. month end
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, investigations, investigation_reviews
-- choices: as queries/cai_over_3m_reviewed_pct.sql.
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

open_investigations as (
    select investigation_ref, district, opened_on, closed_on
    from investigations
),

long_running as (
    select open_investigations.*, last_day($month::date) as month_end
    from open_investigations
    inner join district_list on district_list.district = open_investigations.district
    where open_investigations.opened_on + interval 3 month < last_day($month::date)
      and (open_investigations.closed_on is null
          or open_investigations.closed_on > last_day($month::date))
),

reviews as (
    select investigation_ref, reviewed_on
    from investigation_reviews
    where reviewed_on <= last_day($month::date)
      and investigation_ref in (select investigation_ref from long_running)
),

final as (
    select
        long_running.investigation_ref,
        long_running.district,
        long_running.opened_on,
        long_running.closed_on,
        reviews.reviewed_on as last_review_on,
        long_running.month_end - 27 as review_window_start,
        coalesce(reviews.reviewed_on >= long_running.month_end - 27, false) as in_numerator
    from long_running
    asof left join reviews
        on reviews.investigation_ref = long_running.investigation_ref
        and long_running.month_end >= reviews.reviewed_on
)

select * from final order by district, opened_on, investigation_ref
