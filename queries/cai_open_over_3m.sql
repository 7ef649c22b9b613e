-- cai_open_over_3m
-- Child abuse investigations still open at month end that were opened more than 3 months before
-- month end.
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (count)
-- contributes: numerator 1 (the figure is the number of records; denominator 1)
-- unit: investigations; numerator = value = investigations; denominator = 1
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, investigations
-- choices:
--   * month end is the last day of the month.
--   * open at month end: closed_on is null or after month end (closed on the last day: closed).
--   * more than 3 months: opened_on + interval 3 month < month end, calendar months clamped to
--     the month's last day. Opened 31 Oct: 3 months is 31 Jan, so not counted at the end of
--     January, counted at the end of February. Opened 30 Sep: counted on 31 Dec.
--   * an investigation opened and closed within one month is never open at a month end.
with open_investigations as (
    select investigation_ref, district, opened_on, closed_on
    from investigations
    where opened_on < last_day($to_month::date)
      and (closed_on is null or closed_on > last_day($from_month::date))
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
        open_investigations.investigation_ref,
        open_investigations.district,
        months.month,
        open_investigations.opened_on,
        open_investigations.closed_on,
        (open_investigations.opened_on + interval 3 month)::date as three_months_on,
        1 as numerator
    from open_investigations
    inner join months
        on open_investigations.opened_on + interval 3 month < months.month_end
        and (open_investigations.closed_on is null
            or open_investigations.closed_on > months.month_end)
)

select * from final order by district, month, opened_on, investigation_ref
