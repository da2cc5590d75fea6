with source as (

    select * from {{ source('group_erp', 'items') }}

),

renamed as (

    select
        item_id,
        description,
        category,
        abc_class,
        stock_uom,
        cast(case_size as {{ dbt.type_bigint() }}) as case_size,
        cast(pack_size as {{ dbt.type_bigint() }}) as pack_size,
        cast(standard_cost_usd as {{ type_double() }}) as standard_cost_usd,
        cast(list_price_usd as {{ type_double() }}) as list_price_usd,
        cast(floor_price_usd as {{ type_double() }}) as floor_price_usd,
        cast(is_stock_item as boolean) as is_stock_item,
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
