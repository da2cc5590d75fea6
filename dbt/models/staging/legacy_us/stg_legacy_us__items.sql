with source as (

    select * from {{ source('legacy_us', 'items') }}

),

renamed as (

    select
        'US02' as entity_code,
        item_code,
        description,
        category,
        abc_class,
        stock_uom,
        cast(case_size as {{ dbt.type_bigint() }}) as case_size,
        cast(pack_size as {{ dbt.type_bigint() }}) as pack_size,
        cast(is_stock_item as boolean) as is_stock_item,
        cast(created_date as date) as created_date,
        {{ file_date('_source_file') }} as file_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
