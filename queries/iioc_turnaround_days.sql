-- iioc_turnaround_days
-- Median days from submission to completed examination, for indecent images of children (IIOC)
-- cases completed in the month.
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (median)
-- contributes: value (the record's figure); the frame's value is their median, numerator
--   their total and denominator their number
-- unit: days; numerator: total days; denominator: cases completed; value: median days
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, forensic_cases
-- choices:
--   * "completed in the month" is the calendar month of completed_on.
--   * days = completed_on - submitted_on in whole calendar days (same day = 0).
--   * median is DuckDB's median: with an even number of cases, the mean of the middle two.
--   * force row: the median over all the force's cases, not a median of district medians.
--   * no cases completed: numerator and denominator 0, value null.
with completed_cases as (
    select
        case_ref,
        district,
        date_trunc('month', completed_on)::date as month,
        submitted_on,
        completed_on,
        outsourced,
        date_diff('day', submitted_on, completed_on) as days
    from forensic_cases
    where iioc
      and completed_on >= $from_month::date
      and completed_on <= last_day($to_month::date)
),

final as (
    select case_ref, district, month, submitted_on, completed_on, outsourced, days, days as value
    from completed_cases
)

select * from final order by district, month, completed_on, case_ref
