-- records: specialist_investigators_fte
-- The specialist-investigator workforce return of each district in scope for the month: FTE in
-- post and funded. A district with no return has a row with nulls, so a gap is visible.
-- grain: one row per district (the return's key is district, month and role; there is no other
-- reference); in_numerator = a return was received (its FTE is in the sum)
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, workforce (role 'specialist_investigator')
-- choices: as queries/specialist_investigators_fte.sql: the force figure is null unless every
-- district has a return.
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

returns as (
    select district, month, role, fte_in_post, fte_funded
    from workforce
    where role = 'specialist_investigator'
      and month = $month::date
),

final as (
    select
        district_list.district,
        $month::date as month,
        'specialist_investigator' as role,
        returns.fte_in_post::double as fte_in_post,
        returns.fte_funded::double as fte_funded,
        returns.district is not null as in_numerator
    from district_list
    left join returns on returns.district = district_list.district
)

select * from final order by district
