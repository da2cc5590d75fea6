"""Delimited file exports (CSV-like), driven entirely by a `DelimitedFeed` mapping.

DuckDB reads every column as VARCHAR first (nothing is lost), with `store_rejects` so a row with
the wrong field count or broken quoting is kept with its line number instead of dropped. Typed
conversion then happens in SQL with `try_cast`/`try_strptime`; a value that does not parse sends
its row to quarantine with the raw text. Latin-1 and UTF-16 are read by DuckDB directly; any
other encoding is transcoded to a UTF-8 temporary file in chunks first.

`_source_row` is the line number DuckDB reports for a record: the physical line where the file
has no quoted newlines; a record spanning several physical lines counts as one line.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.loader import BatchFile, BatchStaged, Staged, TempNames
from ingestion.mapping import ColumnSpec, CsvFormat, DelimitedFeed, canonical_name
from ingestion.quarantine import (
    CHECK_FAILED,
    MALFORMED_ROW,
    MISSING_COLUMN,
    MISSING_VALUE,
    TYPE_ERROR,
)
from ingestion.sqltypes import convert, joined
from ingestion.warehouse import LINEAGE_COLUMNS, ensure_table_like, lit, q

_DUCKDB_ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
    "iso8859-1": "latin-1",
    "utf-16": "utf-16",
}


def delimited_stager(feed: DelimitedFeed):
    """The stager for one feed: `stage(con, path, names) -> Staged`."""

    def stage(con: duckdb.DuckDBPyConnection, path: Path, names: TempNames) -> Staged:
        return stage_delimited_file(con, path, feed, names)

    def many(
        con: duckdb.DuckDBPyConnection, files: list[BatchFile], names: TempNames
    ) -> BatchStaged:
        return stage_delimited_files(con, [file.path for file in files], feed, names)

    stage.many = many  # type: ignore[attr-defined]
    return stage


def stage_delimited_files(
    con: duckdb.DuckDBPyConnection, paths: list[Path], feed: DelimitedFeed, names: TempNames
) -> BatchStaged:
    """Several files of one feed in as few passes as their headers allow.

    Each header is read first (cheap): an empty or header-only file is accounted without a read
    pass; a file missing a required column, or in an encoding DuckDB can't read, is staged on its
    own (`stage_delimited_file`); the rest are grouped by header and each group is read by one
    `read_csv` over its files, converted and checked once, then split by file. Rows, quarantine
    reasons, `_source_row` and notes are exactly those a file-by-file load gives.
    """
    fmt = feed.format
    native = _DUCKDB_ENCODINGS.get(fmt.encoding.lower())
    batch = BatchStaged()
    groups: dict[tuple[_Column, ...], list[int]] = {}
    for position, path in enumerate(paths):
        if native is None:
            batch.add_single(con, position, stage_delimited_file(con, path, feed, names), names)
            continue
        header = read_header(path, fmt, native)
        if header is None:
            batch.files[position] = Staged(rows_read=0, notes=["empty file: no header"])
            continue
        columns, notes = _resolve_columns(header, feed)
        missing = [
            spec.source
            for spec in feed.columns
            if spec.required and spec.name not in {c.name for c in columns if c.spec}
        ]
        if _header_only(path, fmt, native):
            if missing:
                notes.append(f"file quarantined: missing required column(s) {', '.join(missing)}")
            batch.files[position] = Staged(
                rows_read=0, notes=notes, whole_file_quarantined=bool(missing)
            )
            continue
        if missing:
            batch.add_single(con, position, stage_delimited_file(con, path, feed, names), names)
            continue
        batch.files[position] = Staged(rows_read=0, notes=notes)
        groups.setdefault(tuple(columns), []).append(position)
    for columns, positions in groups.items():
        _stage_group(
            con,
            [paths[p] for p in positions],
            positions,
            list(columns),
            native or "",
            feed,
            names,
            batch,
        )
    return batch


def _stage_group(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    positions: list[int],
    columns: list[_Column],
    encoding: str,
    feed: DelimitedFeed,
    names: TempNames,
    batch: BatchStaged,
) -> None:
    """Files sharing one header: one read, one conversion, split by `_file`."""
    fmt = feed.format
    rejects, scan, typed = names("rejects"), names("rejects_scan"), names("typed")
    if feed.row_checks:
        failed = [
            f"case when _type_errors is null and not coalesce(({condition}), true)"
            f" then {lit(name)} end"
            for name, condition in feed.row_checks.items()
        ]
        check_errors = joined(failed)
    else:
        check_errors = "cast(null as varchar)"
    keep_text = "_type_errors is not null or _missing is not null or _check_errors is not null"
    slots = ", ".join(c.slot for c in columns)
    inner, outer = _typed_select(columns, fmt)
    listed = "[" + ", ".join(lit(str(p)) for p in paths) + "]"
    file_of = f"cast(list_position({listed}, _bb_filename) - 1 as bigint)"
    source = _read_csv(paths, encoding, fmt, len(columns), rejects, scan, filename="_bb_filename")
    con.execute(
        f"create temp table {typed} as select * exclude ({slots}),"
        f" case when {keep_text} then {_raw_text_expr(columns, fmt)} end as _raw_text"
        f" from (select *, {check_errors} as _check_errors from ("
        f"select *, {outer} from (select {file_of} as _local, {inner} from {source})))"
    )
    first_line = fmt.header_row + 1
    bad_lines = names("bad_lines")
    con.execute(
        f"create temp table {bad_lines} as select cast(list_position({listed}, s.file_path) - 1"
        " as bigint) as _local, r.line, string_agg(distinct r.error_type, ', ') as errors,"
        f" min(trim(r.csv_line, chr(13) || chr(10))) as csv_line from {rejects} r"
        f" join {scan} s using (scan_id, file_id) group by all"
    )
    counts: dict[int, int] = {}
    for local, n in con.execute(
        f"select _local, count(*) from {typed} group by _local"
        f" union all select _local, count(*) from {bad_lines} group by _local"
    ).fetchall():
        counts[local] = counts.get(local, 0) + n
    for local, position in enumerate(positions):
        batch.files[position].rows_read = counts.get(local, 0)
    rejected = int(con.execute(f"select count(*) from {bad_lines}").fetchall()[0][0])
    positions_map = names("positions")
    con.execute(
        f"create temp table {positions_map} as select unnest(range({len(positions)})) as _local,"
        f" unnest([{', '.join(str(p) for p in positions)}]) as _file"
    )
    view = names("positioned")
    numbered = (
        f"select row_number() over (partition by _local order by rowid) - 1 as _k, * from {typed}"
    )
    if not rejected:
        con.execute(
            f"create temp view {view} as select s.* exclude (_k, _local), p._file,"
            f" s._k + {first_line} as _source_row from ({numbered}) s join {positions_map} p using (_local)"
        )
    else:
        steps = names("reject_steps")
        con.execute(
            f"create temp table {steps} as select _local, t, max(i) as i from ("
            f" select _local, line - {first_line}"
            " - (row_number() over (partition by _local order by line) - 1) as t,"
            f" row_number() over (partition by _local order by line) as i from {bad_lines})"
            " group by _local, t"
        )
        con.execute(
            f"create temp view {view} as select s.* exclude (_k, _local), p._file,"
            f" s._k + {first_line} + coalesce(r.i, 0) as _source_row"
            f" from ({numbered}) s asof left join {steps} r on s._local = r._local and s._k >= r.t"
            f" join {positions_map} p on p._local = s._local"
        )
    malformed = names("malformed")
    con.execute(
        f"create temp view {malformed} as select p._file, b.line as _source_row,"
        f" {lit(feed.table)} as target_table, {lit(MALFORMED_ROW)} as reason_code,"
        f" b.errors as detail, b.csv_line as raw_text from {bad_lines} b join {positions_map} p using (_local)"
    )
    good, bad = names("good"), names("bad")
    outputs = [q(c.name) for c in columns] + [
        f"cast({lit(value)} as varchar) as {q(name)}"
        for name, value in feed.constants.items()
        if name not in {c.name for c in columns}
    ]
    con.execute(
        f"create temp view {good} as select {', '.join(outputs)}, _source_row, _file from {view}"
        " where _type_errors is null and _missing is null and _check_errors is null"
    )
    con.execute(
        f"create temp view {bad} as select _file, _source_row, {lit(feed.table)} as target_table,"
        f" case when _type_errors is not null then {lit(TYPE_ERROR)}"
        f" when _missing is not null then {lit(MISSING_VALUE)} else {lit(CHECK_FAILED)} end"
        " as reason_code, concat_ws('; ', _type_errors, _missing, _check_errors) as detail,"
        f" _raw_text as raw_text from {view}"
        " where _type_errors is not null or _missing is not null or _check_errors is not null"
    )
    batch.outputs.append((feed.table, good, list(positions)))
    batch.quarantine.append(bad)
    if rejected:
        batch.quarantine.append(malformed)


@dataclass(frozen=True)
class _Column:
    position: int
    header: str
    name: str  # raw column name
    spec: ColumnSpec | None  # None: a column the mapping doesn't know (schema drift)

    @property
    def slot(self) -> str:
        return f"_raw{self.position}"


def stage_delimited_file(
    con: duckdb.DuckDBPyConnection, path: Path, feed: DelimitedFeed, names: TempNames
) -> Staged:
    fmt = feed.format
    with _utf8_readable(path, fmt.encoding) as (readable, encoding):
        header = read_header(readable, fmt, encoding)
        if header is None:
            return Staged(rows_read=0, notes=["empty file: no header"])
        columns, notes = _resolve_columns(header, feed)
        missing = [
            spec.source
            for spec in feed.columns
            if spec.required and spec.name not in {c.name for c in columns if c.spec}
        ]
        if _header_only(readable, fmt, encoding):
            # Most daily exports of a quiet day: nothing to parse (the raw table is declared).
            if missing:
                notes.append(f"file quarantined: missing required column(s) {', '.join(missing)}")
            return Staged(rows_read=0, notes=notes, whole_file_quarantined=bool(missing))
        rejects, scan = names("rejects"), names("rejects_scan")
        typed = names("typed")
        # One pass: parse as text, convert, check; keep the re-assembled raw text only for rows
        # that will go to quarantine (all of them when a required column is missing).
        if feed.row_checks and not missing:
            failed = [
                f"case when _type_errors is null and not coalesce(({condition}), true)"
                f" then {lit(name)} end"
                for name, condition in feed.row_checks.items()
            ]
            check_errors = joined(failed)
        else:
            check_errors = "cast(null as varchar)"
        keep_text = (
            "true"
            if missing
            else ("_type_errors is not null or _missing is not null or _check_errors is not null")
        )
        slots = ", ".join(c.slot for c in columns)
        inner, outer = _typed_select(columns, fmt)
        con.execute(
            f"create temp table {typed} as select * exclude ({slots}),"
            f" case when {keep_text} then {_raw_text_expr(columns, fmt)} end as _raw_text"
            f" from (select *, {check_errors} as _check_errors from ("
            f"select *, {outer} from (select {inner}"
            f" from {_read_csv(readable, encoding, fmt, len(columns), rejects, scan)})))"
        )
    first_line = fmt.header_row + 1
    bad_lines = names("bad_lines")
    con.execute(
        f"create temp table {bad_lines} as select line, string_agg(distinct error_type, ', ') as errors,"
        f" min(trim(csv_line, chr(13) || chr(10))) as csv_line from {rejects} group by line"
    )
    staged_rows, base, rejected, flagged = con.execute(
        f"select (select count(*) from {typed}), (select coalesce(min(rowid), 0) from {typed}),"
        f" (select count(*) from {bad_lines}), (select count(*) from {typed} where _raw_text is not null)"
    ).fetchall()[0]
    positioned = _with_source_row(con, typed, bad_lines, first_line, base, rejected, names)
    malformed = names("malformed")
    con.execute(
        f"create temp view {malformed} as select line as _source_row, {lit(feed.table)} as target_table,"
        f" {lit(MALFORMED_ROW)} as reason_code, errors as detail, csv_line as raw_text from {bad_lines}"
    )
    if missing:
        # A file without a required column can't be trusted at all: every row goes to quarantine.
        whole = names("whole_file")
        con.execute(
            f"create temp view {whole} as select _source_row, {lit(feed.table)} as target_table,"
            f" {lit(MISSING_COLUMN)} as reason_code,"
            f" {lit('missing required column(s): ' + ', '.join(missing))} as detail,"
            f" _raw_text as raw_text from {positioned}"
        )
        notes.append(f"file quarantined: missing required column(s) {', '.join(missing)}")
        return Staged(
            rows_read=staged_rows + rejected,
            quarantine=[whole, malformed] if rejected else [whole],
            notes=notes,
            whole_file_quarantined=True,
        )
    good, bad = names("good"), names("bad")
    outputs = [q(c.name) for c in columns] + [
        f"cast({lit(value)} as varchar) as {q(name)}"
        for name, value in feed.constants.items()
        if name not in {c.name for c in columns}
    ]
    con.execute(
        f"create temp view {good} as select {', '.join(outputs)}, _source_row from {positioned}"
        " where _type_errors is null and _missing is null and _check_errors is null"
    )
    con.execute(
        f"create temp view {bad} as select _source_row, {lit(feed.table)} as target_table,"
        f" case when _type_errors is not null then {lit(TYPE_ERROR)}"
        f" when _missing is not null then {lit(MISSING_VALUE)} else {lit(CHECK_FAILED)} end"
        " as reason_code, concat_ws('; ', _type_errors, _missing, _check_errors) as detail,"
        f" _raw_text as raw_text from {positioned}"
        " where _type_errors is not null or _missing is not null or _check_errors is not null"
    )
    # flagged: rows kept with raw text, i.e. the ones that go to quarantine (skip empty inserts)
    return Staged(
        rows_read=staged_rows + rejected,
        outputs={feed.table: good},
        quarantine=[rel for rel, n in ((bad, flagged), (malformed, rejected)) if n],
        notes=notes,
    )


def declare_raw_table(con: duckdb.DuckDBPyConnection, feed: DelimitedFeed) -> None:
    """Create the feed's raw table from its mapping (so it exists before any row arrives)."""
    columns = [(spec.name, spec.type) for spec in feed.columns]
    columns += [(name, "VARCHAR") for name in feed.constants if name not in dict(columns)]
    ensure_table_like(con, "raw", feed.table, columns + list(LINEAGE_COLUMNS.items()))


def read_header(path: Path, fmt: CsvFormat, encoding: str) -> list[str] | None:
    """The header fields, parsed like the rest of the file (quotes and all)."""
    with path.open("r", encoding=encoding, newline="") as handle:
        lines = itertools.islice(handle, fmt.header_row - 1, None)
        reader = csv.reader(
            lines,
            delimiter=fmt.delimiter,
            quotechar=fmt.quote or None,
            escapechar=None if fmt.escape == fmt.quote else fmt.escape,
            doublequote=fmt.escape == fmt.quote,
        )
        header = next(reader, None)
    if header is None:
        return None
    return [h.strip().lstrip("\ufeff") for h in header]


def _header_only(path: Path, fmt: CsvFormat, encoding: str) -> bool:
    """True when a small file has nothing but blank lines after its header."""
    if encoding != "utf-8" and encoding != "latin-1":
        return False
    if path.stat().st_size > 65536:
        return False
    lines = path.read_bytes().splitlines()
    return all(not line.strip() for line in lines[fmt.header_row :])


def _resolve_columns(header: list[str], feed: DelimitedFeed) -> tuple[list[_Column], list[str]]:
    by_source = {spec.source.strip(): spec for spec in feed.columns}
    by_canonical = {canonical_name(spec.source): spec for spec in feed.columns}
    columns: list[_Column] = []
    used: set[str] = set()
    unknown: list[str] = []
    for position, text in enumerate(header):
        spec = by_source.get(text) or by_canonical.get(canonical_name(text))
        name = spec.name if spec else canonical_name(text)
        if name in used:
            name = next(f"{name}_{n}" for n in itertools.count(2) if f"{name}_{n}" not in used)
        used.add(name)
        if spec is None:
            unknown.append(f"{text!r} as {name}")
        columns.append(_Column(position, text, name, spec))
    notes = (
        [f"new column(s) not in mapping, loaded as VARCHAR: {', '.join(unknown)}"]
        if unknown
        else []
    )
    return columns, notes


def _read_csv(
    path: Path | list[Path],
    encoding: str,
    fmt: CsvFormat,
    width: int,
    rejects: str,
    scan: str,
    filename: str | None = None,
) -> str:
    slots = ", ".join(f"'_raw{i}': 'VARCHAR'" for i in range(width))
    if isinstance(path, list):
        files = "[" + ", ".join(lit(str(p)) for p in path) + "]"
    else:
        files = lit(str(path))
    named = f" filename = {lit(filename)}," if filename else ""
    return (
        f"read_csv({files},{named} header = true, skip = {fmt.header_row - 1},"
        f" auto_detect = false, columns = {{{slots}}}, delim = {lit(fmt.delimiter)},"
        f" quote = {lit(fmt.quote)}, escape = {lit(fmt.escape)}, encoding = {lit(encoding)},"
        f" store_rejects = true, rejects_table = {lit(rejects)}, rejects_scan = {lit(scan)},"
        " max_line_size = 16777216)"
    )


def _typed_select(columns: list[_Column], fmt: CsvFormat) -> tuple[str, str]:
    """(inner, outer) select lists: the inner converts each column once (raw slots kept), the
    outer names type errors and missing required values, building the message strings only for
    the rows that have one (a CASE evaluates its branch only for the rows that take it).

    DuckDB's casts and strptime ignore surrounding blanks, so only text columns are trimmed; a
    blank value is absent, checked (with `trim`) only for values that did not convert.
    """
    inner, outer_errors, outer_missing = [], [], []
    bad, absent = [], []
    tokens = ", ".join(lit(t) for t in fmt.null_tokens if t != "")
    for column in columns:
        raw = column.slot
        spec = column.spec
        spec_type = spec.type if spec else "VARCHAR"
        if spec_type == "VARCHAR":
            # read_csv already gives NULL for an empty field
            converted = f"nullif(trim({raw}), '')" if fmt.trim else raw
        else:
            converted = convert(raw, spec_type, fmt.text, spec.formats if spec else ())
        if tokens:
            converted = f"case when trim({raw}) in ({tokens}) then null else {converted} end"
        typed = q(column.name)
        inner.append(f"{raw}, {converted} as {typed}")
        failed = f"({raw} is not null and {typed} is null and trim({raw}) <> ''" + (
            f" and trim({raw}) not in ({tokens}))" if tokens else ")"
        )
        if spec_type != "VARCHAR":
            bad.append(failed)
            outer_errors.append(
                f"case when {failed} then"
                f" {lit(column.header + ': not ' + spec_type.lower() + ': ')} || {raw} end"
            )
        if spec and spec.min is not None:
            bad.append(f"coalesce({typed} < {spec.min}, false)")
            outer_errors.append(
                f"case when {typed} < {spec.min} then"
                f" {lit(column.header + f': below {spec.min}: ')} || {raw} end"
            )
        if spec and spec.required:
            absent.append(f"{typed} is null")
            outer_missing.append(
                f"case when {typed} is null then {lit(column.header + ': missing')} end"
            )
    outer = [
        f"case when {' or '.join(bad)} then {joined(outer_errors)} end as _type_errors"
        if bad
        else "cast(null as varchar) as _type_errors",
        # a value that did not convert is reported as a type error, not as missing
        f"case when _type_errors is null and ({' or '.join(absent)}) then {joined(outer_missing)}"
        " end as _missing"
        if absent
        else "cast(null as varchar) as _missing",
    ]
    return ", ".join(inner), ", ".join(outer)


def _with_source_row(
    con: duckdb.DuckDBPyConnection,
    typed: str,
    bad_lines: str,
    first_line: int,
    base: int,
    rejected: int,
    names: TempNames,
) -> str:
    """A view of the staged rows with `_source_row`, their line as DuckDB counts lines.

    Staged row k (0-based, file order) sits at line first_line + k + (rejected lines before it).
    With rejected lines r_1 < ... < r_m, row k comes after the i-th one iff k >= r_i - first_line
    - (i - 1); an ASOF join finds the largest such i.
    """
    view = names("positioned")
    # Inside a transaction a new table's rowids start at a large offset (base): count from it.
    if not rejected:
        con.execute(
            f"create temp view {view} as select *, rowid - {base} + {first_line} as _source_row"
            f" from {typed}"
        )
        return view
    steps = names("reject_steps")
    con.execute(
        f"create temp table {steps} as select t, max(i) as i from ("
        f" select line - {first_line} - (row_number() over (order by line) - 1) as t,"
        f" row_number() over (order by line) as i from {bad_lines}) group by t"
    )
    con.execute(
        f"create temp view {view} as select s.* exclude (_k),"
        f" s._k + {first_line} + coalesce(r.i, 0) as _source_row"
        f" from (select rowid - {base} as _k, * from {typed}) s asof left join {steps} r on s._k >= r.t"
    )
    return view


def _raw_text_expr(columns: list[_Column], fmt: CsvFormat) -> str:
    """The row re-assembled as a delimited line (fields quoted where needed)."""
    quote = fmt.quote
    fields = []
    for column in columns:
        raw = column.slot
        if quote:
            needs = f"(contains({raw}, {lit(fmt.delimiter)}) or contains({raw}, {lit(quote)}) or contains({raw}, chr(10)))"
            fields.append(
                f"case when {raw} is null then '' when {needs} then {lit(quote)} ||"
                f" replace({raw}, {lit(quote)}, {lit(quote + quote)}) || {lit(quote)} else {raw} end"
            )
        else:
            fields.append(f"coalesce({raw}, '')")
    return f"concat_ws({lit(fmt.delimiter)}, {', '.join(fields)})"


class _utf8_readable:
    """Context manager: (path DuckDB can read, DuckDB encoding name); transcodes if needed."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.path = path
        self.encoding = encoding
        self._tmp: Path | None = None

    def __enter__(self) -> tuple[Path, str]:
        native = _DUCKDB_ENCODINGS.get(self.encoding.lower())
        if native:
            return self.path, native
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
        handle, name = tempfile.mkstemp(suffix=".csv", prefix="backbone-transcoded-")
        self._tmp = Path(name)
        with open(handle, "w", encoding="utf-8", newline="") as out, self.path.open("rb") as src:
            while chunk := src.read(1 << 22):
                out.write(decoder.decode(chunk))
            out.write(decoder.decode(b"", final=True))
        return self._tmp, "utf-8"

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
