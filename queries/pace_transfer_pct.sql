-- pace_transfer_pct
-- Of children charged in the month and held overnight after charge, the percentage transferred to
-- local-authority accommodation (PACE section 38(6)).
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (proportion)
-- contributes: numerator 1 if the record counts in the numerator, else 0; denominator 1
-- unit: % (0-100); numerator: transferred to local-authority accommodation;
-- denominator: children_detained_overnight's count
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, custody_detentions
-- choices:
--   * the denominator is exactly children_detained_overnight (per detention, charged_at month).
--   * no overnight detentions: numerator and denominator 0, value null.
with overnight_detentions as (
    select
        detention_ref,
        district,
        date_trunc('month', charged_at)::date as month,
        child_ref,
        age,
        charged_at,
        released_at,
        transferred_to_la
    from custody_detentions
    where held_overnight
      and charged_at >= $from_month::date
      and charged_at < $to_month::date + interval 1 month
),

final as (
    select
        detention_ref,
        district,
        month,
        child_ref,
        age,
        charged_at,
        released_at,
        transferred_to_la,
        case when transferred_to_la then 1 else 0 end as numerator,
        1 as denominator
    from overnight_detentions
)

select * from final order by district, month, charged_at, detention_ref
