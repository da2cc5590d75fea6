"""Readers: one per source kind. Each stages what it read for `ingestion.loader.Loader`."""
