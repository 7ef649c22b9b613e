-- iioc_outsourced_non_specialist_pct
-- Percentage of IIOC cases completed in the month that were outsourced for a reason other than
-- specialist work (for capacity or other reasons).
-- grain: district x month, plus one row per force (district = the force's name)
-- unit: % (0-100); numerator: outsourced, reason not 'specialist'; denominator: IIOC completed
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: districts, forensic_cases
-- choices:
--   * "completed in the month" is the calendar month of completed_on; the denominator is every
--     IIOC case completed (in-house and outsourced), as in iioc_within_30d_pct.
--   * the schema requires a reason for every outsourced case; 'capacity' and 'other' count.
--   * no cases completed: numerator and denominator 0, value null.
with district_list as (
    select district, force from districts
),

completed_cases as (
    select
        case_ref,
        district,
        date_trunc('month', completed_on)::date as month,
        outsourced and outsource_reason <> 'specialist' as outsourced_non_specialist
    from forensic_cases
    where iioc
      and completed_on >= $from_month::date
      and completed_on <= last_day($to_month::date)
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
        count(completed_cases.case_ref)
            filter (where completed_cases.outsourced_non_specialist)::double as numerator,
        count(completed_cases.case_ref)::double as denominator
    from spine
    left join completed_cases
        on completed_cases.district = spine.district
        and completed_cases.month = spine.month
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
