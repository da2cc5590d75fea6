"""The whole landing zone through `load_landing_zone` and `backbone run`: idempotency, duplicates,
row accounting, and a run killed mid-load ending like an uninterrupted one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from ingestion.runner import load_landing_zone
from tests.ingestion.landing import write_small_landing

VOLATILE = {"_load_id", "_loaded_at", "load_id", "quarantined_at", "duplicate_of"}


def _snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every raw and quarantine table, and the manifest, without ids and timestamps."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables()"
            " where schema_name in ('raw', 'quarantine') order by all"
        ).fetchall()
        snap = {}
        for schema, table in tables:
            cols = [c for (c,) in con.execute(
                "select column_name from duckdb_columns() where schema_name = ? and table_name = ?",
                [schema, table],
            ).fetchall() if c not in VOLATILE]  # fmt: skip
            select = ", ".join(f'"{c}"' for c in cols)
            snap[f"{schema}.{table}"] = con.execute(
                f'select {select} from {schema}."{table}" order by all'
            ).fetchall()
        snap["manifest"] = con.execute(
            "select source_system, feed, source_file, status, rows_read, rows_loaded,"
            " rows_quarantined from audit.load_manifest order by all"
        ).fetchall()
        return snap
    finally:
        con.close()


def test_landing_zone_loads_once_with_balanced_counts(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    expected = write_small_landing(landing)
    warehouse = tmp_path / "wh.duckdb"
    first = load_landing_zone(landing, warehouse)
    assert first.ok, first.as_dict()
    mx = first.source("legacy_mx")
    assert (mx.rows_read, mx.rows_quarantined) == (
        expected["legacy_mx_rows"],
        expected["legacy_mx_bad"],
    )
    wms = first.source("wms")
    assert (wms.rows_read, wms.rows_quarantined) == (expected["wms_rows"], expected["wms_bad"])
    assert first.source("edi").rows_loaded == 8  # 4 POs + 4 lines
    assert first.source("group_erp").notes  # no database in this landing zone: said, not failed

    con = duckdb.connect(str(warehouse), read_only=True)
    # rows in = rows loaded + rows quarantined, per load, and the quarantine holds them all
    assert con.execute(
        "select count(*) from audit.load_manifest where rows_read <> rows_loaded + rows_quarantined"
    ).fetchone() == (0,)
    assert con.execute(
        "select count(*) from audit.load_manifest m where rows_quarantined <>"
        " (select count(*) from quarantine.records q where q.load_id = m.load_id)"
    ).fetchone() == (0,)
    # the re-sent copy is skipped and said so; the header-only masters are all loaded (0 rows)
    assert con.execute(
        "select source_file, status from audit.load_manifest where status = 'skipped_duplicate'"
    ).fetchall() == [("exports/legacy_mx/20250102/pedidos_20250102_r1.csv", "skipped_duplicate")]
    assert con.execute(
        "select count(*), sum(rows_read) from audit.load_manifest where feed = 'items'"
        " and source_system = 'legacy_mx'"
    ).fetchone() == (4, 0)
    assert con.execute("select count(*) from raw.legacy_mx_sales_orders").fetchone() == (8,)
    assert con.execute("select ship_to_address from raw.legacy_us_sales_orders").fetchone() == (
        "1200 Industrial Pkwy, Suite 4\nDetroit, MI 48201",
    )
    con.close()

    before = _snapshot(warehouse)
    second = load_landing_zone(landing, warehouse)
    assert second.ok
    assert sum(s.rows_read for s in second.sources) == 0
    assert all(r.status == "already_loaded" for s in second.sources for r in s.results)
    assert _snapshot(warehouse) == before


def test_backbone_run_prints_summary_and_json(tmp_path: Path) -> None:
    from backbone.cli import app

    landing = tmp_path / "landing"
    write_small_landing(landing, days=1)
    runner = CliRunner()
    args = ["run", "--landing", str(landing), "--warehouse", str(tmp_path / "wh.duckdb")]
    result = runner.invoke(app, [*args, "--json"])
    summary = json.loads(result.output)
    # This landing zone has no ERP database: the loads succeed, the freshness gate blocks publishing.
    assert result.exit_code == 1, result.output
    assert summary["published"] is False and "raw/group_erp:freshness" in summary["blocked_by"]
    assert all(not s["errors"] for s in summary["sources"])
    by_source = {s["source_system"]: s for s in summary["sources"]}
    assert by_source["legacy_mx"]["rows_loaded"] == 2
    assert by_source["wms"]["rows_quarantined"] == 1
    assert summary["step_seconds"]["raw__wms"] > 0
    again = runner.invoke(app, args)
    assert "legacy_mx" in again.output
    assert "not published" in again.output
    assert "slowest: " in again.output


def test_backbone_run_exits_non_zero_when_a_load_fails(tmp_path: Path) -> None:
    from backbone.cli import app

    landing = tmp_path / "landing"
    write_small_landing(landing, days=1)
    bad = landing / "wms" / "US01-ATL" / "20250101" / "events_US01-ATL_20250101.ndjson"
    bad.write_bytes(b"\xff\xfe not utf-8 \xff\n")
    result = CliRunner().invoke(
        app,
        ["run", "--landing", str(landing), "--warehouse", str(tmp_path / "wh.duckdb"), "--json"],
    )
    assert result.exit_code == 1
    wms = next(s for s in json.loads(result.output)["sources"] if s["source_system"] == "wms")
    assert len(wms["errors"]) == 1


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import ingestion.loader as loader

    loader.BATCH_FILES = 2  # several commits before the kill
    calls = {"n": 0}
    real = loader.write_manifest

    def write_then_maybe_die(con, row):
        real(con, row)
        calls["n"] += 1
        if calls["n"] == int(sys.argv[3]):
            os.kill(os.getpid(), signal.SIGKILL)  # inside an open load transaction

    loader.write_manifest = write_then_maybe_die
    from ingestion.runner import load_landing_zone
    load_landing_zone(Path(sys.argv[1]), Path(sys.argv[2]))
    """
)


def test_run_killed_mid_load_then_restarted_equals_uninterrupted_run(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_small_landing(landing)
    clean = tmp_path / "clean.duckdb"
    assert load_landing_zone(landing, clean).ok

    killed = tmp_path / "killed.duckdb"
    script = tmp_path / "killer.py"
    script.write_text(KILLER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.run(
        [sys.executable, str(script), str(landing), str(killed), "7"], env=env, capture_output=True
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    partial = _snapshot(killed)
    assert 0 < len(partial["manifest"]) < len(_snapshot(clean)["manifest"])

    assert load_landing_zone(landing, killed).ok
    assert _snapshot(killed) == _snapshot(clean)
