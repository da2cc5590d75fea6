with source as (

    select * from {{ source('wms', 'on_hand_snapshots') }}

),

renamed as (

    select
        event_id,
        event_type,
        warehouse_code,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        cast(snapshot_date as date) as snapshot_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
