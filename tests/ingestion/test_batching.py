"""Files staged together in one pass land exactly as files loaded one by one."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ingestion import loader
from ingestion.readers import edi as edi_reader
from ingestion.runner import load_landing_zone
from tests.ingestion.landing import MX_HEADER, US_HEADER, _mx_order, _x12, write_small_landing

VOLATILE = {"_load_id", "_loaded_at", "load_id", "quarantined_at"}


def _faulty_extras(landing: Path) -> None:
    """More days with every per-file fault a batch must keep apart."""
    mx = landing / "exports" / "legacy_mx"
    for day in range(5, 12):
        folder = mx / f"202501{day:02d}"
        folder.mkdir(parents=True)
        header, lines = MX_HEADER, [_mx_order(day * 10 + k, day) for k in range(1, 4)]
        if day in (5, 8):  # wrong field counts, at different lines in different files
            lines.insert(day % 3, lines[0] + ";extra;fields")
            lines.append("PED-99999;CLI")
        if day == 6:  # a value that does not parse, and a missing required value
            lines.append(_mx_order(day * 10 + 7, day, date_text="99.99.2025"))
            lines.append(";" + _mx_order(day * 10 + 8, day).split(";", 1)[1])
        if day == 7:  # schema drift: a new column
            header += ";nota_interna"
            lines = [line + ";hola" for line in lines]
        if day == 9:  # a required column missing: the whole file is quarantined
            header = header.replace("folio_pedido;", "pedido;")
        if day == 10:  # header only, but without a required column
            header, lines = header.replace("folio_pedido;", ""), []
        text = "\r\n".join([header, *lines]) + "\r\n"
        (folder / f"pedidos_202501{day:02d}.csv").write_bytes(text.encode("latin-1"))
        if day == 11:  # an empty file and one with accents
            (folder / f"pedidos_202501{day:02d}.csv").write_bytes(b"")
            (folder / f"clientes_202501{day:02d}.csv").write_bytes(
                "codigo_cliente;razon_social;canal\r\nCLI-1;Ferretería Núñez;MOSTRADOR\r\n".encode(
                    "latin-1"
                )
            )
        # identical header-only twins under different names every day
        (folder / f"articulos_202501{day:02d}.csv").write_bytes(
            b"codigo_articulo;descripcion;categoria;clase_abc;unidad_base;piezas_por_caja;"
            b"piezas_por_paquete;inventariable;fecha_alta\r\n"
        )
    # the same content with rows under two names inside one batch
    dup = mx / "20250106"
    (dup / "pedidos_20250106_r1.csv").write_bytes((dup / "pedidos_20250106.csv").read_bytes())
    for day in range(5, 9):
        wms = landing / "wms" / "US01-ATL" / f"202501{day:02d}"
        wms.mkdir(parents=True)
        base = {"event_type": "shipment", "warehouse_code": "US01-ATL"}
        lines = [
            {
                **base,
                "event_id": f"E{day}-1",
                "occurred_at": f"2025-01-{day:02d}T10:00:00Z",
                "payload": {
                    "shipment_id": f"S{day}",
                    "ship_date": f"2025-01-{day:02d}",
                    "lines": [
                        {"shipment_line_no": 1, "item_code": "BB-1", "qty_shipped_ea": 5},
                        {"shipment_line_no": 2, "item_code": "BB-2", "qty_shipped_ea": 3},
                    ],
                },
            },
            {
                **base,
                "event_id": f"E{day}-2",
                "occurred_at": "not a time" if day == 6 else f"2025-01-{day:02d}T11:00:00Z",
                "payload": {
                    "shipment_id": f"S{day}b",
                    "ship_date": f"2025-01-{day:02d}",
                    "lines": [{"shipment_line_no": 1, "item_code": "BB-3", "qty_shipped_ea": -1}]
                    if day == 7
                    else [],
                },
            },
        ]
        text = "\n".join(json.dumps(e) for e in lines) + "\n"
        if day == 8:
            text = "{not json\n\n" + text
        (wms / f"events_US01-ATL_202501{day:02d}.ndjson").write_text(text, encoding="utf-8")
    edi = landing / "edi" / "acme" / "inbound"
    for control in range(5, 9):
        text = _x12(control)
        if control in (6, 8):  # SE01 wrong: the set is quarantined with its rows
            text = text.replace("~SE*5*0001~", "~SE*99*0001~")
        (edi / f"202501{control:02d}_{control:09d}.x12").write_text(text, encoding="utf-8")
    us = landing / "exports" / "legacy_us" / "20250102"
    us.mkdir(parents=True)
    (us / "so_header_20250102.csv").write_text(
        US_HEADER + "\r\n"
        '1002,GLC10023,US02-DET,REP,01/02/2025,01/03/2025,,PO-10,USD,N,N,N,O,"A\nB","x",'
        "01/02/2025 08:00:00,01/02/2025 08:00:00\r\n"
        "1003,GLC10023,US02-DET\r\n"
        '1004,GLC10023,US02-DET,REP,13/45/2025,01/03/2025,,PO-11,USD,N,N,N,O,"C","y",'
        "01/02/2025 08:00:00,01/02/2025 08:00:00\r\n",
        encoding="utf-8",
    )


def _snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        snap: dict[str, list[tuple]] = {}
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables()"
            " where schema_name in ('raw', 'quarantine') order by all"
        ).fetchall()
        for schema, table in tables:
            columns = [
                (name, dtype)
                for name, dtype in con.execute(
                    "select column_name, data_type from duckdb_columns()"
                    " where schema_name = ? and table_name = ? order by column_index",
                    [schema, table],
                ).fetchall()
            ]
            snap[f"{schema}.{table} columns"] = columns
            kept = ", ".join(f'"{c}"' for c, _ in columns if c not in VOLATILE)
            snap[f"{schema}.{table}"] = con.execute(
                f'select {kept} from {schema}."{table}" order by all'
            ).fetchall()
        snap["manifest"] = con.execute(
            "select m.source_system, m.feed, m.target_tables, m.source_file, m.content_hash,"
            " m.file_bytes, m.rows_read, m.rows_loaded, m.rows_quarantined, m.status, m.note,"
            " m.error, d.source_file from audit.load_manifest m"
            " left join audit.load_manifest d on d.load_id = m.duplicate_of order by all"
        ).fetchall()
        return snap
    finally:
        con.close()


def test_a_batch_lands_exactly_like_files_loaded_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    write_small_landing(landing)
    _faulty_extras(landing)
    together = load_landing_zone(landing, tmp_path / "together.duckdb")
    assert together.ok, together.as_dict()
    monkeypatch.setattr(loader, "BATCH_FILES", 1)
    monkeypatch.setattr(edi_reader, "BATCH_FILES", 1)  # the X12 reader's own batch size
    one_by_one = load_landing_zone(landing, tmp_path / "one_by_one.duckdb")
    assert one_by_one.ok, one_by_one.as_dict()
    expected = _snapshot(tmp_path / "one_by_one.duckdb")
    got = _snapshot(tmp_path / "together.duckdb")
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == expected[key], key
    statuses = {row[9] for row in expected["manifest"]}
    assert {"loaded", "quarantined", "skipped_duplicate"} <= statuses
    reasons = {row[5] for row in expected["quarantine.records"]}
    assert {"malformed_row", "type_error", "missing_required_column", "envelope_error"} <= reasons
    assert len(expected["quarantine.edi_sets"]) == 2
    assert {"unparseable_json", "unknown_event_kind"} <= reasons
    assert len(expected["raw.wms_shipment_lines"]) == 8


def test_a_batch_is_staged_in_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch path is really taken (no silent fallback to file by file)."""
    landing = tmp_path / "landing"
    write_small_landing(landing)
    _faulty_extras(landing)
    fallbacks = []
    original = loader.Loader._load_batch_together

    def spy(self, batch, many):  # type: ignore[no-untyped-def]
        outcome = original(self, batch, many)
        fallbacks.append(outcome is None)
        return outcome

    monkeypatch.setattr(loader.Loader, "_load_batch_together", spy)
    assert load_landing_zone(landing, tmp_path / "wh.duckdb").ok
    assert fallbacks and not any(fallbacks)


def test_a_failing_file_fails_alone_and_duplicates_stay_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch with a bad file rolls back and is retried file by file: only that file fails,
    and a file already known as a duplicate of an earlier load is still skipped as one."""
    landing = tmp_path / "landing"
    write_small_landing(landing)
    warehouse = tmp_path / "wh.duckdb"
    assert load_landing_zone(landing, warehouse).ok
    wms = landing / "wms" / "US01-ATL"
    resent = wms / "20250103" / "events_US01-ATL_20250103_r1.ndjson"
    resent.write_bytes((wms / "20250103" / "events_US01-ATL_20250103.ndjson").read_bytes())
    for day in (5, 6, 7):
        folder = wms / f"202501{day:02d}"
        folder.mkdir()
        source = wms / "20250101" / "events_US01-ATL_20250101.ndjson"
        text = source.read_text(encoding="utf-8").replace("20250101", f"202501{day:02d}")
        (folder / f"events_US01-ATL_202501{day:02d}.ndjson").write_text(text, encoding="utf-8")
    bad = wms / "20250106" / "events_US01-ATL_20250106.ndjson"
    bad.write_bytes(b"\xff\xfe not utf-8 \xff\n")
    summary = load_landing_zone(landing, warehouse)
    results = {r.source.rsplit("/", 1)[-1]: r for r in summary.source("wms").results}
    assert results["events_US01-ATL_20250106.ndjson"].status == "failed"
    assert results["events_US01-ATL_20250103_r1.ndjson"].status == "skipped_duplicate"
    assert results["events_US01-ATL_20250105.ndjson"].status == "loaded"
    assert results["events_US01-ATL_20250107.ndjson"].status == "loaded"
    assert results["events_US01-ATL_20250105.ndjson"].rows_read == 2
