"""A full-year world delivered with many faults: the run refuses to publish and says why.

`backbone run` on an xs world generated at a 20 % fault rate must exit non-zero without
publishing, record the publication as blocked, and `backbone quality --json` must name the
blocking gates: the ones a steward would expect from the injected faults (envelope errors in
EDI, quarantine rates in the legacy exports and the WMS).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backbone.cli import app

pytestmark = pytest.mark.slow


def test_a_high_fault_year_blocks_publication_and_names_its_gates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backbone.config import paths
    from backbone.publish import read_status
    from simulator.generate import generate_world

    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    where = paths()
    generate_world(where.landing, scale="xs", seed=11, fault_rate=0.2)

    run = CliRunner().invoke(app, ["run", "--json"])
    assert run.exit_code == 1, run.output
    assert not where.published.exists()  # nothing half-good was published
    assert read_status(where.published)["status"] == "blocked"

    quality = CliRunner().invoke(app, ["quality", "--json"])
    assert quality.exit_code == 1, quality.output  # non-zero: the latest gates block
    summary = json.loads(quality.stdout)
    blocked = {f"{b['asset']}:{b['check']}" for b in summary["blocked_by"]}
    assert {
        "raw/edi:envelope_errors",
        "raw/legacy_mx:quarantine_rate",
        "raw/legacy_us:quarantine_rate",
        "raw/wms:quarantine_rate",
    } <= blocked
    assert summary["ok"] is False
