"""Where the published copy lives (default: BACKBONE_HOME's), configurable per run for tests."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from backbone.config import paths


class PublisherResource(dg.ConfigurableResource):
    published: str = ""

    @property
    def published_path(self) -> Path:
        return Path(self.published) if self.published else paths().published
