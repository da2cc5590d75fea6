"""The README's onboarding example is a working mapping: a new company is a YAML file, not code."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from ingestion.loader import Loader
from ingestion.mapping import DelimitedSource, load_source
from ingestion.readers.delimited import delimited_stager
from ingestion.warehouse import ensure_schemas

README = Path(__file__).parents[2] / "README.md"


def test_readme_mapping_example_loads_a_file_in_its_format(tmp_path: Path) -> None:
    example = re.search(
        r"## Onboarding another acquired company.*?```yaml\n(.*?)```", README.read_text(), re.S
    )
    assert example, "README lost its onboarding example"
    mapping_file = tmp_path / "legacy_ca.yaml"
    mapping_file.write_text(example.group(1))
    source = load_source(mapping_file)
    assert isinstance(source, DelimitedSource)
    feed = source.feeds[0]

    landing = tmp_path / "landing"
    export = landing / source.root / "20250301" / "ORDERS_20250301.txt"
    export.parent.mkdir(parents=True)
    export.write_bytes(
        "ORDNO|CUSTNO|ORDDATE|QTY\r\n"
        "A-1|Café Müller|20250301|12\r\n"  # cp1252 accents survive
        "A-2|C-2|20250230|3\r\n"  # no such date: quarantined with its raw text
        "A-3|C-3|20250302|NULL\r\n".encode("cp1252")
    )
    con = duckdb.connect()
    ensure_schemas(con)

    result = Loader(con, landing).load_file(
        source.source_system, feed.name, export, delimited_stager(feed)
    )

    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    rows = con.execute(
        f"select order_id, customer_code, order_date, qty_ordered, entity_code from raw.{feed.table} order by order_id"
    ).fetchall()
    assert [r[0] for r in rows] == ["A-1", "A-3"]
    assert rows[0][1] == "Café Müller" and str(rows[0][2]) == "2025-03-01" and rows[0][3] == 12.0
    assert rows[0][4] == "CA02" and rows[1][3] is None
    raw_text, reason = con.execute(
        "select raw_text, reason_code from quarantine.records"
    ).fetchone()
    assert "20250230" in raw_text and reason
