"""Raw-layer quality gates as blocking Dagster asset checks (one per gate of quality/suites/)."""

from dagster_project.quality.checks import quality_checks

__all__ = ["quality_checks"]
