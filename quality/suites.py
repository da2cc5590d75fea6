"""The raw-layer gate suites: `quality/suites/<source>.yaml`, one per source mapping.

A suite is what a steward reads; this module turns it into `Gate`s. A gate is one Dagster asset
check on `raw/<source>` and one row per run in `audit.quality_results`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SUITES_DIR = Path(__file__).parent / "suites"

SEVERITIES = ("error", "warn")
KINDS = (
    "contract",
    "rejected_files",
    "quarantine_rate",
    "envelope_errors",
    "control_totals",
    "domains",
    "ranges",
    "unique_keys",
    "referential",
    "freshness",
    "volume",
)


@dataclass(frozen=True)
class Gate:
    source: str
    name: str
    kind: str
    severity: str  # error: a failure blocks publication; warn: flagged only
    description: str = ""
    mostly: float = 1.0  # default share of rows that must pass each rule
    rules: tuple[dict[str, Any], ...] = ()
    options: dict[str, Any] = field(default_factory=dict)  # kind-specific settings

    @property
    def asset(self) -> str:
        return f"raw/{self.source}"

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    def referenced_sources(self) -> set[str]:
        """Other sources whose raw tables this gate reads (master data of referential rules)."""
        tables: set[str] = set()
        for rule in self.rules:
            tables.update(ref.split(".")[0] for ref in rule.get("refs", ()))
        return {source_of_table(t) for t in tables} - {self.source, None}


@dataclass(frozen=True)
class Suite:
    source: str
    entities: tuple[str, ...]
    gates: tuple[Gate, ...]

    def gate(self, name: str) -> Gate:
        return next(g for g in self.gates if g.name == name)


_COMMON = {"name", "kind", "severity", "description", "mostly", "rules"}


def load_suites(directory: Path = SUITES_DIR) -> dict[str, Suite]:
    """Every suite, by source system, in file-name order."""
    suites = {}
    for path in sorted(directory.glob("*.yaml")):
        suite = load_suite(path)
        suites[suite.source] = suite
    return suites


def load_suite(path: Path) -> Suite:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = doc["source"]
    entities = doc.get("entities") or ([doc["entity"]] if doc.get("entity") else [])
    gates = []
    for spec in doc.get("gates", ()):
        kind, severity = spec["kind"], spec.get("severity", "error")
        if kind not in KINDS:
            raise ValueError(f"{path.name}: gate {spec['name']!r} has unknown kind {kind!r}")
        if severity not in SEVERITIES:
            raise ValueError(
                f"{path.name}: gate {spec['name']!r} has unknown severity {severity!r}"
            )
        gates.append(
            Gate(
                source=source,
                name=spec["name"],
                kind=kind,
                severity=severity,
                description=spec.get("description", ""),
                mostly=float(spec.get("mostly", 1.0)),
                rules=tuple(spec.get("rules", ())),
                options={k: v for k, v in spec.items() if k not in _COMMON},
            )
        )
    names = [g.name for g in gates]
    if len(names) != len(set(names)):
        raise ValueError(f"{path.name}: gate names must be unique")
    return Suite(source=source, entities=tuple(entities), gates=tuple(gates))


def source_of_table(table: str) -> str | None:
    """`legacy_mx_items` -> `legacy_mx` (raw tables are prefixed with their source system)."""
    for prefix in _source_systems():
        if table == prefix or table.startswith(prefix + "_"):
            return prefix
    return None


@cache
def _source_systems() -> tuple[str, ...]:
    from ingestion.mapping import load_sources

    return tuple(sorted(load_sources(), key=len, reverse=True))
