-- records: rso_visits_overdue_pct
-- The registered sex offenders managed at month end, with the last home visit on or before month
-- end, the date the next visit was due, and whether it is overdue.
-- grain: one row per offender managed at month end; in_numerator = visit overdue
-- params: $district (a district, or a force name for all its districts), $month (DATE, first of
-- month)
-- source: districts, offenders, offender_visits
-- choices: as queries/rso_visits_overdue_pct.sql: measured from the later of the last visit and
-- managed_from; overdue when that + the risk level's interval (months) < month end.
with district_list as (
    select district
    from districts
    where district = $district or force = $district
),

registrations as (
    select offender_ref, district, risk_level, managed_from, managed_to
    from offenders
),

managed_at_month_end as (
    select registrations.*, last_day($month::date) as month_end
    from registrations
    inner join district_list on district_list.district = registrations.district
    where registrations.managed_from <= last_day($month::date)
      and (registrations.managed_to is null or registrations.managed_to > last_day($month::date))
),

visits as (
    select offender_ref, visit_date
    from offender_visits
    where visit_date <= last_day($month::date)
      and offender_ref in (select offender_ref from managed_at_month_end)
),

with_last_visit as (
    select
        managed_at_month_end.*,
        visits.visit_date as last_visit_on,
        case managed_at_month_end.risk_level
            when 'very_high' then 1
            when 'high' then 3
            when 'medium' then 6
            when 'low' then 12
        end as visit_interval_months
    from managed_at_month_end
    asof left join visits
        on visits.offender_ref = managed_at_month_end.offender_ref
        and managed_at_month_end.month_end >= visits.visit_date
),

final as (
    select
        offender_ref,
        district,
        risk_level,
        managed_from,
        managed_to,
        last_visit_on,
        visit_interval_months,
        (greatest(managed_from, last_visit_on) + to_months(visit_interval_months))::date
            as next_visit_due_on,
        next_visit_due_on < month_end as in_numerator
    from with_last_visit
)

select * from final order by district, offender_ref
