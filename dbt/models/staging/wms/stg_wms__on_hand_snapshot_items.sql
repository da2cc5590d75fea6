with source as (

    select * from {{ source('wms', 'on_hand_snapshot_items') }}

),

renamed as (

    select
        event_id,
        item_code,
        cast(on_hand_ea as {{ dbt.type_bigint() }}) as on_hand_ea,
        cast(available_ea as {{ dbt.type_bigint() }}) as available_ea,
        cast(backordered_ea as {{ dbt.type_bigint() }}) as backordered_ea,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
