with source as (

    select * from {{ source('edi', 'functional_acks') }}

),

renamed as (

    select
        file,
        isa_control,
        gs_control,
        st_control,
        st_position,
        set_id,
        isa_sender_qualifier,
        isa_sender_id,
        isa_receiver_qualifier,
        isa_receiver_id,
        gs_sender_id,
        gs_receiver_id,
        gs_version,
        envelope_ok,
        error_count,
        ack_seq,
        group_id,
        group_control,
        group_status,
        sets_included,
        sets_received,
        sets_accepted,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
