"""The data-access module on a hand-made published file: scope filter and publication swaps."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from dashboards.auth import User
from dashboards.data import Data, clear_cache

CEO = User("ceo", "CEO", "executive", None)
CA = User("ca", "CA", "entity_manager", ("CA01",))


def _publish(path: Path, otif_us: float) -> None:
    """Write a tiny published warehouse and swap it in atomically, as backbone.publish does."""
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    con.execute("create schema marts; create schema audit")
    con.execute(
        "create table marts.kpi_monthly as select * from (values"
        f" ('US01', '2025-01', 'otif', {otif_us}), ('CA01', '2025-01', 'otif', 0.75),"
        " ('GROUP', '2025-01', 'otif', 0.6)) t(entity_code, month, kpi, value)"
    )
    con.execute(
        "create table marts.dim_entity as select * from (values ('US01', 'Inc.', 'US', 'USD'),"
        " ('CA01', 'Ltd.', 'CA', 'CAD')) t(entity_code, entity_name, country, currency)"
    )
    con.execute("create table marts.dim_channel as select 'EDI' as channel_code")
    con.execute("create table audit.load_manifest as select 'x' as load_id")
    con.close()
    os.replace(tmp, path)


@pytest.fixture
def published(tmp_path: Path):
    clear_cache()
    path = tmp_path / "backbone_published.duckdb"
    _publish(path, 0.5)
    yield path
    clear_cache()


def test_the_scope_filters_every_entity_table(published: Path) -> None:
    ca = Data(CA, published)
    assert ca.entity_choices() == ["CA01"]
    assert ca.kpi_cells(("otif",)).to_dict("records") == [
        {"entity_code": "CA01", "month": "2025-01", "kpi": "otif", "value": 0.75}
    ]
    # a table without entity_code holding no entity data is shared; audit is not
    assert set(ca.tables()) == {"kpi_monthly", "dim_entity", "dim_channel"}
    with ca.connect() as con, pytest.raises(duckdb.CatalogException):
        con.execute("select * from scoped.load_manifest")
    ceo = Data(CEO, published)
    assert ceo.entity_choices() == ["GROUP", "CA01", "US01"]
    assert sorted(ceo.kpi_cells(("otif",))["value"]) == [0.5, 0.6, 0.75]


def test_a_new_publication_is_read_at_the_next_call(published: Path) -> None:
    assert Data(CEO, published).kpi_cells(("otif",), ("US01",))["value"].tolist() == [0.5]
    _publish(published, 0.9)
    assert Data(CEO, published).kpi_cells(("otif",), ("US01",))["value"].tolist() == [0.9]
    # the manager's cached answers were for the old file too
    assert Data(CA, published).kpi_cells(("otif",))["value"].tolist() == [0.75]
