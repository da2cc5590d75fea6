"""How dbt nodes become Dagster assets: sources are the raw assets the loaders materialise.

A dbt source named like a source mapping (`group_erp`, `edi`, ...) is the loader's asset
`raw/<source>`, so the lineage runs unbroken from a landing file to a KPI. Models keep
dagster-dbt's default key (`<schema>/<model>`, e.g. `marts/fct_order_lines`) and are grouped by
layer.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from dagster_project.ingestion.assets import raw_asset_key
from ingestion.mapping import load_sources


class BackboneDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(
            settings=DagsterDbtTranslatorSettings(
                enable_asset_checks=True,
                # many dbt source tables are one loader asset: `raw/edi` writes every raw.edi__* table
                enable_duplicate_source_asset_keys=True,
            )
        )
        self._loaded_sources = set(load_sources())

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            source_name = dbt_resource_props["source_name"]
            if source_name in self._loaded_sources:
                return raw_asset_key(source_name)
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        if dbt_resource_props["resource_type"] == "seed":
            return "dbt_reference"
        # fqn is [project, layer, ...]: staging, intermediate or marts
        return f"dbt_{fqn[1]}" if len(fqn) > 2 else "dbt"
