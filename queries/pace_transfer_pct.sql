-- pace_transfer_pct
-- Of children charged in the month and held overnight after charge, the percentage transferred to
-- local-authority accommodation (PACE section 38(6)).
-- grain: district x month, plus one row per force (district = the force's name)
-- unit: % (0-100); numerator: transferred to local-authority accommodation;
-- denominator: children_detained_overnight's count
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, custody_detentions
-- choices:
--   * the denominator is exactly children_detained_overnight (per detention, charged_at month).
--   * no overnight detentions: numerator and denominator 0, value null.
with district_list as (
    select district, force from districts
),

overnight_detentions as (
    select
        detention_ref,
        district,
        date_trunc('month', charged_at)::date as month,
        transferred_to_la
    from custody_detentions
    where held_overnight
      and charged_at >= $from_month::date
      and charged_at < $to_month::date + interval 1 month
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
        count(overnight_detentions.detention_ref)
            filter (where overnight_detentions.transferred_to_la)::double as numerator,
        count(overnight_detentions.detention_ref)::double as denominator
    from spine
    left join overnight_detentions
        on overnight_detentions.district = spine.district
        and overnight_detentions.month = spine.month
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
