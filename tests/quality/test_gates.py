"""Each kind of gate, passing and failing, on small hand-made raw tables (numbers counted by hand)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.quality.conftest import MiniWarehouse, gate, run

ORDERS = "order_id varchar, status varchar, customer_code varchar, discount_pct decimal(18,6)"


def _orders(mini: MiniWarehouse, rows: list[tuple]) -> str:
    mini.table("legacy_mx_sales_orders", ORDERS)
    load = mini.add_load("legacy_mx", "sales_orders", date(2025, 1, 2), len(rows))
    mini.rows("legacy_mx_sales_orders", load, rows)
    return load


STATUS = {"table": "legacy_mx_sales_orders", "column": "status", "values": ["ABIERTO", "CERRADO"]}


def test_domains_pass_and_fail_with_tolerance(mini: MiniWarehouse) -> None:
    _orders(
        mini, [(f"O{i}", "ABIERTO", "C1", 0.1) for i in range(49)] + [("O99", "PERDIDO", "C1", 0.1)]
    )
    # 1 bad of 50 = 98 % good
    assert run(mini, gate("legacy_mx", "domains", mostly=0.98, rules=[STATUS])).passed
    strict = run(mini, gate("legacy_mx", "domains", mostly=1.0, rules=[STATUS]))
    assert not strict.passed and strict.blocks
    assert strict.failing_count == 1
    assert strict.sample[0]["status"] == "PERDIDO"
    assert strict.sample[0]["_source_row"] == 50


def test_ranges(mini: MiniWarehouse) -> None:
    _orders(
        mini,
        [("O1", "ABIERTO", "C1", 0.1), ("O2", "ABIERTO", "C1", 1.5), ("O3", "ABIERTO", "C1", -0.2)],
    )
    rule = {"table": "legacy_mx_sales_orders", "column": "discount_pct", "min": 0, "max": 1}
    result = run(mini, gate("legacy_mx", "ranges", rules=[rule]))
    assert not result.passed and result.failing_count == 2
    assert sorted(r["discount_pct"] for r in result.sample) == [-0.2, 1.5]
    rule_ok = {**rule, "min": -1, "max": 2}
    assert run(mini, gate("legacy_mx", "ranges", rules=[rule_ok])).passed


def test_unique_keys_within_a_load_not_across_loads(mini: MiniWarehouse) -> None:
    mini.table("legacy_mx_sales_orders", ORDERS)
    first = mini.add_load("legacy_mx", "sales_orders", date(2025, 1, 2), 2)
    mini.rows(
        "legacy_mx_sales_orders", first, [("O1", "ABIERTO", "C1", 0), ("O2", "ABIERTO", "C1", 0)]
    )
    second = mini.add_load("legacy_mx", "sales_orders", date(2025, 1, 3), 1)
    mini.rows(
        "legacy_mx_sales_orders", second, [("O1", "CERRADO", "C1", 0)]
    )  # its later state: fine
    rule = {"table": "legacy_mx_sales_orders", "key": ["order_id"]}
    assert run(mini, gate("legacy_mx", "unique_keys", rules=[rule])).passed
    third = mini.add_load("legacy_mx", "sales_orders", date(2025, 1, 4), 2)
    mini.rows(
        "legacy_mx_sales_orders", third, [("O3", "ABIERTO", "C1", 0), ("O3", "CERRADO", "C1", 0)]
    )
    result = run(mini, gate("legacy_mx", "unique_keys", rules=[rule]))
    assert not result.passed and result.failing_count == 2
    assert {r["order_id"] for r in result.sample} == {"O3"}


def test_referential_against_master_and_crosswalk_filter(mini: MiniWarehouse) -> None:
    mini.table("legacy_mx_customers", "customer_code varchar")
    master = mini.add_load("legacy_mx", "customers", date(2025, 1, 1), 2)
    mini.rows("legacy_mx_customers", master, [("C1",), ("C2",)])
    mini.table("crosswalk_customers", "source_system varchar, local_code varchar")
    xref = mini.add_load("crosswalk", "customers", date(2025, 1, 1), 2)
    mini.rows("crosswalk_customers", xref, [("legacy_mx", "C1"), ("legacy_us", "C2")])
    _orders(
        mini, [("O1", "ABIERTO", "C1", 0), ("O2", "ABIERTO", "C2", 0), ("O3", "ABIERTO", "C9", 0)]
    )
    master_rule = {
        "table": "legacy_mx_sales_orders",
        "column": "customer_code",
        "refs": ["legacy_mx_customers.customer_code"],
    }
    result = run(mini, gate("legacy_mx", "referential", rules=[master_rule]))
    assert result.failing_count == 1 and result.sample[0]["customer_code"] == "C9"
    assert run(mini, gate("legacy_mx", "referential", mostly=0.6, rules=[master_rule])).passed
    # the crosswalk only maps C1 for legacy_mx (C2 is legacy_us's): C2 and C9 are unmapped
    xref_rule = {
        **master_rule,
        "refs": ["crosswalk_customers.local_code"],
        "ref_where": "source_system = 'legacy_mx'",
    }
    unmapped = run(mini, gate("legacy_mx", "referential", severity="warn", rules=[xref_rule]))
    assert not unmapped.passed and not unmapped.blocks
    assert sorted(r["customer_code"] for r in unmapped.sample) == ["C2", "C9"]


def test_a_few_failing_rows_are_tolerated_when_the_gate_says_so(mini: MiniWarehouse) -> None:
    _orders(
        mini, [("O1", "ABIERTO", "C1", 0), ("O2", "PERDIDO", "C1", 0), ("O3", "PERDIDO", "C1", 0)]
    )
    assert run(mini, gate("legacy_mx", "domains", rules=[STATUS], tolerate_rows=2)).passed
    assert not run(mini, gate("legacy_mx", "domains", rules=[STATUS], tolerate_rows=1)).passed


def test_control_totals(mini: MiniWarehouse) -> None:
    mini.table(
        "edi_purchase_orders",
        "isa_control varchar, st_control varchar, declared_line_count bigint, line_count bigint",
    )
    load = mini.add_load(
        "edi", "x12", date(2025, 1, 2), 3, source_file="edi/p1/inbound/20250102_000000001.x12"
    )
    mini.rows(
        "edi_purchase_orders", load, [("1", "0001", 3, 3), ("1", "0002", 2, 2), ("1", "0003", 5, 4)]
    )
    rule = {
        "table": "edi_purchase_orders",
        "declared": "declared_line_count",
        "counted": "line_count",
    }
    result = run(mini, gate("edi", "control_totals", rules=[rule]))
    assert not result.passed and result.failing_count == 1
    assert result.sample[0]["st_control"] == "0003"
    mini.con.execute("update raw.edi_purchase_orders set line_count = 5 where st_control = '0003'")
    assert run(mini, gate("edi", "control_totals", rules=[rule])).passed


def test_envelope_error_rate(mini: MiniWarehouse) -> None:
    """Judged by interchanges: one partner's broken interchange rejects all of its sets but is
    one interchange of many."""
    mini.table("edi_invoices", "set_id varchar, isa_control varchar, envelope_ok boolean")

    def interchange(isa_control: str, kept: int, rejected: list[str]) -> None:
        load = mini.add_load(
            "edi",
            "x12",
            date(2025, 1, 2),
            kept + len(rejected),
            rows_quarantined=len(rejected),
            source_file=f"edi/p1/outbound/20250102_{isa_control}.x12",
        )
        if kept:
            mini.rows("edi_invoices", load, [("810", isa_control, True)] * kept)
        for position, detail in enumerate(rejected, kept + 1):
            mini.con.execute(
                "insert into quarantine.edi_sets (load_id, source_file, isa_control,"
                " transaction_set, st_position, reason_code, detail, rows_excluded, quarantined_at)"
                " values (?, 'f.x12', ?, '810', ?, 'envelope_error', ?, 1, now())",
                [load, isa_control, position, detail],
            )

    for number in range(38):
        interchange(f"{number:09d}", 2, [])
    interchange("000000100", 0, ["IEA02: does not match ISA13"] * 30)  # a whole batch rejected
    interchange("000000101", 1, ["SE01: segment count"])
    # 2 of 40 interchanges = 5 % (31 of 108 sets)
    assert run(mini, gate("edi", "envelope_errors", max_rate=0.05, min_interchanges=1)).passed
    too_few = gate("edi", "envelope_errors", max_rate=0.03, min_interchanges=3)
    assert run(mini, too_few).passed
    result = run(mini, gate("edi", "envelope_errors", max_rate=0.03, min_interchanges=1))
    assert not result.passed
    sample = result.sample[0]
    assert (sample["interchanges_received"], sample["interchanges_with_errors"]) == (40, 2)
    assert (sample["sets_received"], sample["sets_rejected"]) == (108, 31)
    assert sample["error_codes"] == "IEA02 x30, SE01 x1"


def test_quarantine_rate_and_rejected_files(mini: MiniWarehouse) -> None:
    mini.add_load("legacy_us", "items", date(2025, 1, 1), 200, rows_quarantined=1)
    mini.add_load("legacy_us", "customers", date(2025, 1, 1), 100, rows_quarantined=2)
    # 3 of 300 = 1 %
    assert run(mini, gate("legacy_us", "quarantine_rate", max_rate=0.02, min_rows=1)).passed
    assert not run(mini, gate("legacy_us", "quarantine_rate", max_rate=0.005, min_rows=1)).passed
    # 3 quarantined rows are too few to judge a breakage by default (min_rows 20)
    assert run(mini, gate("legacy_us", "quarantine_rate", max_rate=0.005)).passed
    assert run(mini, gate("legacy_us", "rejected_files")).passed
    mini.add_load(
        "legacy_us", "sales_orders", date(2025, 1, 2), 40, rows_quarantined=40, status="quarantined"
    )
    rejected = run(mini, gate("legacy_us", "rejected_files"))
    assert not rejected.passed and rejected.failing_count == 1
    assert rejected.sample[0]["feed"] == "sales_orders"
    # 43 of 340: the whole-file rejection also pushes the rate over 2 %
    assert not run(mini, gate("legacy_us", "quarantine_rate", max_rate=0.02, min_rows=1)).passed


def test_row_rules_only_see_loads_after_the_last_publication(mini: MiniWarehouse) -> None:
    mini.table("legacy_mx_sales_orders", ORDERS)
    old = mini.add_load(
        "legacy_mx", "sales_orders", date(2025, 1, 2), 1, started_at=datetime(2026, 1, 1)
    )
    mini.rows("legacy_mx_sales_orders", old, [("O1", "PERDIDO", "C1", 0)])
    new = mini.add_load(
        "legacy_mx", "sales_orders", date(2025, 1, 3), 1, started_at=datetime(2026, 1, 2)
    )
    mini.rows("legacy_mx_sales_orders", new, [("O2", "ABIERTO", "C1", 0)])
    g = gate("legacy_mx", "domains", rules=[STATUS])
    assert not run(mini, g).passed
    assert run(mini, g, since=datetime(2026, 1, 1, 12)).passed


def _daily(
    mini: MiniWarehouse, source: str, feed: str, counts: list[int], start: date = date(2025, 1, 1)
) -> None:
    for i, n in enumerate(counts):
        day = start + timedelta(days=i)
        mini.add_load(
            source, feed, day, n, source_file=f"wms/WH1/{day:%Y%m%d}/events_WH1_{day:%Y%m%d}.ndjson"
        )


def test_volume_collapse_and_spike(mini: MiniWarehouse) -> None:
    g = gate(
        "wms",
        "volume",
        days=7,
        baseline_days=28,
        min_ratio=0.2,
        max_ratio=5.0,
        min_baseline_rows=20,
    )
    _daily(mini, "wms", "events", [100] * 35)
    steady = run(mini, g)
    assert steady.passed
    # the last 7 days deliver 10 rows a day: 70 against a 700-row median week = 0.1
    mini.con.execute("delete from audit.load_manifest")
    _daily(mini, "wms", "events", [100] * 28 + [10] * 7)
    collapsed = run(mini, g)
    assert not collapsed.passed
    assert collapsed.sample[0]["rows"] == 70 and collapsed.sample[0]["baseline_median"] == 700
    mini.con.execute("delete from audit.load_manifest")
    _daily(mini, "wms", "events", [100] * 28 + [100] * 6 + [3000])  # 3600 / 700 > 5
    assert not run(mini, g).passed


def test_freshness_per_folder(mini: MiniWarehouse) -> None:
    for i in range(10):
        day = date(2025, 1, 1) + timedelta(days=i)
        mini.add_load(
            "wms",
            "events",
            day,
            5,
            source_file=f"wms/WH1/{day:%Y%m%d}/events_WH1_{day:%Y%m%d}.ndjson",
        )
        if i < 5:  # WH2 stops after 5 days
            mini.add_load(
                "wms",
                "events",
                day,
                5,
                source_file=f"wms/WH2/{day:%Y%m%d}/events_WH2_{day:%Y%m%d}.ndjson",
            )
    result = run(mini, gate("wms", "freshness", by="folder", max_lag_days=3))
    assert not result.passed and result.failing_count == 1
    assert result.sample[0]["folder"] == "WH2" and result.sample[0]["lag_days"] == 5
    assert run(mini, gate("wms", "freshness", by="folder", max_lag_days=5)).passed


def test_freshness_fails_for_a_source_that_never_delivered(mini: MiniWarehouse) -> None:
    mini.add_load("wms", "events", date(2025, 1, 5), 5)
    result = run(mini, gate("edi", "freshness", by="source", max_lag_days=3))
    assert not result.passed and result.sample[0]["latest_day"] is None


def test_contract_on_the_mapping(mini: MiniWarehouse) -> None:
    from quality.gates import expected_columns

    expected = expected_columns("crosswalk")
    assert set(expected) == {"crosswalk_items", "crosswalk_customers", "crosswalk_suppliers"}
    for table, columns in expected.items():
        mini.con.execute(f"create table raw.{table} ({', '.join(f'{c} {t}' for c, t in columns)})")
    assert run(mini, gate("crosswalk", "contract")).passed
    mini.con.execute("alter table raw.crosswalk_items drop column golden_code")
    mini.con.execute("alter table raw.crosswalk_customers alter local_code type bigint")
    result = run(mini, gate("crosswalk", "contract"))
    assert not result.passed and result.failing_count == 2
    assert {(r["table"], r["column"]) for r in result.sample} == {
        ("crosswalk_items", "golden_code"),
        ("crosswalk_customers", "local_code"),
    }


def test_a_gate_that_cannot_be_evaluated_fails(mini: MiniWarehouse) -> None:
    mini.table("legacy_mx_sales_orders", ORDERS)
    rule = {"table": "legacy_mx_sales_orders", "column": "no_such_column", "values": ["x"]}
    result = run(mini, gate("legacy_mx", "domains", rules=[rule]))
    assert not result.passed and "could not be evaluated" in result.summary()


@pytest.mark.parametrize(
    "kind", ["domains", "ranges", "unique_keys", "referential", "control_totals"]
)
def test_row_rules_on_absent_tables_have_nothing_to_check(mini: MiniWarehouse, kind: str) -> None:
    rule = {
        "table": "legacy_mx_nothing",
        "column": "c",
        "values": ["x"],
        "key": ["c"],
        "refs": ["x.y"],
        "declared": "a",
        "counted": "b",
    }
    assert run(mini, gate("legacy_mx", kind, rules=[rule])).passed
