"""One published world for every dashboard test (built once per session), and helpers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.worlds import PublishedWorld

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"


@pytest.fixture(scope="session")
def world(published_xs_world: PublishedWorld) -> PublishedWorld:
    """The session's xs world, generated, run and published (with the marts)."""
    built = published_xs_world
    con = duckdb.connect(str(built.published), read_only=True)
    try:
        found = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'marts'"
            " and table_name = 'kpi_monthly'"
        ).fetchone()[0]
    finally:
        con.close()
    assert found, "the published world has no marts.kpi_monthly: dbt is not in the pipeline yet"
    return built


@pytest.fixture
def home(world: PublishedWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[PublishedWorld]:
    """BACKBONE_HOME pointed at the world (the layout of build_published_world is the home's)."""
    from dashboards.data import clear_cache

    monkeypatch.setenv("BACKBONE_HOME", str(world.published.parent.parent))
    for name in ("BACKBONE_PUBLISHED", "BACKBONE_WORKFLOW_DB", "BACKBONE_WAREHOUSE"):
        monkeypatch.delenv(name, raising=False)
    clear_cache()
    yield world
    clear_cache()


def published_con(world: PublishedWorld) -> duckdb.DuckDBPyConnection:
    """The expected numbers come straight from the published file, not through the app."""
    return duckdb.connect(str(world.published), read_only=True)


def login(username: str, password: str, timeout: float = 60):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=timeout).run()
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


PASSWORDS = {
    "ceo": "exec-demo",
    "us_manager": "manager-demo",
    "mx_manager": "manager-demo",
    "steward": "steward-demo",
    "analyst": "analyst-demo",
}
os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
