"""The governed reporting layer (dbt) as Dagster assets, with dbt tests as asset checks."""

from dagster_project.dbt.assets import dbt_models, dbt_resource

dbt_assets_list = [dbt_models]

__all__ = ["dbt_assets_list", "dbt_models", "dbt_resource"]
