with source as (

    select * from {{ source('edi', 'ship_notices') }}

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
        shipment_id,
        ship_date,
        asn_date,
        purpose,
        structure_code,
        estimated_delivery_date,
        carrier_scac,
        carrier_mode,
        carrier_routing,
        tracking_number,
        bill_of_lading,
        order_count,
        item_count,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
