"""The Dagster code location: `dagster dev -m dagster_project.definitions`."""

from __future__ import annotations

import dagster as dg

from dagster_project.ingestion.assets import source_assets
from dagster_project.ingestion.sensors import build_landing_zone_sensor
from dagster_project.resources import WarehouseResource

ingest_job = dg.define_asset_job("ingest", selection=dg.AssetSelection.all())

daily_ingest = dg.ScheduleDefinition(
    name="daily_ingest",
    job=ingest_job,
    cron_schedule="0 5 * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)

defs = dg.Definitions(
    assets=source_assets,
    jobs=[ingest_job],
    schedules=[daily_ingest],
    sensors=[build_landing_zone_sensor(ingest_job)],
    resources={"warehouse": WarehouseResource()},
    # DuckDB allows one writer: steps run one after another in the run's own process.
    executor=dg.in_process_executor,
)
