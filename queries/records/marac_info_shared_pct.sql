-- records: marac_info_shared_pct
-- The MARAC cases heard in the month.
-- grain: one row per conference (case); in_numerator = police information was shared before the
-- meeting (info_shared)
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, conferences
-- choices: as queries/marac_info_shared_pct.sql.
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

held as (
    select conference_ref, district, kind, held_on, police_attended, info_shared
    from conferences
    where kind = 'MARAC'
      and held_on >= $month::date
      and held_on <= last_day($month::date)
),

final as (
    select
        held.conference_ref,
        held.district,
        held.kind,
        held.held_on,
        held.police_attended,
        held.info_shared,
        held.info_shared as in_numerator
    from held
    inner join district_list on district_list.district = held.district
)

select * from final order by district, held_on, conference_ref
