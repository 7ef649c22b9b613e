-- specialist_investigators_fte
-- Specialist child abuse and child sexual exploitation investigators in post (full-time
-- equivalent) at month end; the target is the number of funded posts (the denominator).
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (level)
-- contributes: a district's return: numerator FTE in post, denominator FTE funded; the
--   force row is null unless every district has a return for the month
-- unit: FTE; numerator: FTE in post; denominator: FTE funded; value: FTE in post
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, workforce (role 'specialist_investigator')
-- choices:
--   * the workforce row for the month is the position at that month's end.
--   * a district with no workforce row for the month is unknown, not zero: numerator,
--     denominator and value are null.
--   * the force row is the sum over its districts only when every district has a row for the
--     month; otherwise it is null too, so a missing return never shows as a fall in post.
with returns as (
    select district, month, role, fte_in_post, fte_funded
    from workforce
    where role = 'specialist_investigator'
      and month >= $from_month::date
      and month <= $to_month::date
),

final as (
    select
        district,
        month,
        role,
        fte_in_post::double as fte_in_post,
        fte_funded::double as fte_funded,
        fte_in_post as numerator,
        fte_funded as denominator
    from returns
)

select * from final order by district, month
