"""The `published_warehouse` asset: write-audit-publish of the working warehouse."""

from dagster_project.publish.assets import build_published_warehouse, publish_assets
from dagster_project.publish.resources import PublisherResource
from dagster_project.publish.sensors import publish_sensors

__all__ = ["PublisherResource", "build_published_warehouse", "publish_assets", "publish_sensors"]
