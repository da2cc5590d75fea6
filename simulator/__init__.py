"""The demo world: a multi-entity distributor's source systems, with its ground truth."""
