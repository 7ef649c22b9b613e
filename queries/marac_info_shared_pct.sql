-- marac_info_shared_pct
-- Percentage of multi-agency risk assessment conference (MARAC) cases heard in the month for
-- which police information was shared before the meeting.
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (proportion)
-- contributes: numerator 1 if the record counts in the numerator, else 0; denominator 1
-- unit: % (0-100); numerator: cases with police information shared beforehand (info_shared);
-- denominator: MARAC cases heard
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, conferences
-- choices:
--   * "in the month" is the calendar month of held_on; one conferences row is one case.
--   * no conferences: numerator and denominator 0, value null.
with held as (
    select
        conference_ref,
        district,
        date_trunc('month', held_on)::date as month,
        kind,
        held_on,
        police_attended,
        info_shared
    from conferences
    where kind = 'MARAC'
      and held_on >= $from_month::date
      and held_on <= last_day($to_month::date)
),

final as (
    select
        conference_ref,
        district,
        month,
        kind,
        held_on,
        police_attended,
        info_shared,
        case when info_shared then 1 else 0 end as numerator,
        1 as denominator
    from held
)

select * from final order by district, month, held_on, conference_ref
