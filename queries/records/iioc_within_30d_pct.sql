-- records: iioc_within_30d_pct
-- The IIOC cases completed in the month, with their turnaround in days.
-- grain: one row per case; in_numerator = completed within 30 days of submission (inclusive)
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, forensic_cases
-- choices: as queries/iioc_within_30d_pct.sql (completed_on - submitted_on <= 30 days).
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

completed_cases as (
    select case_ref, district, submitted_on, completed_on
    from forensic_cases
    where iioc
      and completed_on >= $month::date
      and completed_on <= last_day($month::date)
),

final as (
    select
        completed_cases.case_ref,
        completed_cases.district,
        completed_cases.submitted_on,
        completed_cases.completed_on,
        date_diff('day', completed_cases.submitted_on, completed_cases.completed_on) as days,
        days <= 30 as in_numerator
    from completed_cases
    inner join district_list on district_list.district = completed_cases.district
)

select * from final order by district, completed_on, case_ref
