-- rso_visits_overdue_pct
-- Percentage of registered sex offenders managed in the community at month end whose risk-based
-- home visit is overdue: more than 1 month since the last visit (or since management began) for
-- very high risk, 3 months for high, 6 for medium and 12 for low.
-- grain: one row per record and month it counts in; safeguarding/metrics.py derives the
--   standard frame (one row per district and month, plus the force row) from these by the
--   metric's kind (proportion)
-- contributes: numerator 1 if the record counts in the numerator, else 0; denominator 1
-- unit: % (0-100); numerator: offenders overdue; denominator: offenders managed at month end
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, offenders, offender_visits
-- choices:
--   * month end is the last day of the month; managed at month end as in rso_caseload_per_officer
--     (managed_from <= month end, managed_to null or after month end).
--   * the visit counted is the last one on or before month end; a later visit does not clear an
--     earlier month.
--   * measured from = the later of the last visit and managed_from, so an offender never visited
--     is measured from when management began (and a visit before management began is ignored).
--   * overdue when measured from + interval (1, 3, 6 or 12) month < month end: a visit due on the
--     last day of the month is not yet overdue. Calendar months, clamped to the month's last day
--     (30 Nov + 1 month = 30 Dec, so on 31 Dec it is overdue).
--   * no offenders: denominator 0, value null.
-- how: rather than look up the last visit for every offender and month (20M+ offender-months
-- nationally), each offender's history is cut into segments that start at managed_from or at a
-- visit and end at the next visit or at managed_to; a segment is the offender's "last visit" at
-- every month end inside it, so each segment is expanded to those months once. last_visit_on
-- is null when the anchor is managed_from (no visit since management began).
with registrations as (
    select offender_ref, district, risk_level, managed_from, managed_to
    from offenders
    where managed_from <= last_day($to_month::date)
      and (managed_to is null or managed_to > last_day($from_month::date))
),

visits as (
    select offender_visits.offender_ref, offender_visits.visit_date
    from offender_visits
    where visit_date <= last_day($to_month::date)
),

-- Visits before management began or after it ended do not move the anchor.
anchors as (
    select offender_ref, managed_from as measured_from from registrations
    union
    select visits.offender_ref, visits.visit_date
    from visits
    inner join registrations
        on registrations.offender_ref = visits.offender_ref
        and visits.visit_date > registrations.managed_from
        and (registrations.managed_to is null or visits.visit_date < registrations.managed_to)
),

segments as (
    select
        registrations.offender_ref,
        registrations.district,
        registrations.risk_level,
        registrations.managed_from,
        registrations.managed_to,
        anchors.measured_from,
        case registrations.risk_level
            when 'very_high' then 1
            when 'high' then 3
            when 'medium' then 6
            when 'low' then 12
        end as visit_interval_months,
        (anchors.measured_from + to_months(visit_interval_months))::date as due_on,
        least(
            lead(anchors.measured_from) over (
                partition by anchors.offender_ref order by anchors.measured_from
            ),
            registrations.managed_to
        ) as segment_end
    from anchors
    inner join registrations on registrations.offender_ref = anchors.offender_ref
),

-- A segment covers the month ends E with measured_from <= E < segment_end, i.e. the months from
-- measured_from's month up to the month before segment_end's (an open segment runs to $to_month).
offender_months as (
    select
        offender_ref,
        district,
        risk_level,
        managed_from,
        managed_to,
        measured_from,
        visit_interval_months,
        due_on,
        unnest(generate_series(
            greatest(date_trunc('month', measured_from), $from_month::date),
            least(
                coalesce(date_trunc('month', segment_end) - interval 1 month, $to_month::date),
                $to_month::date
            ),
            interval 1 month
        ))::date as month
    from segments
),

final as (
    select
        offender_ref,
        district,
        month,
        risk_level,
        managed_from,
        managed_to,
        case when measured_from > managed_from then measured_from end as last_visit_on,
        visit_interval_months,
        due_on as next_visit_due_on,
        case when due_on < last_day(month) then 1 else 0 end as numerator,
        1 as denominator
    from offender_months
)

select * from final order by district, month, offender_ref
