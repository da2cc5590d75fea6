"""Ingestion: read each source kind and land it in the warehouse's raw layer.

Every feed goes through one loader (`ingestion.loader.Loader`): lineage columns, one
transaction per file or database batch, quarantine, and `audit.load_manifest`.
The public entry points are in `ingestion.runner`.
"""
