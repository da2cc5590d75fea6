"""The landing zone is readable with each source's own conventions and matches the event log.

Every check reads the written files independently (csv, json, a small X12 envelope reader
below) and compares with the World frames; faults must be exactly those in truth/faults.csv.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from simulator.faults import FaultLog, FaultPlan
from simulator.generate import generate_world
from simulator.world import World
from simulator.writers import WriteContext
from simulator.writers.erp_db import write_erp

DAYS = 60
GROUP = ("US01", "CA01", "MX01")


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    generate_world(out, scale="xs", seed=42, days=DAYS)
    return out


@pytest.fixture(scope="module")
def world(landing) -> World:
    return World.read_parquet(landing / "truth" / "event_log")


@pytest.fixture(scope="module")
def faults(landing) -> pl.DataFrame:
    return pl.read_csv(landing / "truth" / "faults.csv", infer_schema=False)


# --- the group ERP database ----------------------------------------------------------------


def expected_erp_counts(world: World) -> dict[str, int]:
    group = pl.col("entity_code").is_in(GROUP)
    orders = world.sales_orders.filter(group)
    invoices = world.invoices.filter(group)
    pos = world.purchase_orders.filter(group)
    return {
        "companies": 3,
        "warehouses": world.warehouses.filter(group).height,
        "items": world.items.height,
        "customers": world.customers.filter(group).height,
        "sales_orders": orders.height,
        "sales_order_lines": world.sales_order_lines.join(orders, on="order_id").height,
        "shipments": world.shipments.filter(group)["shipment_id"].n_unique(),
        "shipment_lines": world.shipments.filter(group).height,
        "invoices": invoices.height,
        "invoice_lines": world.invoice_lines.join(invoices, on="invoice_id").height,
        "payments": world.payments.join(invoices, on="invoice_id").height,
        "purchase_orders": pos.height,
        "purchase_order_lines": world.po_lines.join(pos, on="po_id").height,
        "receipts": world.receipts.join(pos, on="po_id").height,
        "fx_rates": world.fx_rates.height,
        "period_close": world.period_postings.filter(group).height,
    }


def check_erp(url: str, world: World, faults: pl.DataFrame) -> None:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        for table, n in expected_erp_counts(world).items():
            assert conn.execute(sa.text(f"select count(*) from {table}")).scalar() == n, table
        ordered = conn.execute(
            sa.text("select sum(qty_ordered_ea) from sales_order_lines")
        ).scalar()
        group_lines = world.sales_order_lines.join(
            world.sales_orders.filter(pl.col("entity_code").is_in(GROUP)), on="order_id"
        )
        assert ordered == group_lines["qty_ordered_ea"].sum()
        unknown = conn.execute(
            sa.text(
                "select order_id, line_no from sales_order_lines "
                "where item_id not in (select item_id from items)"
            )
        ).all()
        changed = conn.execute(
            sa.text("select count(*) from sales_orders where updated_at > created_at")
        ).scalar()
    engine.dispose()
    injected = faults.filter(pl.col("source") == "erp_db")["locator"].to_list()
    assert sorted(f"sales_order_lines:{o}/{n}" for o, n in unknown) == sorted(injected)
    assert len(injected) >= 1
    assert changed > 0  # rows really changed after creation (status, amendments)


def test_erp_on_sqlite_matches_the_world(landing, world, faults):
    check_erp(f"sqlite:///{landing / 'erp' / 'group_erp.sqlite'}", world, faults)


def test_erp_on_postgresql_matches_the_world(postgres_url, world, tmp_path):
    log = FaultLog()
    ctx = WriteContext(
        tmp_path, world, date(2025, 1, 1), DAYS, date(2025, 1, 1), FaultPlan(0.005, 42, 0), log
    )
    rows = write_erp(ctx, postgres_url)
    faults = pl.DataFrame(
        {"source": [r["source"] for r in log.rows], "locator": [r["locator"] for r in log.rows]}
    )
    check_erp(postgres_url, world, faults)
    assert rows["sales_orders"] == expected_erp_counts(world)["sales_orders"]
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        kinds = dict(
            conn.execute(
                sa.text(
                    "select column_name, data_type from information_schema.columns "
                    "where table_name = 'sales_orders'"
                )
            ).all()
        )
    engine.dispose()
    assert kinds["order_date"] == "date"
    assert kinds["updated_at"].startswith("timestamp")
    assert kinds["credit_hold"] == "boolean"


# --- legacy exports ------------------------------------------------------------------------


def export_files(landing: Path, source: str, stem: str) -> list[Path]:
    """Every file of one export table (late files included, re-sent copies excluded)."""
    files = (landing / "exports" / source).glob(f"*/{stem}_*.csv")
    return sorted(
        (p for p in files if re.fullmatch(rf"{stem}_\d{{8}}\.csv", p.name)), key=lambda p: p.name
    )


def fault_rows(faults: pl.DataFrame, landing: Path, path: Path) -> set[int]:
    rel = path.relative_to(landing).as_posix()
    locators = faults.filter(pl.col("file") == rel)["locator"].to_list()
    return {int(loc.split("=")[1]) for loc in locators if loc.startswith("row=")}


def read_records(path: Path, encoding: str, delimiter: str) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding=encoding, newline="") as fh:
        rows = list(csv.reader(fh, delimiter=delimiter))
    return rows[0], rows[1:]


def test_legacy_mx_needs_its_own_conventions(landing, world):
    clientes = landing / "exports" / "legacy_mx" / "20250101" / "clientes_20250101.csv"
    raw = clientes.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert len(next(csv.reader(io.StringIO(raw.decode("latin-1")), delimiter=","))) == 1
    header, rows = read_records(clientes, "latin-1", ";")
    assert header[:3] == ["codigo_cliente", "razon_social", "canal"]
    names = dict(zip(*(zip(*[(r[0], r[1]) for r in rows], strict=True)), strict=True))
    mx02 = world.customers.filter(pl.col("entity_code") == "MX02")
    assert names == dict(zip(mx02["local_customer_code"], mx02["customer_name"], strict=True))
    assert any(not v.isascii() for r in rows for v in r)  # accents really are in the file
    limits = {r[0]: float(r[4].replace(",", ".")) for r in rows}
    expected = dict(zip(mx02["local_customer_code"], mx02["credit_limit"], strict=True))
    assert limits == pytest.approx(expected, abs=0.005)


def test_legacy_mx_order_lines_match_the_world(landing, world, faults):
    latest: dict[tuple[str, int], list[str]] = {}
    faulted = 0
    for path in export_files(landing, "legacy_mx", "pedidos_partidas"):
        _, rows = read_records(path, "latin-1", ";")
        bad = fault_rows(faults, landing, path)
        faulted += len(bad)
        for n, row in enumerate(rows, start=1):
            if n in bad:
                continue
            stamp = datetime.strptime(row[12], "%d.%m.%Y %H:%M:%S")
            key = (row[0], int(row[1]))
            if key not in latest or stamp >= latest[key][0]:
                latest[key] = [stamp, *row]
    mx_lines = world.sales_order_lines.join(
        world.sales_orders.filter(pl.col("entity_code") == "MX02").select("order_id"), on="order_id"
    )
    world_lines = {(r["order_id"], r["line_no"]): r for r in mx_lines.iter_rows(named=True)}
    # Every line is exported; a line only goes missing when all its versions were faulted.
    assert len(world_lines) - faulted <= len(latest) <= len(world_lines)
    matched = 0
    for key, (_, *row) in latest.items():
        w = world_lines[key]
        if row[12] != w["updated_at"].strftime("%d.%m.%Y %H:%M:%S"):
            continue  # the final version of this line was a faulted row
        matched += 1
        assert int(row[5]) == w["qty_ordered_ea"]
        assert float(row[7].replace(",", ".")) == pytest.approx(w["unit_price"], abs=5e-5)
        assert row[3] == {"EA": "PZA", "CS": "CJA", "PK": "PAQ"}[w["uom"]]
    assert matched >= len(world_lines) - faulted


def test_legacy_us_quoted_newlines_round_trip(landing, world):
    path = landing / "exports" / "legacy_us" / "20250101" / "customer_master_20250101.csv"
    text = path.read_text(encoding="utf-8")
    header, rows = read_records(path, "utf-8", ",")
    us02 = world.customers.filter(pl.col("entity_code") == "US02")
    assert len(rows) == us02.height
    assert len(text.splitlines()) > len(rows) + 1  # records span lines
    assert {r[0]: r[1] for r in rows} == dict(
        zip(us02["local_customer_code"], us02["customer_name"], strict=True)
    )
    address = header.index("BILL_TO_ADDRESS")
    assert all("\n" in r[address] and "," in r[address] for r in rows)
    notes = []
    for p in export_files(landing, "legacy_us", "so_header"):
        so_header, rows = read_records(p, "utf-8", ",")
        notes += [r[so_header.index("ORDER_NOTES")] for r in rows]
    assert any("\n" in n and '"' in n for n in notes)


def test_legacy_us_dates_and_orders(landing, world, faults):
    orders = {}
    for path in export_files(landing, "legacy_us", "so_header"):
        header, rows = read_records(path, "utf-8", ",")
        bad = fault_rows(faults, landing, path)
        for n, row in enumerate(rows, start=1):
            if n not in bad:
                orders[row[0]] = datetime.strptime(
                    row[header.index("ORDER_DATE")], "%m/%d/%Y"
                ).date()
    us02 = world.sales_orders.filter(pl.col("entity_code") == "US02")
    expected = dict(zip(us02["order_id"], us02["order_date"], strict=True))
    assert set(orders) <= set(expected)
    assert len(orders) >= len(expected) - faults.filter(pl.col("source") == "legacy_us").height
    assert all(expected[k] == v for k, v in orders.items())


@pytest.mark.parametrize(
    ("source", "encoding", "delimiter"),
    [("legacy_mx", "latin-1", ";"), ("legacy_us", "utf-8", ",")],
)
def test_legacy_field_counts_broken_exactly_where_injected(
    landing, faults, source, encoding, delimiter
):
    found = set()
    for path in (landing / "exports" / source).glob("*/*.csv"):
        header, rows = read_records(path, encoding, delimiter)
        found |= {
            (path.relative_to(landing).as_posix(), n)
            for n, r in enumerate(rows, start=1)
            if len(r) != len(header)
        }
    injected = faults.filter((pl.col("source") == source) & (pl.col("kind") == "malformed_row"))
    expected = {
        (f, int(loc.split("=")[1])) for f, loc in injected.select("file", "locator").iter_rows()
    }
    assert expected and found == expected


def test_late_and_duplicate_files(landing, faults):
    for source in ("legacy_mx", "legacy_us", "wms"):
        late = faults.filter((pl.col("source") == source) & (pl.col("kind") == "late_file"))["file"]
        assert len(late) >= 1
        for rel in late:
            path = landing / rel
            folder_day, file_day = path.parent.name, re.search(r"(\d{8})\.\w+$", path.name).group(1)
            assert path.exists() and folder_day > file_day
            assert not (path.parent.parent / file_day / path.name).exists()
    for rel in faults.filter(pl.col("kind") == "duplicate_file")["file"]:
        copy = landing / rel
        original = copy.with_name(copy.name.replace("_r1.", "."))
        assert copy.read_bytes() == original.read_bytes()
    sources = set(faults.filter(pl.col("kind") == "duplicate_file")["source"])
    assert sources == {"legacy_mx", "legacy_us", "wms", "edi"}


def test_crosswalk_is_partial(landing, world):
    items = pl.read_csv(landing / "crosswalk" / "items.csv")
    legacy = world.item_xref.filter(pl.col("entity_code").is_in(["MX02", "US02"]))
    assert items.height == legacy.filter(pl.col("mapped")).height < legacy.height
    assert set(items["source_system"]) == {"legacy_mx", "legacy_us"}
    customers = pl.read_csv(landing / "crosswalk" / "customers.csv")
    assert (
        0
        < customers.height
        < world.customers.filter(pl.col("entity_code").is_in(["MX02", "US02"])).height
    )


# --- WMS -----------------------------------------------------------------------------------


def wms_lines(landing: Path):
    """(file, line number, text) of every original WMS file (re-sent copies skipped)."""
    for path in sorted((landing / "wms").glob("*/*/*.ndjson")):
        if path.stem.endswith("_r1"):
            continue
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            yield path.relative_to(landing).as_posix(), n, text


def test_wms_events_parse_and_match_the_world(landing, world, faults):
    wms_faults = faults.filter(pl.col("source") == "wms")
    faulted = {(f, int(loc.split("=")[1])): k for f, loc, k in wms_faults.select("file", "locator", "kind").iter_rows()
               if loc}  # fmt: skip
    events: dict[str, list[dict]] = defaultdict(list)
    malformed_types: list[str] = []
    ids = set()
    for file, n, text in wms_lines(landing):
        if faulted.get((file, n)) == "malformed_row":
            with pytest.raises(json.JSONDecodeError):
                json.loads(text)
            malformed_types.append(re.search(r'"event_type":"(\w+)"', text).group(1))
            continue
        event = json.loads(text)
        assert set(event) == {"event_id", "event_type", "warehouse_code", "occurred_at", "payload"}
        assert event["warehouse_code"] in file
        assert event["event_id"] not in ids
        ids.add(event["event_id"])
        if (file, n) not in faulted:
            datetime.strptime(event["occurred_at"], "%Y-%m-%dT%H:%M:%SZ")
            events[event["event_type"]].append(event["payload"])
        elif event["event_type"] == "on_hand_snapshot":
            assert faulted[(file, n)] == "bad_date"  # quantities and codes of snapshots stay intact
            events["on_hand_snapshot"].append(event["payload"])

    def dropped(kind: str) -> int:
        return malformed_types.count(kind)

    # Receipts and picks: totals over the events that carry no fault equal the World's records.
    receipts = {p["receipt_id"]: p["qty_received_ea"] for p in events["receipt"]}
    world_receipts = dict(
        zip(world.receipts["receipt_id"], world.receipts["qty_received_ea"], strict=True)
    )
    assert set(receipts) <= set(world_receipts)
    assert len(receipts) >= len(world_receipts) - len(wms_faults)
    assert sum(receipts.values()) == sum(world_receipts[r] for r in receipts)
    shipped = world.shipments.group_by("shipment_id").agg(pl.col("qty_shipped_ea").sum(), pl.len())
    expected_ship = dict(zip(shipped["shipment_id"], shipped["qty_shipped_ea"], strict=True))
    ship_events = {
        p["shipment_id"]: sum(line["qty_shipped_ea"] for line in p["lines"])
        for p in events["shipment"]
    }
    assert len(ship_events) >= len(expected_ship) - len(wms_faults)
    assert all(expected_ship[s] == q for s, q in ship_events.items())
    heads = world.shipments.unique("shipment_id").select(
        "shipment_id", "carrier", "tracking_number"
    )
    tracking = {r[0]: (r[1], r[2]) for r in heads.iter_rows()}
    assert all(
        tracking[p["shipment_id"]] == (p["carrier"], p["tracking_number"])
        for p in events["shipment"]
    )
    picks = len(events["pick"]) + dropped("pick")
    assert world.shipments.height - len(wms_faults) <= picks <= world.shipments.height
    # Counts and snapshots.
    counts = {p["count_id"]: (p["system_qty"], p["counted_qty"]) for p in events["cycle_count"]}
    world_counts = {
        r[0]: (r[1], r[2])
        for r in world.cycle_counts.select("count_id", "system_qty", "counted_qty").iter_rows()
    }
    assert all(world_counts[c] == v for c, v in counts.items())
    snapshots = events["on_hand_snapshot"]
    assert (
        len(snapshots) + dropped("on_hand_snapshot")
        == world.inventory_daily.select("warehouse_code", "snapshot_date").n_unique()
    )
    on_hand = sum(i["on_hand_ea"] for p in snapshots for i in p["items"])
    if dropped("on_hand_snapshot") == 0:
        assert on_hand == world.inventory_daily["on_hand_ea"].sum()


# --- EDI -----------------------------------------------------------------------------------


def x12_envelope_errors(data: bytes) -> set[tuple[str, str]]:
    """An independent envelope check: (kind, locator) of every inconsistency in one interchange."""
    text = data.decode("ascii")
    assert text.startswith("ISA")
    element, component, terminator = text[3], text[104], text[105]
    assert component not in (element, terminator)
    isa = text[:106]
    assert len(isa.split(element)) == 17
    segments = [s.strip("\r\n") for s in text.split(terminator)]
    segments = [s.split(element) for s in segments if s]
    errors: set[tuple[str, str]] = set()
    isa13 = segments[0][13]
    groups, gs06, st, sets_in_group, seg_count = 0, "", None, 0, 0
    for seg in segments[1:]:
        tag = seg[0]
        if st is not None:
            seg_count += 1
        if tag == "GS":
            groups += 1
            gs06, sets_in_group = seg[6], 0
        elif tag == "ST":
            st, seg_count, sets_in_group = seg[2], 1, sets_in_group + 1
        elif tag == "SE":
            if seg[2] != st:
                errors.add(("x12_control_mismatch", f"GS06={gs06}/ST02={st}"))
            if int(seg[1]) != seg_count:
                errors.add(("x12_segment_count", f"GS06={gs06}/ST02={st}"))
            st = None
        elif tag == "GE":
            assert seg[2] == gs06 and int(seg[1]) == sets_in_group
        elif tag == "IEA":
            assert int(seg[1]) == groups
            if seg[2] != isa13:
                errors.add(("x12_control_mismatch", f"ISA13={isa13}"))
    assert segments[-1][0] == "IEA"
    return errors


def test_x12_envelopes_consistent_except_injected_faults(landing, faults):
    found = set()
    controls: dict[str, list[str]] = defaultdict(list)
    separators = set()
    for path in (landing / "edi").glob("*/*/*.x12"):
        data = path.read_bytes()
        rel = path.relative_to(landing).as_posix()
        found |= {(rel, kind, loc) for kind, loc in x12_envelope_errors(data)}
        if not path.stem.endswith("_r1"):
            controls[path.parts[-3]].append(data[90:99].decode())
            assert path.name == f"20{data[70:76].decode()}_{data[90:99].decode()}.x12"
        separators.add((chr(data[3]), chr(data[104]), chr(data[105])))
    injected = faults.filter(pl.col("kind").str.starts_with("x12_"))
    expected = {tuple(r) for r in injected.select("file", "kind", "locator").iter_rows()}
    assert expected and found == expected
    assert {k for _, k, _ in expected} == {"x12_control_mismatch", "x12_segment_count"}
    assert all(len(c) == len(set(c)) for c in controls.values())
    assert {e for e, _, _ in separators} >= {"*", "|", "^"} and {t for _, _, t in separators} >= {
        "~",
        "\n",
        "|",
    }
    partners = pl.read_csv(landing / "edi" / "partners.csv")
    assert partners.filter(pl.col("gs08") == "004010VICS")["partner_id"].n_unique() == 1
    single = partners.filter(pl.col("one_set_per_interchange"))["partner_id"].unique().to_list()
    assert len(single) == 1
    for path in (landing / "edi" / single[0]).glob("*/*.x12"):
        text = path.read_text(encoding="ascii")
        assert text.count(f"{text[105]}ST{text[3]}") + text.count(f"{text[105]}\nST{text[3]}") == 1


def test_edi_orders_match_the_world(landing, world):
    """Every EDI customer order arrives as one 850 with the World's original quantities."""
    orders = world.sales_orders.filter(pl.col("channel") == "EDI")
    received: dict[str, int] = {}
    for path in (landing / "edi").glob("EDI*/inbound/*.x12"):
        if path.stem.endswith("_r1"):
            continue
        text = path.read_text(encoding="ascii")
        element, terminator = text[3], text[105]
        po, qty = None, 0
        for seg in (s.strip("\r\n").split(element) for s in text.split(terminator)):
            if seg[0] == "ST":
                po, qty = None, 0
            elif seg[0] == "BEG":
                po = seg[3]
            elif seg[0] == "PO1" and po:
                qty += int(seg[2])
            elif seg[0] == "SE" and po:
                received[po] = qty
    lines = world.sales_order_lines.filter(pl.col("substitute_for_line_no").is_null())
    expected = (
        orders.join(lines, on="order_id")
        .group_by("customer_po")
        .agg(pl.col("original_qty_ordered").sum())
    )
    assert received == dict(
        zip(expected["customer_po"], expected["original_qty_ordered"], strict=True)
    )


def test_world_json_describes_the_run(landing):
    meta = json.loads((landing / "world.json").read_text())
    assert meta["scale"] == "xs" and meta["seed"] == 42 and meta["days"] == DAYS
    assert meta["end"] == (date(2025, 1, 1) + timedelta(days=DAYS - 1)).isoformat()
    assert meta["erp_url"].startswith("sqlite:///")
    assert (
        sum(meta["summary"]["faults"].values())
        == pl.read_csv(landing / "truth" / "faults.csv").height
    )
