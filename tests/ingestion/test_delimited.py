"""The delimited reader on small hand-written files, each carrying one format quirk or fault."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingestion.loader import Loader
from ingestion.mapping import load_source
from ingestion.readers.delimited import declare_raw_table, delimited_stager
from tests.ingestion.conftest import rows

MX_MAPPING = """
source_system: acme_mx
kind: delimited
root: exports/acme_mx
entity: MX09
currency: MXN
format:
  encoding: latin-1
  delimiter: ";"
  decimal: ","
  thousands: "."
  date_formats: ["%d.%m.%Y"]
  timestamp_formats: ["%d.%m.%Y %H:%M:%S"]
  null_tokens: ["", "NULL"]
  true_tokens: ["S"]
  false_tokens: ["N"]
feeds:
  - name: order_lines
    files: "*/partidas_*.csv"
    table: acme_mx_order_lines
    columns:
      folio_pedido: {name: order_id, required: true}
      partida: {name: line_no, type: integer, required: true}
      descripción: description
      cantidad: {name: qty, type: "decimal(18,3)", min: 0}
      fecha: {name: order_date, type: date}
      surtida: {name: shipped, type: boolean}
      modificado: {name: updated_at, type: timestamp}
"""

US_MAPPING = """
source_system: acme_us
kind: delimited
root: exports/acme_us
entity: US09
currency: USD
format:
  encoding: utf-8
  delimiter: ","
  quote: '"'
  escape: '"'
  date_formats: ["%m/%d/%Y"]
feeds:
  - name: orders
    files: "orders_*.csv"
    table: acme_us_orders
    columns:
      ORDER_NO: {name: order_id, required: true}
      QTY: {name: qty, type: integer}
      SHIP_TO: ship_to
      ORDER_DATE: {name: order_date, type: date}
"""


def _feed(tmp_path: Path, text: str):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text, encoding="utf-8")
    return load_source(mapping).feeds[0]


def _load(con: duckdb.DuckDBPyConnection, tmp_path: Path, text: str, path: Path, source: str):
    feed = _feed(tmp_path, text)
    declare_raw_table(con, feed)
    return Loader(con, tmp_path).load_file(source, feed.name, path, delimited_stager(feed))


def _write(path: Path, text: str, encoding: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_latin1_decimal_comma_and_faulty_rows(warehouse, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "exports/acme_mx/20250107/partidas_20250107.csv",
        "folio_pedido;partida;descripción;cantidad;fecha;surtida;modificado\r\n"
        "P-1;1;Tornillo niño;1.234,5;07.01.2025;S;07.01.2025 10:30:00\r\n"  # line 2: good
        "P-1;2;Válvula;N/D;07.01.2025;N;07.01.2025 10:30:00\r\n"  # 3: non-numeric qty
        "P-2;1;Codo;3;31.02.2025;N;07.01.2025 11:00:00\r\n"  # 4: impossible date
        "P-2;2;Cinta;4;07.01.2025;N;07.01.2025 11:00:00;X\r\n"  # 5: one extra field
        "P-3;1;Llave;-2;07.01.2025;N;07.01.2025 12:00:00\r\n"  # 6: negative qty
        "P-3;2;Brida;NULL;08.01.2025;N;07.01.2025 12:00:00\r\n"  # 7: good, null token
        "P-4;1;Caja\r\n"  # 8: missing fields
        ";3;Sin folio;1;08.01.2025;N;07.01.2025 12:00:00\r\n",  # 9: missing required value
        "latin-1",
    )
    result = _load(warehouse, tmp_path, MX_MAPPING, path, "acme_mx")
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        "loaded",
        8,
        2,
        6,
    )
    loaded = rows(
        warehouse,
        "select order_id, line_no, description, qty, order_date, shipped, updated_at, entity_code,"
        " currency, _source_row, _source_file from raw.acme_mx_order_lines order by _source_row",
    )
    assert loaded == [
        (
            "P-1",
            1,
            "Tornillo niño",
            Decimal("1234.500"),
            date(2025, 1, 7),
            True,
            datetime(2025, 1, 7, 10, 30),
            "MX09",
            "MXN",
            2,
            "exports/acme_mx/20250107/partidas_20250107.csv",
        ),
        ("P-3", 2, "Brida", None, date(2025, 1, 8), False, datetime(2025, 1, 7, 12), "MX09", "MXN", 7,
         "exports/acme_mx/20250107/partidas_20250107.csv"),
    ]  # fmt: skip
    quarantined = rows(
        warehouse,
        "select source_row, reason_code, detail, raw_text from quarantine.records order by source_row",
    )
    assert quarantined == [
        (3, "type_error", "cantidad: not decimal(18,3): N/D", "P-1;2;Válvula;N/D;07.01.2025;N;07.01.2025 10:30:00"),
        (4, "type_error", "fecha: not date: 31.02.2025", "P-2;1;Codo;3;31.02.2025;N;07.01.2025 11:00:00"),
        (5, "malformed_row", "TOO MANY COLUMNS", "P-2;2;Cinta;4;07.01.2025;N;07.01.2025 11:00:00;X"),
        (6, "type_error", "cantidad: below 0: -2", "P-3;1;Llave;-2;07.01.2025;N;07.01.2025 12:00:00"),
        (8, "malformed_row", "MISSING COLUMNS", "P-4;1;Caja"),
        (9, "missing_required_value", "folio_pedido: missing", ";3;Sin folio;1;08.01.2025;N;07.01.2025 12:00:00"),
    ]  # fmt: skip
    manifest = rows(
        warehouse,
        "select rows_read, rows_loaded, rows_quarantined, status, content_hash is not null"
        " from audit.load_manifest",
    )
    assert manifest == [(8, 2, 6, "loaded", True)]


def test_quoted_delimiters_and_newlines(warehouse, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "exports/acme_us/orders_20250107.csv",
        "ORDER_NO,QTY,SHIP_TO,ORDER_DATE\r\n"
        '1001,5,"1200 Industrial Pkwy, Suite 4\nDetroit, MI 48201",01/07/2025\r\n'  # record line 2
        '1002,TBD,"Dock ""B""",01/07/2025\r\n'  # 3: non-numeric qty, doubled quote
        '1003,7,"Line one\nLine two\nLine three",13/45/2025\r\n'  # 4: bad date
        "1004,8,Plain,01/08/2025,extra\r\n"  # 5: extra field
        '1005,9,"A, B",01/08/2025\r\n',  # 6
        "utf-8",
    )
    result = _load(warehouse, tmp_path, US_MAPPING, path, "acme_us")
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 2, 3)
    assert rows(
        warehouse, "select order_id, qty, ship_to, _source_row from raw.acme_us_orders order by 1"
    ) == [
        ("1001", 5, "1200 Industrial Pkwy, Suite 4\nDetroit, MI 48201", 2),
        ("1005", 9, "A, B", 6),
    ]
    assert rows(
        warehouse, "select source_row, reason_code, raw_text from quarantine.records order by 1"
    ) == [
        (3, "type_error", '1002,TBD,"Dock ""B""",01/07/2025'),
        (4, "type_error", '1003,7,"Line one\nLine two\nLine three",13/45/2025'),
        (5, "malformed_row", "1004,8,Plain,01/08/2025,extra"),
    ]


def test_missing_required_column_quarantines_the_whole_file(warehouse, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "exports/acme_us/orders_20250108.csv",
        "QTY,SHIP_TO,ORDER_DATE\r\n5,Here,01/08/2025\r\n6,There,01/08/2025\r\n",
        "utf-8",
    )
    result = _load(warehouse, tmp_path, US_MAPPING, path, "acme_us")
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        "quarantined",
        2,
        0,
        2,
    )
    assert rows(warehouse, "select count(*) from raw.acme_us_orders") == [(0,)]
    assert rows(
        warehouse,
        "select source_row, reason_code, detail, raw_text from quarantine.records order by 1",
    ) == [
        (2, "missing_required_column", "missing required column(s): ORDER_NO", "5,Here,01/08/2025"),
        (
            3,
            "missing_required_column",
            "missing required column(s): ORDER_NO",
            "6,There,01/08/2025",
        ),
    ]
    assert rows(warehouse, "select status, note from audit.load_manifest") == [
        ("quarantined", "file quarantined: missing required column(s) ORDER_NO")
    ]


def test_new_column_is_loaded_and_reported(warehouse, tmp_path: Path) -> None:
    first = _write(
        tmp_path / "exports/acme_us/orders_20250107.csv",
        "ORDER_NO,QTY,SHIP_TO,ORDER_DATE\r\n1001,5,Here,01/07/2025\r\n",
        "utf-8",
    )
    second = _write(
        tmp_path / "exports/acme_us/orders_20250108.csv",
        "ORDER_NO,QTY,SHIP_TO,ORDER_DATE,Sales Rep\r\n1002,6,There,01/08/2025,Ana Núñez\r\n",
        "utf-8",
    )
    _load(warehouse, tmp_path, US_MAPPING, first, "acme_us")
    result = _load(warehouse, tmp_path, US_MAPPING, second, "acme_us")
    assert result.rows_loaded == 1
    assert rows(warehouse, "select order_id, sales_rep from raw.acme_us_orders order by 1") == [
        ("1001", None),
        ("1002", "Ana Núñez"),
    ]
    note = rows(
        warehouse, "select note from audit.load_manifest where source_file like '%20250108%'"
    )[0][0]
    assert "new column(s) not in mapping, loaded as VARCHAR: 'Sales Rep' as sales_rep" in note
    assert "raw.acme_us_orders: new column(s) sales_rep" in note


def test_other_encodings_are_transcoded(warehouse, tmp_path: Path) -> None:
    text = MX_MAPPING.replace("encoding: latin-1", "encoding: cp1252")
    path = _write(
        tmp_path / "exports/acme_mx/20250107/partidas_20250107.csv",
        "folio_pedido;partida;descripción;cantidad;fecha;surtida;modificado\r\n"
        "P-1;1;Tuerca “premium” €;2;07.01.2025;S;07.01.2025 10:30:00\r\n",
        "cp1252",
    )
    result = _load(warehouse, tmp_path, text, path, "acme_mx")
    assert result.rows_loaded == 1
    assert rows(warehouse, "select description from raw.acme_mx_order_lines") == [
        ("Tuerca “premium” €",)
    ]


@pytest.mark.parametrize("header_only", [True, False])
def test_header_only_file_reads_zero_rows(warehouse, tmp_path: Path, header_only: bool) -> None:
    body = "" if header_only else "\r\n\r\n"
    path = _write(
        tmp_path / "exports/acme_us/orders_20250109.csv",
        "ORDER_NO,QTY,SHIP_TO,ORDER_DATE\r\n" + body,
        "utf-8",
    )
    result = _load(warehouse, tmp_path, US_MAPPING, path, "acme_us")
    assert (result.status, result.rows_read) == ("loaded", 0)
    assert rows(warehouse, "select count(*) from raw.acme_us_orders") == [(0,)]


def test_row_check_quarantines_rows_that_break_it(warehouse, tmp_path: Path) -> None:
    mapping = US_MAPPING.replace(
        "      ORDER_DATE: {name: order_date, type: date}\n",
        "      ORDER_DATE: {name: order_date, type: date}\n"
        "      AMOUNT: {name: amount, type: decimal}\n"
        "    row_checks:\n"
        '      qty_sign_matches_amount: "qty = 0 or amount = 0 or sign(qty) = sign(amount)"\n',
    )
    path = _write(
        tmp_path / "exports/acme_us/orders_20250110.csv",
        "ORDER_NO,QTY,SHIP_TO,ORDER_DATE,AMOUNT\r\n"
        "1,2,A,01/10/2025,20.00\r\n"
        "2,-3,B,01/10/2025,30.00\r\n"  # a sign flipped by hand: breaks the rule
        "3,-1,C,01/10/2025,-10.00\r\n"
        "4,5,D,01/10/2025,\r\n",  # NULL amount: the rule can't be judged, so it passes
        "utf-8",
    )
    result = _load(warehouse, tmp_path, mapping, path, "acme_us")
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 3, 1)
    assert rows(
        warehouse, "select source_row, reason_code, detail, raw_text from quarantine.records"
    ) == [(3, "row_check_failed", "qty_sign_matches_amount", "2,-3,B,01/10/2025,30.00")]
