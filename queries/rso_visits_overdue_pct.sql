-- rso_visits_overdue_pct
-- Percentage of registered sex offenders managed in the community at month end whose risk-based
-- home visit is overdue: more than 1 month since the last visit (or since management began) for
-- very high risk, 3 months for high, 6 for medium and 12 for low.
-- grain: district x month, plus one row per force (district = the force's name)
-- unit: % (0-100); numerator: offenders overdue; denominator: offenders managed at month end
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, offenders, offender_visits
-- choices:
--   * month end is the last day of the month; managed at month end as in rso_caseload_per_officer
--     (managed_from <= month end, managed_to null or after month end).
--   * the visit counted is the last one on or before month end (ASOF join); a later visit does
--     not clear an earlier month.
--   * measured from = the later of the last visit and managed_from, so an offender never visited
--     is measured from when management began (and a visit before management began is ignored).
--   * overdue when measured from + interval (1, 3, 6 or 12) month < month end: a visit due on the
--     last day of the month is not yet overdue. Calendar months, clamped to the month's last day
--     (30 Nov + 1 month = 30 Dec, so on 31 Dec it is overdue).
--   * no offenders: denominator 0, value null.
with district_list as (
    select district, force from districts
),

registrations as (
    select offender_ref, district, risk_level, managed_from, managed_to
    from offenders
    where managed_from <= last_day($to_month::date)
      and (managed_to is null or managed_to > last_day($from_month::date))
),

visits as (
    select offender_ref, visit_date
    from offender_visits
    where visit_date <= last_day($to_month::date)
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

managed_at_month_end as (
    select
        spine.force,
        spine.district,
        spine.month,
        spine.month_end,
        registrations.offender_ref,
        registrations.risk_level,
        registrations.managed_from
    from spine
    left join registrations
        on registrations.district = spine.district
        and registrations.managed_from <= spine.month_end
        and (registrations.managed_to is null or registrations.managed_to > spine.month_end)
),

with_last_visit as (
    select managed_at_month_end.*, visits.visit_date as last_visit_on
    from managed_at_month_end
    asof left join visits
        on visits.offender_ref = managed_at_month_end.offender_ref
        and managed_at_month_end.month_end >= visits.visit_date
),

assessed as (
    select
        force,
        district,
        month,
        offender_ref,
        greatest(managed_from, last_visit_on)
            + to_months(
                case risk_level
                    when 'very_high' then 1
                    when 'high' then 3
                    when 'medium' then 6
                    when 'low' then 12
                end
            ) < month_end as overdue
    from with_last_visit
),

rolled_up as (
    select
        coalesce(district, force) as district,
        month,
        count(offender_ref) filter (where overdue)::double as numerator,
        count(offender_ref)::double as denominator
    from assessed
    group by grouping sets ((force, district, month), (force, month))
),

final as (
    select
        district,
        month,
        numerator,
        denominator,
        100.0 * numerator / nullif(denominator, 0) as value
    from rolled_up
)

select * from final order by district, month
