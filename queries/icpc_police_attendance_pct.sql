-- icpc_police_attendance_pct
-- Percentage of initial child protection conferences held in the month that police attended.
-- grain: district x month, plus one row per force (district = the force's name)
-- unit: % (0-100); numerator: ICPCs police attended (police_attended); denominator: ICPCs held
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, conferences
-- choices:
--   * "in the month" is the calendar month of held_on; one conferences row is one case.
--   * no conferences: numerator and denominator 0, value null.
with district_list as (
    select district, force from districts
),

held as (
    select
        conference_ref,
        district,
        date_trunc('month', held_on)::date as month,
        police_attended as in_numerator
    from conferences
    where kind = 'ICPC'
      and held_on >= $from_month::date
      and held_on <= last_day($to_month::date)
),

months as (
    select month_start::date as month
    from generate_series($from_month::date, $to_month::date, interval 1 month)
        as series (month_start)
),

spine as (
    select district_list.force, district_list.district, months.month
    from district_list
    cross join months
),

rolled_up as (
    select
        coalesce(spine.district, spine.force) as district,
        spine.month,
        count(held.conference_ref) filter (where held.in_numerator)::double as numerator,
        count(held.conference_ref)::double as denominator
    from spine
    left join held
        on held.district = spine.district
        and held.month = spine.month
    group by grouping sets ((spine.force, spine.district, spine.month), (spine.force, spine.month))
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
