"""The exceptions workflow closes its loop: actions taken in the queue (the workflow store) are
ingested on the next run, set the exception's status in the published `fct_exceptions`, and
become the governed `exception_resolution_hours` KPI, computed by hand here."""

from __future__ import annotations

import statistics
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from backbone import workflow
from dagster_project.pipeline import run_pipeline
from tests.worlds import PublishedWorld, copy_world

pytestmark = pytest.mark.slow


def test_actions_in_the_queue_become_status_and_resolution_time(
    published_xs_world: PublishedWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = copy_world(published_xs_world, tmp_path / "world")
    # a store of this test's own: other tests of the session may act on the shared world's queue
    monkeypatch.setenv("BACKBONE_WORKFLOW_DB", str(tmp_path / "workflow.sqlite"))
    with duckdb.connect(str(world.published), read_only=True) as con:
        open_rows = con.execute(
            "select exception_id, entity_code, strftime(detected_at, '%Y-%m'), first_seen_at"
            " from marts.fct_exceptions where status = 'open' order by exception_id limit 3"
        ).fetchall()
    assert len(open_rows) == 3, "the xs world should have open exceptions to work"
    (resolved_id, entity, month, first_seen), (assigned_id, *_), (reopened_id, *_) = open_rows
    assert first_seen is not None  # the run that first showed it started the clock

    workflow.record_action(resolved_id, "acknowledge", "ops", at=first_seen + timedelta(hours=1))
    workflow.record_action(
        resolved_id, "resolve", "ops", comment="credit released", at=first_seen + timedelta(hours=5)
    )
    workflow.record_action(assigned_id, "assign", "ops", assignee="buyer.mx", at=first_seen)
    workflow.record_action(reopened_id, "resolve", "ops", at=first_seen + timedelta(hours=2))
    workflow.record_action(reopened_id, "reopen", "steward", at=first_seen + timedelta(hours=3))

    result = run_pipeline(world.landing, world.warehouse, published=world.published)
    assert result.published, result.failures or result.blocked_by
    assert {s["source_system"]: s["rows_loaded"] for s in result.sources}["workflow"] == 5

    with duckdb.connect(str(world.published), read_only=True) as con:
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                "select exception_id, status, assignee, resolution_hours, last_comment"
                " from marts.fct_exceptions where exception_id in (?, ?, ?)",
                [resolved_id, assigned_id, reopened_id],
            ).fetchall()
        }
        kpi = dict(
            con.execute(
                "select kpi, value from marts.kpi_monthly where entity_code = ? and month = ?"
                " and kpi like 'exception_resolution_hours%'",
                [entity, month],
            ).fetchall()
        )
    assert rows[resolved_id] == ("resolved", None, pytest.approx(5.0), "credit released")
    assert rows[assigned_id][:2] == ("assigned", "buyer.mx")
    assert rows[reopened_id][0] == "open" and rows[reopened_id][2] is None
    # one resolved exception in that entity × month: median = p90 = its 5 hours
    assert kpi == {
        "exception_resolution_hours": pytest.approx(statistics.median([5.0])),
        "exception_resolution_hours_p90": pytest.approx(5.0),
    }
