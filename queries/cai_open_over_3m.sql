-- cai_open_over_3m
-- Child abuse investigations still open at month end that were opened more than 3 months before
-- month end.
-- grain: district x month, plus one row per force (district = the force's name)
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
with district_list as (
    select district, force from districts
),

open_investigations as (
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

spine as (
    select district_list.force, district_list.district, months.month, months.month_end
    from district_list
    cross join months
),

rolled_up as (
    select
        coalesce(spine.district, spine.force) as district,
        spine.month,
        count(open_investigations.investigation_ref)::double as numerator
    from spine
    left join open_investigations
        on open_investigations.district = spine.district
        and open_investigations.opened_on + interval 3 month < spine.month_end
        and (open_investigations.closed_on is null
            or open_investigations.closed_on > spine.month_end)
    group by grouping sets ((spine.force, spine.district, spine.month), (spine.force, spine.month))
),

final as (
    select district, month, numerator, 1.0::double as denominator, numerator as value
    from rolled_up
)

select * from final order by district, month
