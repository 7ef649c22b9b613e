-- iioc_backlog_over_30d
-- IIOC cases submitted but not completed at month end that had been waiting more than 30 days.
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (count)
-- contributes: numerator 1 (the figure is the number of records; denominator 1)
-- unit: cases; numerator = value = cases; denominator = 1
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, forensic_cases
-- choices:
--   * month end is the last day of the month.
--   * not completed at month end: completed_on is null or after month end (a case completed on
--     the last day of the month is not in the backlog).
--   * waiting more than 30 days: month end - submitted_on > 30 calendar days (exactly 30: not).
with iioc_cases as (
    select case_ref, district, submitted_on, completed_on
    from forensic_cases
    where iioc
      and submitted_on < last_day($to_month::date) - 30
      and (completed_on is null or completed_on > last_day($from_month::date))
),

months as (
    select
        month_start::date as month,
        last_day(month_start::date) as month_end
    from generate_series($from_month::date, $to_month::date, interval 1 month)
        as series (month_start)
),

final as (
    select
        iioc_cases.case_ref,
        iioc_cases.district,
        months.month,
        iioc_cases.submitted_on,
        iioc_cases.completed_on,
        date_diff('day', iioc_cases.submitted_on, months.month_end) as days_waiting_at_month_end,
        1 as numerator
    from iioc_cases
    inner join months
        on date_diff('day', iioc_cases.submitted_on, months.month_end) > 30
        and (iioc_cases.completed_on is null or iioc_cases.completed_on > months.month_end)
)

select * from final order by district, month, submitted_on, case_ref
