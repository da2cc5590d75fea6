"""generate_world: deterministic, fault-free at rate 0, and incremental with append_days."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from simulator.generate import generate_world
from simulator.world import build_world
from simulator.writers.erp_db import TABLES
from tests.simulator.test_sources import x12_envelope_errors

START = date(2025, 1, 1)


def file_hashes(root: Path, skip: tuple[str, ...] = ("world.json",)) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in skip
    }


def sqlite_url(out: Path) -> str:
    return f"sqlite:///{out / 'erp' / 'group_erp.sqlite'}"


def table(url: str, name: str, *columns: str) -> list[tuple]:
    """Typed rows of an ERP table (through its SQLAlchemy definition), ordered by its key."""
    t = TABLES[name]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(*(t.c[c] for c in columns)).order_by(*t.primary_key.columns)
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_same_seed_gives_identical_files(tmp_path):
    first = generate_world(tmp_path / "a", scale="xs", seed=7, days=30)
    generate_world(tmp_path / "b", scale="xs", seed=7, days=30)
    a, b = file_hashes(tmp_path / "a"), file_hashes(tmp_path / "b")
    assert len(a) > 1000
    assert a == b
    assert sum(first.faults.values()) > 0
    other = generate_world(tmp_path / "c", scale="xs", seed=8, days=30)
    assert file_hashes(tmp_path / "c") != a
    assert other.seed == 8


def test_fault_rate_zero_writes_clean_files(tmp_path):
    out = tmp_path / "clean"
    summary = generate_world(out, scale="xs", seed=3, fault_rate=0, days=30)
    assert summary.faults == {}
    with (out / "truth" / "faults.csv").open() as fh:
        assert fh.read().strip() == "fault_id,kind,source,file,locator,detail,expected_handling"
    files = [p for p in out.rglob("*") if p.is_file()]
    assert not [p for p in files if re.search(r"_r1\.\w+$", p.name)]
    for p in files:
        dated = re.search(r"_(\d{8})\.(csv|ndjson)$", p.name)
        if dated and p.parts[-3] != "truth":
            assert p.parent.name == dated.group(1), p  # no late files
    for p in (out / "edi").glob("*/*/*.x12"):
        assert x12_envelope_errors(p.read_bytes()) == set(), p
    for source, encoding, delimiter in (("legacy_mx", "latin-1", ";"), ("legacy_us", "utf-8", ",")):
        for p in (out / "exports" / source).glob("*/*.csv"):
            with p.open(encoding=encoding, newline="") as fh:
                rows = list(csv.reader(fh, delimiter=delimiter))
            assert all(len(r) == len(rows[0]) for r in rows), p
    for p in (out / "wms").glob("*/*/*.ndjson"):
        for line in p.read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            assert re.fullmatch(r"2025-\d\d-\d\dT\d\d:\d\d:00Z", event["occurred_at"])
    engine = sa.create_engine(sqlite_url(out))
    with engine.connect() as conn:
        orphans = conn.execute(
            sa.text(
                "select count(*) from sales_order_lines where item_id not in (select item_id from items)"
            )
        ).scalar()
    engine.dispose()
    assert orphans == 0


def test_append_days_writes_only_new_days_and_updates_the_database(tmp_path):
    out = tmp_path / "grow"
    generate_world(out, scale="xs", seed=5, days=20)
    before = file_hashes(out / "exports") | {
        f"wms/{k}": v for k, v in file_hashes(out / "wms").items()
    } | {f"edi/{k}": v for k, v in file_hashes(out / "edi", skip=("partners.csv", "control_numbers.csv")).items()}  # fmt: skip
    old_faults = pl.read_csv(out / "truth" / "faults.csv", infer_schema=False)
    old_end = START + timedelta(days=19)

    summary = generate_world(out, append_days=5)
    assert (summary.scale, summary.seed, summary.days, summary.written_from) == (
        "xs",
        5,
        25,
        old_end + timedelta(days=1),
    )
    after = file_hashes(out / "exports") | {
        f"wms/{k}": v for k, v in file_hashes(out / "wms").items()
    } | {f"edi/{k}": v for k, v in file_hashes(out / "edi", skip=("partners.csv", "control_numbers.csv")).items()}  # fmt: skip
    assert {k: after[k] for k in before} == before  # earlier files untouched
    new = set(after) - set(before)
    assert new
    for name in new:
        day = re.search(r"(\d{8})", name.rsplit("/", 1)[-1]).group(1)
        assert date(int(day[:4]), int(day[4:6]), int(day[6:])) > old_end, name

    meta = json.loads((out / "world.json").read_text())
    assert meta["days"] == 25 and len(meta["generations"]) == 2
    faults = pl.read_csv(out / "truth" / "faults.csv", infer_schema=False)
    assert faults.head(old_faults.height).equals(old_faults)
    for file in faults.slice(old_faults.height)["file"]:
        if "/" in file:
            assert max(re.findall(r"(\d{8})", file)) > old_end.strftime("%Y%m%d"), file

    # EDI numbering continues: control numbers stay unique per partner, envelopes stay consistent.
    for partner in (out / "edi").iterdir():
        if partner.is_dir():
            names = [p.name for p in partner.glob("*/*.x12") if not p.stem.endswith("_r1")]
            controls = [n.split("_")[1].removesuffix(".x12") for n in names]
            assert len(controls) == len(set(controls)), partner.name
    injected = {
        tuple(r)
        for r in faults.filter(pl.col("kind").str.starts_with("x12_"))
        .select("file", "kind", "locator")
        .iter_rows()
    }
    found = {
        (p.relative_to(out).as_posix(), kind, loc)
        for p in (out / "edi").glob("*/*/*.x12")
        for kind, loc in x12_envelope_errors(p.read_bytes())
    }
    assert found == injected

    # The database equals a fresh 25-day world's (sales orders carry no injected faults).
    world = build_world("xs", 5, days=25)
    orders = world.sales_orders.filter(pl.col("entity_code").is_in(["US01", "CA01", "MX01"])).sort(
        "order_id"
    )
    columns = ("order_id", "status", "confirmed_date", "updated_at")
    assert table(sqlite_url(out), "sales_orders", *columns) == list(
        orders.select(columns).iter_rows()
    )
    cutoff = pl.lit(old_end + timedelta(days=1)).cast(pl.Datetime("us"))
    updated = orders.filter((pl.col("created_at") < cutoff) & (pl.col("updated_at") >= cutoff))
    assert updated.height > 0  # rows of the earlier horizon really were updated
    lines = world.sales_order_lines.join(orders.select("order_id"), on="order_id").sort(
        "order_id", "line_no"
    )
    columns = ("order_id", "line_no", "qty_ordered", "line_status", "updated_at")
    written = table(sqlite_url(out), "sales_order_lines", *columns)
    expected = list(lines.select(columns).iter_rows())
    assert len(written) == len(expected)
    # Only the faulted lines (unknown item codes, not compared here) may differ: none of these columns.
    assert written == expected


def test_append_days_updates_a_postgresql_erp(tmp_path, postgres_url):
    out = tmp_path / "pg"
    generate_world(out, scale="xs", seed=11, days=12, erp_url=postgres_url)
    meta = json.loads((out / "world.json").read_text())
    assert meta["erp_url"] == postgres_url  # no password to hide on the test server
    summary = generate_world(out, append_days=4)  # the URL comes from world.json
    assert summary.rows["sales_orders"] > 0  # inserted or replaced in the new days only
    world = build_world("xs", 11, days=16)
    orders = world.sales_orders.filter(pl.col("entity_code").is_in(["US01", "CA01", "MX01"]))
    columns = ("order_id", "status", "confirmed_date", "updated_at")
    assert table(postgres_url, "sales_orders", *columns) == list(
        orders.sort("order_id").select(columns).iter_rows()
    )
    assert summary.rows["sales_orders"] < orders.height
    shipments = world.shipments.filter(pl.col("entity_code").is_in(["US01", "CA01", "MX01"]))
    delivered = table(postgres_url, "shipments", "shipment_id", "delivery_date")
    expected = (
        shipments.unique("shipment_id").sort("shipment_id").select("shipment_id", "delivery_date")
    )
    assert delivered == list(expected.iter_rows())


def test_a_copied_world_appends_to_its_own_erp_database(tmp_path):
    """The default ERP is a SQLite file in the landing zone: a copy of the zone grows its own."""
    original = tmp_path / "original"
    generate_world(original, scale="xs", seed=5, days=10)
    copy = tmp_path / "copy"
    shutil.copytree(original, copy)
    untouched = (original / "erp" / "group_erp.sqlite").read_bytes()

    generate_world(copy, append_days=1)

    assert (original / "erp" / "group_erp.sqlite").read_bytes() == untouched
    meta = json.loads((copy / "world.json").read_text())
    assert meta["erp_url"] == f"sqlite:///{copy.resolve() / 'erp' / 'group_erp.sqlite'}"
    engine = sa.create_engine(meta["erp_url"])
    with engine.connect() as con:
        latest = con.execute(sa.text("select max(order_date) from sales_orders")).scalar()
    engine.dispose()
    assert str(latest) == str(START + timedelta(days=10))
