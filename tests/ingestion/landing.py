"""A tiny landing zone in the real source formats (simulator/SOURCES.md), written by hand."""

from __future__ import annotations

import json
from pathlib import Path

MX_HEADER = (
    "folio_pedido;codigo_cliente;almacen;canal;fecha_pedido;fecha_requerida;fecha_confirmada;"
    "orden_compra_cliente;moneda;retencion_credito;captura_manual;intercompania;estatus;"
    "fecha_creacion;fecha_modificacion"
)
US_HEADER = (
    "ORDER_NO,CUST_NO,WHSE,ORDER_SOURCE,ORDER_DATE,REQ_DATE,PROMISE_DATE,CUST_PO,CURRENCY,"
    "CREDIT_HOLD,MANUAL_ENTRY,IC_FLAG,ORDER_STATUS,SHIP_TO_ADDRESS,ORDER_NOTES,ENTERED_TS,CHANGED_TS"
)


def _mx_order(n: int, day: int, date_text: str | None = None) -> str:
    d = date_text or f"{day:02d}.01.2025"
    return (
        f"PED-{n:05d};CLI-{n:04d};MX02-GDL;MOSTRADOR;{d};{day + 2:02d}.01.2025;;OC-{n};MXN;N;S;N;"
        f"ABIERTO;{day:02d}.01.2025 09:00:00;{day:02d}.01.2025 09:00:00"
    )


def _x12(control: int) -> str:
    segments = [
        "ST*850*0001",
        f"BEG*00*SA*PO-{control}**20250101",
        "PO1*1*10*EA*2.5**VP*BB-100001",
        "CTT*1",
    ]
    segments.append(f"SE*{len(segments) + 1}*0001")
    isa = (
        "ISA*00*          *00*          *ZZ*ACME           *ZZ*BACKBONEUS01   *250101*1200*U*00401*"
        f"{control:09d}*0*P*>~"
    )
    return (
        isa
        + f"GS*PO*ACME*BACKBONEUS01*20250101*1200*{control}*X*004010~"
        + "~".join(segments)
        + f"~GE*1*{control}~IEA*1*{control:09d}~"
    )


def write_small_landing(root: Path, days: int = 4) -> dict[str, int]:
    """Write the files; return how many data rows each source holds (and how many are bad)."""
    expected = {"legacy_mx_rows": 0, "legacy_mx_bad": 0, "wms_rows": 0, "wms_bad": 0}
    for day in range(1, days + 1):
        folder = root / "exports" / "legacy_mx" / f"202501{day:02d}"
        folder.mkdir(parents=True)
        lines = [MX_HEADER, _mx_order(day * 10 + 1, day), _mx_order(day * 10 + 2, day)]
        if day == 2:
            lines.append(_mx_order(day * 10 + 3, day, date_text="31.02.2025"))
            expected["legacy_mx_bad"] += 1
        expected["legacy_mx_rows"] += len(lines) - 1
        text = "\r\n".join(lines) + "\r\n"
        (folder / f"pedidos_202501{day:02d}.csv").write_bytes(text.encode("latin-1"))
        # a quiet master file: header only, identical every day
        (folder / f"articulos_202501{day:02d}.csv").write_bytes(
            b"codigo_articulo;descripcion;categoria;clase_abc;unidad_base;piezas_por_caja;"
            b"piezas_por_paquete;inventariable;fecha_alta\r\n"
        )
        wms = root / "wms" / "US01-ATL" / f"202501{day:02d}"
        wms.mkdir(parents=True)
        events = [
            {
                "event_id": f"US01-ATL-202501{day:02d}-000001",
                "event_type": "cycle_count",
                "warehouse_code": "US01-ATL",
                "occurred_at": f"2025-01-{day:02d}T10:00:00Z",
                "payload": {
                    "count_id": f"CC-{day}",
                    "item_code": "BB-100001",
                    "abc_class": "A",
                    "system_qty": 10,
                    "counted_qty": 9,
                },
            },
            {  # an event kind the mapping doesn't know: quarantined
                "event_id": f"US01-ATL-202501{day:02d}-000002",
                "event_type": "forklift_refuel",
                "warehouse_code": "US01-ATL",
                "occurred_at": f"2025-01-{day:02d}T11:00:00Z",
                "payload": {},
            },
        ]
        expected["wms_rows"] += 2
        expected["wms_bad"] += 1
        (wms / f"events_US01-ATL_202501{day:02d}.ndjson").write_text(
            "\n".join(json.dumps(e) for e in events) + "\n", encoding="utf-8"
        )
        edi = root / "edi" / "acme" / "inbound"
        edi.mkdir(parents=True, exist_ok=True)
        (edi / f"202501{day:02d}_{day:09d}.x12").write_text(_x12(day), encoding="utf-8")
    # a re-sent duplicate of day 2's orders
    day2 = root / "exports" / "legacy_mx" / "20250102"
    if day2.exists():
        (day2 / "pedidos_20250102_r1.csv").write_bytes((day2 / "pedidos_20250102.csv").read_bytes())
    us = root / "exports" / "legacy_us" / "20250101"
    us.mkdir(parents=True)
    (us / "so_header_20250101.csv").write_text(
        US_HEADER + "\r\n"
        "1001,GLC10023,US02-DET,REP,01/01/2025,01/03/2025,,PO-9,USD,N,N,N,O,"
        '"1200 Industrial Pkwy, Suite 4\nDetroit, MI 48201","Call before delivery.\nGate 4411",'
        "01/01/2025 08:00:00,01/01/2025 08:00:00\r\n",
        encoding="utf-8",
    )
    crosswalk = root / "crosswalk"
    crosswalk.mkdir(parents=True)
    (crosswalk / "items.csv").write_text(
        "source_system,entity_code,local_code,golden_code\r\nlegacy_mx,MX02,ART-00001,BB-100001\r\n",
        encoding="utf-8",
    )
    return expected
