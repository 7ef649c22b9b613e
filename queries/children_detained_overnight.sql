-- children_detained_overnight
-- Detentions of children (aged 10-17) charged in the month and held overnight in police custody
-- after charge.
-- grain: district x month, plus one row per force (district = the force's name)
-- unit: children (detentions); numerator = value = detentions; denominator = 1
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, custody_detentions
-- choices:
--   * "in the month" is the calendar month of charged_at (local wall-clock time).
--   * counted per detention: a child detained overnight twice in the month counts twice.
--   * held overnight is the recorded held_overnight flag; the schema holds ages 10-17 only.
with district_list as (
    select district, force from districts
),

overnight_detentions as (
    select
        detention_ref,
        district,
        date_trunc('month', charged_at)::date as month
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
        count(overnight_detentions.detention_ref)::double as numerator
    from spine
    left join overnight_detentions
        on overnight_detentions.district = spine.district
        and overnight_detentions.month = spine.month
    group by grouping sets ((spine.force, spine.district, spine.month), (spine.force, spine.month))
),

final as (
    select district, month, numerator, 1.0::double as denominator, numerator as value
    from rolled_up
)

select * from final order by district, month
