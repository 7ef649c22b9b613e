-- records: rso_caseload_per_officer
-- The registered sex offenders counted in the caseload numerator: managed in the community at
-- month end. (The FTE denominator is in offender_managers.)
-- grain: one row per offender; in_numerator is always true
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, offenders
-- choices: as queries/rso_caseload_per_officer.sql (managed_from <= month end, managed_to null or
-- after month end).
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

registrations as (
    select offender_ref, district, risk_level, managed_from, managed_to
    from offenders
),

final as (
    select
        registrations.offender_ref,
        registrations.district,
        registrations.risk_level,
        registrations.managed_from,
        registrations.managed_to,
        true as in_numerator
    from registrations
    inner join district_list on district_list.district = registrations.district
    where registrations.managed_from <= last_day($month::date)
      and (registrations.managed_to is null or registrations.managed_to > last_day($month::date))
)

select * from final order by district, offender_ref
