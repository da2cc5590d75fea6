-- One row per shipment line across all ERPs, with its shipment header (dates, carrier,
-- freight). EA quantities; unit_cost_ea null for non-stock items.
-- depends_on: {{ ref('int_orders_changed') }}
with erp_headers as (
    select * from {{ ref('stg_group_erp__shipments') }}
    where not coalesce(is_deleted, false)
),

erp_lines as (
    select * from {{ ref('stg_group_erp__shipment_lines') }}
    where not coalesce(is_deleted, false) and {{ only_changed_orders() }}
),

mx_headers as (
    {{ latest_version(ref('stg_legacy_mx__shipments'), ['shipment_id'], 'file_date desc, _source_row desc') }}
),

mx_lines as (
    {{ latest_version('(select * from ' ~ ref('stg_legacy_mx__shipment_lines') ~ ' where ' ~ only_changed_orders() ~ ')', ['shipment_id', 'shipment_line_no'], 'file_date desc, _source_row desc') }}
),

us_headers as (
    {{ latest_version(ref('stg_legacy_us__shipments'), ['shipment_id'], 'file_date desc, _source_row desc') }}
),

us_lines as (
    {{ latest_version('(select * from ' ~ ref('stg_legacy_us__shipment_lines') ~ ' where ' ~ only_changed_orders() ~ ')', ['shipment_id', 'shipment_line_no'], 'file_date desc, _source_row desc') }}
),

headers as (
    select
        shipment_id,
        entity_code,
        'group_erp' as source_system,
        order_id,
        warehouse_code,
        ship_date,
        delivery_date,
        carrier,
        tracking_number,
        freight_cost
    from erp_headers

    union all

    select
        shipment_id,
        entity_code,
        'legacy_mx' as source_system,
        order_id,
        warehouse_code,
        ship_date,
        delivery_date,
        carrier,
        tracking_number,
        freight_cost
    from mx_headers

    union all

    select
        shipment_id,
        entity_code,
        'legacy_us' as source_system,
        order_id,
        warehouse_code,
        ship_date,
        delivery_date,
        carrier,
        tracking_number,
        freight_cost
    from us_headers
),

lines as (
    select
        shipment_id,
        line_no as shipment_line_no,
        order_id,
        order_line_no,
        item_id as item_code,
        qty_shipped_ea,
        shipment_seq,
        unit_cost_ea
    from erp_lines

    union all

    select
        shipment_id,
        shipment_line_no,
        order_id,
        order_line_no,
        item_code,
        qty_shipped_ea,
        shipment_seq,
        unit_cost_ea
    from mx_lines

    union all

    select
        shipment_id,
        shipment_line_no,
        order_id,
        order_line_no,
        item_code,
        qty_shipped_ea,
        shipment_seq,
        unit_cost_ea
    from us_lines
),

final as (
    select
        lines.shipment_id,
        lines.shipment_line_no,
        headers.entity_code,
        headers.source_system,
        coalesce(lines.order_id, headers.order_id) as order_id,
        lines.order_line_no,
        headers.warehouse_code,
        lines.item_code,
        headers.ship_date,
        headers.delivery_date,
        cast(lines.qty_shipped_ea as {{ type_double() }}) as qty_shipped_ea,
        lines.shipment_seq,
        lines.shipment_seq = 1 as is_first_shipment,
        lines.unit_cost_ea,
        headers.carrier,
        headers.tracking_number,
        headers.freight_cost
    from lines
    inner join headers on lines.shipment_id = headers.shipment_id
    where {{ only_changed_orders('coalesce(lines.order_id, headers.order_id)') }}
)

select * from final
