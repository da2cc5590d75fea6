"""Dagster definitions: every source feed, and (as later issues land) the governed layer, as assets."""
