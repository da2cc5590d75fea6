"""The guarded SQL path (console and `backbone sql`): read-only, no external access, timeout, limit."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dashboards.console import QueryRejected, QueryTimeout, model_docs, run_query


@pytest.fixture
def published(tmp_path: Path) -> Path:
    path = tmp_path / "published" / "backbone_published.duckdb"
    path.parent.mkdir()
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.kpi_monthly as select * from (values"
        " ('US01', '2025-01', 'otif', 0.5), ('CA01', '2025-01', 'otif', 0.75),"
        " ('GROUP', '2025-01', 'otif', 0.6)) t(entity_code, month, kpi, value)"
    )
    con.close()
    return path


def test_a_select_reads_the_published_marts(published: Path) -> None:
    result = run_query("select entity_code, value from kpi_monthly order by value", published)
    assert result.frame.to_dict("records") == [
        {"entity_code": "US01", "value": 0.5},
        {"entity_code": "GROUP", "value": 0.6},
        {"entity_code": "CA01", "value": 0.75},
    ]
    assert not result.truncated


@pytest.mark.parametrize(
    "sql",
    [
        "delete from marts.kpi_monthly",
        "insert into marts.kpi_monthly values ('X', 'Y', 'Z', 1)",
        "create table marts.x as select 1",
        "create table memory.main.x as select 1",
        "drop table marts.kpi_monthly",
        "update marts.kpi_monthly set value = 0",
        "set enable_external_access = true",
        "select 1; delete from marts.kpi_monthly",
    ],
)
def test_writes_and_settings_are_refused(published: Path, sql: str) -> None:
    with pytest.raises(QueryRejected):
        run_query(sql, published)
    assert run_query("select count(*) as n from kpi_monthly", published).frame["n"][0] == 3


def test_external_files_and_network_are_refused(published: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a,b\n1,2\n")
    out = tmp_path / "out.csv"
    for sql in (
        f"select * from read_csv('{secret}')",
        f"select * from '{secret}'",
        f"copy (select 1) to '{out}'",
        f"attach '{tmp_path / 'other.duckdb'}' as other",
        "select * from read_csv('https://example.com/data.csv')",
        "install httpfs",
        "load httpfs",
        f"select * from glob('{tmp_path}/*')",
    ):
        with pytest.raises(QueryRejected):
            run_query(sql, published)
    assert not out.exists() and not (tmp_path / "other.duckdb").exists()


def test_external_access_is_off_even_for_a_select(published: Path, tmp_path: Path) -> None:
    """Not only the statement-type check: DuckDB itself refuses the file (defence in depth)."""
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with pytest.raises(QueryRejected, match="disabled by configuration"):
        run_query(f"select * from read_csv('{secret}')", published)


def test_a_long_query_is_interrupted(published: Path) -> None:
    with pytest.raises(QueryTimeout):
        run_query(
            "select count(*) from range(1000000000) a, range(1000000) b", published, timeout_s=0.5
        )


def test_the_row_limit_cuts_and_says_so(published: Path) -> None:
    result = run_query("select * from range(100) order by range desc", published, row_limit=10)
    assert result.truncated and len(result.frame) == 10
    assert list(result.frame["range"]) == list(range(99, 89, -1))


def test_backbone_sql_json(published: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from backbone.cli import app

    monkeypatch.setenv("BACKBONE_PUBLISHED", str(published))
    runner = CliRunner()
    ok = runner.invoke(
        app,
        ["sql", "select entity_code, value from kpi_monthly where entity_code = 'CA01'", "--json"],
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["rows"] == [{"entity_code": "CA01", "value": 0.75}]
    refused = runner.invoke(app, ["sql", "delete from marts.kpi_monthly"])
    assert refused.exit_code == 1
    slow = runner.invoke(
        app,
        ["sql", "select count(*) from range(1000000000) a, range(1000000) b", "--timeout", "0.5"],
    )
    assert slow.exit_code == 3


def test_model_docs_come_from_the_dbt_yml() -> None:
    docs = model_docs()
    assert {"kpi_monthly", "fct_exceptions", "fct_order_lines", "dim_entity"} <= docs.keys()
    columns = {c["name"]: c for c in docs["kpi_monthly"]["columns"]}
    assert columns["value"]["data_type"] == "double" and columns["value"]["description"]
