"""One xs world per test session, generated, run through the whole pipeline and published.

Tests read it as it is; a test that changes a world (new workflow actions, another run) works on
its own copy (`copy_world`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.worlds import PublishedWorld, _layout, build_published_world

SEED = 7


@pytest.fixture(scope="session")
def published_xs_world(tmp_path_factory: pytest.TempPathFactory) -> PublishedWorld:
    return build_published_world(tmp_path_factory.mktemp("xs_world"), seed=SEED)


def copy_world(world: PublishedWorld, work: Path) -> PublishedWorld:
    root = world.landing.parent
    shutil.copytree(root, work, dirs_exist_ok=True, symlinks=True)
    return _layout(work)
