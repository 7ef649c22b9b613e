-- records: misper_high_risk_attended_60m
-- The high-risk missing-child reports made in the month, with when an officer attended.
-- grain: one row per report; in_numerator = attended within 60 minutes (inclusive)
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, missing_reports
-- choices: as queries/misper_high_risk_attended_60m.sql (attended_at <= reported_at + 60 minutes;
-- not attended is not within).
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

reports as (
    select report_ref, child_ref, district, risk_grade, reported_at, attended_at
    from missing_reports
    where risk_grade = 'high'
      and reported_at >= $month::date
      and reported_at < $month::date + interval 1 month
),

final as (
    select
        reports.report_ref,
        reports.district,
        reports.child_ref,
        reports.risk_grade,
        reports.reported_at,
        reports.attended_at,
        date_diff('minute', reports.reported_at, reports.attended_at) as minutes_to_attend,
        coalesce(reports.attended_at <= reports.reported_at + interval 60 minute, false)
            as in_numerator
    from reports
    inner join district_list on district_list.district = reports.district
)

select * from final order by district, reported_at, report_ref
