-- misper_return_interview_72h
-- Percentage of missing children found in the month who were given a return home interview
-- within 72 hours of being found. Counted per missing report (episode): a child found twice in
-- the month counts twice.
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (proportion)
-- contributes: numerator 1 if the record counts in the numerator, else 0; denominator 1
-- unit: % (0-100); numerator: interviewed within 72 hours; denominator: reports found in the month
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, missing_reports
-- choices:
--   * "found in the month" is the calendar month of found_at; the district is the report's.
--   * all risk grades count.
--   * within 72 hours is inclusive: return_interview_at <= found_at + 72 hours.
--   * no return_interview_at: denominator only. Not yet found: not in the figure.
--   * nobody found: numerator and denominator 0, value null.
with found_reports as (
    select
        report_ref,
        district,
        date_trunc('month', found_at)::date as month,
        child_ref,
        risk_grade,
        reported_at,
        found_at,
        return_interview_at,
        date_diff('minute', found_at, return_interview_at) / 60.0 as hours_to_interview,
        coalesce(return_interview_at <= found_at + interval 72 hour, false)
            as interviewed_within_72h
    from missing_reports
    where found_at >= $from_month::date
      and found_at < $to_month::date + interval 1 month
),

final as (
    select
        report_ref,
        district,
        month,
        child_ref,
        risk_grade,
        reported_at,
        found_at,
        return_interview_at,
        hours_to_interview,
        case when interviewed_within_72h then 1 else 0 end as numerator,
        1 as denominator
    from found_reports
)

select * from final order by district, month, found_at, report_ref
