"""The Dagster code location (`make dagster`): sources, their gates, the dbt models, the
intelligence models, and publish."""

from __future__ import annotations

import dagster as dg

from dagster_project.dbt import dbt_assets_list, dbt_resource
from dagster_project.ingestion.assets import source_assets
from dagster_project.ingestion.sensors import build_landing_zone_sensor
from dagster_project.intelligence import intelligence_assets, intelligence_checks
from dagster_project.publish import PublisherResource, publish_assets, publish_sensors
from dagster_project.quality import quality_checks
from dagster_project.resources import WarehouseResource

# Everything, in dependency order: raw loads, their blocking gates, dbt models and tests, the
# intelligence models, the exception queue, then the publish step that only runs when every
# error-severity gate passed (write-audit-publish).
pipeline_job = dg.define_asset_job("pipeline", selection=dg.AssetSelection.all())

daily_pipeline = dg.ScheduleDefinition(
    name="daily_pipeline",
    job=pipeline_job,
    cron_schedule="0 5 * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)

defs = dg.Definitions(
    assets=[*source_assets, *dbt_assets_list, *intelligence_assets, *publish_assets],
    asset_checks=[*quality_checks, *intelligence_checks],
    jobs=[pipeline_job],
    schedules=[daily_pipeline],
    sensors=[build_landing_zone_sensor(pipeline_job), *publish_sensors],
    resources={
        "warehouse": WarehouseResource(),
        "publisher": PublisherResource(),
        "dbt": dbt_resource(),
    },
    # DuckDB allows one writer: steps run one after another in the run's own process.
    executor=dg.in_process_executor,
)
