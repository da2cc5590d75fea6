{#- Marks of incremental builds that look further than dbt's own `is_incremental()`: which loads
    a group of models was last built through, and with which code (audit.incremental_builds,
    one row per build, the latest one counts). Written by on-run-end hooks
    (order_to_cash_increments.sql, inventory_increments.sql). -#}

{% macro incremental_builds_relation() -%}
    {{ return(api.Relation.create(
        database=target.database, schema='audit', identifier='incremental_builds', type='table'
    )) }}
{%- endmacro %}


{#- What a group's results depend on besides the loaded rows: every model's code (so staging
    and master data upstream too), the seeds, and the vars they read. dbt's graph doesn't give
    macros' code: after changing a macro, build with --full-refresh. -#}
{% macro project_fingerprint() -%}
    {%- set parts = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- if node.resource_type in ('seed', 'model') and node.package_name == project_name -%}
            {%- do parts.append(node.unique_id ~ '=' ~ node.checksum.checksum) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do parts.append('otif_tolerance_days=' ~ var('otif_tolerance_days')) -%}
    {{ return(local_md5(parts | join('\n'))) }}
{%- endmacro %}


{#- The latest load the group was built through, as a SQL literal; none when it must be rebuilt
    in full (never built, or built with another fingerprint). -#}
{% macro built_through(model_group) -%}
    {#- one return at the end: sqlfluff's stand-in for return() doesn't leave the macro -#}
    {%- set built_through = none -%}
    {%- set state = load_relation(incremental_builds_relation()) if execute else none -%}
    {%- if state is not none -%}
        {%- set latest = run_query(
            "select strftime(built_through, '%Y-%m-%d %H:%M:%S.%f'), fingerprint from " ~ state
            ~ " where model_group = '" ~ model_group ~ "' order by built_at desc limit 1"
        ) -%}
        {%- if latest.rows | length > 0 and latest.rows[0][0] is not none
            and latest.rows[0][1] == project_fingerprint() -%}
            {%- set built_through = "cast('" ~ latest.rows[0][0] ~ "' as timestamp)" -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(built_through) }}
{%- endmacro %}


{% macro create_incremental_builds() -%}
    create table if not exists {{ incremental_builds_relation() }} (
        model_group varchar,
        built_through timestamp,
        fingerprint varchar,
        built_at timestamp,
        invocation_id varchar
    );
{%- endmacro %}


{#- (in an on-run-end hook) The group is built through every load so far, with this code. -#}
{% macro record_mark(model_group) -%}
    insert into {{ incremental_builds_relation() }}
    select
        '{{ model_group }}',
        max(started_at),
        '{{ project_fingerprint() }}',
        current_timestamp at time zone 'UTC',
        '{{ invocation_id }}'
    from {{ source('audit', 'load_manifest') }};
{%- endmacro %}


{#- (in an on-run-end hook) Which of these models this invocation of `dbt run` or `dbt build`
    built successfully. -#}
{% macro models_built(results, names) -%}
    {%- set built = [] -%}
    {%- if execute and flags.WHICH in ('run', 'build') -%}
        {%- for result in results -%}
            {%- if result.node.resource_type == 'model' and result.node.name in names
                and result.status == 'success' -%}
                {%- do built.append(result.node.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(built) }}
{%- endmacro %}


{#- A model's relation, where ref() isn't allowed (in a hook). -#}
{% macro model_relation(name) -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ name] -%}
    {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}
