"""The gates and write-audit-publish on a real xs world, materialised in-process with Dagster.

One world for the module (xs scale, 40 days to keep it quick): the first run publishes at the
simulator's default fault rate; a second run publishes an appended day while a reader holds the
published file open; a third run with a file that lost a required column is blocked and leaves
the publication byte-identical; rollback restores the first publication.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest

from dagster_project.pipeline import PipelineResult

pytestmark = pytest.mark.slow


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class World:
    def __init__(self, home: Path):
        self.home = home
        self.landing = home / "landing"
        self.warehouse = home / "warehouse" / "backbone.duckdb"
        self.published = home / "published" / "backbone_published.duckdb"

    def run(self) -> PipelineResult:
        """What `backbone run` does: loads, raw gates, dbt build and tests, publish."""
        from dagster_project.pipeline import run_pipeline

        return run_pipeline(self.landing, self.warehouse, published=self.published)


def _failed_checks(result: PipelineResult) -> dict[str, str]:
    return {g.gate: g.severity for g in result.gates if not g.passed}


def _published_ran(result: PipelineResult) -> bool:
    return result.published


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    from simulator.generate import generate_world

    home = tmp_path_factory.mktemp("qworld")
    generate_world(home / "landing", scale="xs", seed=3, days=40)
    return World(home)


@pytest.fixture(scope="module")
def first(world: World) -> tuple[PipelineResult, str]:
    result = world.run()
    return result, _sha(world.published) if world.published.exists() else ""


def test_default_fault_rate_publishes(world: World, first) -> None:
    from backbone.publish import read_status
    from backbone.readers import published_connection

    result, _ = first
    failed = _failed_checks(result)
    assert not {k: v for k, v in failed.items() if v == "ERROR"}, failed
    assert _published_ran(result)
    status = read_status(world.published)
    assert status["status"] == "current"
    assert status["message"].startswith("data as of 2025-02-09")
    with published_connection(world.published) as con:
        # every raw gate of every source, once, in the published results history
        assert con.execute(
            "select count(distinct source_system || check_name) from audit.quality_results"
            " where source_system <> 'dbt'"
        ).fetchall() == [(52,)]
        assert con.execute("select count(*) from quarantine.records").fetchall()[0][0] > 0
        assert con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw'"
        ).fetchall() == [(0,)]


def test_every_quarantined_fault_shows_under_its_entity_in_the_report(world: World, first) -> None:
    """faults.csv says which rows and EDI sets must be quarantined; the report's per-entity
    section counts them under the entity whose file they came from (legacy systems: their one
    entity; WMS: the warehouse folder; X12: our side of the interchange, from the file's ISA)."""
    import polars as pl

    from backbone.readers import published_connection
    from quality.report import build_summary, render_html
    from tests.worlds import interchange_entity

    faults = pl.read_csv(world.landing / "truth" / "faults.csv").filter(
        pl.col("expected_handling").is_in(["quarantine_row", "envelope_error"])
    )
    edi_files = faults.filter(pl.col("source") == "edi")["file"].unique()
    edi_entity = {file: interchange_entity(world.landing / file) for file in edi_files}
    entity_of_file = (
        pl.when(pl.col("source") == "legacy_mx")
        .then(pl.lit("MX02"))
        .when(pl.col("source") == "legacy_us")
        .then(pl.lit("US02"))
        .when(pl.col("source") == "wms")
        .then(pl.col("file").str.split("/").list.get(1).str.split("-").list.get(0))
        .when(pl.col("source") == "edi")
        .then(pl.col("file").replace_strict(edi_entity, default=None, return_dtype=pl.String))
    )
    expected = dict(
        faults.with_columns(entity=entity_of_file)
        .drop_nulls("entity")
        .group_by("entity")
        .len()
        .iter_rows()
    )
    assert expected, "the default fault rate injects row faults into legacy and WMS files"
    with published_connection(world.published) as con:
        by_entity = {r["entity_code"]: r for r in build_summary(con)["by_entity"]}
        html = render_html(con)
    for entity, count in expected.items():
        assert by_entity[entity]["data_quality"] == count, entity
    assert "Open exceptions by entity" in html and "Modelled layer (dbt build)" in html


def test_every_kind_of_gate_catches_its_breakage_on_the_world(
    world: World, first, tmp_path: Path
) -> None:
    """A copy of the published-from warehouse, broken on purpose one way per gate kind."""
    import shutil

    import duckdb

    from quality.runner import run_gates

    copy = tmp_path / "broken.duckdb"
    shutil.copy(world.warehouse, copy)
    con = duckdb.connect(str(copy))
    now = "now()::timestamp + interval 1 hour"  # after the publication: in the gates' scope

    def new_load(
        source: str,
        feed: str,
        source_file: str,
        rows: int,
        quarantined: int = 0,
        status: str = "loaded",
    ) -> str:
        load_id = f"broken-{source}-{feed}"
        con.execute(
            "insert into audit.load_manifest (load_id, source_system, feed, source_file, rows_read, rows_loaded,"
            f" rows_quarantined, status, started_at, finished_at) values (?, ?, ?, ?, ?, ?, ?, ?, {now}, {now})",
            [load_id, source, feed, source_file, rows, rows - quarantined, quarantined, status],
        )
        return load_id

    def copy_rows(table: str, load_id: str, changes: str, limit: int = 40) -> None:
        con.execute(
            f"insert into raw.{table} select * replace ({changes}, '{load_id}' as _load_id)"
            f" from raw.{table} using sample {limit} rows (reservoir, 7)"
        )

    # contract: a declared column disappears
    con.execute("alter table raw.legacy_us_items drop column pack_size")
    # domains, ranges, unique keys, referential: one new legacy_mx order-lines file, broken four ways
    lines = new_load(
        "legacy_mx",
        "sales_order_lines",
        "exports/legacy_mx/20250209/pedidos_partidas_20250209.csv",
        40,
    )
    copy_rows(
        "legacy_mx_sales_order_lines",
        lines,
        "'ZZZ' as uom, 7.5 as discount_pct, 'ART-00000' as item_code, 1 as line_no, 'SO-1' as order_id",
    )
    # control totals: EDI purchase orders whose CTT01 disagrees with their PO1 lines
    edi = new_load("edi", "x12", "edi/p/inbound/20250209_000000999.x12", 40)
    copy_rows(
        "edi_purchase_orders",
        edi,
        "line_count + 1 as line_count, coalesce(declared_line_count, 1) as declared_line_count,"
        " cast(uuid() as varchar) as isa_control",
    )
    # envelope errors: 12 more interchanges of the new EDI load, each with a rejected set (more
    # than 3 % of the 40 + 12 interchanges, and at least 10)
    for i in range(12):
        con.execute(
            "insert into quarantine.edi_sets (load_id, source_file, isa_control, transaction_set, st_position,"
            " reason_code, detail, rows_excluded, quarantined_at)"
            f" values (?, 'f', ?, '850', ?, 'envelope_error', 'SE01: count', 1, {now})",
            [edi, f"{900000000 + i}", 1000 + i],
        )
    # quarantine rate and a rejected file: a wms file quarantined whole
    new_load(
        "wms",
        "events",
        "wms/US01-ATL/20250209/events_US01-ATL_20250209_x.ndjson",
        50,
        50,
        "quarantined",
    )
    # freshness: the group ERP's cursor stopped 10 days before the newest delivery
    con.execute(
        "update audit.load_manifest set cursor_to = cast(date '2025-01-30' as varchar)"
        " where source_system = 'group_erp' and cursor_to > '2025-01-30'"
    )
    # volume: legacy_us delivered almost nothing in the last 7 days
    con.execute(
        "update audit.load_manifest set rows_read = 0 where source_system = 'legacy_us'"
        " and source_file similar to '.*_2025020[3-9].*'"
    )
    results = run_gates(con, run_id="broken")
    con.close()
    blocking = {(r.source, r.check_name) for r in results if r.blocks}
    expected = {
        ("legacy_us", "contract"),
        ("legacy_mx", "value_domains"),
        ("legacy_mx", "value_ranges"),
        ("legacy_mx", "unique_keys"),
        ("legacy_mx", "referential_integrity"),
        ("edi", "control_totals"),
        ("edi", "envelope_errors"),
        ("wms", "rejected_files"),
        ("wms", "quarantine_rate"),
        ("group_erp", "freshness"),
        ("legacy_us", "volume"),
    }
    assert blocking == expected, {
        r.asset + ":" + r.check_name: r.summary() for r in results if r.blocks
    }


def test_publish_under_a_live_reader_then_block_then_rollback(world: World, first) -> None:
    from backbone.publish import read_status, rollback
    from backbone.readers import published_connection
    from simulator.generate import generate_world

    _, first_hash = first
    generate_world(world.landing, append_days=1)
    with published_connection(world.published) as reader:
        before = reader.execute("select count(*) from audit.load_manifest").fetchall()[0][0]
        second = world.run()  # loads day 41 and publishes while the reader holds the old file
        assert _published_ran(second), _failed_checks(second)
        assert reader.execute("select count(*) from audit.load_manifest").fetchall()[0][0] == before
        with published_connection(world.published) as fresh:
            assert (
                fresh.execute("select count(*) from audit.load_manifest").fetchall()[0][0] > before
            )
    second_hash = _sha(world.published)
    assert second_hash != first_hash

    # a new legacy_us order header file that lost its ORDER_NO column: the whole file is rejected
    source = max(
        (
            p
            for p in (world.landing / "exports" / "legacy_us").glob("*/so_header_*.csv")
            if "_r" not in p.stem
        ),
        key=lambda p: (p.read_text(encoding="utf-8").count("\n") > 1, p.name),
    )
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"), newline="")))
    broken = io.StringIO(newline="")
    csv.writer(broken, lineterminator="\r\n").writerows([row[1:] for row in rows])
    target = world.landing / "exports" / "legacy_us" / "20250211" / "so_header_20250211.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(broken.getvalue(), encoding="utf-8")

    third = world.run()
    failed = _failed_checks(third)
    assert failed.get("raw/legacy_us:rejected_files") == "ERROR", failed
    assert not _published_ran(third)
    assert _sha(world.published) == second_hash  # the previous publication stays, byte for byte
    status = read_status(world.published)
    assert status["status"] == "blocked"
    assert "the latest run was blocked by" in status["message"]
    assert "raw/legacy_us:rejected_files" in status["message"]

    restored = rollback(world.published)
    assert _sha(world.published) == first_hash
    assert "rolled back" in read_status(world.published)["message"]
    assert restored.publication_id


def test_quality_cli_reports_the_blocked_run(
    world: World, first, tmp_path: Path, monkeypatch
) -> None:
    import json

    from typer.testing import CliRunner

    from backbone.cli import app

    monkeypatch.setenv("BACKBONE_HOME", str(world.home))
    runner = CliRunner()
    out = runner.invoke(app, ["quality", "--json"])
    summary = json.loads(out.stdout)
    if summary["ok"] is False:  # after the blocked run of the test above
        assert out.exit_code == 1
        assert any(b["check"] == "rejected_files" for b in summary["blocked_by"])
    html = tmp_path / "report.html"
    assert runner.invoke(app, ["quality", "--html", str(html)]).exit_code in (0, 1)
    text = html.read_text(encoding="utf-8")
    assert "legacy_us" in text and "<script" not in text and "http" not in text.split("</style>")[0]
