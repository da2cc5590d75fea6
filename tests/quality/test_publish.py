"""Write-audit-publish on a hand-made working warehouse: swap under a live reader, rollback, blocked runs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from backbone import publish as wap
from backbone.readers import NotPublishedError, published_connection
from quality.suites import Gate, Suite
from tests.quality.conftest import MiniWarehouse


def _suite() -> dict[str, Suite]:
    gate = Gate(
        source="legacy_mx",
        name="quarantine_rate",
        kind="quarantine_rate",
        severity="error",
        options={"max_rate": 0.02, "min_rows": 1},
    )
    return {"legacy_mx": Suite(source="legacy_mx", entities=("MX02",), gates=(gate,))}


def _world(tmp_path: Path, quarantined: int) -> tuple[Path, Path]:
    """A working warehouse with one load and a marts table of revenue 100, gates evaluated."""
    from datetime import date

    from quality.runner import run_gates

    wh = MiniWarehouse(tmp_path / "warehouse" / "backbone.duckdb")
    wh.add_load(
        "legacy_mx", "sales_orders", date(2025, 3, 1), rows_read=100, rows_quarantined=quarantined
    )
    wh.con.execute("create schema marts")
    wh.con.execute("create table marts.fct_revenue as select 100 as revenue")
    wh.con.execute("create schema staging")
    wh.con.execute("create view staging.stg_x as select 1 as x")
    wh.con.execute(
        "create view marts.v_revenue as select revenue * 2 as double_revenue from marts.fct_revenue"
    )
    run_gates(wh.con, suites=_suite(), run_id="run-1")
    wh.close()
    return wh.path, tmp_path / "published" / "backbone_published.duckdb"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _publish(warehouse: Path, published: Path, run_id: str) -> wap.Publication:
    # the gate verdict is judged on the test's one-gate suite
    import quality.results as results

    original = results.load_suites
    results.load_suites = _suite
    try:
        return wap.publish(warehouse, published, run_id)
    finally:
        results.load_suites = original


def _revenue(published: Path) -> int:
    with published_connection(published) as con:
        return con.execute("select revenue from marts.fct_revenue").fetchall()[0][0]


def test_publish_copies_marts_audit_and_quarantine_not_raw_or_staging(tmp_path: Path) -> None:
    warehouse, published = _world(tmp_path, quarantined=1)
    publication = _publish(warehouse, published, "run-1")
    with published_connection(published) as con:
        tables = {
            f"{s}.{t}"
            for s, t in con.execute(
                "select schema_name, table_name from duckdb_tables()"
            ).fetchall()
        }
        assert con.execute("select double_revenue from marts.v_revenue").fetchall() == [(200,)]
        assert con.execute("select count(*) from audit.quality_results").fetchall() == [(1,)]
        assert con.execute("select publication_id from audit.publications").fetchall() == [
            (publication.publication_id,)
        ]
    assert {
        "marts.fct_revenue",
        "marts.v_revenue",
        "audit.load_manifest",
        "audit.quality_results",
        "quarantine.records",
    } <= tables
    assert not any(t.startswith(("raw.", "staging.")) for t in tables)
    status = wap.read_status(published)
    assert status["status"] == "current"
    assert status["message"].startswith("data as of 2025-03-01")


def test_swap_under_a_live_reader(tmp_path: Path) -> None:
    warehouse, published = _world(tmp_path, quarantined=0)
    _publish(warehouse, published, "run-1")
    with published_connection(published) as old_reader:
        assert old_reader.execute("select revenue from marts.fct_revenue").fetchall() == [(100,)]
        con = duckdb.connect(str(warehouse))
        con.execute("update marts.fct_revenue set revenue = 250")
        con.close()
        _publish(warehouse, published, "run-2")  # must not wait for or break the open reader
        # the open connection still reads the old, consistent file
        assert old_reader.execute("select revenue from marts.fct_revenue").fetchall() == [(100,)]
        assert old_reader.execute("select count(*) from audit.publications").fetchall() == [(1,)]
        # a new connection sees the new publication
        assert _revenue(published) == 250
    assert _revenue(published) == 250


def test_rollback_restores_the_previous_publication(tmp_path: Path) -> None:
    warehouse, published = _world(tmp_path, quarantined=0)
    first = _publish(warehouse, published, "run-1")
    first_hash = _sha(published)
    con = duckdb.connect(str(warehouse))
    con.execute("update marts.fct_revenue set revenue = 250")
    con.close()
    _publish(warehouse, published, "run-2")
    assert _revenue(published) == 250
    restored = wap.rollback(published)
    assert restored.publication_id == first.publication_id
    assert _revenue(published) == 100
    assert _sha(published) == first_hash
    assert "rolled back" in wap.read_status(published)["message"]
    with pytest.raises(RuntimeError, match="no earlier publication"):
        wap.rollback(published)


def test_versions_are_pruned_to_keep(tmp_path: Path) -> None:
    warehouse, published = _world(tmp_path, quarantined=0)
    for i in range(4):
        import quality.results as results

        original = results.load_suites
        results.load_suites = _suite
        try:
            wap.publish(warehouse, published, f"run-{i}", keep=2)
        finally:
            results.load_suites = original
    assert len(wap.list_versions(published)) == 2
    assert len(list(wap.versions_dir(published).glob("*.duckdb"))) == 2


def test_blocked_run_leaves_the_published_file_byte_identical(tmp_path: Path) -> None:
    from datetime import date

    from quality.runner import run_gates

    warehouse, published = _world(tmp_path, quarantined=0)
    _publish(warehouse, published, "run-1")
    before = _sha(published)
    # the next delivery is 10 % quarantined: above the gate's 2 %
    wh = MiniWarehouse.__new__(MiniWarehouse)
    wh.path, wh.con, wh._n = warehouse, duckdb.connect(str(warehouse)), 100
    wh.add_load("legacy_mx", "sales_orders", date(2025, 3, 2), rows_read=100, rows_quarantined=10)
    results = run_gates(wh.con, suites=_suite(), run_id="run-2")
    wh.close()
    assert [r.blocks for r in results] == [True]
    with pytest.raises(wap.PublishBlocked) as blocked:
        _publish(warehouse, published, "run-2")
    assert blocked.value.blocked_by[0]["check"] == "quarantine_rate"
    assert _sha(published) == before
    status = wap.read_status(published)
    assert status["status"] == "blocked"
    assert status["latest_run"]["run_id"] == "run-2"
    assert "the latest run was blocked by raw/legacy_mx:quarantine_rate" in status["message"]
    assert status["message"].startswith("data as of 2025-03-01")


def test_ungated_loads_are_not_published(tmp_path: Path) -> None:
    from datetime import date

    warehouse, published = _world(tmp_path, quarantined=0)
    wh = MiniWarehouse.__new__(MiniWarehouse)
    wh.path, wh.con, wh._n = warehouse, duckdb.connect(str(warehouse)), 100
    wh.add_load(
        "legacy_mx",
        "sales_orders",
        date(2025, 3, 2),
        rows_read=100,
        started_at=__import__("datetime").datetime(2099, 1, 1),
    )
    wh.close()
    with pytest.raises(wap.PublishBlocked, match="not evaluated since the latest load"):
        _publish(warehouse, published, "run-2")
    assert not published.exists()


def test_readers_open_read_only_and_fail_clearly_before_a_publication(tmp_path: Path) -> None:
    with pytest.raises(NotPublishedError), published_connection(tmp_path / "nothing.duckdb"):
        pass
    warehouse, published = _world(tmp_path, quarantined=0)
    _publish(warehouse, published, "run-1")
    with published_connection(published) as con, pytest.raises(duckdb.Error):
        con.execute("create table marts.x as select 1")


def test_a_blocked_first_run_says_nothing_is_published_yet(tmp_path: Path) -> None:
    published = tmp_path / "published" / "backbone_published.duckdb"
    gate = {"asset": "raw/edi", "check": "envelope_errors", "severity": "error", "reason": "failed"}
    wap.record_blocked(published, "run-1", [gate])
    wap.record_blocked(published, "run-1", [{**gate, "asset": "raw/wms", "check": "volume"}])
    status = wap.read_status(published)
    assert status["status"] == "blocked"
    assert status["message"] == (
        "nothing published yet; the latest run was blocked by raw/edi:envelope_errors, raw/wms:volume"
    )
    assert not published.exists()


def test_publish_cli_publishes_refuses_and_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    import quality.results as results
    from backbone.cli import app

    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    warehouse, _ = _world(tmp_path, quarantined=0)
    warehouse.rename(home / "warehouse" / "backbone.duckdb")
    monkeypatch.setenv("BACKBONE_HOME", str(home))
    runner = CliRunner()
    # judged on every real suite, the hand-made warehouse has gates that never ran: refused
    refused = runner.invoke(app, ["publish", "--json"])
    assert refused.exit_code == 1
    assert any(b["reason"] == "never evaluated" for b in json.loads(refused.stdout)["blocked_by"])
    monkeypatch.setattr(results, "load_suites", _suite)
    for _ in range(2):
        done = runner.invoke(app, ["publish", "--json"])
        assert done.exit_code == 0, done.output
    first, second = (
        v["publication_id"]
        for v in wap.list_versions(home / "published" / "backbone_published.duckdb")
    )
    assert json.loads(done.stdout)["publication_id"] == second
    back = runner.invoke(app, ["publish", "--rollback"])
    assert back.exit_code == 0 and f"rolled back to {first}" in back.stdout
