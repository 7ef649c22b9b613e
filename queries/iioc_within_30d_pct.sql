-- iioc_within_30d_pct
-- Percentage of IIOC examinations completed in the month that were completed within 30 days of
-- submission.
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (proportion)
-- contributes: numerator 1 if the record counts in the numerator, else 0; denominator 1
-- unit: % (0-100); numerator: completed within 30 days; denominator: IIOC cases completed
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, forensic_cases
-- choices:
--   * "completed in the month" is the calendar month of completed_on.
--   * within 30 days is inclusive: completed_on - submitted_on <= 30 calendar days.
--   * no cases completed: numerator and denominator 0, value null.
with completed_cases as (
    select
        case_ref,
        district,
        date_trunc('month', completed_on)::date as month,
        submitted_on,
        completed_on,
        date_diff('day', submitted_on, completed_on) as days
    from forensic_cases
    where iioc
      and completed_on >= $from_month::date
      and completed_on <= last_day($to_month::date)
),

final as (
    select
        case_ref,
        district,
        month,
        submitted_on,
        completed_on,
        days,
        case when days <= 30 then 1 else 0 end as numerator,
        1 as denominator
    from completed_cases
)

select * from final order by district, month, completed_on, case_ref
