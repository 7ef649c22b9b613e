-- rso_caseload_per_officer
-- Registered sex offenders managed in the community at month end, divided by the offender-manager
-- full-time equivalent (FTE) in post at month end.
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (ratio)
-- contributes: an offender managed at month end: numerator 1; an offender manager in post at
--   month end: denominator their FTE
-- unit: offenders per FTE; numerator: offenders managed; denominator: offender-manager FTE in post
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, offenders, offender_managers
-- choices:
--   * month end is the last day of the month, last_day(month).
--   * managed at month end: managed_from <= month end and (managed_to is null or managed_to >
--     month end). Management that ends on the last day of the month has ended by month end.
--   * in post at month end: the same rule on start_date and end_date.
--   * no FTE in post: denominator 0 and value null (the ratio is undefined, not infinite).
--   * force row: all its offenders / all its FTE (a ratio of sums, not a mean of district ratios).
with registrations as (
    select offender_ref, district, risk_level, managed_from, managed_to
    from offenders
    where managed_from <= last_day($to_month::date)
      and (managed_to is null or managed_to > last_day($from_month::date))
),

postings as (
    select officer_ref, district, fte, start_date, end_date
    from offender_managers
    where start_date <= last_day($to_month::date)
      and (end_date is null or end_date > last_day($from_month::date))
),

months as (
    select
        month_start::date as month,
        last_day(month_start::date) as month_end
    from generate_series($from_month::date, $to_month::date, interval 1 month)
        as series (month_start)
),

offenders_managed as (
    select
        registrations.offender_ref,
        registrations.district,
        months.month,
        null::varchar as officer_ref,
        registrations.risk_level,
        registrations.managed_from,
        registrations.managed_to,
        null::decimal(4, 2) as fte,
        null::date as start_date,
        null::date as end_date,
        1 as numerator,
        0 as denominator
    from registrations
    inner join months
        on registrations.managed_from <= months.month_end
        and (registrations.managed_to is null or registrations.managed_to > months.month_end)
),

managers_in_post as (
    select
        null::varchar as offender_ref,
        postings.district,
        months.month,
        postings.officer_ref,
        null::varchar as risk_level,
        null::date as managed_from,
        null::date as managed_to,
        postings.fte,
        postings.start_date,
        postings.end_date,
        0 as numerator,
        postings.fte as denominator
    from postings
    inner join months
        on postings.start_date <= months.month_end
        and (postings.end_date is null or postings.end_date > months.month_end)
),

final as (
    select * from offenders_managed
    union all
    select * from managers_in_post
)

select * from final order by district, month, offender_ref nulls last, officer_ref
