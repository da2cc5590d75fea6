with source as (

    select * from {{ source('wms', 'picks') }}

),

renamed as (

    select
        event_id,
        event_type,
        warehouse_code,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        pick_id,
        shipment_id,
        order_id,
        cast(order_line_no as {{ dbt.type_bigint() }}) as order_line_no,
        item_code,
        cast(qty_picked_ea as {{ dbt.type_bigint() }}) as qty_picked_ea,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
