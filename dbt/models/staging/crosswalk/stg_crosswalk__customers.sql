with source as (

    select * from {{ source('crosswalk', 'customers') }}

),

renamed as (

    select
        source_system,
        entity_code,
        local_code,
        golden_code,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
