"""When a run fails before its gates ran (a load error, a dbt failure), say so in the publication status.

Blocked gates write their own "blocked by" entry; this covers the other ways a run ends without
publishing, so a dashboard never shows "current" after a failed run. Needs the Dagster daemon.
"""

import dagster as dg

from backbone.publish import read_status, record_blocked
from dagster_project.publish.resources import PublisherResource


@dg.run_failure_sensor(
    name="publication_status_on_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    monitor_all_code_locations=False,
)
def publication_status_on_failure(
    context: dg.RunFailureSensorContext, publisher: PublisherResource
) -> None:
    run_id = context.dagster_run.run_id
    latest = read_status(publisher.published_path).get("latest_run") or {}
    if latest.get("run_id") == run_id and latest.get("outcome") == "blocked":
        return  # the gates already named themselves
    steps = sorted({e.step_key for e in context.get_step_failure_events() if e.step_key})
    record_blocked(
        publisher.published_path,
        run_id,
        [
            {
                "asset": step.replace("__", "/"),
                "check": "step failed",
                "severity": "error",
                "reason": "run failed",
            }
            for step in steps
        ]
        or [
            {
                "asset": "run",
                "check": "run failed",
                "severity": "error",
                "reason": context.failure_event.message or "",
            }
        ],
    )


publish_sensors = [publication_status_on_failure]
