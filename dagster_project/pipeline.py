"""Run the pipeline in-process (what `backbone run` does): the same assets `dagster dev` shows."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg

from dagster_project.dbt import DBT_STEPS, dbt_assets_list, dbt_resource
from dagster_project.ingestion.assets import SUMMARY_METADATA_KEY, source_assets
from dagster_project.intelligence import intelligence_assets, intelligence_checks
from dagster_project.publish import PublisherResource, publish_assets
from dagster_project.quality import quality_checks
from dagster_project.resources import WarehouseResource


@dataclass
class GateResult:
    gate: str  # "<asset>:<check>"
    passed: bool
    severity: str  # ERROR blocks publishing, WARN flags


@dataclass
class PipelineResult:
    ok: bool
    sources: list[dict[str, Any]] = field(
        default_factory=list
    )  # SourceSummary.as_dict() per source
    gates: list[GateResult] = field(default_factory=list)
    published: bool = False
    failures: list[str] = field(default_factory=list)  # steps that failed, with Dagster's reason
    models_built: int = 0  # dbt models, seeds and snapshots materialised
    log_file: Path | None = None  # dbt's full log of this run
    step_seconds: dict[str, float] = field(default_factory=dict)  # wall time of each Dagster step

    @property
    def blocked_by(self) -> list[str]:
        return [g.gate for g in self.gates if not g.passed and g.severity == "ERROR"]


def run_pipeline(
    landing: Path, warehouse: Path, erp_url: str | None = None, published: Path | None = None
) -> PipelineResult:
    """Materialise every asset and check once, in this process, on an ephemeral Dagster instance."""
    resources = {
        "warehouse": WarehouseResource(
            landing=str(landing), warehouse=str(warehouse), erp_url=erp_url or ""
        ),
        "publisher": PublisherResource(published=str(published) if published else ""),
        "dbt": dbt_resource(),
    }
    log_file = Path(warehouse).parent / "logs" / f"run-{datetime.now(UTC):%Y%m%dT%H%M%S}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    # dagster-dbt echoes dbt's log to stdout; a terminal wants the summary, the file keeps the log.
    instance = dg.DagsterInstance.ephemeral()
    with log_file.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = dg.materialize(
            [
                *source_assets,
                *quality_checks,
                *dbt_assets_list,
                *intelligence_assets,
                *intelligence_checks,
                *publish_assets,
            ],
            resources=resources,
            instance=instance,
            raise_on_error=False,
            # The CLI prints its own summary (notes and failures included); Dagster's would repeat it.
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
    outcome = PipelineResult(ok=result.success, log_file=log_file)
    for stats in instance.get_run_step_stats(result.run_id):
        if stats.start_time is not None and stats.end_time is not None:
            outcome.step_seconds[stats.step_key] = stats.end_time - stats.start_time
    for event in result.all_events:
        metadata = _summary_of(event)
        if metadata is not None:
            outcome.sources.append(metadata)
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            check = event.event_specific_data
            gate = f"{check.asset_key.to_user_string()}:{check.check_name}"
            outcome.gates.append(GateResult(gate, check.passed, check.severity.value))
        if event.is_step_materialization and event.step_key == "published_warehouse":
            outcome.published = True
        if event.is_step_materialization and event.step_key in DBT_STEPS:
            outcome.models_built += 1
        if event.is_step_failure:
            outcome.failures.append(
                f"{event.step_key}: {_innermost(event.step_failure_data.error)}"
            )
    return outcome


def _innermost(error) -> str:
    """The error that started it: Dagster wraps a step's own exception in its execution error."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


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
