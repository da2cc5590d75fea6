"""The one loader every reader goes through.

A reader *stages* what it read into temporary relations (clean rows per raw table, with
`_source_row`; quarantined rows with raw text and a reason). The loader then, in ONE transaction,
appends the clean rows to `raw.*` with lineage columns, copies the quarantined rows to
`quarantine.records`, and writes the `audit.load_manifest` row. A failure anywhere rolls all of
it back and records a `failed` manifest row instead, so a retry starts from a clean slate.

Files are skipped before parsing when their content hash was already loaded for the same feed;
the same content under another name is recorded once as `skipped_duplicate`.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import duckdb
import pyarrow as pa

from ingestion.manifest import (
    LOADED_STATUSES,
    FileState,
    ManifestRow,
    hash_files,
    list_files,
    new_load_id,
    registered,
    utcnow,
    write_manifest,
)
from ingestion.memory import gc_paused
from ingestion.quarantine import insert_records
from ingestion.warehouse import append_batch_to_raw, append_to_raw, lit


@dataclass
class Staged:
    """What a reader read from one file, waiting in temporary relations to be committed."""

    rows_read: int
    outputs: dict[str, str] = field(default_factory=dict)  # raw table -> relation
    # Rows that belong to a counted row of `outputs` (an array exploded out of one event): landed
    # with the same lineage, not counted again in rows in/loaded.
    child_outputs: dict[str, str] = field(default_factory=dict)
    quarantine: list[str] = field(default_factory=list)  # relations of quarantined rows
    notes: list[str] = field(default_factory=list)
    whole_file_quarantined: bool = False
    edi_sets: str | None = None  # relation shaped like quarantine.edi_sets (minus load columns)


@dataclass
class LoadResult:
    source_system: str
    feed: str
    source: str
    status: str  # loaded | quarantined | skipped_duplicate | already_loaded | failed
    load_id: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_unchanged: int = 0
    rows_deleted: int = 0
    notes: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class BatchStaged:
    """What a reader read from several files of one feed in one pass.

    Every relation has a `_file` column: the file's position in the list the reader was given.
    `files` holds each file's counts and notes (its relation fields unused); `outputs` and
    `child_outputs` are (raw table, relation, positions of the files it stands for) in the order
    the files first appear, so a column added by schema drift is noted on the first file that
    brought it, as a file-by-file load would.
    """

    files: dict[int, Staged] = field(default_factory=dict)
    outputs: list[tuple[str, str, list[int]]] = field(default_factory=list)
    child_outputs: list[tuple[str, str, list[int]]] = field(default_factory=list)
    quarantine: list[str] = field(default_factory=list)
    edi_sets: str | None = None

    def add_single(
        self, con: duckdb.DuckDBPyConnection, position: int, staged: Staged, names: TempNames
    ) -> None:
        """Fold one file staged on its own (a `Stager`'s result) into the batch."""

        def tagged(relation: str) -> str:
            view = names("file")
            con.execute(f"create temp view {view} as select *, {position} as _file from {relation}")
            return view

        self.files[position] = Staged(
            rows_read=staged.rows_read,
            notes=list(staged.notes),
            whole_file_quarantined=staged.whole_file_quarantined,
        )
        self.outputs += [(t, tagged(r), [position]) for t, r in staged.outputs.items()]
        self.child_outputs += [(t, tagged(r), [position]) for t, r in staged.child_outputs.items()]
        self.quarantine += [tagged(r) for r in staged.quarantine]
        if staged.edi_sets is not None:
            edi = tagged(staged.edi_sets)
            if self.edi_sets is None:
                self.edi_sets = edi
            else:
                union = names("edi_sets")
                con.execute(
                    f"create temp view {union} as select * from {self.edi_sets}"
                    f" union all by name select * from {edi}"
                )
                self.edi_sets = union


Stager = Callable[[duckdb.DuckDBPyConnection, Path, "TempNames"], Staged]
# A stager may also offer `stage.many(con, [BatchFile, ...], names) -> BatchStaged`: the loader
# then stages a whole batch of files in one pass.


class BatchFile(NamedTuple):
    """One file of a batch handed to `stage.many`."""

    path: Path
    source_file: str  # as recorded in lineage (landing-relative)
    content: bytes | None  # the bytes the hash was taken of, when the hash pass read the file


# Files per transaction: each file is whole inside one transaction, and a transaction carries up
# to this many files (or bytes), because a commit costs an fsync and a landing zone holds
# thousands of small daily files. A failing file rolls its batch back; the batch is then retried
# file by file so only the bad file fails. A stager with `many` stages the whole batch in one
# pass, so the statement count per batch hardly depends on its size: the larger, the faster.
BATCH_FILES = 512
BATCH_BYTES = 64 << 20
# A stager may set its own `stage.batch_files` and `stage.batch_bytes`: the X12 reader takes
# many more of its tiny files per batch (a batch costs the same few statements whatever its file
# count) and fewer bytes (a parsed megabyte of X12 takes tens of megabytes of Python objects).


class TempNames:
    """Unique names for a reader's temporary relations (all start with `_bb_`)."""

    _counter = itertools.count()

    def __call__(self, stem: str) -> str:
        return f"_bb_{stem}_{next(self._counter)}"

    @staticmethod
    def drop_all(con: duckdb.DuckDBPyConnection) -> None:
        """Drop every `_bb_` temporary view and table of the connection."""
        objects = con.execute(
            "select 'view', view_name from duckdb_views() where temporary and view_name like '\\_bb\\_%' escape '\\'"
            " union all select 'table', table_name from duckdb_tables()"
            " where temporary and table_name like '\\_bb\\_%' escape '\\'"
        ).fetchall()
        for kind, name in sorted(objects, key=lambda o: o[0] != "view"):
            con.execute(f"drop {kind} if exists temp.{name}")


@dataclass
class _Prior:
    load_id: str
    source_file: str
    status: str
    rows_read: int


class Loader:
    """Lands staged reads in the warehouse; see the module docstring for the guarantees."""

    def __init__(self, con: duckdb.DuckDBPyConnection, landing_root: Path | None = None) -> None:
        self.con = con
        self.landing_root = landing_root
        # raw tables' columns, cached only while one batch transaction is open
        self._known_tables: dict[str, set[str]] | None = None
        # batches staged together that failed and were retried file by file
        self.batch_fallbacks = 0
        self.batch_errors: list[str] = []  # why, for each of them

    def load_file(self, source_system: str, feed: str, path: Path, stage: Stager) -> LoadResult:
        """Load one file through a reader's stager, unless its content was already loaded."""
        return self.load_files(source_system, feed, [path], stage)[0]

    def load_files(
        self,
        source_system: str,
        feed: str,
        paths: Sequence[str | os.PathLike[str]],
        stage: Stager,
    ) -> list[LoadResult]:
        """Load files of one feed in order; one result per file, in the order given.

        Hashes are checked before anything is parsed: a file already loaded under the same name
        is `already_loaded` (no manifest row); the same content under another name is recorded
        once as `skipped_duplicate`. Content that held no rows (a header-only daily export is
        byte-identical every quiet day) is never treated as a duplicate.
        """
        results: list[LoadResult | None] = [None] * len(paths)
        batch_files = getattr(stage, "batch_files", BATCH_FILES)
        batch_bytes = getattr(stage, "batch_bytes", BATCH_BYTES)
        pending = self._pending(source_system, feed, paths, results, batch_files)
        batches = 0
        with _checkpoints_deferred(self.con):
            for batch in _batches(pending, batch_files, batch_bytes):
                batches += 1
                for position, result in self._load_batch(batch, stage):
                    results[position] = result
        if batches > 1:
            self.con.execute("checkpoint")  # the batches' WAL into the database file, once
        assert all(result is not None for result in results)
        return results  # type: ignore[return-value]

    def _pending(
        self,
        source_system: str,
        feed: str,
        paths: Sequence[str | os.PathLike[str]],
        results: list[LoadResult | None],
        chunk_files: int,
    ) -> Iterator[_Pending]:
        """The files that need a load (or a `skipped_duplicate` row), in order; files already
        loaded go straight to `results`.

        Every file is stat'ed and checked against the hash cache and the manifest at once, in
        SQL (`list_files`); only the rest reach Python's triage, with the earlier loads of their
        contents. Files not in the cache are read and hashed a batch's worth (`chunk_files`) at a
        time, just before that batch loads, and their bytes go to the reader with them: each new
        file is read once, only about a batch's worth of bytes is held at a time, and the hash
        cache takes one insert per batch.
        """
        with gc_paused():  # hundreds of thousands of small objects: the collector rescans them
            listing = list_files(self.con, paths, self.landing_root, source_system, feed)
            for position, (loaded, source_file) in enumerate(
                zip(listing.loaded, listing.source_files, strict=True)
            ):
                if loaded:
                    results[position] = LoadResult(
                        source_system, feed, source_file, "already_loaded"
                    )
        triage = _Triage(source_system, feed, self._priors(source_system, feed))
        pending = listing.pending
        for start in range(0, len(pending), chunk_files):
            chunk = pending[start : start + chunk_files]
            hash_files(self.con, [state for _, state in chunk])
            triage.learn([state.content_hash for _, state in chunk])
            for position, state in chunk:
                source_file = listing.source_files[position]
                item = triage.pending(position, state, source_file)
                if item is None:
                    results[position] = LoadResult(
                        source_system, feed, source_file, "already_loaded"
                    )
                else:
                    yield item
                state.content = None

    def _load_batch(self, batch: list[_Pending], stage: Stager) -> list[tuple[int, LoadResult]]:
        many = getattr(stage, "many", None)
        if many is not None and len(batch) > 1:
            together = self._load_batch_together(batch, many)
            if together is not None:
                return together
            self.batch_fallbacks += 1
            outcomes = []
            for item in batch:
                _reset(item)
                outcomes += self._load_batch([item], stage)
            return outcomes
        con = self.con
        con.execute("begin transaction")
        self._known_tables = {}
        try:
            for item in batch:
                row, twin = item.row, item.twin
                if twin is not None and twin.status in LOADED_STATUSES and twin.rows_read > 0:
                    _mark_duplicate(row, twin.load_id, twin.source_file or "")
                if row.status != "skipped_duplicate":
                    staged = stage(con, item.path, TempNames())
                    # Raw rows carry their position (_source_row), so copies needn't keep scan
                    # order; unordered, DuckDB copies in parallel (twice as fast reading rowid).
                    with _unordered(con):
                        self.commit_staged(row, staged)
                    row.check_balance()
                write_manifest(con, row)
            TempNames.drop_all(con)
            con.execute("commit")
            self._known_tables = None
            return [(item.position, self._result(item.row)) for item in batch]
        except Exception as exc:
            con.execute("rollback")
            TempNames.drop_all(con)  # registered Arrow views outlive a rollback
            self._known_tables = None
            if len(batch) == 1:
                return [(batch[0].position, self._record_failure(batch[0].row, exc))]
        # A file of the batch failed: retry one file per transaction, so only that file fails.
        outcomes = []
        for item in batch:
            _reset(item)
            outcomes += self._load_batch([item], stage)
        return outcomes

    def _load_batch_together(
        self, batch: list[_Pending], many: Callable[..., BatchStaged]
    ) -> list[tuple[int, LoadResult]] | None:
        """The batch in one transaction, its files staged in one pass; None when it failed
        (rolled back: the caller retries file by file)."""
        con = self.con
        con.execute("begin transaction")
        self._known_tables = {}
        try:
            rows_in_batch = {id(item.row) for item in batch}
            staged_items: list[_Pending] = []
            deferred: list[_Pending] = []  # same content as an earlier file of this batch
            for item in batch:
                row, twin = item.row, item.twin
                if twin is not None and id(twin) in rows_in_batch:
                    if row.status != "skipped_duplicate":
                        deferred.append(item)
                    continue
                if twin is not None and twin.status in LOADED_STATUSES and twin.rows_read > 0:
                    _mark_duplicate(row, twin.load_id, twin.source_file or "")
                if row.status != "skipped_duplicate":
                    staged_items.append(item)
            rows = [item.row for item in staged_items]
            staged = many(
                con,
                [
                    BatchFile(item.path, item.row.source_file or "", item.content)
                    for item in staged_items
                ],
                TempNames(),
            )
            for position, row in enumerate(rows):
                own = staged.files[position]
                row.rows_read = own.rows_read
                row.notes.extend(own.notes)
                if own.whole_file_quarantined:
                    row.status = "quarantined"
            with _unordered(con):
                self._commit_batch(rows, staged)
            for item in deferred:
                twin = item.twin
                assert twin is not None
                if twin.status in LOADED_STATUSES and twin.rows_read > 0:
                    _mark_duplicate(item.row, twin.load_id, twin.source_file or "")
                else:
                    # Same content that held no rows: the same (empty) outcome, under its name.
                    original = next(i for i, r in enumerate(rows) if r is twin)
                    own = staged.files[original]
                    item.row.notes.extend(own.notes)
                    item.row.target_tables.extend(twin.target_tables)
                    if own.whole_file_quarantined:
                        item.row.status = "quarantined"
            for item in batch:
                item.row.check_balance()
            write_manifest(con, [item.row for item in batch])
            TempNames.drop_all(con)
            con.execute("commit")
            self._known_tables = None
            return [(item.position, self._result(item.row)) for item in batch]
        except Exception as exc:
            con.execute("rollback")
            TempNames.drop_all(con)  # registered Arrow views outlive a rollback
            self._known_tables = None
            self.batch_errors.append(f"{type(exc).__name__}: {exc}")
            return None

    def _commit_batch(self, rows: list[ManifestRow], staged: BatchStaged) -> None:
        """Inside a transaction: append a batch's staged relations, filling each file's row."""
        con = self.con
        files = TempNames()("lineage")
        # the batch's lineage as one Arrow table: a VALUES list of 8,192 rows took a second to parse
        lineage = pa.table(
            {
                "_file": pa.array(range(len(rows)), pa.int64()),
                "_load_id": [row.load_id for row in rows],
                "_source_system": [row.source_system for row in rows],
                "_source_file": [row.source_file or row.source_table for row in rows],
                "_loaded_at": pa.array([row.started_at for row in rows], pa.timestamp("us")),
            },
            schema=_LINEAGE_SCHEMA,
        )
        con.register(files, lineage)
        known = self._known_tables
        for outputs, counted in ((staged.outputs, True), (staged.child_outputs, False)):
            for table, relation, covered in outputs:
                counts, added = append_batch_to_raw(con, table, relation, files, known)
                for position in covered:
                    rows[position].target_tables.append(table)
                    if counted:
                        rows[position].rows_loaded += counts.get(position, 0)
                if added and covered:
                    rows[min(covered)].notes.append(
                        f"raw.{table}: new column(s) {', '.join(added)}"
                    )
        for relation in staged.quarantine:
            counts = dict(
                con.execute(f"select _file, count(*) from {relation} group by _file").fetchall()
            )
            if not counts:
                continue
            con.execute(
                "insert into quarantine.records select l._load_id, l._source_system,"
                f" {lit(rows[0].feed)}, l._source_file, cast(r._source_row as bigint),"
                " r.target_table, r.reason_code, r.detail, r.raw_text, l._loaded_at"
                f" from {relation} r join {files} l using (_file)"
            )
            for position, count in counts.items():
                rows[position].rows_quarantined += count
        if staged.edi_sets is not None:
            con.execute(
                "insert into quarantine.edi_sets by name select r.* exclude (_file),"
                " l._load_id as load_id, l._loaded_at as quarantined_at"
                f" from {staged.edi_sets} r join {files} l using (_file)"
            )

    def _priors(self, source_system: str, feed: str) -> Callable[[list[str]], list[tuple]]:
        """Earlier loads of the feed with given contents, as (hash, load id, file, status, rows
        read) in load order: only the contents a call has to decide on are read, not the feed's
        whole manifest (395,000 rows at scale m took 1.9 s into Python)."""

        def priors(hashes: list[str]) -> list[tuple]:
            if not hashes:
                return []
            with registered(self.con, "_bb_prior_hashes", pa.table({"h": hashes})) as wanted:
                return self.con.execute(
                    "select content_hash, load_id, source_file, status, rows_read"
                    " from audit.load_manifest where source_system = ? and feed = ?"
                    f" and content_hash in (select h from {wanted}) and status <> 'failed'"
                    " order by started_at",
                    [source_system, feed],
                ).fetchall()

        return priors

    def commit_staged(self, row: ManifestRow, staged: Staged) -> None:
        """Inside a transaction: append a reader's staged relations and fill the manifest row."""
        con = self.con
        lineage = {
            "_load_id": row.load_id,
            "_source_system": row.source_system,
            "_source_file": row.source_file or row.source_table,
            "_loaded_at": row.started_at.isoformat(sep=" "),
        }
        row.rows_read = staged.rows_read
        row.notes.extend(staged.notes)
        known = self._known_tables
        for table, relation in staged.outputs.items():
            count, added = append_to_raw(con, table, relation, lineage, known)
            row.rows_loaded += count
            row.target_tables.append(table)
            if added:
                row.notes.append(f"raw.{table}: new column(s) {', '.join(added)}")
        for table, relation in staged.child_outputs.items():
            _, added = append_to_raw(con, table, relation, lineage, known)
            row.target_tables.append(table)
            if added:
                row.notes.append(f"raw.{table}: new column(s) {', '.join(added)}")
        for relation in staged.quarantine:
            row.rows_quarantined += insert_records(
                con,
                relation,
                load_id=row.load_id,
                source_system=row.source_system,
                feed=row.feed,
                source_file=row.source_file or row.source_table,
                quarantined_at=row.started_at.isoformat(sep=" "),
            )
        if staged.edi_sets is not None:
            con.execute(
                f"insert into quarantine.edi_sets by name select *, {lit(row.load_id)} as load_id,"
                f" cast({lit(row.started_at.isoformat(sep=' '))} as timestamp) as quarantined_at"
                f" from {staged.edi_sets}"
            )
        if staged.whole_file_quarantined:
            row.status = "quarantined"

    @contextmanager
    def transaction(self, row: ManifestRow) -> Iterator[ManifestRow]:
        """One transaction: the caller's writes plus the manifest row, or nothing at all."""
        con = self.con
        con.execute("begin transaction")
        try:
            yield row
            row.check_balance()
            write_manifest(con, row)
            con.execute("commit")
        except Exception as exc:
            con.execute("rollback")
            self._record_failure(row, exc)
            raise LoadFailed(self._result(row)) from exc

    def _record_failure(self, row: ManifestRow, exc: Exception) -> LoadResult:
        failed = ManifestRow(
            load_id=row.load_id,
            source_system=row.source_system,
            feed=row.feed,
            started_at=row.started_at,
            source_file=row.source_file,
            source_table=row.source_table,
            cursor_column=row.cursor_column,
            cursor_from=row.cursor_from,
            content_hash=row.content_hash,
            file_bytes=row.file_bytes,
            status="failed",
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        write_manifest(self.con, failed)
        row.status, row.error = "failed", failed.error
        row.rows_loaded = row.rows_quarantined = 0
        return self._result(row)

    @staticmethod
    def _result(row: ManifestRow) -> LoadResult:
        return LoadResult(
            source_system=row.source_system,
            feed=row.feed,
            source=row.source_file or row.source_table or "",
            status=row.status,
            load_id=row.load_id,
            rows_read=row.rows_read,
            rows_loaded=row.rows_loaded,
            rows_quarantined=row.rows_quarantined,
            rows_unchanged=row.rows_unchanged,
            rows_deleted=row.rows_deleted,
            notes=list(row.notes),
            error=row.error,
        )


@dataclass
class _Pending:
    position: int
    row: ManifestRow
    path: Path
    twin: ManifestRow | None  # an earlier file of the same call with the same content
    original: tuple[str, str] | None = None  # (load id, file) of an earlier load, same content
    content: bytes | None = None  # the file's bytes, when the hash pass read them


class _Triage:
    """Decides, file by file in the order given, whether a file needs a load: already loaded
    under this name (no), the content of an earlier load under another name (a
    `skipped_duplicate` row), the same content as an earlier file of this call (decided when
    that one is loaded: had it rows?), or new.

    It knows the earlier loads of the contents it was told to `learn`. Each content is read
    once, when its first file is triaged, so before this call loaded any file of it: what the
    call loads itself is found through `first_with_hash`, never as an earlier load."""

    def __init__(
        self, source_system: str, feed: str, priors: Callable[[list[str]], list[tuple]]
    ) -> None:
        self.source_system, self.feed, self.priors = source_system, feed, priors
        self.index: dict[str, list[_Prior]] = {}
        self.loaded_names: set[tuple[str, str]] = set()
        self.first_with_hash: dict[str, ManifestRow] = {}  # first pending file of each content
        self.originals: dict[str, _Prior | None] = {}  # the earlier load each content duplicates

    def learn(self, hashes: list[str | None]) -> None:
        """Read the earlier loads of these contents (each content once)."""
        wanted = sorted({h for h in hashes if h is not None and h not in self.index})
        for content_hash in wanted:
            self.index[content_hash] = []
        for content_hash, load_id, source_file, status, rows_read in self.priors(wanted):
            self.index[content_hash].append(_Prior(load_id, source_file, status, rows_read))
            self.loaded_names.add((content_hash, source_file))

    def pending(self, position: int, state: FileState, source_file: str) -> _Pending | None:
        """The file's pending load, or None when it was already loaded under this name."""
        content_hash = state.content_hash
        assert content_hash is not None
        if (content_hash, source_file) in self.loaded_names:
            return None
        row = ManifestRow(
            load_id=new_load_id(self.source_system),
            source_system=self.source_system,
            feed=self.feed,
            started_at=utcnow(),
            source_file=source_file,
            content_hash=content_hash,
            file_bytes=state.size,
        )
        original = self._original(content_hash)
        prior = None
        if original is not None:
            prior = (original.load_id, original.source_file)
            _mark_duplicate(row, *prior)
        twin = self.first_with_hash.setdefault(content_hash, row)
        return _Pending(
            position,
            row,
            Path(state.path),  # made only for files to load: the runner passes text
            None if twin is row else twin,
            prior,
            None if row.status == "skipped_duplicate" else state.content,
        )

    def _original(self, content_hash: str) -> _Prior | None:
        """The earlier load with rows of this content (looked up once per content: many files
        share one header-only content)."""
        if content_hash not in self.originals:
            self.originals[content_hash] = next(
                (
                    p
                    for p in self.index.get(content_hash, [])
                    if p.status in LOADED_STATUSES and p.rows_read > 0
                ),
                None,
            )
        return self.originals[content_hash]


def _mark_duplicate(row: ManifestRow, original_id: str, original_file: str) -> None:
    row.status = "skipped_duplicate"
    row.duplicate_of = original_id
    row.notes = [f"same content as {original_file}"]


_LINEAGE_SCHEMA = pa.schema(
    [
        ("_file", pa.int64()),
        ("_load_id", pa.string()),
        ("_source_system", pa.string()),
        ("_source_file", pa.string()),
        ("_loaded_at", pa.timestamp("us")),
    ]
)


def _batches(
    pending: Iterable[_Pending], max_files: int, max_bytes: int
) -> Iterator[list[_Pending]]:
    """Consecutive batches of at most `max_files` files and `max_bytes` bytes."""
    current: list[_Pending] = []
    size = 0
    for item in pending:
        file_bytes = item.row.file_bytes or 0
        if current and (len(current) >= max_files or size + file_bytes > max_bytes):
            yield current
            current, size = [], 0
        current.append(item)
        size += file_bytes
    if current:
        yield current


def _reset(item: _Pending) -> ManifestRow:
    """The item's manifest row as it was before a rolled-back attempt filled it in (in place:
    a later file of the same content refers to it as its twin), a duplicate of an earlier load
    still marked as one."""
    row = item.row
    fresh = ManifestRow(
        load_id=row.load_id,
        source_system=row.source_system,
        feed=row.feed,
        started_at=row.started_at,
        source_file=row.source_file,
        content_hash=row.content_hash,
        file_bytes=row.file_bytes,
    )
    row.__dict__.update(fresh.__dict__)
    if item.original is not None:
        _mark_duplicate(row, *item.original)
    return row


# While a call loads many batches, DuckDB checkpoints only past this much WAL. At its default
# (16 MB) it checkpointed after nearly every batch commit: at scale m the commits took 86 s of a
# 310 s X12 load, and 30 s plus one 5 s checkpoint with this. Every commit is still durable (in
# the WAL); the call ends with one checkpoint. DuckDB holds the WAL's data in memory meanwhile
# (about 0.7 GB more at the peak at m).
DEFERRED_CHECKPOINT = "1GB"


@contextmanager
def _checkpoints_deferred(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    previous = con.execute("select current_setting('checkpoint_threshold')").fetchall()[0][0]
    con.execute(f"set checkpoint_threshold = '{DEFERRED_CHECKPOINT}'")
    try:
        yield
    finally:
        con.execute(f"set checkpoint_threshold = {lit(previous)}")


@contextmanager
def _unordered(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    previous = con.execute("select current_setting('preserve_insertion_order')").fetchall()[0][0]
    con.execute("set preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"set preserve_insertion_order = {'true' if previous else 'false'}")


class LoadFailed(Exception):
    """A load rolled back; `result` is its (failed) outcome, already in the manifest."""

    def __init__(self, result: LoadResult) -> None:
        super().__init__(result.error)
        self.result = result
