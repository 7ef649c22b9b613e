-- records: iioc_turnaround_days
-- The IIOC cases completed in the month, with their turnaround in days.
-- grain: one row per case (the denominator); the figure is the median of days; in_numerator is
-- always true (every case's days are in the total)
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, forensic_cases
-- choices: as queries/iioc_turnaround_days.sql (days = completed_on - submitted_on).
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
        date_diff('day', completed_cases.submitted_on, completed_cases.completed_on) as days,
        completed_cases.outsourced,
        true as in_numerator
    from completed_cases
    inner join district_list on district_list.district = completed_cases.district
)

select * from final order by district, completed_on, case_ref
