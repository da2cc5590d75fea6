"""The WMS event reader (mapping ingestion/sources/wms.yaml) on a hand-written NDJSON file."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from ingestion.loader import Loader
from ingestion.mapping import SOURCES_DIR, load_source
from ingestion.readers.ndjson_events import events_stager
from tests.ingestion.conftest import rows


def _event(n: int, kind: str, payload: dict, occurred: str = "2025-01-07T14:03:00Z") -> str:
    return json.dumps(
        {
            "event_id": f"US01-ATL-20250107-{n:06d}",
            "event_type": kind,
            "warehouse_code": "US01-ATL",
            "occurred_at": occurred,
            "payload": payload,
        }
    )


def test_events_typed_per_kind_with_quarantine(warehouse, tmp_path: Path) -> None:
    lines = [
        _event(1, "pick", {"pick_id": "SH1-1", "shipment_id": "SH1", "order_id": "SO1",
                           "order_line_no": 1, "item_code": "BB-100001", "qty_picked_ea": 5}),
        _event(2, "shipment", {"shipment_id": "SH1", "order_id": "SO1", "carrier": "UPS",
                               "tracking_number": "1Z9", "ship_date": "2025-01-07",
                               "delivery_date": "2025-01-09",
                               "lines": [{"shipment_line_no": 1, "order_line_no": 1,
                                          "item_code": "BB-100001", "qty_shipped_ea": 5},
                                         {"shipment_line_no": 2, "order_line_no": 2,
                                          "item_code": "BB-100002", "qty_shipped_ea": 3}]}),
        _event(3, "drone_delivery", {"drone": "D-7"}),  # unknown kind
        _event(4, "pick", {"pick_id": "SH2-1", "item_code": "BB-1", "qty_picked_ea": 1},
               occurred="2025-02-30T25:61:00Z"),  # impossible timestamp
        _event(5, "cycle_count", {"count_id": "CC1", "item_code": "BB-1", "abc_class": "A",
                                  "system_qty": 10, "counted_qty": "n/a"}),  # not a number
        '{"event_id": "US01-ATL-20250107-000006", "event_type": "pick", "warehou',  # cut short
        _event(7, "receipt", {"receipt_id": "R1", "po_id": "PO1", "po_line_no": 1,
                              "item_code": "BB-1", "qty_received_ea": -4}),  # negative qty
        "",  # a blank line is not an event
        _event(9, "on_hand_snapshot", {"snapshot_date": "2025-01-07", "items": [
            {"item_code": "BB-1", "on_hand_ea": 10, "available_ea": 8, "backordered_ea": 0},
            {"item_code": "BB-2", "on_hand_ea": 0, "available_ea": 0, "backordered_ea": 4}]},
               occurred="2025-01-07T23:59:00Z"),
    ]  # fmt: skip
    path = tmp_path / "wms" / "US01-ATL" / "20250107" / "events_US01-ATL_20250107.ndjson"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = load_source(SOURCES_DIR / "wms.yaml")
    result = Loader(warehouse, tmp_path).load_file("wms", "events", path, events_stager(source))

    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (8, 3, 5)
    assert rows(
        warehouse, "select event_id, occurred_at, qty_picked_ea, _source_row from raw.wms_picks"
    ) == [("US01-ATL-20250107-000001", datetime(2025, 1, 7, 14, 3), 5, 1)]
    assert rows(
        warehouse,
        "select event_id, _element, shipment_line_no, item_code, qty_shipped_ea, _source_row"
        " from raw.wms_shipment_lines order by _element",
    ) == [
        ("US01-ATL-20250107-000002", 1, 1, "BB-100001", 5, 2),
        ("US01-ATL-20250107-000002", 2, 2, "BB-100002", 3, 2),
    ]
    assert rows(warehouse, "select ship_date, delivery_date from raw.wms_shipments") == [
        (date(2025, 1, 7), date(2025, 1, 9))
    ]
    assert rows(
        warehouse, "select item_code, backordered_ea from raw.wms_on_hand_snapshot_items order by 1"
    ) == [
        ("BB-1", 0),
        ("BB-2", 4),
    ]
    assert rows(
        warehouse, "select source_row, reason_code, detail from quarantine.records order by 1"
    ) == [
        (3, "unknown_event_kind", "event kind 'drone_delivery' not in mapping"),
        (4, "type_error", "occurred_at: not timestamp: 2025-02-30T25:61:00Z"),
        (5, "type_error", "counted_qty: not bigint: n/a"),
        (6, "unparseable_json", "not a JSON object"),
        (7, "type_error", "qty_received_ea: below 0: -4"),
    ]
    raw_text = rows(warehouse, "select raw_text from quarantine.records where source_row = 6")[0][0]
    assert raw_text == lines[5]
