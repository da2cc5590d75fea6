"""Worlds with the dbt marts for the intelligence tests: built by the pipeline, once per session.

A test gets a copy of the working warehouse (the models write their tables into it).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.worlds import PublishedWorld, build_published_world


@dataclass(frozen=True)
class MartsWorld:
    landing: Path
    warehouse: Path


def _marts_world(world: PublishedWorld, work: Path) -> MartsWorld:
    """The working warehouse of a pipeline-built world, copied: tests run the models on it."""
    warehouse = work / "warehouse" / "backbone.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(world.warehouse, warehouse)
    return MartsWorld(world.landing, warehouse)


@pytest.fixture(scope="session")
def xs_world(
    published_xs_world: PublishedWorld, tmp_path_factory: pytest.TempPathFactory
) -> MartsWorld:
    return _marts_world(published_xs_world, tmp_path_factory.mktemp("intel_xs"))


@pytest.fixture(scope="session")
def s_world(tmp_path_factory: pytest.TempPathFactory) -> MartsWorld:
    """An s world (seed 42, no faults) through the whole pipeline: the issue's quality targets
    are measured at this scale. BACKBONE_TEST_S_WORLD reuses a world built before."""
    work = tmp_path_factory.mktemp("intel_s")
    world = build_published_world(
        work / "world", scale="s", seed=42, reuse=os.environ.get("BACKBONE_TEST_S_WORLD")
    )
    return _marts_world(world, work)
