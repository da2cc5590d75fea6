"""Start an ingestion run when files arrive in the landing zone."""

import hashlib
import os
from pathlib import Path

import dagster as dg

from dagster_project.resources import WarehouseResource


def landing_fingerprint(landing: Path) -> str:
    """Changes when a file is added, removed or rewritten anywhere in the landing zone.

    Stats only (no reads), so the sensor stays cheap on a landing zone of thousands of files.
    """
    digest = hashlib.sha256()
    if not landing.is_dir():
        return "absent"
    for root, dirs, files in os.walk(landing):
        dirs[:] = sorted(
            d for d in dirs if d != "truth"
        )  # the simulator's answers are not a source
        for name in sorted(files):
            stat = (Path(root) / name).stat()
            digest.update(f"{root}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def build_landing_zone_sensor(job) -> dg.SensorDefinition:
    @dg.sensor(job=job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
    def landing_zone_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
        fingerprint = landing_fingerprint(warehouse.landing_path)
        if fingerprint == context.cursor:
            return dg.SkipReason("no new or changed files in the landing zone")
        context.update_cursor(fingerprint)
        return dg.RunRequest(run_key=f"landing-{fingerprint}")

    return landing_zone_sensor
