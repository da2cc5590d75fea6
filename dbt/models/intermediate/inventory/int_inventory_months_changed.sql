{#- Where fct_inventory_daily's rebuild starts, beyond its latest month
    (macros/inventory_increments.sql): one row. `changed_from` is the earliest snapshot day the
    inputs loaded since its last build can change (null: none), `is_full_rebuild` says every
    month is rebuilt. -#}
{%- set since = built_through('inventory_daily') -%}
{#- what the valuation reads from each dimension table (macros: inventory_dimension_models) -#}
{%- set dimensions = {
    'int_item_costs': ['entity_code', 'local_item_code', 'valid_from', 'valid_to', 'unit_cost'],
    'int_fx_rates': ['currency', 'rate_date', 'usd_per_unit'],
    'int_item_xref': ['entity_code', 'local_item_code', 'item_id', 'is_mapped', 'abc_class'],
    'int_warehouses': ['warehouse_code', 'entity_code', 'entity_currency'],
} -%}
{#- those rows now, and as kept at the last build (without a copy: now, and a full rebuild) -#}
{%- set current, kept = {}, {} -%}
{%- for model, columns in dimensions.items() -%}
    {%- set copy = load_relation(inventory_built_relation(model)) if execute else none -%}
    {%- do current.update({model: 'select ' ~ columns | join(', ') ~ ' from ' ~ ref(model)}) -%}
    {%- if copy is not none -%}
        {%- do kept.update({model: 'select ' ~ columns | join(', ') ~ ' from ' ~ copy}) -%}
    {%- endif -%}
{%- endfor -%}
{%- set incremental = since is not none and kept | length == dimensions | length -%}
{%- if not incremental -%}
    {%- do kept.update(current) -%}
{%- endif %}

with costs_added as (
    {{ current.int_item_costs }}
    except
    {{ kept.int_item_costs }}
),

costs_removed as (
    {{ kept.int_item_costs }}
    except
    {{ current.int_item_costs }}
),

-- a cost interval that only closed (or ended elsewhere) changes nothing before its earlier end;
-- a new, restated or deleted one changes its whole interval
cost_changes as (
    select
        case
            when added.unit_cost = removed.unit_cost
                then least(coalesce(added.valid_to, removed.valid_to), coalesce(removed.valid_to, added.valid_to))
            else coalesce(added.valid_from, removed.valid_from)
        end as changed_from
    from costs_added as added
    full outer join costs_removed as removed
        on
            added.entity_code = removed.entity_code
            and added.local_item_code = removed.local_item_code
            and added.valid_from = removed.valid_from
),

-- a changed, late or deleted rate: that day
fx_changes as (
    select rate_date as changed_from
    from (
        {{ current.int_fx_rates }}
        except
        {{ kept.int_fx_rates }}
    ) as added
    union all
    select rate_date as changed_from
    from (
        {{ kept.int_fx_rates }}
        except
        {{ current.int_fx_rates }}
    ) as removed
),

-- a remapped or reclassified item, a warehouse of another entity: any month
mapping_changes as (
    {% for model in ['int_item_xref', 'int_warehouses'] -%}
        select count(*) > 0 as is_changed
        from (
            {{ current[model] }}
            except
            {{ kept[model] }}
        ) as added
        union all
        select count(*) > 0 as is_changed
        from (
            {{ kept[model] }}
            except
            {{ current[model] }}
        ) as removed
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

late_snapshots as (
    select snapshot_date as changed_from
    from {{ ref('stg_wms__on_hand_snapshots') }}
    where {{ loaded_since(since) }}
),

changes as (
    select changed_from from cost_changes
    union all
    select changed_from from fx_changes
    union all
    select changed_from from late_snapshots
),

final as (
    select
        min(changes.changed_from) as changed_from,
        {{ month_key('min(changes.changed_from)') }} as rebuild_from_month,
        {% if incremental -%}
            (select bool_or(mapping_changes.is_changed) from mapping_changes)
        {%- else -%}
            true
        {%- endif %} as is_full_rebuild
    from changes
)

select * from final
