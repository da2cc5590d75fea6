-- Suppliers per entity, with the golden code when mapped.
with suppliers as (
    select * from {{ ref('int_supplier_xref') }}
),

final as (
    select
        entity_code,
        local_supplier_code,
        source_system,
        supplier_id,
        is_mapped,
        supplier_name,
        country,
        currency,
        planned_lead_time_days,
        edi_partner_id
    from suppliers
)

select * from final
