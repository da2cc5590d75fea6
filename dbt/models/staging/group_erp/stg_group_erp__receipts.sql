with source as (

    select * from {{ source('group_erp', 'receipts') }}

),

renamed as (

    select
        receipt_id,
        po_id,
        cast(po_line_no as {{ dbt.type_bigint() }}) as po_line_no,
        item_id,
        warehouse_code,
        cast(receipt_date as date) as receipt_date,
        cast(qty_received_ea as {{ dbt.type_bigint() }}) as qty_received_ea,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        _deleted as is_deleted,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
