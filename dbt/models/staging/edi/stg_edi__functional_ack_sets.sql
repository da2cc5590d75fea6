with source as (

    select * from {{ source('edi', 'functional_ack_sets') }}

),

renamed as (

    select
        file,
        isa_control,
        gs_control,
        st_control,
        st_position,
        group_id,
        group_control,
        acked_set_id,
        acked_set_control,
        status,
        error_codes,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
