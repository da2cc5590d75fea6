"""The per-file work before parsing: listing, lineage names, hashing (each new file read once)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from ingestion import manifest, runner
from ingestion.loader import Loader
from ingestion.readers import edi as edi_reader
from ingestion.readers.edi import edi_stager
from tests.ingestion.landing import _x12


def _tree(root: Path) -> None:
    for relative in (
        "EDI001/inbound/20250101_000000001.x12",
        "EDI001/inbound/.hidden.x12",
        "EDI001/outbound/20250102_000000002.x12",
        "EDI002/inbound/20250101_000000003.x12",
        "EDI002/inbound/notes.txt",
        "EDI002/deep/er/20250101_000000004.x12",
        "loose.x12",
        "20250101/pedidos_20250101.csv",
        "20250101/pedidos_x.csv",
        "items.csv",
    ):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("x", encoding="utf-8")
    (root / "EDI003" / "inbound" / "folder.x12").mkdir(parents=True)  # a folder, not a file


@pytest.mark.parametrize(
    "pattern",
    ["*/*/*.x12", "*/pedidos_[0-9]*.csv", "items.csv", "*.x12", "**/*.x12", "missing/*.csv"],
)
def test_files_are_listed_as_path_glob_lists_them(tmp_path: Path, pattern: str) -> None:
    _tree(tmp_path)
    expected = sorted(
        (p for p in tmp_path.glob(pattern) if p.is_file()), key=lambda p: (p.name, str(p))
    )
    assert runner._files(tmp_path, pattern) == [str(p) for p in expected]


def test_a_file_no_feed_claims_is_noted(tmp_path: Path) -> None:
    _tree(tmp_path)
    summary = runner.SourceSummary("edi", "edi_x12")
    runner._note_unmatched(summary, tmp_path, runner._files(tmp_path, "*/*/*.x12"), "*.x12")
    # the loose file, the one two levels deeper, and the folder named like a file
    assert summary.notes == [
        "3 file(s) matched no feed: EDI002/deep/er/20250101_000000004.x12,"
        " EDI003/inbound/folder.x12, loose.x12"
    ]


def test_lineage_names_resolve_folders_and_links(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "edi" / "acme").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (landing / "edi" / "acme" / "a.x12").write_text("x", encoding="utf-8")
    (outside / "b.x12").write_text("x", encoding="utf-8")
    (landing / "edi" / "linked").symlink_to(landing / "edi" / "acme")
    (landing / "edi" / "acme" / "c.x12").symlink_to(outside / "b.x12")
    cases = {
        landing / "edi" / "acme" / "a.x12": "edi/acme/a.x12",
        landing / "edi" / "linked" / "a.x12": "edi/acme/a.x12",  # the folder's real place
        landing / "edi" / "acme" / "c.x12": str(landing / "edi" / "acme" / "c.x12"),  # outside
        outside / "b.x12": str(outside / "b.x12"),
    }
    for path, expected in cases.items():
        assert manifest.relative_to_or_name(path, landing) == expected, path
        assert manifest.relative_to_or_name(str(path), landing) == expected, path
        key, _ = manifest._key_and_stat(path)
        assert key == os.path.realpath(path)
        assert manifest.relative_to_or_name(path, landing, key) == expected, path


def test_hashes_are_cached_and_new_files_read_once(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "edi" / "acme" / "inbound"
    folder.mkdir(parents=True)
    paths = []
    for control in range(1, 6):
        path = folder / f"202501{control:02d}_{control:09d}.x12"
        path.write_text(_x12(control), encoding="utf-8")
        paths.append(path)
    (folder / "20250109_000000009.x12").write_bytes(paths[0].read_bytes())  # a re-sent copy
    paths.append(folder / "20250109_000000009.x12")

    def no_second_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("the reader read a file the hash pass had already read")

    monkeypatch.setattr(edi_reader, "parse_file", no_second_read)
    monkeypatch.setattr(edi_reader, "BATCH_FILES", 2)  # several batches, several commits
    threshold = "select current_setting('checkpoint_threshold')"
    before = warehouse.execute(threshold).fetchall()
    loader = Loader(warehouse, tmp_path)
    first = loader.load_files("edi", "x12", paths, edi_stager(tmp_path))
    assert warehouse.execute(threshold).fetchall() == before  # deferred during the call only
    assert [r.status for r in first] == ["loaded"] * 5 + ["skipped_duplicate"]
    assert [r.rows_read for r in first] == [2] * 5 + [0]
    assert warehouse.execute("select count(*) from audit.file_hashes").fetchone() == (6,)

    def no_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("a re-run read a file")

    monkeypatch.setattr(manifest, "open", no_read, raising=False)
    again = loader.load_files("edi", "x12", [str(p) for p in paths], edi_stager(tmp_path))
    assert [r.status for r in again] == ["already_loaded"] * 6
