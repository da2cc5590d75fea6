{#- Which rows of each intelligence model are exceptions (the model's own flag). The rules below
    already raise price_below_floor, so the leakage model adds only the leaks they can't see. -#}
{%- set intelligence_models = {
        'stg_intelligence__demand_anomalies': 'true',
        'stg_intelligence__late_delivery_predictions': 'is_exception',
        'stg_intelligence__replenishment': 'below_reorder_point',
        'stg_intelligence__margin_leakage': "leakage_kind <> 'price_below_floor'"
} %}
-- Exceptions the governed rules detect: one row per thing a person must look at, with its type,
-- severity, entity, owner role, when it was detected, when it is due (SLA), the money at stake
-- (USD) and its status in the source data. Detection is evaluated as of the horizon end (the
-- last day with data), so it is reproducible for a given warehouse. The intelligence models'
-- findings (demand shocks, likely-late PO lines, items below reorder point, margin leaks) join
-- the queue here, with their explanation as the detail. fct_exceptions adds what people did
-- about each one (the workflow store).
with unmapped as (
    select * from {{ ref('int_unmapped_codes') }}
),

quarantined as (
    select * from {{ ref('stg_quarantine__records') }}
),

quarantined_sets as (
    select
        *,
        -- our side of the interchange: its receiver when the set came in, its sender when we
        -- sent it (null when the ISA itself was unreadable)
        case direction
            when 'outbound' then isa_sender_id
            else isa_receiver_id
        end as our_interchange_id
    from {{ ref('stg_quarantine__edi_sets') }}
),

interchange_ids as (
    select * from {{ ref('edi_interchange_ids') }}
),

manifest as (
    select * from {{ ref('stg_audit__load_manifest') }}
),

po_lines as (
    select * from {{ ref('fct_po_lines') }}
),

orders as (
    select * from {{ ref('fct_sales_orders') }}
),

order_lines as (
    select * from {{ ref('fct_order_lines') }}
),

prices as (
    select * from {{ ref('int_item_prices') }}
),

fx as (
    select * from {{ ref('int_fx_rates') }}
),

periods as (
    select max(horizon_end) as as_of_date from {{ ref('int_periods') }}
),

order_values as (
    select
        order_id,
        sum(qty_ordered_ea * net_price_per_ea) as order_value,
        sum(qty_ordered_ea * net_price_per_ea_usd) as order_value_usd
    from order_lines
    where not is_cancelled
    group by order_id
),

unmapped_exceptions as (
    select
        'unmapped_' || code_type as exception_type,
        code_type || ':' || source_system || ':' || entity_code || ':' || local_code as exception_key,
        case when transaction_count > 0 then 'high' else 'low' end as severity,
        entity_code,
        'data_steward' as owner_role,
        cast(coalesce(first_seen_on, periods.as_of_date) as {{ dbt.type_timestamp() }}) as detected_at,
        cast({{ add_days('coalesce(first_seen_on, periods.as_of_date)', 2) }} as {{ dbt.type_timestamp() }}) as sla_due,
        cast(null as {{ type_double() }}) as money_at_stake_usd,
        'open' as status,
        reason || ': ' || local_code || ' used by ' || cast(transaction_count as {{ dbt.type_string() }})
        || ' transaction(s)' as detail
    from unmapped
    cross join periods
),

quarantine_exceptions as (
    select
        'quarantined_record' as exception_type,
        load_id || ':' || coalesce(source_file, '') || ':' || coalesce(target_table, '') || ':'
        || coalesce(cast(source_row as {{ dbt.type_string() }}), '') as exception_key,
        'high' as severity,
        -- the entity a rejected record belongs to, where its file says so: a legacy system's
        -- single entity, a WMS file's warehouse folder (wms/<ENTITY>-<SITE>/...)
        case source_system
            when 'legacy_mx' then 'MX02'
            when 'legacy_us' then 'US02'
            when 'wms' then split_part(split_part(source_file, '/', 2), '-', 1)
        end as entity_code,
        'data_steward' as owner_role,
        quarantined_at as detected_at,
        cast({{ dbt.dateadd('day', 1, 'quarantined_at') }} as {{ dbt.type_timestamp() }}) as sla_due,
        cast(null as {{ type_double() }}) as money_at_stake_usd,
        'open' as status,
        reason_code || ': ' || coalesce(detail, '') as detail
    from quarantined
    -- A set rejected for its envelope quarantines one record per row it held; the set itself is
    -- the exception (quarantined_edi_set below), not each of its rows.
    where reason_code <> 'envelope_error'

    union all

    select
        'quarantined_edi_set' as exception_type,
        -- ST control numbers repeat across groups and interchanges of one file: the ST's segment
        -- position is what identifies the set there.
        quarantined_sets.load_id || ':' || coalesce(quarantined_sets.source_file, '') || ':'
        || coalesce(cast(quarantined_sets.st_position as {{ dbt.type_string() }}), '')
            as exception_key,
        'high' as severity,
        ours.entity_code,
        'edi_coordinator' as owner_role,
        quarantined_sets.quarantined_at as detected_at,
        cast({{ dbt.dateadd('day', 1, 'quarantined_sets.quarantined_at') }} as {{ dbt.type_timestamp() }}) as sla_due,
        cast(null as {{ type_double() }}) as money_at_stake_usd,
        'open' as status,
        quarantined_sets.reason_code || ': ' || coalesce(quarantined_sets.detail, '') as detail
    from quarantined_sets
    left join interchange_ids as ours
        on quarantined_sets.our_interchange_id = ours.interchange_id

    union all

    select
        'load_failed' as exception_type,
        load_id as exception_key,
        'critical' as severity,
        cast(null as {{ dbt.type_string() }}) as entity_code,
        'data_engineer' as owner_role,
        started_at as detected_at,
        cast({{ dbt.dateadd('hour', 4, 'started_at') }} as {{ dbt.type_timestamp() }}) as sla_due,
        cast(null as {{ type_double() }}) as money_at_stake_usd,
        'open' as status,
        coalesce(error, 'load failed') as detail
    from manifest
    where status = 'failed'
),

late_supplier_lines as (
    select
        po_lines.*,
        periods.as_of_date
    from po_lines
    cross join periods
    where
        not po_lines.is_cancelled
        and po_lines.promised_date < periods.as_of_date
        and (po_lines.completed_on is null or po_lines.completed_on > po_lines.promised_date)
        and po_lines.line_status <> 'closed'
),

supplier_exceptions as (
    select
        'supplier_late' as exception_type,
        late_supplier_lines.po_id || ':' || cast(late_supplier_lines.line_no as {{ dbt.type_string() }})
            as exception_key,
        case
            when {{ days_between('late_supplier_lines.promised_date', 'coalesce(late_supplier_lines.completed_on, late_supplier_lines.as_of_date)') }} > 7
                then 'high'
            else 'medium'
        end as severity,
        late_supplier_lines.entity_code,
        'buyer' as owner_role,
        cast({{ add_days('late_supplier_lines.promised_date', 1) }} as {{ dbt.type_timestamp() }}) as detected_at,
        cast({{ add_days('late_supplier_lines.promised_date', 3) }} as {{ dbt.type_timestamp() }}) as sla_due,
        (late_supplier_lines.qty_ordered_ea - late_supplier_lines.received_qty_ea)
        * late_supplier_lines.unit_cost * late_supplier_lines.qty_ordered
        / nullif(late_supplier_lines.qty_ordered_ea, 0) * fx.usd_per_unit as money_at_stake_usd,
        case when late_supplier_lines.completed_on is null then 'open' else 'resolved' end as status,
        'promised ' || cast(late_supplier_lines.promised_date as {{ dbt.type_string() }})
        || ', received ' || coalesce(cast(late_supplier_lines.completed_on as {{ dbt.type_string() }}), 'not yet')
            as detail
    from late_supplier_lines
    left join fx
        on
            late_supplier_lines.currency = fx.currency
            and late_supplier_lines.po_date = fx.rate_date
),

credit_exceptions as (
    select
        case when orders.is_credit_hold then 'order_credit_hold' else 'order_over_credit_limit' end
            as exception_type,
        orders.order_id as exception_key,
        'medium' as severity,
        orders.entity_code,
        'credit_controller' as owner_role,
        cast(orders.order_date as {{ dbt.type_timestamp() }}) as detected_at,
        cast({{ add_days('orders.order_date', 1) }} as {{ dbt.type_timestamp() }}) as sla_due,
        order_values.order_value_usd as money_at_stake_usd,
        case
            when orders.status = 'cancelled' then 'cancelled'
            when orders.status = 'closed' then 'resolved'
            else 'open'
        end as status,
        case
            when orders.is_credit_hold then 'order placed on credit hold'
            else 'order value above the customer credit limit'
        end as detail
    from orders
    inner join order_values on orders.order_id = order_values.order_id
    where
        orders.is_credit_hold
        or (
            orders.customer_credit_limit > 0
            and order_values.order_value > orders.customer_credit_limit
        )
),

below_floor as (
    select
        order_lines.order_id,
        order_lines.line_no,
        order_lines.entity_code,
        order_lines.order_date,
        order_lines.qty_ordered_ea,
        order_lines.net_price_per_ea,
        order_lines.net_price_per_ea_usd,
        order_lines.is_cancelled,
        prices.floor_price
    from order_lines
    inner join prices
        on
            order_lines.entity_code = prices.entity_code
            and order_lines.item_code = prices.local_item_code
            and order_lines.order_date >= prices.valid_from
            and (prices.valid_to is null or order_lines.order_date < prices.valid_to)
    -- judged when ordered: a line cancelled later was still quoted below floor
    where order_lines.net_price_per_ea < prices.floor_price - 0.000001
),

price_exceptions as (
    select
        'price_below_floor' as exception_type,
        below_floor.order_id || ':' || cast(below_floor.line_no as {{ dbt.type_string() }}) as exception_key,
        'medium' as severity,
        below_floor.entity_code,
        'pricing_manager' as owner_role,
        cast(below_floor.order_date as {{ dbt.type_timestamp() }}) as detected_at,
        cast({{ add_days('below_floor.order_date', 5) }} as {{ dbt.type_timestamp() }}) as sla_due,
        (below_floor.floor_price - below_floor.net_price_per_ea) * below_floor.qty_ordered_ea
        * below_floor.net_price_per_ea_usd / nullif(below_floor.net_price_per_ea, 0) as money_at_stake_usd,
        case when below_floor.is_cancelled then 'cancelled' else 'open' end as status,
        'net ' || cast(round(below_floor.net_price_per_ea, 4) as {{ dbt.type_string() }})
        || ' per EA below floor ' || cast(round(below_floor.floor_price, 4) as {{ dbt.type_string() }})
            as detail
    from below_floor
),

model_exceptions as (
    {% for model, is_exception in intelligence_models.items() %}
        select
            exception_type,
            exception_key,
            severity,
            entity_code,
            owner_role,
            detected_at,
            sla_due,
            money_at_stake_usd,
            status,
            explanation as detail
        from {{ ref(model) }}
        where {{ is_exception }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

unioned as (
    select * from unmapped_exceptions
    union all
    select * from quarantine_exceptions
    union all
    select * from supplier_exceptions
    union all
    select * from credit_exceptions
    union all
    select * from price_exceptions
    union all
    select * from model_exceptions
),

final as (
    select
        exception_type || ':' || exception_key as exception_id,
        exception_type,
        exception_key,
        severity,
        entity_code,
        owner_role,
        detected_at,
        sla_due,
        cast(money_at_stake_usd as {{ type_double() }}) as money_at_stake_usd,
        status,
        detail
    from unioned
)

select * from final
