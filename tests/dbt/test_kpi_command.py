"""`backbone kpi` reads kpi_monthly from the published warehouse only (fast: a hand-made file)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from backbone.cli import app

ROWS = [
    ("US01", "2025-01", "line_fill_rate", 0.9),
    ("US01", "2025-02", "line_fill_rate", 0.8),
    ("GROUP", "2025-01", "revenue_usd", 1234.5),
]


@pytest.fixture
def published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "published" / "backbone_published.duckdb"
    path.parent.mkdir()
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.kpi_monthly (entity_code varchar, month varchar, kpi varchar, value double)"
    )
    con.executemany("insert into marts.kpi_monthly values (?, ?, ?, ?)", ROWS)
    con.close()
    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    monkeypatch.setenv("BACKBONE_PUBLISHED", str(path))
    return path


def test_json_lists_every_cell(published: Path) -> None:
    result = CliRunner().invoke(app, ["kpi", "--json"])
    assert result.exit_code == 0, result.output
    cells = json.loads(result.stdout)
    assert {(c["entity_code"], c["month"], c["kpi"], c["value"]) for c in cells} == set(ROWS)


def test_filters_by_entity_and_month(published: Path) -> None:
    result = CliRunner().invoke(app, ["kpi", "--entity", "us01", "--month", "2025-02", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"entity_code": "US01", "month": "2025-02", "kpi": "line_fill_rate", "value": 0.8}
    ]


def test_table_output(published: Path) -> None:
    result = CliRunner().invoke(app, ["kpi", "--entity", "GROUP"])
    assert result.exit_code == 0, result.output
    assert "revenue_usd" in result.stdout


def test_nothing_published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    monkeypatch.delenv("BACKBONE_PUBLISHED", raising=False)
    result = CliRunner().invoke(app, ["kpi", "--json"])
    assert result.exit_code == 1
    assert "nothing published yet: run `backbone run`" in result.output


def test_bad_month_is_rejected(published: Path) -> None:
    result = CliRunner().invoke(app, ["kpi", "--month", "2025-13"])
    assert result.exit_code == 2
