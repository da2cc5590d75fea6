{#- Small portable helpers (DuckDB default, Spark via dispatch). Models call these instead of
    engine-specific functions. -#}

{#- 'YYYY-MM' of a date: the month key of every KPI cell. -#}
{% macro month_key(date_expr) -%}
    {{ return(adapter.dispatch('month_key', 'backbone')(date_expr)) }}
{%- endmacro %}

{% macro default__month_key(date_expr) -%}
    strftime({{ date_expr }}, '%Y-%m')
{%- endmacro %}

{% macro spark__month_key(date_expr) -%}
    date_format({{ date_expr }}, 'yyyy-MM')
{%- endmacro %}

{#- First day of the month, as a date (date_trunc returns a timestamp on some engines). -#}
{% macro month_start(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{#- Last day of the month, as a date. -#}
{% macro month_end(date_expr) -%}
    cast({{ dbt.last_day(date_expr, 'month') }} as date)
{%- endmacro %}

{#- Whole days from start to end, as bigint on every engine. -#}
{% macro days_between(start_expr, end_expr) -%}
    cast({{ dbt.datediff(start_expr, end_expr, 'day') }} as bigint)
{%- endmacro %}

{#- date + n days, as a date. -#}
{% macro add_days(date_expr, n) -%}
    cast({{ dbt.dateadd('day', n, date_expr) }} as date)
{%- endmacro %}

{#- Continuous percentile (linear interpolation between closest ranks). -#}
{% macro percentile_cont(expr, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'backbone')(expr, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expr, fraction) -%}
    quantile_cont({{ expr }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_cont(expr, fraction) -%}
    percentile({{ expr }}, {{ fraction }})
{%- endmacro %}

{#- The date a legacy export file belongs to, from its name (<table>_YYYYMMDD[_rN].csv):
    a late file sits in a later folder but keeps its own date in its name. -#}
{% macro file_date(path_expr) -%}
    {{ dbt.safe_cast("regexp_extract(" ~ path_expr ~ ", '_([0-9]{8})(_r[0-9]+)?[.][a-z0-9]+$', 1)", dbt.type_string()) }}
{%- endmacro %}

{#- Incremental strategy by engine: DuckDB delete+insert; Spark insert_overwrite of whole
    partitions (merge would need Delta/Iceberg there). -#}
{% macro incremental_strategy() -%}
    {%- if target.type == 'spark' or target.type == 'databricks' -%}
        insert_overwrite
    {%- else -%}
        delete+insert
    {%- endif -%}
{%- endmacro %}

{#- Keep one row per key: the latest version by the order given (current state of a record
    exported several times). Uses row_number, portable across engines. -#}
{% macro latest_version(relation_sql, key_columns, order_by) -%}
    select * from (
        select
            versions.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by {{ order_by }}
            ) as version_rank
        from {{ relation_sql }} as versions
    ) as ranked
    where version_rank = 1
{%- endmacro %}

{#- 64-bit floating point (`double` on DuckDB and Spark). dbt.type_float() is a 32-bit `float`
    on DuckDB: too coarse for money. -#}
{% macro type_double() -%}
    double
{%- endmacro %}

{#- Validity intervals (valid_from, valid_to exclusive, null = open) per key, where a version
    ends at the latest when the next one begins. The row that closes a version can be lost
    (quarantined, or its file not yet arrived); without this, two versions would both be open
    and whatever joins on the date would match twice. -#}
{% macro end_at_next_version(relation_sql, key_columns, value_columns) -%}
    select
        {% for column in key_columns %}{{ column }},
        {% endfor -%}
        valid_from,
        case
            when next_valid_from is not null and (valid_to is null or valid_to > next_valid_from)
                then next_valid_from
            else valid_to
        end as valid_to
        {%- for column in value_columns %},
        {{ column }}
        {%- endfor %}
    from (
        select
            versions.*,
            lead(valid_from) over (
                partition by {{ key_columns | join(', ') }}
                order by valid_from
            ) as next_valid_from
        from {{ relation_sql }} as versions
    ) as with_next
{%- endmacro %}
