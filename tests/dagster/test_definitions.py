"""The Dagster code location: what `dagster dev` shows, the sensor, and a real in-process run."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.definitions import defs
from dagster_project.ingestion.sensors import landing_fingerprint
from dagster_project.pipeline import run_pipeline
from dagster_project.resources import WarehouseResource
from ingestion.mapping import load_sources
from tests.ingestion.landing import write_small_landing


def test_every_source_mapping_is_an_asset_with_its_entities() -> None:
    repository = defs.get_repository_def()
    keys = {key.to_user_string() for key in repository.assets_defs_by_key}
    assert {
        "raw/group_erp",
        "raw/legacy_mx",
        "raw/legacy_us",
        "raw/wms",
        "raw/edi",
        "raw/crosswalk",
    } <= keys
    legacy_mx = repository.assets_defs_by_key[dg.AssetKey(["raw", "legacy_mx"])]
    assert legacy_mx.metadata_by_key[legacy_mx.key]["entities"] == "MX02"
    assert legacy_mx.group_names_by_key[legacy_mx.key] == "erp_exports"
    group_erp = repository.assets_defs_by_key[dg.AssetKey(["raw", "group_erp"])]
    assert group_erp.metadata_by_key[group_erp.key]["entities"] == "US01, CA01, MX01"
    assert repository.get_schedule_def("daily_pipeline").cron_schedule == "0 5 * * *"
    assert repository.has_sensor_def("landing_zone_sensor")


def test_lineage_runs_from_raw_sources_through_dbt_to_the_published_warehouse() -> None:
    graph = defs.resolve_asset_graph()
    staging_edi_orders = dg.AssetKey(["staging", "stg_edi__purchase_orders"])
    assert dg.AssetKey(["raw", "edi"]) in graph.get(staging_edi_orders).parent_keys
    kpis = dg.AssetKey(["marts", "kpi_monthly"])
    assert kpis in graph.get(dg.AssetKey("published_warehouse")).parent_keys
    # dbt tests are asset checks; error-severity ones block what is downstream of them
    kpi_checks = [key for key in graph.asset_check_keys if key.asset_key == kpis]
    assert kpi_checks
    assert all(graph.get_check_spec(key).blocking for key in kpi_checks)


def test_sensor_requests_a_run_only_when_the_landing_zone_changes(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_small_landing(landing, days=1)
    sensor = defs.get_repository_def().get_sensor_def("landing_zone_sensor")
    resources = {
        "warehouse": WarehouseResource(landing=str(landing), warehouse=str(tmp_path / "wh.duckdb"))
    }

    first = sensor(dg.build_sensor_context(cursor=None, resources=resources))
    assert isinstance(first, dg.RunRequest)
    cursor = landing_fingerprint(landing)

    unchanged = sensor(dg.build_sensor_context(cursor=cursor, resources=resources))
    assert isinstance(unchanged, dg.SkipReason)

    new_day = landing / "exports" / "legacy_mx" / "20250102"  # a new day's export arrives
    new_day.mkdir(parents=True)
    (new_day / "pedidos_20250102.csv").write_bytes(
        (landing / "exports" / "legacy_mx" / "20250101" / "pedidos_20250101.csv").read_bytes()
    )
    arrived = sensor(dg.build_sensor_context(cursor=cursor, resources=resources))
    assert isinstance(arrived, dg.RunRequest)
    assert arrived.run_key != first.run_key


def test_truth_folder_does_not_trigger_runs(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_small_landing(landing, days=1)
    before = landing_fingerprint(landing)
    (landing / "truth").mkdir()
    (landing / "truth" / "kpis.csv").write_text("entity_code,month,kpi,value\n")
    assert landing_fingerprint(landing) == before


def test_pipeline_loads_every_source_then_gates_block_an_incomplete_landing_zone(
    tmp_path: Path,
) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh.duckdb"
    published = tmp_path / "published" / "backbone_published.duckdb"
    write_small_landing(landing, days=2)  # exports, WMS and EDI, but no ERP database

    result = run_pipeline(landing, warehouse, published=published)

    by_source = {s["source_system"]: s for s in result.sources}
    assert set(by_source) == set(load_sources())  # one load per mapping file
    for summary in by_source.values():
        assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_quarantined"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        manifest_rows = con.execute(
            "select sum(rows_loaded) from audit.load_manifest where status in ('loaded', 'quarantined')"
        ).fetchone()[0]
    assert manifest_rows == sum(s["rows_loaded"] for s in result.sources) > 0
    # The ERP database never delivered: its freshness gate blocks, so nothing is published.
    assert len(result.gates) > 20
    assert "raw/group_erp:freshness" in result.blocked_by
    assert not result.ok and not result.published and not published.exists()
    assert result.models_built == 0  # a failed blocking gate stops dbt too

    again = run_pipeline(landing, warehouse, published=published)
    assert sum(s["rows_loaded"] for s in again.sources) == 0
