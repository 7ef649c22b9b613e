-- misper_low_risk_reviewed_24h
-- Percentage of missing-child reports graded low risk or no apparent risk, reported in the month,
-- reviewed by a supervisor within 24 hours of the report.
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (proportion)
-- contributes: numerator 1 if the record counts in the numerator, else 0; denominator 1
-- unit: % (0-100); numerator: reviewed within 24 hours; denominator: low / no-apparent-risk reports
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, missing_reports
-- choices:
--   * "in the month" is the calendar month of reported_at (local wall-clock time).
--   * within 24 hours is inclusive: supervisor_review_at <= reported_at + 24 hours.
--   * a report with no supervisor_review_at is in the denominator and not the numerator.
--   * no such reports: numerator and denominator 0, value null.
with lower_risk_reports as (
    select
        report_ref,
        district,
        date_trunc('month', reported_at)::date as month,
        child_ref,
        risk_grade,
        reported_at,
        supervisor_review_at,
        date_diff('minute', reported_at, supervisor_review_at) / 60.0 as hours_to_review,
        coalesce(supervisor_review_at <= reported_at + interval 24 hour, false)
            as reviewed_within_24h
    from missing_reports
    where risk_grade in ('low', 'no_apparent_risk')
      and reported_at >= $from_month::date
      and reported_at < $to_month::date + interval 1 month
),

final as (
    select
        report_ref,
        district,
        month,
        child_ref,
        risk_grade,
        reported_at,
        supervisor_review_at,
        hours_to_review,
        case when reviewed_within_24h then 1 else 0 end as numerator,
        1 as denominator
    from lower_risk_reports
)

select * from final order by district, month, reported_at, report_ref
