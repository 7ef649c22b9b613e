-- iioc_outsourced_non_specialist_pct
-- Percentage of IIOC cases completed in the month that were outsourced for a reason other than
-- specialist work (for capacity or other reasons).
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (proportion)
-- contributes: numerator 1 if the record counts in the numerator, else 0; denominator 1
-- unit: % (0-100); numerator: outsourced, reason not 'specialist'; denominator: IIOC completed
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, forensic_cases
-- choices:
--   * "completed in the month" is the calendar month of completed_on; the denominator is every
--     IIOC case completed (in-house and outsourced), as in iioc_within_30d_pct.
--   * the schema requires a reason for every outsourced case; 'capacity' and 'other' count.
--   * no cases completed: numerator and denominator 0, value null.
with completed_cases as (
    select
        case_ref,
        district,
        date_trunc('month', completed_on)::date as month,
        submitted_on,
        completed_on,
        outsourced,
        outsource_reason,
        outsourced and outsource_reason <> 'specialist' as outsourced_non_specialist
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
        outsourced,
        outsource_reason,
        case when outsourced_non_specialist then 1 else 0 end as numerator,
        1 as denominator
    from completed_cases
)

select * from final order by district, month, completed_on, case_ref
