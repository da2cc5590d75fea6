"""X12 files through the loader: clean sets land in raw.edi_*, envelope errors in quarantine."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.loader import BatchFile, Loader
from ingestion.readers import edi as edi_reader
from ingestion.readers.edi import edi_stager
from ingestion.runner import load_edi
from ingestion.warehouse import connect
from ingestion.x12 import pool
from tests.ingestion.conftest import rows
from tests.ingestion.test_batching import _snapshot

FIXTURES = Path(__file__).parent / "x12" / "files"

ISA = (
    "ISA*00*          *00*          *ZZ*ACME           *ZZ*BACKBONEUS01   *250107*1200*U*00401*"
    "000000007*0*P*>~"
)


def _set(control: str, po: str, lines: list[str], se_count: int | None = None) -> list[str]:
    segments = [f"ST*850*{control}", f"BEG*00*SA*{po}**20250107", *lines, f"CTT*{len(lines)}"]
    segments.append(f"SE*{se_count or len(segments) + 1}*{control}")
    return segments


def test_envelope_error_quarantines_the_set_not_the_file(warehouse, tmp_path: Path) -> None:
    good = _set("0001", "PO-1", ["PO1*1*10*EA*2.5**VP*BB-100001", "PO1*2*5*CS*30**VP*BB-100002"])
    bad = _set("0002", "PO-2", ["PO1*1*3*EA*4**VP*BB-100003"], se_count=99)  # SE01 wrong
    text = (
        ISA
        + "GS*PO*ACME*BACKBONEUS01*20250107*1200*7*X*004010~"
        + "~".join(good + bad)
        + "~GE*2*7~IEA*1*000000007~"
    )
    path = tmp_path / "edi" / "acme" / "inbound" / "20250107_000000007.x12"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")

    result = Loader(warehouse, tmp_path).load_file("edi", "x12", path, edi_stager(tmp_path))

    # 2 documents x (1 header + its lines): PO-1 = 3 rows loaded, PO-2 = 2 rows quarantined
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 3, 2)
    assert rows(
        warehouse,
        "select po_number, st_position, _source_row, _source_file from raw.edi_purchase_orders",
    ) == [("PO-1", 3, 3, "edi/acme/inbound/20250107_000000007.x12")]
    assert rows(
        warehouse,
        "select line_no, qty, uom, vendor_item_id from raw.edi_purchase_order_lines order by 1",
    ) == [
        ("1", 10.0, "EA", "BB-100001"),
        ("2", 5.0, "CS", "BB-100002"),
    ]
    sets = rows(
        warehouse,
        "select partner, direction, isa_control, gs_control, st_control, transaction_set,"
        " st_position, reason_code, rows_excluded, detail, raw_text from quarantine.edi_sets",
    )
    assert len(sets) == 1
    assert sets[0][:9] == (
        "acme",
        "inbound",
        "000000007",
        "7",
        "0002",
        "850",
        9,
        "envelope_error",
        2,
    )
    assert sets[0][9].startswith("SE_SEGMENT_COUNT")
    assert sets[0][10].startswith("ST*850*0002~BEG*00*SA*PO-2")
    assert rows(
        warehouse, "select target_table, source_row from quarantine.records order by 1"
    ) == [
        ("edi_purchase_order_lines", 9),
        ("edi_purchase_orders", 9),
    ]
    assert rows(warehouse, "select code, st_control from raw.edi_envelope_errors") == [
        ("SE_SEGMENT_COUNT", "0002")
    ]


def test_a_batch_parsed_in_worker_processes_lands_as_one_parsed_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every fixture file (quirks and envelope errors alike) loaded twice, in one batch: parsed
    in this process, then cut into runs parsed in worker processes. Same warehouse."""
    landing = tmp_path / "landing"
    for number, fixture in enumerate(sorted(FIXTURES.glob("*.x12"))):
        folder = landing / "edi" / f"partner{number % 3}" / ("inbound", "outbound")[number % 2]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / fixture.name).write_bytes(fixture.read_bytes())
    monkeypatch.setenv(pool.WORKERS_VARIABLE, "0")
    here = _load_edi(landing, tmp_path / "here.duckdb")
    monkeypatch.setenv(pool.WORKERS_VARIABLE, "2")
    monkeypatch.setattr(edi_reader, "PARALLEL_MIN_BYTES", 0)  # tiny files: the pool all the same
    monkeypatch.setattr(edi_reader, "POOL_START_MIN_BYTES", 0)
    runs = edi_reader._chunks(
        [BatchFile(p, p.name, p.read_bytes()) for p in sorted(landing.rglob("*.x12"))]
    )
    assert len(runs) == 4 and [first for _, first in runs] == sorted(first for _, first in runs)
    try:
        in_workers = _load_edi(landing, tmp_path / "in_workers.duckdb")
        assert pool.worker_cpu_seconds() > 0  # the workers did parse
    finally:
        pool.shutdown()
    assert here.rows_read == in_workers.rows_read > 0
    assert here.rows_quarantined == in_workers.rows_quarantined > 0
    expected = _snapshot(tmp_path / "here.duckdb")
    got = _snapshot(tmp_path / "in_workers.duckdb")
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == expected[key], key


def test_only_a_big_batch_starts_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting the workers costs seconds: a day's few megabytes parse here unless they run."""
    monkeypatch.setenv(pool.WORKERS_VARIABLE, "2")
    # whatever an earlier test in this process left running
    monkeypatch.setattr(edi_reader, "pool_started", lambda: False)
    files = [BatchFile(Path(f"{i}.x12"), f"{i}.x12", b"x" * (512 << 10)) for i in range(8)]
    assert len(edi_reader._chunks(files)) == 1  # 4 MB, no workers yet: parsed here
    monkeypatch.setattr(edi_reader, "pool_started", lambda: True)
    assert len(edi_reader._chunks(files)) == 4  # the workers already run: used
    monkeypatch.setattr(edi_reader, "pool_started", lambda: False)
    big = [BatchFile(Path(f"{i}.x12"), f"{i}.x12", b"x" * (2 << 20)) for i in range(8)]
    assert len(edi_reader._chunks(big)) == 4  # 16 MB, a first load's batch: worth starting them


def _load_edi(landing: Path, warehouse: Path):  # type: ignore[no-untyped-def]
    con = connect(warehouse)
    try:
        summary = load_edi(con, landing)
    finally:
        con.close()
    assert not summary.errors, summary.errors
    return summary
