-- records: pace_transfer_pct
-- The detentions of children charged in the month and held overnight after charge, with whether
-- they were transferred to local-authority accommodation.
-- grain: one row per detention; in_numerator = transferred_to_la
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, custody_detentions
-- choices: as queries/pace_transfer_pct.sql.
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

detentions as (
    select detention_ref, child_ref, district, age, charged_at, released_at, transferred_to_la
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
        detentions.transferred_to_la,
        detentions.transferred_to_la as in_numerator
    from detentions
    inner join district_list on district_list.district = detentions.district
)

select * from final order by district, charged_at, detention_ref
