"""EDI X12 interchanges: the `ingestion.x12` parser's flat tables, landed as `raw.edi_*`.

Policy: a transaction set with an envelope-level error (control number mismatch, segment count,
missing trailer...) is not trusted: its document rows go to `quarantine.records` (raw text = the
row as JSON) and the set itself to `quarantine.edi_sets` with the reasons and its X12 text; the
clean `raw.edi_*` tables never see it. Content-level errors (a value that doesn't parse, an
unsupported set) keep the set, and every error of either level lands in `raw.edi_envelope_errors`
for the steward. `_source_row` is the set's ST segment position in the file.
"""

from __future__ import annotations

from itertools import chain
from pathlib import Path
from typing import NamedTuple

import duckdb
import polars as pl
import pyarrow as pa

from ingestion.loader import BatchFile, BatchStaged, Staged, TempNames
from ingestion.manifest import resolved, resolved_path
from ingestion.memory import gc_paused
from ingestion.quarantine import ENVELOPE_ERROR
from ingestion.warehouse import (
    LINEAGE_COLUMNS,
    ensure_table_like,
    lit,
    q,
    relation_columns,
    scalar,
)
from ingestion.x12 import ENVELOPE, TABLE_SCHEMAS, ParsedSet, parse_bytes, parse_file, to_tables
from ingestion.x12.pool import map_in_workers, worker_count
from ingestion.x12.pool import started as pool_started

ERRORS_TABLE = "edi_envelope_errors"


# Files and bytes per transaction. A batch costs a fixed handful of statements whatever its file
# count (the tables of all its files are built and inserted together), and an X12 file is
# typically under 1 KB, so the loader's default of 512 files would spend most of the time on
# statements and commits. Parsed, a megabyte of X12 holds tens of megabytes of Python objects
# until its tables are built, hence the byte cap (a 13 MB batch peaked near 0.9 GB).
BATCH_FILES = 16384
BATCH_BYTES = 16 << 20
# A batch of at least this many bytes is parsed in worker processes (`ingestion.x12.pool`), cut
# into this many runs of files per worker; a smaller one isn't worth the pickling.
PARALLEL_MIN_BYTES = 1 << 20
RUNS_PER_WORKER = 2
# ... once the workers run. Starting them costs about 4 s on a 2-core VM (two processes importing
# the parser) and saves at most half a batch's parse (16 MB parse in about 3 s here), so only a
# batch near the byte cap starts them: a first load or a backfill, with more such batches to
# come. A day's increment at scale m (1,363 files, 3.4 MB) took 8.2 s with the start, 4.2 s
# parsed here.
POOL_START_MIN_BYTES = 12 << 20


def edi_stager(landing_root: Path | None = None):
    """The stager for X12 files: `stage(con, path, names) -> Staged`."""

    def stage(con: duckdb.DuckDBPyConnection, path: Path, names: TempNames) -> Staged:
        return stage_edi_file(con, path, names, landing_root)

    def many(
        con: duckdb.DuckDBPyConnection, files: list[BatchFile], names: TempNames
    ) -> BatchStaged:
        return stage_edi_files(con, files, names)

    stage.many = many  # type: ignore[attr-defined]
    stage.batch_files = BATCH_FILES  # type: ignore[attr-defined]
    stage.batch_bytes = BATCH_BYTES  # type: ignore[attr-defined]
    return stage


def stage_edi_files(
    con: duckdb.DuckDBPyConnection, files: list[BatchFile], names: TempNames
) -> BatchStaged:
    """Several X12 files parsed in one pass, their tables built and staged together.

    Lands exactly what `stage_edi_file` does file by file; each relation carries `_file` (the
    file's position in `files`). The work per batch is columnar: one `to_tables` over every set,
    the split into clean and quarantined rows in polars, and one registered Arrow table per raw
    table (no copy into DuckDB before the insert). Only the rows of rejected sets, which are
    rare, go through SQL to be rendered as JSON the way the file-by-file path renders them.

    A large batch is parsed in worker processes, in runs of consecutive files whose tables are
    concatenated in file order: what lands is the same whichever process parsed what.
    """
    # The collector stays off for the whole batch: the sets parsed so far would be rescanned
    # every few thousand allocations (measured: a quarter of the batch's time).
    with gc_paused():
        return _stage_batch(con, files, names)


def _stage_batch(
    con: duckdb.DuckDBPyConnection, files: list[BatchFile], names: TempNames
) -> BatchStaged:
    """The runs' tables put together in file order; the columnar work was done per run."""
    batch = BatchStaged()
    chunks = map_in_workers(_stage_chunk, _chunks(files))
    for position, rejected in enumerate(chain.from_iterable(c.rejected for c in chunks)):
        batch.files[position] = Staged(
            rows_read=0,
            notes=[f"{rejected} set(s) quarantined for envelope errors"] if rejected else [],
        )
    for table in TABLE_SCHEMAS:  # in the order to_tables gives them
        present = [chunk for chunk in chunks if table in chunk.rows_per_file]
        if not present:
            continue  # the raw table is declared once per run (declare_raw_tables)
        per_file = [pair for chunk in present for pair in chunk.rows_per_file[table]]
        covered = sorted(position for position, _ in per_file)
        if table == ERRORS_TABLE:  # landed with the set's lineage, not counted as rows in
            landed = _register(con, names(f"landed_{table}"), [c.good[table] for c in present])
            batch.child_outputs.append((table, landed, covered))
            continue
        for position, count in per_file:
            batch.files[position].rows_read += count
        held = [chunk.held[table] for chunk in present if table in chunk.held]
        if held:
            batch.quarantine.append(_quarantined(con, names, table, held))
        good = _register(con, names(f"good_{table}"), [c.good[table] for c in present])
        batch.outputs.append((table, good, covered))
    if any(chunk.bad_sets.num_rows for chunk in chunks):
        batch.edi_sets = _register(con, names("bad_sets"), [c.bad_sets for c in chunks])
    return batch


class _Chunk(NamedTuple):
    """Consecutive files of a batch, parsed, tabulated and split (in a worker or here).

    Everything per row is done here, where the run is parsed, so that the loading process only
    concatenates. Tables travel as Arrow: pickled, a `pyarrow.Table` is its buffers (three times
    cheaper to pickle and unpickle than a polars frame, which goes through IPC).
    """

    good: dict[str, pa.Table]
    """Per table with rows: the rows for raw (all of them for the errors table), each with
    `_file` (its file's position in the batch) and `_source_row` (its set's ST position)."""
    held: dict[str, pa.Table]
    """Per table: the rows of sets with envelope errors, with the set's `detail` (if any)."""
    rows_per_file: dict[str, list[tuple[int, int]]]
    """Per table with rows: (file position, rows) for each file with rows in it."""
    bad_sets: pa.Table
    """The sets with envelope errors, shaped like `quarantine.edi_sets` with `rows_excluded`,
    plus `_file`."""
    rejected: list[int]
    """Per file of the run: how many of its sets have envelope errors."""


def _chunks(files: list[BatchFile]) -> list[tuple[list[BatchFile], int]]:
    """The batch cut into runs of about equal bytes, each with its first file's position: one
    run when the batch is too small to be worth the workers."""
    sizes = [len(f.content) if f.content is not None else _size(f.path) for f in files]
    total = sum(sizes)
    workers = worker_count()
    if workers == 0 or total < (PARALLEL_MIN_BYTES if pool_started() else POOL_START_MIN_BYTES):
        return [(files, 0)]
    # more runs than workers: a worker slowed down by a neighbour holds up less of the batch
    count = min(len(files), workers * RUNS_PER_WORKER)
    runs: list[tuple[list[BatchFile], int]] = []
    start, size = 0, 0
    for position, file_bytes in enumerate(sizes):
        size += file_bytes
        if size * count >= total * (len(runs) + 1) or position == len(files) - 1:
            runs.append((files[start : position + 1], start))
            start = position + 1
    return runs


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # parse_file reports it


def _stage_chunk(run: tuple[list[BatchFile], int]) -> _Chunk:
    """Parse a run of files, build its tables and split them into rows for raw and rows held
    back with their rejected set (runs in a worker process: no DuckDB here). A set lies in one
    file, so a run's rejected sets hold back rows of that run only."""
    files, first = run
    with gc_paused():
        parsed = [_parse(file) for file in files]
        tables = to_tables(chain.from_iterable(parsed))
        rejected: list[dict[str, object]] = []
        counts: list[int] = []
        for position, (file, sets) in enumerate(zip(files, parsed, strict=True), first):
            partner, direction = _partner_direction(file.source_file)
            bad = [s for s in sets if not s.envelope_ok]
            rejected += [
                {**row, "_file": position}
                for row in _bad_sets_rows(bad, file.source_file, partner, direction)
            ]
            counts.append(len(bad))
        del parsed  # the sets' objects go now, before the tables are split and pickled
    bad_sets = pl.DataFrame(rejected, schema={**_BAD_SETS_SCHEMA, "_file": pl.Int64})
    bad_keys = bad_sets.filter(pl.col("st_position").is_not_null()).select(
        "_file", "st_position", "detail"
    )
    positions = {file.source_file: position for position, file in enumerate(files, first)}
    chunk = _Chunk({}, {}, {}, pa.table({}), counts)
    excluded: list[pl.DataFrame] = []  # (_file, st_position, len) of rows held back, per table
    for table, frame in tables.items():
        if frame.height == 0:
            continue
        frame = frame.with_columns(
            pl.col("file").replace_strict(positions, return_dtype=pl.Int64).alias("_file"),
            pl.col("st_position").alias("_source_row"),
        )
        chunk.rows_per_file[table] = list(frame.group_by("_file").len().iter_rows())
        if table == ERRORS_TABLE:
            chunk.good[table] = frame.to_arrow()
            continue
        good, held = _split_held(frame, bad_keys)
        chunk.good[table] = good.to_arrow()
        if held.height:
            chunk.held[table] = held.to_arrow()
            excluded.append(held.group_by("_file", "st_position").len())
    # every run's bad_sets has the same columns, rows or not: the batch concatenates them
    return chunk._replace(bad_sets=_with_rows_excluded(bad_sets, excluded).to_arrow())


def _split_held(frame: pl.DataFrame, bad_keys: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows for raw, rows of rejected sets with the set's `detail`)."""
    if not bad_keys.height:
        return frame, frame.clear().with_columns(detail=pl.lit(None, pl.String))
    keys = ["_file", "st_position"]
    return frame.join(bad_keys, on=keys, how="anti"), frame.join(bad_keys, on=keys, how="inner")


def _parse(file: BatchFile) -> list[ParsedSet]:
    """One file's sets, named by its landing-relative path; from the bytes the loader hashed
    when it has them."""
    if file.content is None:
        return parse_file(file.path, keep_segments=True, file=file.source_file)
    return parse_bytes(file.content, file=file.source_file, keep_segments=True)


def _register(con: duckdb.DuckDBPyConnection, name: str, parts: list[pa.Table]) -> str:
    """The runs' parts, in order, visible to SQL as `name` (a temporary view over Arrow, no
    copy: each part stays a chunk), until the loader drops every temporary relation of the
    batch."""
    con.register(name, pa.concat_tables(parts) if len(parts) > 1 else parts[0])
    return name


def _quarantined(
    con: duckdb.DuckDBPyConnection, names: TempNames, table: str, held: list[pa.Table]
) -> str:
    """Rows of rejected sets as quarantine records; raw text = the row as JSON, rendered by
    DuckDB exactly as the file-by-file path renders it (without `_file` and the reason)."""
    rows = _register(con, names(f"held_{table}"), held)
    row_fields = ", ".join(
        f"{q(c)} := {q(c)}" for c in held[0].column_names if c not in ("_file", "detail")
    )
    relation = names(f"quarantined_{table}")
    con.execute(
        f"create temp view {relation} as select _file, _source_row,"
        f" {lit(table)} as target_table, {lit(ENVELOPE_ERROR)} as reason_code, detail,"
        f" cast(to_json(struct_pack({row_fields})) as varchar) as raw_text from {rows}"
    )
    return relation


def _with_rows_excluded(bad_sets: pl.DataFrame, excluded: list[pl.DataFrame]) -> pl.DataFrame:
    """Each rejected set with the count of its rows held back from raw (0 without rows)."""
    keys = ["_file", "st_position"]
    counts = (
        pl.concat(excluded).group_by(keys).agg(pl.col("len").sum().alias("rows_excluded"))
        if excluded
        else pl.DataFrame(
            schema={"_file": pl.Int64, "st_position": pl.Int64, "rows_excluded": pl.UInt32}
        )
    )
    return bad_sets.join(counts, on=keys, how="left").with_columns(
        pl.col("rows_excluded").fill_null(0).cast(pl.Int64)
    )


def stage_edi_file(
    con: duckdb.DuckDBPyConnection, path: Path, names: TempNames, landing_root: Path | None = None
) -> Staged:
    source_file = _relative(path, landing_root)
    partner, direction = _partner_direction(source_file)
    sets = parse_file(path, keep_segments=True)
    rejected = [s for s in sets if not s.envelope_ok]
    tables = to_tables(sets)

    bad_sets = names("bad_sets")
    con.register(f"{bad_sets}_arrow", _bad_sets_frame(rejected, source_file, partner, direction))
    con.execute(f"create temp table {bad_sets} as select * from {bad_sets}_arrow")
    con.unregister(f"{bad_sets}_arrow")
    staged = Staged(rows_read=0)
    for table, frame in tables.items():
        if frame.height == 0:
            continue  # the raw table is declared once per run (declare_raw_tables)
        landed = names(f"landed_{table}")
        con.register(f"{landed}_arrow", frame.to_arrow())
        con.execute(
            f"create temp table {landed} as select * replace ({lit(source_file)} as file),"
            f" st_position as _source_row from {landed}_arrow"
        )
        con.unregister(f"{landed}_arrow")
        if table == ERRORS_TABLE:
            staged.child_outputs[table] = landed
            continue
        staged.rows_read += int(scalar(con, f"select count(*) from {landed}"))
        good, bad = names(f"good_{table}"), names(f"quarantined_{table}")
        in_bad_set = (
            f"st_position in (select st_position from {bad_sets} where st_position is not null)"
        )
        con.execute(f"create temp view {good} as select * from {landed} where not {in_bad_set}")
        con.execute(
            f"create temp view {bad} as select l._source_row, {lit(table)} as target_table,"
            f" {lit(ENVELOPE_ERROR)} as reason_code, b.detail,"
            f" cast(to_json(l) as varchar) as raw_text"
            f" from {landed} l join {bad_sets} b using (st_position)"
        )
        staged.outputs[table] = good
        staged.quarantine.append(bad)
    counts = names("bad_set_rows")
    quarantine_union = " union all ".join(
        f"select _source_row as st_position from {rel}" for rel in staged.quarantine
    )
    con.execute(
        f"create temp view {counts} as select b.* exclude (st_position_key),"
        " coalesce(c.n, 0) as rows_excluded from"
        f" (select *, st_position as st_position_key from {bad_sets}) b left join"
        f" (select st_position, count(*) as n from ({quarantine_union or 'select null as st_position'})"
        " group by st_position) c on c.st_position = b.st_position_key"
    )
    staged.edi_sets = counts
    if rejected:
        staged.notes.append(f"{len(rejected)} set(s) quarantined for envelope errors")
    return staged


def declare_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create every `raw.edi_*` table from the parser's schemas, before any file arrives."""
    for table, frame in to_tables([]).items():
        empty = f"_bb_empty_{table}"
        con.register(empty, frame.to_arrow())
        try:
            columns = [(name, dtype) for name, dtype in relation_columns(con, empty)]
        finally:
            con.unregister(empty)
        ensure_table_like(con, "raw", table, [*columns, *LINEAGE_COLUMNS.items()])


def _bad_sets_frame(
    rejected: list[ParsedSet], source_file: str, partner: str | None, direction: str | None
):
    rows = _bad_sets_rows(rejected, source_file, partner, direction)
    return pl.DataFrame(rows, schema=_BAD_SETS_SCHEMA).to_arrow()


def _bad_sets_rows(
    rejected: list[ParsedSet], source_file: str, partner: str | None, direction: str | None
) -> list[dict[str, object]]:
    return [
        {
            "source_file": source_file,
            "partner": partner,
            "direction": direction,
            "isa_sender_id": s.interchange.sender_id if s.interchange else None,
            "isa_receiver_id": s.interchange.receiver_id if s.interchange else None,
            "isa_control": s.isa_control,
            "gs_control": s.gs_control,
            "st_control": s.st_control,
            "transaction_set": s.set_id,
            "st_position": s.st_position,
            "reason_code": ENVELOPE_ERROR,
            "detail": "; ".join(f"{e.code}: {e.message}" for e in s.errors if e.level == ENVELOPE)
            or "; ".join(f"{e.code}: {e.message}" for e in s.errors),
            "raw_text": s.raw_text(),
        }
        for s in rejected
    ]


_BAD_SETS_SCHEMA = {
    "source_file": pl.String,
    "partner": pl.String,
    "direction": pl.String,
    "isa_sender_id": pl.String,
    "isa_receiver_id": pl.String,
    "isa_control": pl.String,
    "gs_control": pl.String,
    "st_control": pl.String,
    "transaction_set": pl.String,
    "st_position": pl.Int64,
    "reason_code": pl.String,
    "detail": pl.String,
    "raw_text": pl.String,
}


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return resolved_path(path).relative_to(resolved(root)).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _partner_direction(source_file: str) -> tuple[str | None, str | None]:
    """`edi/<partner>/<inbound|outbound>/<file>` -> (partner, direction)."""
    parts = source_file.split("/")
    if len(parts) >= 3 and parts[-2] in ("inbound", "outbound"):
        return parts[-3], parts[-2]
    return None, None
