-- records: misper_low_risk_reviewed_24h
-- The low-risk and no-apparent-risk missing-child reports made in the month, with when a
-- supervisor reviewed them.
-- grain: one row per report; in_numerator = reviewed within 24 hours (inclusive)
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, missing_reports
-- choices: as queries/misper_low_risk_reviewed_24h.sql (supervisor_review_at <= reported_at +
-- 24 hours; not reviewed is not within).
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

reports as (
    select report_ref, child_ref, district, risk_grade, reported_at, supervisor_review_at
    from missing_reports
    where risk_grade in ('low', 'no_apparent_risk')
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
        reports.supervisor_review_at,
        date_diff('minute', reports.reported_at, reports.supervisor_review_at) / 60.0
            as hours_to_review,
        coalesce(reports.supervisor_review_at <= reports.reported_at + interval 24 hour, false)
            as in_numerator
    from reports
    inner join district_list on district_list.district = reports.district
)

select * from final order by district, reported_at, report_ref
