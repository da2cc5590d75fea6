"""Quarantine: every rejected record, with its raw text, position and a reason code.

`quarantine.records` holds every quarantined row of every feed (so a load's quarantined count is
a `count(*)` there). `quarantine.edi_sets` adds one row per EDI transaction set rejected for an
envelope error, which is what a steward works from.
"""

from __future__ import annotations

import duckdb

from ingestion.warehouse import lit, scalar

RECORDS_DDL = """
create table if not exists quarantine.records (
    load_id varchar not null,
    source_system varchar not null,
    feed varchar not null,
    source_file varchar,
    source_row bigint,
    target_table varchar,
    reason_code varchar not null,
    detail varchar,
    raw_text varchar,
    quarantined_at timestamp not null
)
"""

EDI_SETS_DDL = """
create table if not exists quarantine.edi_sets (
    load_id varchar not null,
    source_file varchar,
    partner varchar,
    direction varchar,
    isa_sender_id varchar,
    isa_receiver_id varchar,
    isa_control varchar,
    gs_control varchar,
    st_control varchar,
    transaction_set varchar,
    st_position bigint,
    reason_code varchar not null,
    detail varchar,
    rows_excluded bigint not null,
    raw_text varchar,
    quarantined_at timestamp not null
)
"""

# The columns a reader's quarantine staging relation must have.
STAGED_QUARANTINE_COLUMNS = ("_source_row", "target_table", "reason_code", "detail", "raw_text")

# Reason codes, shared by every reader so a steward can group by them.
MALFORMED_ROW = "malformed_row"  # wrong field count, broken quoting, undecodable line
TYPE_ERROR = "type_error"  # a value that does not parse as its declared type
MISSING_VALUE = "missing_required_value"
CHECK_FAILED = "row_check_failed"  # a row-level rule of the mapping (e.g. signs that must agree)
MISSING_COLUMN = "missing_required_column"  # file level: every row of the file
UNPARSEABLE_JSON = "unparseable_json"
UNKNOWN_EVENT_KIND = "unknown_event_kind"
ENVELOPE_ERROR = "envelope_error"


def ensure_quarantine(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(RECORDS_DDL)
    con.execute(EDI_SETS_DDL)
    # a warehouse from before the interchange ids were kept (the entity of a rejected set)
    for column in ("isa_sender_id", "isa_receiver_id"):
        con.execute(f"alter table quarantine.edi_sets add column if not exists {column} varchar")


def insert_records(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    *,
    load_id: str,
    source_system: str,
    feed: str,
    source_file: str | None,
    quarantined_at: str,
) -> int:
    """Copy a staged quarantine relation into `quarantine.records`; return the row count."""
    return int(
        scalar(
            con,
            "insert into quarantine.records select"
            f" {lit(load_id)}, {lit(source_system)}, {lit(feed)}, {lit(source_file)},"
            " cast(_source_row as bigint), target_table, reason_code, detail, raw_text,"
            f" cast({lit(quarantined_at)} as timestamp) from {relation}",
        )
    )
