"""One asset per source mapping file in `ingestion/sources/`.

Onboarding another acquired company is a new mapping file; it shows up here as a new asset
without a code change.
"""

import dagster as dg
import yaml

from dagster_project.resources import WarehouseResource
from ingestion.mapping import (
    SOURCES_DIR,
    DatabaseSource,
    DelimitedSource,
    EventSource,
    Source,
    load_sources,
)
from ingestion.runner import SourceSummary, load_source

SUMMARY_METADATA_KEY = "summary"


def source_kind(source: Source) -> str:
    if source.source_system == "crosswalk":
        return "master_data"
    if isinstance(source, DatabaseSource):
        return "erp_database" if source.store is None else "workflow"
    if isinstance(source, DelimitedSource):
        return "erp_exports"
    if isinstance(source, EventSource):
        return "wms"
    return "edi"


def raw_asset_key(source_system: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source_system])


def source_entities(source_system: str) -> list[str]:
    """The legal entities a source carries, as its mapping file declares (`entity` or `entities`)."""
    doc = yaml.safe_load((SOURCES_DIR / f"{source_system}.yaml").read_text(encoding="utf-8"))
    declared = doc.get("entities") or doc.get("entity") or []
    return [declared] if isinstance(declared, str) else list(declared)


def build_source_asset(source: Source) -> dg.AssetsDefinition:
    entities = source_entities(source.source_system)

    @dg.asset(
        key=raw_asset_key(source.source_system),
        group_name=source_kind(source),
        description=getattr(source, "description", "") or f"Raw layer of {source.source_system}",
        kinds={"duckdb", "python"},
        metadata={
            "entities": ", ".join(entities),
            "mapping_file": f"ingestion/sources/{source.source_system}.yaml",
        },
        tags={"source_kind": source_kind(source)},
    )
    def _load(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            summary = load_source(con, source, warehouse.landing_path, warehouse.erp_database_url)
        metadata = summary_metadata(summary)
        for note in summary.notes:
            context.log.warning(f"{source.source_system}: {note}")
        if summary.errors:
            # Loads that committed stay committed (one transaction each); the run still fails.
            raise dg.Failure(
                description=f"{len(summary.errors)} load(s) of {source.source_system} failed: "
                + "; ".join(summary.errors[:3]),
                metadata=metadata,
            )
        return dg.MaterializeResult(metadata=metadata)

    return _load


def summary_metadata(summary: SourceSummary) -> dict[str, object]:
    return {
        "loads": summary.loads,
        "rows_read": summary.rows_read,
        "rows_loaded": summary.rows_loaded,
        "rows_quarantined": summary.rows_quarantined,
        "skipped": summary.skipped,
        "errors": len(summary.errors),
        SUMMARY_METADATA_KEY: dg.MetadataValue.json(summary.as_dict()),
    }


source_assets = [build_source_asset(source) for source in load_sources().values()]
