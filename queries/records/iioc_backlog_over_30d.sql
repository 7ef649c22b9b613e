-- records: iioc_backlog_over_30d
-- The IIOC cases not completed at month end that had been waiting more than 30 days.
-- grain: one row per case counted; in_numerator is always true
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, forensic_cases
-- choices: as queries/iioc_backlog_over_30d.sql (completed_on null or after month end; month
-- end - submitted_on > 30 days). completed_on is shown when it is after month end.
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

iioc_cases as (
    select case_ref, district, submitted_on, completed_on
    from forensic_cases
    where iioc
),

final as (
    select
        iioc_cases.case_ref,
        iioc_cases.district,
        iioc_cases.submitted_on,
        iioc_cases.completed_on,
        date_diff('day', iioc_cases.submitted_on, last_day($month::date))
            as days_waiting_at_month_end,
        true as in_numerator
    from iioc_cases
    inner join district_list on district_list.district = iioc_cases.district
    where date_diff('day', iioc_cases.submitted_on, last_day($month::date)) > 30
      and (iioc_cases.completed_on is null or iioc_cases.completed_on > last_day($month::date))
)

select * from final order by district, submitted_on, case_ref
