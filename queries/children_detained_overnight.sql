-- children_detained_overnight
-- Detentions of children (aged 10-17) charged in the month and held overnight in police custody
-- after charge.
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (count)
-- contributes: numerator 1 (the figure is the number of records; denominator 1)
-- unit: children (detentions); numerator = value = detentions; denominator = 1
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, custody_detentions
-- choices:
--   * "in the month" is the calendar month of charged_at (local wall-clock time).
--   * counted per detention: a child detained overnight twice in the month counts twice.
--   * held overnight is the recorded held_overnight flag; the schema holds ages 10-17 only.
with overnight_detentions as (
    select
        detention_ref,
        district,
        date_trunc('month', charged_at)::date as month,
        child_ref,
        age,
        charged_at,
        released_at,
        held_overnight
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
        held_overnight,
        1 as numerator
    from overnight_detentions
)

select * from final order by district, month, charged_at, detention_ref
