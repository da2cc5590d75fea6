"""Whole worlds for integration tests: generated, run through the pipeline, published.

`build_published_world` is what a user gets from `backbone generate` + `backbone run`: a landing
zone, a working warehouse with raw, dbt models and gate results, and a published copy with the
marts. Tests that read the published warehouse (dashboards, reports, intelligence) start here.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PublishedWorld:
    landing: Path
    warehouse: Path
    published: Path
    workflow_store: Path


def build_published_world(
    work: Path,
    *,
    scale: str = "xs",
    seed: int = 7,
    fault_rate: float = 0.0,
    reuse: Path | str | None = None,
) -> PublishedWorld:
    """Generate a world under `work`, run the whole pipeline on it and publish the result.

    `reuse` names a directory holding a world this function built before: it is copied instead
    (tests may change their copy), which saves minutes when iterating on one test.
    """
    from dagster_project.pipeline import run_pipeline
    from simulator.generate import generate_world

    if reuse is not None:
        shutil.copytree(reuse, work, dirs_exist_ok=True, symlinks=True)
        return _layout(work)
    world = _layout(work)
    generate_world(world.landing, scale=scale, seed=seed, fault_rate=fault_rate)
    result = run_pipeline(world.landing, world.warehouse, published=world.published)
    assert result.published, f"the pipeline did not publish: {result.failures or result.blocked_by}"
    return world


def _layout(work: Path) -> PublishedWorld:
    return PublishedWorld(
        landing=work / "landing",
        warehouse=work / "warehouse" / "backbone.duckdb",
        published=work / "published" / "backbone_published.duckdb",
        workflow_store=work / "workflow" / "workflow.sqlite",
    )


def copy_world(world: PublishedWorld, work: Path) -> PublishedWorld:
    """A private copy of a built world, for a test that changes it (new actions, another run)."""
    shutil.copytree(world.landing.parent, work, dirs_exist_ok=True, symlinks=True)
    return _layout(work)


def interchange_entity(path: Path) -> str:
    """The entity an X12 file is ours for, read from the file itself: the ISA sender or receiver
    that is one of our interchange ids (`BACKBONE<entity>`, simulator/writers/edi.py)."""
    text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    elements = text[: text.index("GS")].split(text[3])
    ours = [e.strip() for e in (elements[6], elements[8]) if e.strip().startswith("BACKBONE")]
    assert len(ours) == 1, f"{path}: no single Backbone party in {elements[6]!r}/{elements[8]!r}"
    return ours[0].removeprefix("BACKBONE")
