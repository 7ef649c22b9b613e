-- records: icpc_report_shared_pct
-- The initial child protection conferences held in the month.
-- grain: one row per conference; in_numerator = the police report reached the conference
-- beforehand (info_shared)
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, conferences
-- choices: as queries/icpc_report_shared_pct.sql.
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

held as (
    select conference_ref, district, kind, held_on, police_attended, info_shared
    from conferences
    where kind = 'ICPC'
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
