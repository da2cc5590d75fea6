{#- dbt.safe_cast is a plain cast on DuckDB and Spark: a bad value would fail the build on one
    engine and turn to NULL on the other. try_cast gives NULL on both. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
