"""Backbone's own X12 parser: envelope-aware, tolerant of partner quirks, columnar output.

    sets = parse_file("orders.x12")          # list[ParsedSet], one per transaction set
    tables = to_tables(sets)                 # dict[str, polars.DataFrame], edi_* raw tables

The JSON shape of each set and the tables' columns are documented in README.md here.
"""

from ingestion.x12.model import (
    CONTENT,
    ENVELOPE,
    Delimiters,
    EdiError,
    Group,
    Interchange,
    ParsedSet,
    Reason,
)
from ingestion.x12.parser import parse_bytes, parse_file, parse_text
from ingestion.x12.tables import TABLE_SCHEMAS, to_tables

__all__ = [
    "CONTENT",
    "ENVELOPE",
    "TABLE_SCHEMAS",
    "Delimiters",
    "EdiError",
    "Group",
    "Interchange",
    "ParsedSet",
    "Reason",
    "parse_bytes",
    "parse_file",
    "parse_text",
    "to_tables",
]
