with source as (

    select * from {{ source('edi', 'po_acks') }}

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
        po_number,
        ack_type,
        purpose,
        po_date,
        ack_date,
        seller_order_number,
        promised_ship_date,
        promised_delivery_date,
        line_count,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
