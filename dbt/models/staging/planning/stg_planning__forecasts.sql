{%- set columns = [
        ['forecast_version', dbt.type_string()],
        ['forecast_date', 'date'],
        ['entity_code', dbt.type_string()],
        ['warehouse_code', dbt.type_string()],
        ['item_code', dbt.type_string()],
        ['week_start', 'date'],
        ['lag_weeks', dbt.type_bigint()],
        ['uom', dbt.type_string()],
        ['forecast_qty', type_double()]
] -%}

with source as (

    select * from {{ source_or_empty('planning', 'forecasts', columns) }}

),

renamed as (

    select
        forecast_version,
        cast(forecast_date as date) as forecast_date,
        entity_code,
        warehouse_code,
        item_code,
        cast(week_start as date) as week_start,
        cast(lag_weeks as {{ dbt.type_bigint() }}) as lag_weeks,
        uom,
        -- the tool plans in the items' stock unit (EA): its quantity is already in EA
        cast(forecast_qty as {{ type_double() }}) as forecast_qty_ea,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
