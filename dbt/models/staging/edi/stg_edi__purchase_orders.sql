with source as (

    select * from {{ source('edi', 'purchase_orders') }}

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
        po_date,
        purpose,
        po_type,
        release_number,
        currency,
        requested_delivery_date,
        requested_ship_date,
        ship_to_id,
        ship_to_name,
        charge_total,
        allowance_total,
        declared_line_count,
        line_count,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
