-- rso_caseload_per_officer
-- Registered sex offenders managed in the community at month end, divided by the offender-manager
-- full-time equivalent (FTE) in post at month end.
-- grain: district x month, plus one row per force (district = the force's name)
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
with district_list as (
    select district, force from districts
),

registrations as (
    select offender_ref, district, managed_from, managed_to
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

spine as (
    select district_list.force, district_list.district, months.month, months.month_end
    from district_list
    cross join months
),

offenders_managed as (
    select spine.force, spine.district, spine.month, count(registrations.offender_ref) as offenders
    from spine
    left join registrations
        on registrations.district = spine.district
        and registrations.managed_from <= spine.month_end
        and (registrations.managed_to is null or registrations.managed_to > spine.month_end)
    group by spine.force, spine.district, spine.month
),

fte_in_post as (
    select spine.district, spine.month, coalesce(sum(postings.fte), 0) as fte
    from spine
    left join postings
        on postings.district = spine.district
        and postings.start_date <= spine.month_end
        and (postings.end_date is null or postings.end_date > spine.month_end)
    group by spine.district, spine.month
),

rolled_up as (
    select
        coalesce(offenders_managed.district, offenders_managed.force) as district,
        offenders_managed.month,
        sum(offenders_managed.offenders)::double as numerator,
        sum(fte_in_post.fte)::double as denominator
    from offenders_managed
    inner join fte_in_post
        on fte_in_post.district = offenders_managed.district
        and fte_in_post.month = offenders_managed.month
    group by grouping sets (
        (offenders_managed.force, offenders_managed.district, offenders_managed.month),
        (offenders_managed.force, offenders_managed.month)
    )
),

final as (
    select district, month, numerator, denominator, numerator / nullif(denominator, 0) as value
    from rolled_up
)

select * from final order by district, month
