"""Intelligence assets: anomalies, late deliveries, replenishment, margin leakage, model report;
and a (warning) check of the models' measured quality against issue 7's targets."""

from dagster_project.intelligence.assets import intelligence_assets, intelligence_checks

__all__ = ["intelligence_assets", "intelligence_checks"]
