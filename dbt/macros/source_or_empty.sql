{#- A source relation, or an empty relation with the given columns when the loader has not
    created the table yet (EDI set kinds that never arrived): the model stays buildable and
    simply has no rows. column_types: list of [name, type] pairs; lineage columns are added. -#}
{% macro source_or_empty(source_name, table_name, column_types) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute and load_relation(relation) is none -%}
        (select
        {%- for column in column_types %}
            cast(null as {{ column[1] }}) as {{ column[0] }},
        {%- endfor %}
            cast(null as {{ dbt.type_string() }}) as _load_id,
            cast(null as {{ dbt.type_string() }}) as _source_system,
            cast(null as {{ dbt.type_string() }}) as _source_file,
            cast(null as {{ dbt.type_bigint() }}) as _source_row,
            cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
        where 1 = 0)
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}
