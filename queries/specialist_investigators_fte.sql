-- specialist_investigators_fte
-- Specialist child abuse and child sexual exploitation investigators in post (full-time
-- equivalent) at month end; the target is the number of funded posts (the denominator).
-- grain: district x month, plus one row per force (district = the force's name)
-- unit: FTE; numerator: FTE in post; denominator: FTE funded; value: FTE in post
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, workforce (role 'specialist_investigator')
-- choices:
--   * the workforce row for the month is the position at that month's end.
--   * a district with no workforce row for the month is unknown, not zero: numerator,
--     denominator and value are null.
--   * the force row is the sum over its districts only when every district has a row for the
--     month; otherwise it is null too, so a missing return never shows as a fall in post.
with district_list as (
    select district, force from districts
),

returns as (
    select district, month, fte_in_post, fte_funded
    from workforce
    where role = 'specialist_investigator'
      and month >= $from_month::date
      and month <= $to_month::date
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
        count(returns.district) = count(*) as complete,
        sum(returns.fte_in_post)::double as fte_in_post,
        sum(returns.fte_funded)::double as fte_funded
    from spine
    left join returns
        on returns.district = spine.district
        and returns.month = spine.month
    group by grouping sets ((spine.force, spine.district, spine.month), (spine.force, spine.month))
),

final as (
    select
        district,
        month,
        case when complete then fte_in_post end as numerator,
        case when complete then fte_funded end as denominator,
        case when complete then fte_in_post end as value
    from rolled_up
)

select * from final order by district, month
