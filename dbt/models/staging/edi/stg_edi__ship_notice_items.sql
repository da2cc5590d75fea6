with source as (

    select * from {{ source('edi', 'ship_notice_items') }}

),

renamed as (

    select
        file,
        isa_control,
        gs_control,
        st_control,
        st_position,
        shipment_id,
        order_seq,
        order_hl_id,
        po_number,
        po_date,
        item_hl_id,
        line_no,
        qty_shipped,
        uom,
        package_id,
        description,
        vendor_item_id,
        buyer_item_id,
        gtin,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
