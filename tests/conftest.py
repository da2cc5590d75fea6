from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.postgres_server import running_postgres
from tests.worlds import PublishedWorld, build_published_world

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def pytest_xdist_node_collection_finished(node, ids: list[str]) -> None:
    """Under `--dist loadgroup` (make test) the tests marked `xdist_group` carry their group in
    their node id (`...@group`); without it xdist spreads each group over the workers and every
    worker builds the group's world again (pytest 9.2 with pytest-xdist 3.8 did exactly that,
    silently). This suite has groups, so a collection without any is refused."""
    if node.config.getvalue("dist") == "loadgroup" and not any("@" in i for i in ids):
        pytest.exit(
            "pytest-xdist ignored every xdist_group mark: check the pytest and pytest-xdist"
            " versions in requirements.lock",
            returncode=3,
        )


@pytest.fixture(autouse=True, scope="session")
def isolated_backbone_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Nothing a test runs may write into the checkout's ./data (BACKBONE_HOME's default)."""
    previous = os.environ.get("BACKBONE_HOME")
    os.environ["BACKBONE_HOME"] = str(tmp_path_factory.mktemp("backbone_home"))
    yield
    if previous is None:
        os.environ.pop("BACKBONE_HOME", None)
    else:
        os.environ["BACKBONE_HOME"] = previous


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A real PostgreSQL server for the whole test session (started here unless one is given)."""
    with running_postgres() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty database on the session's PostgreSQL server, dropped afterwards."""
    import uuid

    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"create database {name}"))
    yield postgres_server_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"drop database if exists {name} with (force)"))
    admin.dispose()


@pytest.fixture(scope="session")
def published_xs_world(tmp_path_factory: pytest.TempPathFactory) -> PublishedWorld:
    """One xs world (seed 7, no faults) generated, run through the whole pipeline and published,
    shared by every test of the session that only reads it. Tests that change a world work on
    `tests.worlds.copy_world`. BACKBONE_TEST_XS_WORLD reuses a world built before."""
    return build_published_world(
        tmp_path_factory.mktemp("xs_world"), seed=7, reuse=os.environ.get("BACKBONE_TEST_XS_WORLD")
    )
