"""Run the pipeline in-process (what `backbone run` does): the same assets `dagster dev` shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from dagster_project.ingestion.assets import SUMMARY_METADATA_KEY, source_assets
from dagster_project.resources import WarehouseResource


@dataclass
class PipelineResult:
    ok: bool
    sources: list[dict[str, Any]] = field(
        default_factory=list
    )  # SourceSummary.as_dict() per source
    failures: list[str] = field(default_factory=list)  # steps that failed, with Dagster's reason


def run_pipeline(landing: Path, warehouse: Path, erp_url: str | None = None) -> PipelineResult:
    """Materialise every asset once, in this process, on an ephemeral Dagster instance."""
    resource = WarehouseResource(
        landing=str(landing), warehouse=str(warehouse), erp_url=erp_url or ""
    )
    result = dg.materialize(
        source_assets,
        resources={"warehouse": resource},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        # The CLI prints its own summary (notes and failures included); Dagster's log would repeat it.
        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
    )
    outcome = PipelineResult(ok=result.success)
    for event in result.all_events:
        metadata = _summary_of(event)
        if metadata is not None:
            outcome.sources.append(metadata)
        if event.is_step_failure:
            outcome.failures.append(
                f"{event.step_key}: {event.step_failure_data.error.message.strip()}"
            )
    return outcome


def _summary_of(event: dg.DagsterEvent) -> dict[str, Any] | None:
    """The per-source summary the asset attached to its materialisation or to its failure."""
    if event.is_step_materialization:
        metadata = event.step_materialization_data.materialization.metadata
    elif event.is_step_failure and event.step_failure_data.user_failure_data is not None:
        metadata = event.step_failure_data.user_failure_data.metadata
    else:
        return None
    value = metadata.get(SUMMARY_METADATA_KEY)
    return value.value if value is not None else None
