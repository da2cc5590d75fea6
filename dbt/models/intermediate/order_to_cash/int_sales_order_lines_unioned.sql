-- One row per sales order line across all ERPs in its current state, with the golden item code
-- (null when the local code is unmapped: the line is kept and flagged) and its order's
-- attributes. Quantities in the line's UoM and in EA (stock unit).
-- depends_on: {{ ref('int_orders_changed') }}
with erp_lines as (
    select * from {{ ref('stg_group_erp__sales_order_lines') }}
    where not coalesce(is_deleted, false) and {{ only_changed_orders() }}
),

mx_lines as (
    {{ latest_version('(select * from ' ~ ref('stg_legacy_mx__sales_order_lines') ~ ' where ' ~ only_changed_orders() ~ ')', ['order_id', 'line_no'], 'updated_at desc, file_date desc, _source_row desc') }}
),

us_lines as (
    {{ latest_version('(select * from ' ~ ref('stg_legacy_us__sales_order_lines') ~ ' where ' ~ only_changed_orders() ~ ')', ['order_id', 'line_no'], 'updated_at desc, file_date desc, _source_row desc') }}
),

orders as (
    select * from {{ ref('int_sales_orders_unioned') }}
    where {{ only_changed_orders() }}
),

items as (
    select * from {{ ref('int_item_xref') }}
),

unioned as (
    select
        order_id,
        line_no,
        item_id as item_code,
        uom,
        qty_ordered,
        qty_ordered_ea,
        original_qty_ordered,
        unit_price,
        discount_pct,
        line_status,
        substitute_for_line_no,
        cancelled_at,
        updated_at
    from erp_lines

    union all

    select
        order_id,
        line_no,
        item_code,
        uom,
        qty_ordered,
        qty_ordered_ea,
        original_qty_ordered,
        unit_price,
        discount_pct,
        line_status,
        substitute_for_line_no,
        cancelled_at,
        updated_at
    from mx_lines

    union all

    select
        order_id,
        line_no,
        item_code,
        uom,
        qty_ordered,
        qty_ordered_ea,
        original_qty_ordered,
        unit_price,
        discount_pct,
        line_status,
        substitute_for_line_no,
        cancelled_at,
        updated_at
    from us_lines
),

final as (
    select
        unioned.order_id,
        unioned.line_no,
        orders.entity_code,
        orders.source_system,
        orders.customer_code,
        orders.customer_id,
        orders.warehouse_code,
        orders.channel,
        orders.order_date,
        orders.promised_date,
        orders.currency,
        orders.is_intercompany,
        unioned.item_code,
        items.item_id,
        coalesce(items.is_mapped, false) as is_item_mapped,
        items.local_item_code is not null as is_item_known,
        unioned.uom,
        unioned.qty_ordered,
        cast(unioned.qty_ordered_ea as {{ type_double() }}) as qty_ordered_ea,
        unioned.original_qty_ordered,
        unioned.unit_price,
        coalesce(unioned.discount_pct, 0) as discount_pct,
        case
            when unioned.qty_ordered_ea > 0
                then
                    unioned.unit_price * (1 - coalesce(unioned.discount_pct, 0))
                    * unioned.qty_ordered / unioned.qty_ordered_ea
        end as net_price_per_ea,
        unioned.line_status,
        unioned.line_status = 'cancelled' as is_cancelled,
        unioned.substitute_for_line_no,
        unioned.cancelled_at,
        cast(unioned.cancelled_at as date) as cancelled_on,
        unioned.updated_at
    from unioned
    inner join orders on unioned.order_id = orders.order_id
    left join items
        on
            orders.entity_code = items.entity_code
            and unioned.item_code = items.local_item_code
)

select * from final
