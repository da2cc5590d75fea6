with source as (

    select * from {{ source('edi', 'inventory_advice') }}

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
        report_id,
        report_date,
        line_seq,
        line_no,
        description,
        vendor_item_id,
        buyer_item_id,
        gtin,
        qualifier,
        qty,
        uom,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
