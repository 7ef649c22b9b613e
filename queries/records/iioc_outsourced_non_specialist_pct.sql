-- records: iioc_outsourced_non_specialist_pct
-- The IIOC cases completed in the month, with whether and why they were outsourced.
-- grain: one row per case; in_numerator = outsourced for a reason other than 'specialist'
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, forensic_cases
-- choices: as queries/iioc_outsourced_non_specialist_pct.sql.
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

completed_cases as (
    select case_ref, district, submitted_on, completed_on, outsourced, outsource_reason
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
        completed_cases.outsourced,
        completed_cases.outsource_reason,
        coalesce(
            completed_cases.outsourced and completed_cases.outsource_reason <> 'specialist', false
        ) as in_numerator
    from completed_cases
    inner join district_list on district_list.district = completed_cases.district
)

select * from final order by district, completed_on, case_ref
