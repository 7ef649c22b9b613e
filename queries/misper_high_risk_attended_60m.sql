-- misper_high_risk_attended_60m
-- Percentage of missing-child reports graded high risk, reported in the month, where an officer
-- attended within 60 minutes of the report.
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (proportion)
-- contributes: numerator 1 if the record counts in the numerator, else 0; denominator 1
-- unit: % (0-100); numerator: attended within 60 minutes; denominator: high-risk reports
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, missing_reports
-- choices:
--   * "in the month" is the calendar month of reported_at (local wall-clock time).
--   * within 60 minutes is inclusive: attended_at <= reported_at + 60 minutes.
--   * a report with no attended_at is in the denominator and not the numerator.
--   * no high-risk reports: numerator and denominator 0, value null.
with high_risk_reports as (
    select
        report_ref,
        district,
        date_trunc('month', reported_at)::date as month,
        child_ref,
        risk_grade,
        reported_at,
        attended_at,
        date_diff('minute', reported_at, attended_at) as minutes_to_attend,
        coalesce(attended_at <= reported_at + interval 60 minute, false) as attended_within_60m
    from missing_reports
    where risk_grade = 'high'
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
        attended_at,
        minutes_to_attend,
        case when attended_within_60m then 1 else 0 end as numerator,
        1 as denominator
    from high_risk_reports
)

select * from final order by district, month, reported_at, report_ref
