-- records: children_detained_overnight
-- The detentions of children charged in the month and held overnight in custody after charge.
-- grain: one row per detention counted; in_numerator is always true
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, custody_detentions
-- choices: as queries/children_detained_overnight.sql (charged_at in the month; held_overnight).
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

detentions as (
    select detention_ref, child_ref, district, age, charged_at, held_overnight, released_at
    from custody_detentions
    where held_overnight
      and charged_at >= $month::date
      and charged_at < $month::date + interval 1 month
),

final as (
    select
        detentions.detention_ref,
        detentions.district,
        detentions.child_ref,
        detentions.age,
        detentions.charged_at,
        detentions.released_at,
        detentions.held_overnight,
        true as in_numerator
    from detentions
    inner join district_list on district_list.district = detentions.district
)

select * from final order by district, charged_at, detention_ref
