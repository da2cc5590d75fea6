-- Customer orders received by EDI (inbound 850 with a good envelope), tied to the selling
-- entity and the customer by the trading partner id and the ship-to account (N1*ST*..*92*code):
-- a partner (a chain, a buying group) orders for many accounts. The same order also exists in the
-- entity's ERP (matched there by customer PO number): EDI adds no second order.
with edi_pos as (
    select * from {{ ref('stg_edi__purchase_orders') }}
),

customers as (
    select * from {{ ref('int_customer_xref') }}
    where edi_partner_id is not null
),

inbound as (
    select
        po_number as customer_po,
        po_date,
        -- edi/<partner>/<inbound|outbound>/<file>: the folder names the trading partner
        lower(split_part(file, '/', 2)) as partner_id,
        trim(isa_receiver_id) as receiver_id,
        ship_to_id,
        file as edi_file,
        st_control
    from edi_pos
    where
        coalesce(envelope_ok, true)
        and split_part(file, '/', 3) = 'inbound'
),

final as (
    select
        inbound.customer_po,
        inbound.po_date,
        inbound.partner_id,
        customers.entity_code,
        customers.local_customer_code as customer_code,
        inbound.edi_file,
        inbound.st_control
    from inbound
    inner join customers
        on
            inbound.partner_id = lower(customers.edi_partner_id)
            and inbound.ship_to_id = customers.local_customer_code
)

select * from final
