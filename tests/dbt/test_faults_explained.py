"""With faults on, every KPI cell that differs from the truth is explained by records the product
quarantined or flagged for the steward.

The simulator injects faults into the written files only, never into its event log, so the
`truth/kpis.csv` of a world with faults is the truth of the clean world. A fault costs the
warehouse a record (a quarantined row, a rejected EDI set) or maps it nowhere (an unknown code:
kept, flagged `is_*_mapped = false`). Each such record is attributed to an entity, a month and a
business domain (orders, invoices, payments, purchasing, inventory, cycle counts) from what the
warehouse holds: the quarantined row's file (its name carries the day) and target table, a rejected
EDI set's transaction set and direction, a flagged fact row's own date. A KPI cell may differ from
truth only when a record of its entity and of a domain it is computed from was lost or flagged
within the months that KPI can feel it:

- flows (fill rates, margins, supplier and forecast KPIs) are keyed by their order, invoice, PO or
  week; a record dated up to two months later (a shipment or receipt row, an amendment) still
  lands on that month;
- inventory KPIs also look back over a trailing 90-day demand window: three months;
- receivables (`ar_usd`, `dso_days`) are balances: a lost invoice or payment stays in every later
  month-end.

The consolidated GROUP cell is explained when an entity's cell of the same month and KPI is.
Anything else that differs is a modelling bug, not a fault.

Set BACKBONE_TEST_FAULTY_XS_WORLD to reuse a world built by `tests.worlds.build_published_world`.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

import duckdb
import polars as pl
import pytest

from tests.dbt.test_kpis_match_truth import NOT_IN_TRUTH, compare_with_truth
from tests.worlds import PublishedWorld, build_published_world, interchange_entity

pytestmark = pytest.mark.slow

DEFAULT_FAULT_RATE = 0.005
MONTHS_AFTER = 2  # a record dated this many months after its transaction still counts on it
INVENTORY_MONTHS_BEFORE = 3  # the trailing 90-day demand window of days of supply

ORDERS, INVOICES, PAYMENTS, PURCHASING, INVENTORY, COUNTS = (
    "orders",
    "invoices",
    "payments",
    "purchasing",
    "inventory",
    "cycle_counts",
)
ALL_DOMAINS = frozenset({ORDERS, INVOICES, PAYMENTS, PURCHASING, INVENTORY, COUNTS})
BALANCE_KPIS = {"ar_usd", "dso_days"}
INVENTORY_KPIS = {
    "average_inventory_usd",
    "inventory_turns",
    "days_on_hand",
    "days_of_supply",
    "gmroi",
    "stockout_rate",
}
SALES = frozenset({ORDERS, INVOICES})
KPI_DOMAINS = {
    "line_fill_rate": {ORDERS},
    "unit_fill_rate": {ORDERS},
    "order_fill_rate": {ORDERS},
    "otif": {ORDERS},
    "order_cycle_time_days": {ORDERS},
    "order_cycle_time_days_p90": {ORDERS},
    "backlog_value_usd": {ORDERS},
    "revenue_usd": SALES,
    "cogs_usd": SALES,
    "gross_margin_usd": SALES,
    "gross_margin_pct": SALES,
    "pocket_margin_usd": SALES,
    "pocket_margin_pct": SALES,
    "ar_usd": {INVOICES, PAYMENTS},
    "dso_days": {INVOICES, PAYMENTS},
    "supplier_otif": {PURCHASING},
    "lead_time_variance_days": {PURCHASING},
    "lead_time_variance_days_std": {PURCHASING},
    "po_ack_time_days": {PURCHASING},
    "inventory_record_accuracy": {COUNTS},
    "average_inventory_usd": {INVENTORY},
    "stockout_rate": {INVENTORY, ORDERS},
    "inventory_turns": SALES | {INVENTORY},
    "days_on_hand": SALES | {INVENTORY},
    "gmroi": SALES | {INVENTORY},
    "days_of_supply": {INVENTORY, ORDERS},
    "forecast_accuracy": {ORDERS},
    "forecast_bias": {ORDERS},
    "forecast_variance": {ORDERS},
    "forecast_variance_flagged": {ORDERS},
}

# Raw tables (without their source prefix) and WMS event types, by the domain they feed.
TABLE_DOMAIN = {
    "sales_orders": ORDERS,
    "sales_order_lines": ORDERS,
    "shipment_lines": ORDERS,
    "shipments": ORDERS,
    "picks": ORDERS,
    "pick": ORDERS,
    "shipment": ORDERS,
    "invoices": INVOICES,
    "invoice_lines": INVOICES,
    "credit_memos": INVOICES,
    "credit_memo_lines": INVOICES,
    "payments": PAYMENTS,
    "purchase_orders": PURCHASING,
    "po_lines": PURCHASING,
    "receipts": PURCHASING,
    "receipt": PURCHASING,
    "cycle_counts": COUNTS,
    "cycle_count": COUNTS,
    "on_hand_snapshots": INVENTORY,
    "on_hand_snapshot": INVENTORY,
}
# EDI sets by (direction, set): what a customer or a supplier exchanged with us.
EDI_SET_DOMAIN = {
    ("inbound", "850"): ORDERS,
    ("outbound", "855"): ORDERS,
    ("outbound", "856"): ORDERS,
    ("outbound", "810"): INVOICES,
    ("outbound", "850"): PURCHASING,
    ("inbound", "855"): PURCHASING,
    ("inbound", "856"): PURCHASING,
    ("inbound", "810"): PURCHASING,
    ("outbound", "940"): ORDERS,
    ("inbound", "945"): ORDERS,
}
# Fact rows the product keeps but flags because a code maps to no golden record.
FLAGGED_FACTS = {
    "fct_order_lines": ("order_date", "not is_item_mapped", ORDERS),
    "fct_sales_orders": ("order_date", "not is_customer_mapped", ORDERS),
    "fct_shipments": ("ship_date", "not is_item_mapped", ORDERS),
    "fct_invoice_lines": ("invoice_date", "not is_item_mapped", INVOICES),
    "fct_po_lines": ("po_date", "not is_item_mapped", PURCHASING),
    "fct_purchase_orders": ("po_date", "not is_supplier_mapped", PURCHASING),
    "fct_inventory_daily": ("snapshot_date", "not is_item_mapped", INVENTORY),
    "fct_cycle_counts": ("count_date", "not is_item_mapped", COUNTS),
}
FILE_DAY = re.compile(r"/(20\d{2})(\d{2})\d{2}[/_]")  # .../YYYYMMDD/... or .../YYYYMMDD_nnn.x12
WMS_EVENT_TYPE = re.compile(r'"event_type"\s*:\s*"(\w+)"')
LEGACY_ENTITY = {"legacy_mx": "MX02", "legacy_us": "US02"}


class Loss(NamedTuple):
    """A record the warehouse lost or could not map: whose, when, and what it fed."""

    entity: str
    month: str
    domains: frozenset[str]


@pytest.fixture(scope="module")
def faulty_world(tmp_path_factory: pytest.TempPathFactory) -> PublishedWorld:
    """The session's clean xs world (seed 7) again, at the simulator's default fault rate."""
    return build_published_world(
        tmp_path_factory.mktemp("faulty_xs_world"),
        seed=7,
        fault_rate=DEFAULT_FAULT_RATE,
        reuse=os.environ.get("BACKBONE_TEST_FAULTY_XS_WORLD"),
    )


def losses(world: PublishedWorld) -> Counter[Loss]:
    """How many records of the published warehouse's quarantine, and flagged fact rows, per loss."""
    con = duckdb.connect(str(world.published), read_only=True)
    try:
        rows = con.execute(
            "select source_system, source_file, target_table, raw_text from quarantine.records"
            " where reason_code <> 'envelope_error'"
        ).fetchall()
        sets = con.execute(
            "select source_file, direction, transaction_set from quarantine.edi_sets"
        ).fetchall()
        flagged = [
            (entity, month, domain, count)
            for table, (date_column, flag, domain) in FLAGGED_FACTS.items()
            for entity, month, count in con.execute(
                f"select entity_code, strftime({date_column}, '%Y-%m'), count(*)"
                f" from marts.{table} where {flag} group by all"
            ).fetchall()
        ]
    finally:
        con.close()
    found: Counter[Loss] = Counter()
    for entity, month, domain, count in flagged:
        found[Loss(entity, month, frozenset({domain}))] += count
    for source, file, table, raw_text in rows:
        found[
            Loss(_file_entity(source, file), _file_month(file), _row_domains(table, raw_text))
        ] += 1
    for file, direction, transaction_set in sets:
        domain = EDI_SET_DOMAIN.get((direction, transaction_set))
        if domain is not None:  # 846 and 997 feed no KPI
            entity = interchange_entity(world.landing / file)
            found[Loss(entity, _file_month(file), frozenset({domain}))] += 1
    return found


def fault_losses(faulty: PublishedWorld, clean: PublishedWorld) -> set[Loss]:
    """Losses the faults added: the clean world of the same seed already flags some codes (legacy
    masters the crosswalk does not map), and the truth counts those transactions as it should."""
    return set(losses(faulty) - losses(clean))


def can_move(kpi: str, entity: str, month: str, lost: Iterable[Loss]) -> bool:
    """Could one of these lost or flagged records move this KPI cell?"""
    domains = KPI_DOMAINS.get(kpi, ALL_DOMAINS)
    earliest = -INVENTORY_MONTHS_BEFORE if kpi in INVENTORY_KPIS else 0
    for loss in lost:
        if entity != "GROUP" and loss.entity != entity:
            continue
        if not domains & loss.domains:
            continue
        offset = _month_index(loss.month) - _month_index(month)  # > 0: dated after the cell
        if offset <= MONTHS_AFTER and (kpi in BALANCE_KPIS or offset >= earliest):
            return True
    return False


def _cells(world: PublishedWorld) -> pl.DataFrame:
    cells = compare_with_truth(world.published, world.landing / "truth" / "kpis.csv")
    return cells.filter(~pl.col("kpi").is_in(list(NOT_IN_TRUTH)))


def _file_entity(source: str, file: str) -> str:
    if source in LEGACY_ENTITY:
        return LEGACY_ENTITY[source]
    assert source == "wms", f"a quarantined {source} row: which entity is it?"
    return file.split("/")[1].split("-")[0]  # wms/<ENTITY>-<SITE>/...


def _file_month(file: str) -> str:
    day = FILE_DAY.search("/" + file)
    assert day, f"a quarantined record whose file carries no day: {file}"
    return f"{day.group(1)}-{day.group(2)}"


def _row_domains(table: str | None, raw_text: str | None) -> frozenset[str]:
    if table is None:  # a WMS line that did not parse: its event type, if it got that far
        event = WMS_EVENT_TYPE.search(raw_text or "")
        table = event.group(1) if event else ""
    name = re.sub(r"^(legacy_mx|legacy_us|wms)_", "", table)
    return frozenset({TABLE_DOMAIN[name]}) if name in TABLE_DOMAIN else ALL_DOMAINS


def _month_index(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def test_the_faults_move_kpis_but_not_the_truth(
    faulty_world: PublishedWorld, published_xs_world: PublishedWorld
) -> None:
    """Both worlds share one truth, and the faults do move KPI cells (else the tests below
    prove nothing)."""
    faulty_truth = (faulty_world.landing / "truth" / "kpis.csv").read_bytes()
    assert faulty_truth == (published_xs_world.landing / "truth" / "kpis.csv").read_bytes()
    assert _cells(faulty_world).filter(~pl.col("ok")).height > 0


def test_every_kpi_difference_is_explained_by_quarantined_or_flagged_records(
    faulty_world: PublishedWorld, published_xs_world: PublishedWorld
) -> None:
    lost = fault_losses(faulty_world, published_xs_world)
    differing = _cells(faulty_world).filter(~pl.col("ok"))
    unexplained = differing.filter(
        pl.struct("entity_code", "month", "kpi").map_elements(
            lambda cell: not can_move(cell["kpi"], cell["entity_code"], cell["month"], lost),
            return_dtype=pl.Boolean,
        )
    )
    with pl.Config(tbl_rows=40, tbl_width_chars=200):
        assert unexplained.height == 0, (
            f"{unexplained.height} of {differing.height} differing KPI cells have no quarantined"
            f" or flagged record that could move them:\n{unexplained}"
        )


def test_the_explanation_is_narrow(
    faulty_world: PublishedWorld, published_xs_world: PublishedWorld
) -> None:
    """The rule above does not excuse everything: at the default fault rate a full year has a
    fault near most cells, yet a good share (18 % at seed 7) have no lost or flagged record that
    could move them, and every one of those equals the truth."""
    lost = fault_losses(faulty_world, published_xs_world)
    cells = _cells(faulty_world).with_columns(
        at_risk=pl.struct("entity_code", "month", "kpi").map_elements(
            lambda cell: can_move(cell["kpi"], cell["entity_code"], cell["month"], lost),
            return_dtype=pl.Boolean,
        )
    )
    safe = cells.filter(~pl.col("at_risk"))
    assert safe.height >= cells.height / 10, f"{safe.height} of {cells.height} cells out of reach"
    assert safe.filter(~pl.col("ok")).height == 0


def test_a_quarantined_edi_set_is_queued_for_its_entity(faulty_world: PublishedWorld) -> None:
    """A rejected set's exception goes to the entity whose interchange id the file's ISA names
    (read here from the file itself), so its entity's manager sees it in the queue."""
    con = duckdb.connect(str(faulty_world.published), read_only=True)
    try:
        queued = con.execute(
            "select s.source_file, e.entity_code from marts.fct_exceptions e"
            " join quarantine.edi_sets s"
            "   on e.exception_key = s.load_id || ':' || s.source_file || ':' || s.st_position"
            " where e.exception_type = 'quarantined_edi_set'"
        ).fetchall()
        total = con.execute("select count(*) from quarantine.edi_sets").fetchone()[0]
    finally:
        con.close()
    assert total > 0, "the default fault rate breaks some envelopes in a year"
    assert len(queued) == total
    wrong = [
        (file, entity)
        for file, entity in queued
        if entity != interchange_entity(faulty_world.landing / file)
    ]
    assert not wrong, wrong[:5]
