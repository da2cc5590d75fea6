"""EDI X12 interchanges: the `ingestion.x12` parser's flat tables, landed as `raw.edi_*`.

Policy: a transaction set with an envelope-level error (control number mismatch, segment count,
missing trailer...) is not trusted: its document rows go to `quarantine.records` (raw text = the
row as JSON) and the set itself to `quarantine.edi_sets` with the reasons and its X12 text; the
clean `raw.edi_*` tables never see it. Content-level errors (a value that doesn't parse, an
unsupported set) keep the set, and every error of either level lands in `raw.edi_envelope_errors`
for the steward. `_source_row` is the set's ST segment position in the file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from ingestion.loader import BatchStaged, Staged, TempNames
from ingestion.manifest import resolved, resolved_path
from ingestion.quarantine import ENVELOPE_ERROR
from ingestion.warehouse import (
    LINEAGE_COLUMNS,
    ensure_table_like,
    lit,
    q,
    relation_columns,
    scalar,
)
from ingestion.x12 import ENVELOPE, ParsedSet, parse_file, to_tables

ERRORS_TABLE = "edi_envelope_errors"


def edi_stager(landing_root: Path | None = None):
    """The stager for X12 files: `stage(con, path, names) -> Staged`."""

    def stage(con: duckdb.DuckDBPyConnection, path: Path, names: TempNames) -> Staged:
        return stage_edi_file(con, path, names, landing_root)

    def many(
        con: duckdb.DuckDBPyConnection, files: list[tuple[Path, str]], names: TempNames
    ) -> BatchStaged:
        return stage_edi_files(con, [path for path, _ in files], names, landing_root)

    stage.many = many  # type: ignore[attr-defined]
    return stage


def stage_edi_files(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    names: TempNames,
    landing_root: Path | None = None,
) -> BatchStaged:
    """Several X12 files: each parsed on its own, their tables concatenated and staged once.

    Lands exactly what `stage_edi_file` does file by file; each relation carries `_file`.
    """
    batch = BatchStaged()
    all_sets: list[ParsedSet] = []
    bad_rows: list[dict[str, object]] = []
    files = []
    for position, path in enumerate(paths):
        source_file = _relative(path, landing_root)
        partner, direction = _partner_direction(source_file)
        sets = parse_file(path, keep_segments=True)
        rejected = [s for s in sets if not s.envelope_ok]
        all_sets += sets
        files.append((str(path), source_file, position))
        bad_rows += [
            {**row, "_file": position}
            for row in _bad_sets_rows(rejected, source_file, partner, direction)
        ]
        batch.files[position] = Staged(
            rows_read=0,
            notes=[f"{len(rejected)} set(s) quarantined for envelope errors"] if rejected else [],
        )
    mapping = pl.DataFrame(
        files,
        schema={"_path": pl.String, "_source_file": pl.String, "_file": pl.Int64},
        orient="row",
    )
    bad_sets = names("bad_sets")
    bad_frame = pl.DataFrame(bad_rows, schema={**_BAD_SETS_SCHEMA, "_file": pl.Int64})
    con.register(f"{bad_sets}_arrow", bad_frame.to_arrow())
    con.execute(f"create temp table {bad_sets} as select * from {bad_sets}_arrow")
    con.unregister(f"{bad_sets}_arrow")
    for table, frame in to_tables(all_sets).items():
        if frame.height == 0:
            continue
        frame = (
            frame.with_row_index("_order")
            .join(mapping, left_on="file", right_on="_path", how="left")
            .sort("_order")
            .with_columns(pl.col("_source_file").alias("file"))
            .drop("_order", "_source_file")
        )
        per_file = dict(frame.group_by("_file").len().iter_rows())
        covered = sorted(per_file)
        landed = names(f"landed_{table}")
        con.register(f"{landed}_arrow", frame.to_arrow())
        con.execute(
            f"create temp table {landed} as select *, st_position as _source_row from {landed}_arrow"
        )
        con.unregister(f"{landed}_arrow")
        if table == ERRORS_TABLE:
            batch.child_outputs.append((table, landed, covered))
            continue
        for position, count in per_file.items():
            batch.files[position].rows_read += count
        good, bad = names(f"good_{table}"), names(f"quarantined_{table}")
        # the row as JSON exactly as a file-by-file load writes it (without `_file`)
        row_fields = ", ".join(
            f"{q(c)} := l.{q(c)}" for c in [*frame.columns, "_source_row"] if c != "_file"
        )
        con.execute(
            f"create temp view {good} as select l.* from {landed} l anti join"
            f" (select _file, st_position from {bad_sets} where st_position is not null) b"
            " using (_file, st_position)"
        )
        con.execute(
            f"create temp view {bad} as select l._file, l._source_row, {lit(table)} as target_table,"
            f" {lit(ENVELOPE_ERROR)} as reason_code, b.detail,"
            f" cast(to_json(struct_pack({row_fields})) as varchar) as raw_text"
            f" from {landed} l join {bad_sets} b using (_file, st_position)"
        )
        batch.outputs.append((table, good, covered))
        batch.quarantine.append(bad)
    counts = names("bad_set_rows")
    quarantine_union = " union all ".join(
        f"select _file, _source_row as st_position from {rel}" for rel in batch.quarantine
    )
    con.execute(
        f"create temp view {counts} as select b.* exclude (st_position_key),"
        " coalesce(c.n, 0) as rows_excluded from"
        f" (select *, st_position as st_position_key from {bad_sets}) b left join"
        f" (select _file, st_position, count(*) as n from"
        f" ({quarantine_union or 'select null as _file, null as st_position'})"
        " group by _file, st_position) c on c._file = b._file and c.st_position = b.st_position_key"
    )
    batch.edi_sets = counts
    return batch


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
