"""Source mappings: one YAML file per source in `ingestion/sources/`, parsed into dataclasses.

Onboarding another acquired company whose exports look different is a new mapping file: the
readers take everything format-specific (encoding, delimiter, decimal separator, date formats,
header names, types, required columns, entity, currency) from here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ingestion.sqltypes import TextFormat

SOURCES_DIR = Path(__file__).parent / "sources"

_SIMPLE_TYPES = {
    "varchar": "VARCHAR",
    "text": "VARCHAR",
    "string": "VARCHAR",
    "integer": "BIGINT",
    "int": "BIGINT",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "float": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "datetime": "TIMESTAMP",
    "boolean": "BOOLEAN",
    "bool": "BOOLEAN",
    "json": "JSON",
}
_DECIMAL = re.compile(r"^(?:decimal|numeric)(?:\((\d+)\s*,\s*(\d+)\))?$")


def sql_type(name: str) -> str:
    """A mapping file's type name as a DuckDB type (`decimal` is DECIMAL(18,4))."""
    key = name.strip().lower()
    if key in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[key]
    match = _DECIMAL.match(key)
    if match:
        precision, scale = match.groups()
        return f"DECIMAL({precision or 18},{scale or 4})"
    raise ValueError(f"unknown column type {name!r}")


def canonical_name(header: str) -> str:
    """A header as a raw column name: ASCII, lower case, `_` between words (`Código Art.` -> `codigo_art`)."""
    ascii_text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    name = re.sub(r"[^0-9a-zA-Z]+", "_", ascii_text).strip("_").lower()
    if not name:
        return "column"
    return f"c_{name}" if name[0].isdigit() else name


@dataclass(frozen=True)
class ColumnSpec:
    source: str  # the header as it appears in the file
    name: str  # canonical raw column name
    type: str = "VARCHAR"
    required: bool = False
    formats: tuple[str, ...] = ()  # date/timestamp formats overriding the file format's
    min: float | None = None  # smallest valid value (e.g. 0 for a quantity that is never negative)


@dataclass(frozen=True)
class CsvFormat:
    encoding: str = "utf-8"
    delimiter: str = ","
    quote: str = '"'
    escape: str = '"'
    decimal: str = "."
    thousands: str | None = None
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    timestamp_formats: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
    null_tokens: tuple[str, ...] = ("",)
    true_tokens: tuple[str, ...] = ("true", "t", "1", "yes", "y")
    false_tokens: tuple[str, ...] = ("false", "f", "0", "no", "n")
    header_row: int = 1  # physical line of the header (lines above it are skipped)
    trim: bool = False  # trim text columns (raw keeps text as delivered unless asked)

    @property
    def text(self) -> TextFormat:
        return TextFormat(
            decimal=self.decimal,
            thousands=self.thousands,
            date_formats=self.date_formats,
            timestamp_formats=self.timestamp_formats,
            true_tokens=self.true_tokens,
            false_tokens=self.false_tokens,
        )


@dataclass(frozen=True)
class DelimitedFeed:
    name: str
    files: str  # glob, relative to the source's root directory
    table: str  # raw table
    columns: tuple[ColumnSpec, ...]
    format: CsvFormat
    constants: dict[str, str] = field(default_factory=dict)
    # name -> SQL condition over the raw column names that every row must meet (NULL passes)
    row_checks: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DelimitedSource:
    source_system: str
    root: str  # directory under the landing zone
    feeds: tuple[DelimitedFeed, ...]
    description: str = ""

    def feed(self, name: str) -> DelimitedFeed:
        for feed in self.feeds:
            if feed.name == name:
                return feed
        raise KeyError(f"{self.source_system} has no feed {name!r}")


@dataclass(frozen=True)
class EventField:
    path: str  # JSON path inside the event, e.g. `$.payload.qty` or `qty`
    name: str
    type: str = "VARCHAR"
    required: bool = False
    min: float | None = None


@dataclass(frozen=True)
class Explode:
    """An array inside an event, landed as a child table (one row per element)."""

    path: str
    table: str
    fields: tuple[EventField, ...]  # paths relative to the element


@dataclass(frozen=True)
class EventKind:
    kind: str
    table: str
    fields: tuple[EventField, ...]
    explode: Explode | None = None


@dataclass(frozen=True)
class EventSource:
    source_system: str
    root: str
    files: str
    kind_field: str  # JSON path of the event kind
    kinds: tuple[EventKind, ...]
    common_fields: tuple[EventField, ...] = ()
    timestamp_formats: tuple[str, ...] = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S")
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    description: str = ""

    @property
    def text(self) -> TextFormat:
        return TextFormat(date_formats=self.date_formats, timestamp_formats=self.timestamp_formats)


@dataclass(frozen=True)
class TableSpec:
    name: str  # table in the source database
    table: str  # raw table
    primary_key: tuple[str, ...]
    cursor: str | None = None  # e.g. updated_at; None = full reload, still diffed by key
    types: dict[str, str] = field(default_factory=dict)  # column -> DuckDB type to cast to
    detect_deletes: bool = True


@dataclass(frozen=True)
class DatabaseSource:
    source_system: str
    default_sqlite: str  # path under the landing zone used when no URL is given
    overlap_seconds: int
    tables: tuple[TableSpec, ...]
    description: str = ""
    url_variable: str | None = None  # environment variable holding the database URL
    store: str | None = None  # a SQLite file of Backbone's own (`backbone.config.Paths` attribute)


@dataclass(frozen=True)
class EdiSource:
    source_system: str
    root: str
    files: str
    table_prefix: str = ""
    description: str = ""


Source = DelimitedSource | EventSource | DatabaseSource | EdiSource


def load_sources(directory: Path = SOURCES_DIR) -> dict[str, Source]:
    """Every mapping file in a directory, by source system name."""
    sources: dict[str, Source] = {}
    for path in sorted(directory.glob("*.yaml")):
        source = load_source(path)
        sources[source.source_system] = source
    return sources


def load_source(path: Path) -> Source:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    kind = doc.get("kind")
    parsers = {
        "delimited": _delimited,
        "ndjson_events": _events,
        "sql_database": _database,
        "edi_x12": _edi,
    }
    if kind not in parsers:
        raise ValueError(f"{path.name}: unknown source kind {kind!r}")
    try:
        return parsers[kind](doc)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path.name}: {exc}") from exc


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _format(doc: dict[str, Any], base: CsvFormat | None = None) -> CsvFormat:
    base = base or CsvFormat()
    values: dict[str, Any] = {}
    for key in ("encoding", "delimiter", "quote", "escape", "decimal", "thousands"):
        if key in doc:
            values[key] = doc[key]
    for key in ("date_formats", "timestamp_formats", "null_tokens", "true_tokens", "false_tokens"):
        if key in doc:
            values[key] = _tuple(doc[key])
    if "header_row" in doc:
        values["header_row"] = int(doc["header_row"])
    if "trim" in doc:
        values["trim"] = bool(doc["trim"])
    return CsvFormat(**{**base.__dict__, **values})


def _columns(doc: dict[str, Any]) -> tuple[ColumnSpec, ...]:
    specs = []
    for source, spec in doc.items():
        if isinstance(spec, str):
            spec = {"name": spec}
        spec = spec or {}
        specs.append(
            ColumnSpec(
                source=str(source),
                name=spec.get("name", canonical_name(str(source))),
                type=sql_type(spec.get("type", "varchar")),
                required=bool(spec.get("required", False)),
                formats=_tuple(spec.get("formats")),
                min=spec.get("min"),
            )
        )
    return tuple(specs)


def _delimited(doc: dict[str, Any]) -> DelimitedSource:
    base = _format(doc.get("format", {}))
    constants = {k: str(v) for k, v in (doc.get("constants") or {}).items()}
    if "entity" in doc:
        constants.setdefault("entity_code", str(doc["entity"]))
    if "currency" in doc:
        constants.setdefault("currency", str(doc["currency"]))
    feeds = []
    for feed in doc["feeds"]:
        feeds.append(
            DelimitedFeed(
                name=feed["name"],
                files=feed["files"],
                table=feed["table"],
                columns=_columns(feed.get("columns", {})),
                format=_format(feed.get("format", {}), base),
                constants={
                    **constants,
                    **{k: str(v) for k, v in (feed.get("constants") or {}).items()},
                },
                row_checks={str(k): str(v) for k, v in (feed.get("row_checks") or {}).items()},
            )
        )
    return DelimitedSource(
        source_system=doc["source_system"],
        root=doc.get("root", doc["source_system"]),
        feeds=tuple(feeds),
        description=doc.get("description", ""),
    )


def _fields(doc: dict[str, Any] | None) -> tuple[EventField, ...]:
    fields = []
    for name, spec in (doc or {}).items():
        if isinstance(spec, str):
            spec = {"type": spec}
        spec = spec or {}
        fields.append(
            EventField(
                path=spec.get("path", name),
                name=name,
                type=sql_type(spec.get("type", "varchar")),
                required=bool(spec.get("required", False)),
                min=spec.get("min"),
            )
        )
    return tuple(fields)


def _events(doc: dict[str, Any]) -> EventSource:
    return EventSource(
        source_system=doc["source_system"],
        root=doc.get("root", doc["source_system"]),
        files=doc["files"],
        kind_field=doc["kind_field"],
        common_fields=_fields(doc.get("common_fields")),
        kinds=tuple(
            EventKind(
                kind=kind,
                table=spec["table"],
                fields=_fields(spec.get("fields")),
                explode=Explode(
                    path=spec["explode"]["path"],
                    table=spec["explode"]["table"],
                    fields=_fields(spec["explode"].get("fields")),
                )
                if spec.get("explode")
                else None,
            )
            for kind, spec in doc["kinds"].items()
        ),
        timestamp_formats=_tuple(doc.get("timestamp_formats")) or EventSource.timestamp_formats,
        date_formats=_tuple(doc.get("date_formats")) or EventSource.date_formats,
        description=doc.get("description", ""),
    )


def _database(doc: dict[str, Any]) -> DatabaseSource:
    tables = []
    for name, spec in doc["tables"].items():
        spec = spec or {}
        tables.append(
            TableSpec(
                name=name,
                table=spec.get("table", f"{doc['source_system']}_{name}"),
                primary_key=_tuple(spec["primary_key"]),
                cursor=spec.get("cursor", doc.get("cursor")),
                types={k: sql_type(v) for k, v in (spec.get("types") or {}).items()},
                detect_deletes=bool(spec.get("detect_deletes", True)),
            )
        )
    return DatabaseSource(
        source_system=doc["source_system"],
        default_sqlite=doc.get("default_sqlite", ""),
        overlap_seconds=int(doc.get("overlap_seconds", 3600)),
        tables=tuple(tables),
        description=doc.get("description", ""),
        url_variable=doc.get("url_variable"),
        store=doc.get("store"),
    )


def _edi(doc: dict[str, Any]) -> EdiSource:
    return EdiSource(
        source_system=doc["source_system"],
        root=doc.get("root", "edi"),
        files=doc.get("files", "*/*/*"),
        table_prefix=doc.get("table_prefix", ""),
        description=doc.get("description", ""),
    )
