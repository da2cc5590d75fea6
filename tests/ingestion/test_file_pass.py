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


def _write(path: Path, text: str, mtime_s: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_s * 10**9, mtime_s * 10**9))  # explicit: no coarse-clock luck


def test_rerun_notices_changed_touched_new_and_duplicate_files(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """What is new is decided in SQL from one stat per file: each case the per-file triage knew."""
    folder = tmp_path / "edi" / "acme" / "inbound"
    for control in (1, 2, 3):
        _write(folder / f"2025010{control}_{control:09d}.x12", _x12(control), 1_700_000_000)
    first = runner.load_edi(warehouse, tmp_path)
    assert [r.status for r in first.results] == ["loaded"] * 3

    _write(folder / "20250101_000000001.x12", _x12(9), 1_700_000_100)  # changed, same size
    _write(folder / "20250102_000000002.x12", _x12(2), 1_700_000_100)  # touched: same content
    _write(folder / "20250104_000000004.x12", _x12(4), 1_600_000_000)  # new file, old folder
    _write(folder / "20250105_000000005.x12", _x12(3), 1_700_000_000)  # another name, old content
    second = {r.source.rsplit("/", 1)[-1]: r for r in runner.load_edi(warehouse, tmp_path).results}
    assert {name: r.status for name, r in second.items()} == {
        "20250101_000000001.x12": "loaded",
        "20250102_000000002.x12": "already_loaded",
        "20250103_000000003.x12": "already_loaded",
        "20250104_000000004.x12": "loaded",
        "20250105_000000005.x12": "skipped_duplicate",
    }
    assert second["20250101_000000001.x12"].rows_read == 2
    assert warehouse.execute(
        "select count(*) from raw.edi_purchase_orders where _source_file like '%_000000001.x12'"
    ).fetchone() == (2,)  # both versions of the file, each its own load
    assert warehouse.execute(
        "select duplicate_of = (select load_id from audit.load_manifest"
        "  where source_file like '%_000000003.x12')"
        " from audit.load_manifest where source_file like '%_000000005.x12'"
    ).fetchone() == (True,)

    third = runner.load_edi(warehouse, tmp_path)
    assert [r.status for r in third.results] == ["already_loaded"] * 5
    assert third.rows_read == 0


def test_a_failed_load_is_retried_though_its_hash_is_cached(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    folder = tmp_path / "edi" / "acme" / "inbound"
    _write(folder / "20250101_000000001.x12", _x12(1), 1_700_000_000)
    _write(folder / "20250102_000000002.x12", _x12(1), 1_700_000_000)  # same content, later

    def broken(con: object, path: Path, names: object) -> None:
        raise RuntimeError("reader broke")

    loader = Loader(warehouse, tmp_path)
    files = runner._files(tmp_path / "edi", "*/*/*.x12")
    assert [r.status for r in loader.load_files("edi", "x12", files, broken)] == ["failed"] * 2
    assert warehouse.execute("select count(*) from audit.file_hashes").fetchone() == (2,)
    again = loader.load_files("edi", "x12", files, edi_stager(tmp_path))
    assert [r.status for r in again] == ["loaded", "skipped_duplicate"]


def test_the_listing_names_files_as_lineage_does(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Lineage names built in SQL from folder prefixes equal `relative_to_or_name`, links too."""
    landing = tmp_path / "landing"
    (landing / "edi" / "acme").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (landing / "edi" / "acme" / "a.x12").write_text("a", encoding="utf-8")
    (landing / "edi" / "acme" / "it's é.x12").write_text("é", encoding="utf-8")
    (outside / "b.x12").write_text("b", encoding="utf-8")
    (landing / "edi" / "linked").symlink_to(landing / "edi" / "acme")
    (landing / "edi" / "acme" / "c.x12").symlink_to(outside / "b.x12")
    (landing / "top.x12").write_text("t", encoding="utf-8")
    paths = [
        landing / "edi" / "acme" / "a.x12",
        str(landing / "edi" / "linked" / "a.x12"),
        landing / "edi" / "acme" / "it's é.x12",
        landing / "edi" / "acme" / "c.x12",
        outside / "b.x12",
        landing / "top.x12",
    ]
    listing = manifest.list_files(warehouse, paths, landing, "edi", "x12")
    assert listing.source_files == [manifest.relative_to_or_name(p, landing) for p in paths]
    assert listing.loaded == [False] * len(paths)
    assert [position for position, _ in listing.pending] == list(range(len(paths)))
    for position, state in listing.pending:
        assert state.path is paths[position]
        assert state.key == os.path.realpath(paths[position])
        assert state.content_hash is None
    assert manifest.list_files(warehouse, paths, None, "edi", "x12").source_files == [
        os.fspath(p) for p in paths
    ]


def test_a_files_twin_loaded_earlier_in_the_same_call_is_no_earlier_load(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One file listed twice (through a linked folder), in two batches: the second is a
    duplicate of the first, as when the whole call was triaged before loading (a content's
    earlier loads are read once, before the call loads it)."""
    _write(tmp_path / "edi" / "acme" / "inbound" / "20250101_000000001.x12", _x12(1), 1_700_000_000)
    _write(tmp_path / "edi" / "beta" / "inbound" / "20250101_000000001.x12", _x12(2), 1_700_000_000)
    (tmp_path / "edi" / "linked").symlink_to(tmp_path / "edi" / "acme")
    monkeypatch.setattr(edi_reader, "BATCH_FILES", 1)  # one file per batch: learnt apart
    files = runner._files(tmp_path / "edi", "*/*/*.x12")
    results = Loader(warehouse, tmp_path).load_files("edi", "x12", files, edi_stager(tmp_path))
    assert [(r.source, r.status) for r in results] == [
        ("edi/acme/inbound/20250101_000000001.x12", "loaded"),
        ("edi/beta/inbound/20250101_000000001.x12", "loaded"),
        ("edi/acme/inbound/20250101_000000001.x12", "skipped_duplicate"),
    ]
