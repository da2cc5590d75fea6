"""`published_warehouse`: downstream of everything; runs only when every blocking gate passed.

Dagster skips it when a blocking check failed with ERROR severity; `backbone.publish.publish`
checks the gates' latest results again (a partial run can't publish stale or unchecked loads).
"""

from collections.abc import Sequence

import dagster as dg

from backbone.publish import PublishBlocked, publish
from dagster_project.dbt import dbt_assets_list
from dagster_project.ingestion.assets import source_assets
from dagster_project.intelligence import intelligence_assets
from dagster_project.publish.resources import PublisherResource
from dagster_project.resources import WarehouseResource

PUBLISHED_KEY = dg.AssetKey("published_warehouse")


def build_published_warehouse(
    upstream: "Sequence[dg.AssetsDefinition | dg.AssetKey]",
) -> dg.AssetsDefinition:
    """The publish asset, depending on every asset given (raw sources, dbt models...)."""
    deps: list[dg.AssetKey] = []
    for item in upstream:
        keys = [item] if isinstance(item, dg.AssetKey) else list(item.keys)
        deps.extend(k for k in keys if k not in deps and k != PUBLISHED_KEY)

    @dg.asset(
        key=PUBLISHED_KEY,
        deps=deps,
        group_name="publish",
        kinds={"duckdb"},
        description="The published DuckDB copy dashboards and `backbone sql` read, swapped in atomically.",
    )
    def published_warehouse(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        publisher: PublisherResource,
    ) -> dg.MaterializeResult:
        try:
            publication = publish(
                warehouse.warehouse_path, publisher.published_path, context.run_id
            )
        except PublishBlocked as blocked:
            raise dg.Failure(
                description=str(blocked),
                metadata={"blocked_by": dg.MetadataValue.json(blocked.blocked_by)},
            ) from blocked
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(publisher.published_path)),
                "publication_id": publication.publication_id,
                "data_as_of": publication.data_as_of or "",
                "tables": len(publication.tables),
            }
        )

    return published_warehouse


publish_assets = [
    build_published_warehouse([*source_assets, *dbt_assets_list, *intelligence_assets])
]
