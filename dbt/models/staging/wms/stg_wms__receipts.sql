with source as (

    select * from {{ source('wms', 'receipts') }}

),

renamed as (

    select
        event_id,
        event_type,
        warehouse_code,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        receipt_id,
        po_id,
        cast(po_line_no as {{ dbt.type_bigint() }}) as po_line_no,
        item_code,
        cast(qty_received_ea as {{ dbt.type_bigint() }}) as qty_received_ea,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
