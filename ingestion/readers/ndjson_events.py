"""WMS events: newline-delimited JSON, one typed raw table per event kind.

Each line is one event. A line that is not valid JSON goes to quarantine (`unparseable_json`)
with its line number; an event kind the mapping doesn't know goes to quarantine
(`unknown_event_kind`), never dropped; a field that doesn't parse as its type (or breaks its
minimum) quarantines its event. Arrays inside an event (shipment lines, snapshot items) land in
a child table, one row per element, with the event's line as `_source_row` and `_element`
(1-based) for the position; a bad element quarantines the whole event. Blank lines are not
events and are not counted.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.loader import BatchFile, BatchStaged, Staged, TempNames
from ingestion.mapping import EventField, EventKind, EventSource
from ingestion.quarantine import MISSING_VALUE, TYPE_ERROR, UNKNOWN_EVENT_KIND, UNPARSEABLE_JSON
from ingestion.sqltypes import checks, convert, joined
from ingestion.warehouse import LINEAGE_COLUMNS, ensure_table_like, lit, q, scalar


def events_stager(source: EventSource):
    """The stager for an event source: `stage(con, path, names) -> Staged`."""

    def stage(con: duckdb.DuckDBPyConnection, path: Path, names: TempNames) -> Staged:
        return stage_events_file(con, path, source, names)

    def many(
        con: duckdb.DuckDBPyConnection, files: list[BatchFile], names: TempNames
    ) -> BatchStaged:
        return stage_events_files(con, [file.path for file in files], source, names)

    stage.many = many  # type: ignore[attr-defined]
    return stage


def stage_events_files(
    con: duckdb.DuckDBPyConnection, paths: list[Path], source: EventSource, names: TempNames
) -> BatchStaged:
    """Several event files in one pass (`read_text` over the list), split by `_file`; lands
    exactly what `stage_events_file` does file by file."""
    batch = BatchStaged()
    lines = names("lines")
    known = ", ".join(lit(k.kind) for k in source.kinds) or "null"
    listed = "[" + ", ".join(lit(str(p)) for p in paths) + "]"
    con.execute(
        f"create temp table {lines} as select _file, n as _source_row, line,"
        f" json_valid(line) as _valid,"
        f" case when json_valid(line) then json_extract_string(line, {lit(source.kind_field)}) end as _kind"
        " from (select _file, generate_subscripts(s, 1) as n, rtrim(unnest(s), chr(13)) as line"
        f" from (select cast(list_position({listed}, filename) - 1 as bigint) as _file,"
        f" string_split(content, chr(10)) as s from read_text({listed})))"
        " where trim(line) <> ''"
    )
    counts = dict(con.execute(f"select _file, count(*) from {lines} group by _file").fetchall())
    for position in range(len(paths)):
        batch.files[position] = Staged(rows_read=int(counts.get(position, 0)))
    rejected = names("rejected_lines")
    con.execute(
        f"create temp view {rejected} as select _file, _source_row, cast(null as varchar) as target_table,"
        f" case when not _valid then {lit(UNPARSEABLE_JSON)} else {lit(UNKNOWN_EVENT_KIND)} end as reason_code,"
        f" case when not _valid then 'not a JSON object'"
        f" else 'event kind ' || coalesce('''' || _kind || '''', 'missing') || ' not in mapping' end as detail,"
        f" line as raw_text from {lines}"
        f" where not _valid or _kind is null or _kind not in ({known})"
    )
    batch.quarantine.append(rejected)
    present: dict[str, list[int]] = {}
    for kind_name, position in con.execute(
        f"select distinct _kind, _file from {lines} where _valid and _kind is not null order by all"
    ).fetchall():
        present.setdefault(kind_name, []).append(int(position))
    for kind in source.kinds:
        if kind.kind in present:
            _stage_kind_batch(con, lines, source, kind, names, batch, present[kind.kind])
    return batch


def _stage_kind_batch(
    con: duckdb.DuckDBPyConnection,
    lines: str,
    source: EventSource,
    kind: EventKind,
    names: TempNames,
    batch: BatchStaged,
    covered: list[int],
) -> None:
    """`_stage_kind` over several files: every relation keyed by (`_file`, `_source_row`)."""
    fields = (*source.common_fields, *kind.fields)
    typed = names(f"typed_{kind.kind}")
    select, errors, missing = _typed_fields(fields, source)
    con.execute(
        f"create temp table {typed} as select _file, _source_row, line, {select},"
        f" {joined(errors)} as _type_errors, {joined(missing)} as _missing"
        f" from (select _file, _source_row, line, {_extract(fields, 'line')} as _v"
        f" from {lines} where _valid and _kind = {lit(kind.kind)})"
    )
    bad_events = typed
    child = None
    if kind.explode is not None:
        elements = names(f"elements_{kind.kind}")
        con.execute(
            f"create temp table {elements} as select _file, _source_row,"
            " generate_subscripts(e, 1) as _element, unnest(e) as element from (select _file,"
            f" _source_row, coalesce(json_extract(line, {lit(_array_path(kind.explode.path))}), [])"
            f" as e from {typed})"
        )
        child = names(f"typed_{kind.explode.table}")
        c_select, c_errors, c_missing = _typed_fields(kind.explode.fields, source)
        con.execute(
            f"create temp table {child} as select _file, _source_row, _element, {c_select},"
            f" {joined([*c_errors, *c_missing])} as _problems from (select _file, _source_row,"
            f" _element, {_extract(kind.explode.fields, 'element')} as _v from {elements})"
        )
        bad_events = names(f"bad_{kind.kind}")
        con.execute(
            f"create temp view {bad_events} as select t.* replace ("
            f" coalesce(t._type_errors, c.problems) as _type_errors) from {typed} t left join ("
            f" select _file, _source_row, string_agg('element ' || _element || ': ' || _problems, '; ')"
            f" as problems from {child} where _problems is not null group by _file, _source_row) c"
            " using (_file, _source_row)"
        )
    good, bad = names(f"good_{kind.kind}"), names(f"quarantined_{kind.kind}")
    field_names = ", ".join(q(f.name) for f in fields)
    con.execute(
        f"create temp view {good} as select {field_names}, _source_row, _file from {bad_events}"
        " where _type_errors is null and _missing is null"
    )
    con.execute(
        f"create temp view {bad} as select _file, _source_row, {lit(kind.table)} as target_table,"
        f" case when _type_errors is not null then {lit(TYPE_ERROR)} else {lit(MISSING_VALUE)} end as reason_code,"
        f" concat_ws('; ', _type_errors, _missing) as detail, line as raw_text from {bad_events}"
        " where _type_errors is not null or _missing is not null"
    )
    batch.outputs.append((kind.table, good, covered))
    batch.quarantine.append(bad)
    if kind.explode is not None and child is not None:
        good_children = names(f"good_{kind.explode.table}")
        child_names = ", ".join(q(f.name) for f in kind.explode.fields)
        event_id = q(source.common_fields[0].name) if source.common_fields else None
        parent_key = f"p.{event_id}, " if event_id else ""
        con.execute(
            f"create temp view {good_children} as select {parent_key}c._element, {child_names},"
            f" c._source_row, c._file from {child} c join {good} p using (_file, _source_row)"
        )
        batch.child_outputs.append((kind.explode.table, good_children, covered))


def stage_events_file(
    con: duckdb.DuckDBPyConnection, path: Path, source: EventSource, names: TempNames
) -> Staged:
    lines = names("lines")
    known = ", ".join(lit(k.kind) for k in source.kinds) or "null"
    # Physical line numbers need the split done here; files are one warehouse-day each.
    con.execute(
        f"create temp table {lines} as select n as _source_row, line,"
        f" json_valid(line) as _valid,"
        f" case when json_valid(line) then json_extract_string(line, {lit(source.kind_field)}) end as _kind"
        " from (select generate_subscripts(s, 1) as n, rtrim(unnest(s), chr(13)) as line"
        f" from (select string_split(content, chr(10)) as s from read_text({lit(str(path))})))"
        " where trim(line) <> ''"
    )
    rows_read = scalar(con, f"select count(*) from {lines}")
    rejected = names("rejected_lines")
    con.execute(
        f"create temp view {rejected} as select _source_row, cast(null as varchar) as target_table,"
        f" case when not _valid then {lit(UNPARSEABLE_JSON)} else {lit(UNKNOWN_EVENT_KIND)} end as reason_code,"
        f" case when not _valid then 'not a JSON object'"
        f" else 'event kind ' || coalesce('''' || _kind || '''', 'missing') || ' not in mapping' end as detail,"
        f" line as raw_text from {lines}"
        f" where not _valid or _kind is null or _kind not in ({known})"
    )
    staged = Staged(rows_read=rows_read, quarantine=[rejected])
    present = {
        k for (k,) in con.execute(f"select distinct _kind from {lines} where _valid").fetchall()
    }
    for kind in source.kinds:
        if kind.kind in present:  # the raw tables of absent kinds are declared once per run
            _stage_kind(con, lines, source, kind, names, staged)
    if len(staged.quarantine) > 1:  # one insert for all of the file's quarantined events
        every = names("quarantined")
        union = " union all ".join(f"select * from {rel}" for rel in staged.quarantine)
        con.execute(f"create temp view {every} as {union}")
        staged.quarantine = [every]
    return staged


def declare_raw_tables(con: duckdb.DuckDBPyConnection, source: EventSource) -> None:
    """Create the raw table of every event kind (and exploded array) from the mapping."""
    lineage = list(LINEAGE_COLUMNS.items())
    for kind in source.kinds:
        fields = [(f.name, f.type) for f in (*source.common_fields, *kind.fields)]
        ensure_table_like(con, "raw", kind.table, fields + lineage)
        if kind.explode is not None:
            key = [(f.name, f.type) for f in source.common_fields[:1]]
            children = [(f.name, f.type) for f in kind.explode.fields]
            ensure_table_like(
                con, "raw", kind.explode.table, [*key, ("_element", "BIGINT"), *children, *lineage]
            )


def _stage_kind(
    con: duckdb.DuckDBPyConnection,
    lines: str,
    source: EventSource,
    kind: EventKind,
    names: TempNames,
    staged: Staged,
) -> None:
    fields = (*source.common_fields, *kind.fields)
    typed = names(f"typed_{kind.kind}")
    select, errors, missing = _typed_fields(fields, source)
    con.execute(
        f"create temp table {typed} as select _source_row, line, {select},"
        f" {joined(errors)} as _type_errors, {joined(missing)} as _missing"
        f" from (select _source_row, line, {_extract(fields, 'line')} as _v"
        f" from {lines} where _valid and _kind = {lit(kind.kind)})"
    )
    bad_events = typed  # filter below; children may add more bad events
    child = None
    if kind.explode is not None:
        elements = names(f"elements_{kind.kind}")
        con.execute(
            f"create temp table {elements} as select _source_row, generate_subscripts(e, 1) as _element,"
            " unnest(e) as element from (select _source_row,"
            f" coalesce(json_extract(line, {lit(_array_path(kind.explode.path))}), []) as e from {typed})"
        )
        child = names(f"typed_{kind.explode.table}")
        c_select, c_errors, c_missing = _typed_fields(kind.explode.fields, source)
        con.execute(
            f"create temp table {child} as select _source_row, _element, {c_select},"
            f" {joined([*c_errors, *c_missing])} as _problems from (select _source_row, _element,"
            f" {_extract(kind.explode.fields, 'element')} as _v from {elements})"
        )
        bad_events = names(f"bad_{kind.kind}")
        con.execute(
            f"create temp view {bad_events} as select t.* replace ("
            f" coalesce(t._type_errors, c.problems) as _type_errors) from {typed} t left join ("
            f" select _source_row, string_agg('element ' || _element || ': ' || _problems, '; ') as problems"
            f" from {child} where _problems is not null group by _source_row) c using (_source_row)"
        )
    good, bad = names(f"good_{kind.kind}"), names(f"quarantined_{kind.kind}")
    field_names = ", ".join(q(f.name) for f in fields)
    con.execute(
        f"create temp view {good} as select {field_names}, _source_row from {bad_events}"
        " where _type_errors is null and _missing is null"
    )
    con.execute(
        f"create temp view {bad} as select _source_row, {lit(kind.table)} as target_table,"
        f" case when _type_errors is not null then {lit(TYPE_ERROR)} else {lit(MISSING_VALUE)} end as reason_code,"
        f" concat_ws('; ', _type_errors, _missing) as detail, line as raw_text from {bad_events}"
        " where _type_errors is not null or _missing is not null"
    )
    staged.outputs[kind.table] = good
    staged.quarantine.append(bad)
    if kind.explode is not None and child is not None:
        good_children = names(f"good_{kind.explode.table}")
        child_names = ", ".join(q(f.name) for f in kind.explode.fields)
        event_id = q(source.common_fields[0].name) if source.common_fields else None
        parent_key = f"p.{event_id}, " if event_id else ""
        con.execute(
            f"create temp view {good_children} as select {parent_key}c._element, {child_names}, c._source_row"
            f" from {child} c join {good} p using (_source_row)"
        )
        staged.child_outputs[kind.explode.table] = good_children


def _extract(fields: tuple[EventField, ...], document: str) -> str:
    """Every field's text in one pass over the JSON document (a list, in field order)."""
    paths = ", ".join(lit(_json_path(f.path)) for f in fields)
    return f"json_extract_string({document}, [{paths}])"


def _typed_fields(
    fields: tuple[EventField, ...], source: EventSource
) -> tuple[str, list[str], list[str]]:
    """Typed columns and checks over `_v`, the list `_extract` made."""
    parts, errors, missing = [], [], []
    for position, field in enumerate(fields, start=1):
        raw = f"_v[{position}]"
        present = f"{raw} is not null and trim({raw}) <> ''"
        converted = convert(raw, field.type, source.text)
        parts.append(f"case when {present} then {converted} end as {q(field.name)}")
        field_errors, field_missing = checks(
            field.name,
            raw,
            present,
            converted,
            field.type,
            required=field.required,
            minimum=field.min,
        )
        errors += field_errors
        missing += field_missing
    return ", ".join(parts), errors, missing


def _json_path(path: str) -> str:
    return path if path.startswith("$") else f"$.{path}"


def _array_path(path: str) -> str:
    path = _json_path(path)
    return path if path.endswith("[*]") else f"{path}[*]"
