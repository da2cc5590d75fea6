-- WMS cycle counts, each judged alone against its ABC tolerance (A ±1 %, B ±3 %, C ±5 %; any
-- other class: C). System qty 0 is accurate only when counted 0. Variances never net.
with counts as (
    select * from {{ ref('stg_wms__cycle_counts') }}
),

warehouses as (
    select * from {{ ref('int_warehouses') }}
),

items as (
    select * from {{ ref('int_item_xref') }}
),

tolerances as (
    select * from {{ ref('abc_count_tolerances') }}
),

default_tolerance as (
    select tolerance_pct from tolerances
    where abc_class = 'C'
),

final as (
    select
        counts.count_id,
        cast(counts.occurred_at as date) as count_date,
        counts.warehouse_code,
        warehouses.entity_code,
        counts.item_code,
        items.item_id,
        coalesce(items.is_mapped, false) as is_item_mapped,
        counts.abc_class,
        cast(counts.system_qty as {{ type_double() }}) as system_qty,
        cast(counts.counted_qty as {{ type_double() }}) as counted_qty,
        cast(counts.counted_qty - counts.system_qty as {{ type_double() }}) as variance_qty,
        coalesce(tolerances.tolerance_pct, default_tolerance.tolerance_pct) as tolerance_pct,
        abs(counts.counted_qty - counts.system_qty)
        <= coalesce(tolerances.tolerance_pct, default_tolerance.tolerance_pct) * abs(counts.system_qty)
        + 0.000000001 as is_accurate
    from counts
    cross join default_tolerance
    left join tolerances on counts.abc_class = tolerances.abc_class
    left join warehouses on counts.warehouse_code = warehouses.warehouse_code
    left join items
        on
            warehouses.entity_code = items.entity_code
            and counts.item_code = items.local_item_code
)

select * from final
