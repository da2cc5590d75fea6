with source as (

    select * from {{ source('edi', 'invoice_lines') }}

),

renamed as (

    select
        file,
        isa_control,
        gs_control,
        st_control,
        st_position,
        invoice_number,
        line_seq,
        line_no,
        qty,
        uom,
        unit_price,
        amount,
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
