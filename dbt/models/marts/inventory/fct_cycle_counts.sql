-- One row per WMS cycle count, judged against its ABC tolerance.
with counts as (
    select * from {{ ref('int_cycle_counts_judged') }}
),

final as (
    select
        count_id,
        count_date,
        {{ month_key('count_date') }} as count_month,
        warehouse_code,
        entity_code,
        item_code,
        item_id,
        is_item_mapped,
        abc_class,
        system_qty,
        counted_qty,
        variance_qty,
        tolerance_pct,
        is_accurate
    from counts
)

select * from final
