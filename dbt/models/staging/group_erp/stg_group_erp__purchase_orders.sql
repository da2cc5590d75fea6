with source as (

    select * from {{ source('group_erp', 'purchase_orders') }}

),

renamed as (

    select
        po_id,
        company_code as entity_code,
        supplier_id,
        warehouse_code,
        cast(po_date as date) as po_date,
        cast(sent_date as date) as sent_date,
        cast(ack_date as date) as ack_date,
        currency,
        status,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
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
