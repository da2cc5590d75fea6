-- One row per sales order across the group ERP and the legacy exports, in its current state
-- (legacy: the latest version by modification timestamp, ties by the later file date), with
-- the golden customer code and whether the order also arrived as an inbound EDI 850.
with erp_orders as (
    select * from {{ ref('stg_group_erp__sales_orders') }}
    where not coalesce(is_deleted, false)
),

mx_orders as (
    {{ latest_version(ref('stg_legacy_mx__sales_orders'), ['order_id'], 'updated_at desc, file_date desc, _source_row desc') }}
),

us_orders as (
    {{ latest_version(ref('stg_legacy_us__sales_orders'), ['order_id'], 'updated_at desc, file_date desc, _source_row desc') }}
),

customers as (
    select * from {{ ref('int_customer_xref') }}
),

edi_orders as (
    select * from {{ ref('int_edi_customer_orders') }}
),

unioned as (
    select
        order_id,
        entity_code,
        'group_erp' as source_system,
        customer_id as customer_code,
        warehouse_code,
        channel,
        order_date,
        requested_date,
        confirmed_date,
        customer_po,
        currency,
        credit_hold,
        manual_touch,
        is_intercompany,
        status,
        created_at,
        updated_at
    from erp_orders

    union all

    select
        order_id,
        entity_code,
        'legacy_mx' as source_system,
        customer_code,
        warehouse_code,
        channel,
        order_date,
        requested_date,
        confirmed_date,
        customer_po,
        currency,
        credit_hold,
        manual_touch,
        is_intercompany,
        status,
        created_at,
        updated_at
    from mx_orders

    union all

    select
        order_id,
        entity_code,
        'legacy_us' as source_system,
        customer_code,
        warehouse_code,
        channel,
        order_date,
        requested_date,
        confirmed_date,
        customer_po,
        currency,
        credit_hold,
        manual_touch,
        is_intercompany,
        status,
        created_at,
        updated_at
    from us_orders
),

edi_matches as (
    select
        entity_code,
        customer_po,
        min(po_date) as edi_po_date
    from edi_orders
    group by entity_code, customer_po
),

final as (
    select
        unioned.order_id,
        unioned.entity_code,
        unioned.source_system,
        unioned.customer_code,
        customers.customer_id,
        coalesce(customers.is_mapped, false) as is_customer_mapped,
        unioned.warehouse_code,
        unioned.channel,
        unioned.order_date,
        unioned.requested_date,
        unioned.confirmed_date,
        coalesce(unioned.confirmed_date, unioned.requested_date) as promised_date,
        unioned.customer_po,
        unioned.currency,
        coalesce(unioned.credit_hold, false) as is_credit_hold,
        coalesce(unioned.manual_touch, false) as is_manual_touch,
        coalesce(unioned.is_intercompany, false) as is_intercompany,
        unioned.status,
        customers.credit_limit as customer_credit_limit,
        edi_matches.customer_po is not null as arrived_by_edi,
        unioned.created_at,
        unioned.updated_at
    from unioned
    left join customers
        on
            unioned.entity_code = customers.entity_code
            and unioned.customer_code = customers.local_customer_code
    left join edi_matches
        on
            unioned.entity_code = edi_matches.entity_code
            and unioned.customer_po = edi_matches.customer_po
)

select * from final
