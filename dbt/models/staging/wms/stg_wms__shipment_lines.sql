with source as (

    select * from {{ source('wms', 'shipment_lines') }}

),

renamed as (

    select
        event_id,
        cast(shipment_line_no as {{ dbt.type_bigint() }}) as shipment_line_no,
        cast(order_line_no as {{ dbt.type_bigint() }}) as order_line_no,
        item_code,
        cast(qty_shipped_ea as {{ dbt.type_bigint() }}) as qty_shipped_ea,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
