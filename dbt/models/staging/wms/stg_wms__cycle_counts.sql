with source as (

    select * from {{ source('wms', 'cycle_counts') }}

),

renamed as (

    select
        event_id,
        event_type,
        warehouse_code,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        count_id,
        item_code,
        abc_class,
        cast(system_qty as {{ dbt.type_bigint() }}) as system_qty,
        cast(counted_qty as {{ dbt.type_bigint() }}) as counted_qty,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
