"""Group-wise array operations the daily loop needs, without Python loops over rows."""

from __future__ import annotations

import numpy as np


def draw_in_group(rng, group: np.ndarray, weight: np.ndarray, draw_group: np.ndarray) -> np.ndarray:
    """For each draw, an index i with group[i] == draw_group, chosen with probability ∝ weight."""
    order = np.argsort(group, kind="stable")
    cum = np.cumsum(weight[order])
    n_groups = int(max(group.max(), draw_group.max())) + 1
    totals = np.bincount(group, weights=weight, minlength=n_groups)
    ends = np.cumsum(totals)
    starts = ends - totals
    u = starts[draw_group] + rng.random(len(draw_group)) * totals[draw_group]
    pos = np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)
    # Rounding can land a draw on the first row of the next group: step back into its own.
    pos = np.where(group[order[pos]] != draw_group, pos - 1, pos)
    return order[pos]


def rank_within(sorted_groups: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within runs of equal values (the input is grouped)."""
    n = len(sorted_groups)
    if n == 0:
        return np.zeros(0, np.int64)
    new = np.r_[True, sorted_groups[1:] != sorted_groups[:-1]]
    start = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    return np.arange(n) - start


def cumsum_before_within(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum of the preceding values within each run of equal groups (the input is grouped)."""
    if len(values) == 0:
        return values
    total = np.cumsum(values)
    new = np.r_[True, groups[1:] != groups[:-1]]
    run_start = np.maximum.accumulate(np.where(new, np.arange(len(values)), 0))
    return total - values - (total - values)[run_start]
