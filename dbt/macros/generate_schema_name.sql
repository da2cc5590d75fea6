{#- Custom schemas are used as-is (staging, intermediate, marts, reference): the published
    warehouse and the dashboards address them by these names on every target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
