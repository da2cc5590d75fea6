{#- fct_inventory_daily is built incrementally by snapshot month. A run rebuilds the latest month
    it holds and every later one (the new days), and further back every month whose rows the
    inputs could have changed since it was last built (int_inventory_months_changed): late WMS
    snapshots, and any change to the rows the valuation reads from the dimension tables.

    Those dimension rows are kept as they were when fct_inventory_daily was last built
    (audit.inventory_built_<model>, a few thousand rows each) and compared with the current ones,
    so every kind of change counts whatever the source did: a new cost, a closed one, a
    restated one, a deleted one, a late FX rate, a remapped or reclassified item, a warehouse
    moved to another entity. A changed item mapping or warehouse can change any month: every
    month is rebuilt. So it is with no mark yet, or another fingerprint (incremental_marks.sql). -#}

{#- The dimension tables the valuation (int_inventory_daily_valued) reads; which of their columns
    it reads is in int_inventory_months_changed. -#}
{% macro inventory_dimension_models() -%}
    {{ return(['int_item_costs', 'int_fx_rates', 'int_item_xref', 'int_warehouses']) }}
{%- endmacro %}


{% macro inventory_built_relation(model) -%}
    {{ return(api.Relation.create(
        database=target.database, schema='audit', identifier='inventory_built_' ~ model, type='table'
    )) }}
{%- endmacro %}


{#- The months the run rebuilds, as a filter on a date column: everything on a full build. -#}
{% macro inventory_months_to_rebuild(date_column) -%}
    {%- if is_incremental() -%}
        {{ month_key(date_column) }} >= (
            select
                case
                    when changed.is_full_rebuild then '0000-00'
                    else least(
                        coalesce(changed.rebuild_from_month, '9999-99'),
                        (select max(built.snapshot_month) from {{ this }} as built)
                    )
                end
            from {{ ref('int_inventory_months_changed') }} as changed
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{#- on-run-end: when fct_inventory_daily was built, record where its rebuild started (for the next
    publication, backbone/publish.py; every month with --full-refresh), keep the dimension rows
    it was valued with, and mark the loads it has seen. -#}
{% macro record_inventory_build(results) -%}
    {%- if models_built(results, ['fct_inventory_daily']) | length == 0 -%}
        {{ return('') }}
    {%- endif %}
    create table if not exists audit.inventory_changes (
        invocation_id varchar,
        rebuild_from_month varchar,
        is_full_rebuild boolean
    );
    insert into audit.inventory_changes
    select
        '{{ invocation_id }}',
        changed.rebuild_from_month,
        changed.is_full_rebuild or {{ 'true' if flags.FULL_REFRESH else 'false' }}
    from {{ model_relation('int_inventory_months_changed') }} as changed;
    {%- for model in inventory_dimension_models() %}
    drop table if exists {{ inventory_built_relation(model) }};
    create table {{ inventory_built_relation(model) }} as select * from {{ model_relation(model) }};
    {%- endfor %}
    {{ create_incremental_builds() }}
    {{ record_mark('inventory_daily') }}
{%- endmacro %}
