with source as (

    select * from {{ source('legacy_us', 'purchase_orders') }}

),

renamed as (

    select
        'US02' as entity_code,
        po_id,
        supplier_code,
        warehouse_code,
        cast(po_date as date) as po_date,
        cast(sent_date as date) as sent_date,
        cast(ack_date as date) as ack_date,
        currency,
        status,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        {{ file_date('_source_file') }} as file_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
