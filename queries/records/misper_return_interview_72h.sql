-- records: misper_return_interview_72h
-- The missing-child reports whose child was found in the month, with the return home interview.
-- grain: one row per report (episode); in_numerator = interviewed within 72 hours (inclusive)
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, missing_reports
-- choices: as queries/misper_return_interview_72h.sql (found_at in the month;
-- return_interview_at <= found_at + 72 hours; no interview is not within).
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

reports as (
    select report_ref, child_ref, district, risk_grade, reported_at, found_at, return_interview_at
    from missing_reports
    where found_at >= $month::date
      and found_at < $month::date + interval 1 month
),

final as (
    select
        reports.report_ref,
        reports.district,
        reports.child_ref,
        reports.risk_grade,
        reports.reported_at,
        reports.found_at,
        reports.return_interview_at,
        date_diff('minute', reports.found_at, reports.return_interview_at) / 60.0
            as hours_to_interview,
        coalesce(reports.return_interview_at <= reports.found_at + interval 72 hour, false)
            as in_numerator
    from reports
    inner join district_list on district_list.district = reports.district
)

select * from final order by district, found_at, report_ref
