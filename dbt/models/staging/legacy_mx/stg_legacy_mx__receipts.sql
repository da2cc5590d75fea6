with source as (

    select * from {{ source('legacy_mx', 'receipts') }}

),

renamed as (

    select
        'MX02' as entity_code,
        receipt_id,
        po_id,
        cast(po_line_no as {{ dbt.type_bigint() }}) as po_line_no,
        item_code,
        warehouse_code,
        cast(receipt_date as date) as receipt_date,
        cast(qty_received_ea as {{ dbt.type_bigint() }}) as qty_received_ea,
        {{ file_date('_source_file') }} as file_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
