"""The governed reporting layer (dbt) as Dagster assets, with dbt tests as asset checks."""

from dagster_project.dbt.assets import DBT_STEPS, dbt_exceptions, dbt_models, dbt_resource

dbt_assets_list = [dbt_models, dbt_exceptions]

__all__ = ["DBT_STEPS", "dbt_assets_list", "dbt_exceptions", "dbt_models", "dbt_resource"]
