{#- The order-to-cash chain (order lines, shipments, invoice lines, from intermediate to marts)
    is built incrementally by order: a run rebuilds every row of the orders that anything
    touched since the chain was last built (`int_orders_changed`), deleting their rows and
    inserting them again in one transaction.

    "Last built" is the chain's mark (incremental_marks.sql), written at the end of a dbt
    invocation that built the chain: the latest load it had seen (moved on only when every model
    of the chain succeeded) and the project's fingerprint (after changing a macro the chain uses,
    build with --full-refresh). A new fingerprint, a changed mapping input or no build yet means
    every order is rebuilt. Rows without an order are few (faults) and always rebuilt.

    The chain's models get their config in dbt_project.yml (incremental, append after the
    pre-hook's delete). On Spark (no delete by key without Delta) they are plain tables, rebuilt
    every run. -#}

{% macro order_to_cash_models() -%}
    {{ return([
        'int_sales_order_lines_unioned',
        'int_shipment_lines_unioned',
        'int_order_lines_fulfilled',
        'int_invoice_lines_converted',
        'fct_order_lines',
        'fct_shipments',
        'fct_invoice_lines',
    ]) }}
{%- endmacro %}


{#- Pre-hook: the rows the run rebuilds go first (inside the model's transaction). -#}
{% macro delete_changed_orders() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where
            order_id is null
            or order_id in (select changed.order_id from {{ ref('int_orders_changed') }} as changed)
            or (select max(changed.is_full_rebuild) from {{ ref('int_orders_changed') }} as changed)
    {%- endif -%}
{%- endmacro %}


{#- Filter for a chain model's rows (or a source's, when its partitions are whole orders): only
    the changed orders on an incremental run, everything on a full one. -#}
{% macro only_changed_orders(column='order_id') -%}
    {%- if is_incremental() -%}
        ({{ column }} is null
        or {{ column }} in (select changed.order_id from {{ ref('int_orders_changed') }} as changed))
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{#- on-run-end: record the orders this invocation rebuilt, for the next publication (every
    order when a chain model was rebuilt in full, with --full-refresh too: that rebuild ignores
    int_orders_changed). The mark moves to the loads the chain has now seen only if every model
    of the chain succeeded; else it stays where it was (the next run rebuilds more, never
    less). -#}
{% macro record_order_to_cash_build(results) -%}
    {%- set built = models_built(results, order_to_cash_models()) -%}
    {%- if built | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set state = incremental_builds_relation() -%}
    {%- set changed_orders = model_relation('int_orders_changed') -%}
    {%- set whole_chain = built | length == order_to_cash_models() | length -%}
    create table if not exists audit.order_to_cash_changes (
        invocation_id varchar,
        order_id varchar,
        is_full_rebuild boolean
    );
    {{ create_incremental_builds() }}
    {#- the orders first, then the mark: a mark always has its orders (backbone/publish.py
        copies only those into the next publication). Part of the chain with no mark yet
        records nothing: the next publication copies every table whole. -#}
    {%- set recorded_if = '' if whole_chain else "where exists (select 1 from " ~ state
        ~ " where model_group = 'order_to_cash')" %}
    insert into audit.order_to_cash_changes
    {% if flags.FULL_REFRESH or load_relation(changed_orders) is none -%}
        select
            '{{ invocation_id }}',
            null,
            true
        {{ recorded_if }};
    {%- else -%}
        select distinct
            '{{ invocation_id }}',
            case when changed.is_full_rebuild then null else changed.order_id end,
            changed.is_full_rebuild
        from {{ changed_orders }} as changed
        {{ recorded_if }};
    {%- endif %}
    {% if whole_chain -%}
        {{ record_mark('order_to_cash') }}
    {%- else -%}
        insert into {{ state }}
        select
            model_group,
            built_through,
            fingerprint,
            current_timestamp at time zone 'UTC',
            '{{ invocation_id }}'
        from {{ state }}
        where model_group = 'order_to_cash'
        order by built_at desc
        limit 1;
    {%- endif %}
{%- endmacro %}


{#- Whether a staging row came with a load after `since` (a SQL literal; none: every row). An
    ERP delete keeps the row's load time but takes the deleting load's id (`new_loads` must be
    in scope). -#}
{% macro loaded_since(since, alias=none, has_deletes=false) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- if since is none -%}
        1 = 1
    {%- elif has_deletes -%}
        ({{ prefix }}_loaded_at > {{ since }}
        or ({{ prefix }}is_deleted and {{ prefix }}_load_id in (select new_loads.load_id from new_loads)))
    {%- else -%}
        {{ prefix }}_loaded_at > {{ since }}
    {%- endif -%}
{%- endmacro %}
