-- Procure-to-pay KPIs per PO entity × month and GROUP (every entity's PO lines: purchases are
-- not eliminated). PO lines in scope: not cancelled and expected (first promise) within the
-- horizon; a line closed short stays in scope and is not in full.
with po_lines as (
    select * from {{ ref('fct_po_lines') }}
),

purchase_orders as (
    select * from {{ ref('fct_purchase_orders') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

horizon as (
    select max(horizon_end) as horizon_end from periods
),

due_lines as (
    select po_lines.*
    from po_lines
    cross join horizon
    where
        not po_lines.is_cancelled
        and po_lines.expected_date <= horizon.horizon_end
),

scoped_lines as (
    select
        entity_code,
        expected_month as month,
        is_on_time_in_full,
        completed_on,
        lead_time_variance_days
    from due_lines
    union all
    select
        'GROUP' as entity_code,
        expected_month as month,
        is_on_time_in_full,
        completed_on,
        lead_time_variance_days
    from due_lines
),

line_kpis as (
    select
        entity_code,
        month,
        sum(case when is_on_time_in_full then 1 else 0 end) as on_time_in_full,
        count(*) as due,
        avg(case when completed_on is not null then cast(lead_time_variance_days as {{ type_double() }}) end)
            as lead_time_variance_days,
        stddev_samp(case when completed_on is not null then cast(lead_time_variance_days as {{ type_double() }}) end)
            as lead_time_variance_days_std
    from scoped_lines
    group by entity_code, month
),

acknowledged as (
    select
        entity_code,
        {{ month_key('sent_date') }} as month,
        cast(ack_time_days as {{ type_double() }}) as ack_time_days
    from purchase_orders
    where sent_date is not null and ack_date is not null
),

scoped_acks as (
    select
        entity_code,
        month,
        ack_time_days
    from acknowledged
    union all
    select
        'GROUP' as entity_code,
        month,
        ack_time_days
    from acknowledged
),

ack_kpis as (
    select
        entity_code,
        month,
        avg(ack_time_days) as po_ack_time_days
    from scoped_acks
    group by entity_code, month
),

cells as (
    select
        entity_code,
        month,
        'supplier_otif' as kpi,
        cast(on_time_in_full as {{ type_double() }}) / due as value
    from line_kpis
    where due <> 0
    union all
    select
        entity_code,
        month,
        'lead_time_variance_days' as kpi,
        lead_time_variance_days as value
    from line_kpis
    union all
    select
        entity_code,
        month,
        'lead_time_variance_days_std' as kpi,
        lead_time_variance_days_std as value
    from line_kpis
    union all
    select
        entity_code,
        month,
        'po_ack_time_days' as kpi,
        po_ack_time_days as value
    from ack_kpis
)

select
    entity_code,
    month,
    kpi,
    cast(value as {{ type_double() }}) as value
from cells
where value is not null
