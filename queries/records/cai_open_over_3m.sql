-- records: cai_open_over_3m
-- The child abuse investigations open at month end that were opened more than 3 months before.
-- grain: one row per investigation counted; in_numerator is always true
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, investigations
-- choices: as queries/cai_open_over_3m.sql (closed_on null or after month end; opened_on +
-- interval 3 month < month end). closed_on is shown when it is after month end.
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

open_investigations as (
    select investigation_ref, district, opened_on, closed_on
    from investigations
),

final as (
    select
        open_investigations.investigation_ref,
        open_investigations.district,
        open_investigations.opened_on,
        open_investigations.closed_on,
        (open_investigations.opened_on + interval 3 month)::date as three_months_on,
        true as in_numerator
    from open_investigations
    inner join district_list on district_list.district = open_investigations.district
    where open_investigations.opened_on + interval 3 month < last_day($month::date)
      and (open_investigations.closed_on is null
          or open_investigations.closed_on > last_day($month::date))
)

select * from final order by district, opened_on, investigation_ref
