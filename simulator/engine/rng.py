"""Random generators keyed by (seed, day, stream), which is what makes worlds causal.

Day d draws only from generators seeded with d, so extending the horizon never changes what
happened on earlier days. Each concern has its own stream so that adding draws to one (say,
returns) does not shift the numbers another (say, demand) sees.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

# A fixed tag for master data, far outside any day index.
_MASTER = 0x6D6173746572


class Stream(IntEnum):
    FX = 1
    DEMAND = 2
    ORDERS = 3
    FULFILMENT = 4
    SHIPPING = 5
    FINANCE = 6
    PROCUREMENT = 8
    RECEIVING = 9
    COUNTS = 10
    FORECAST = 11
    EVENTS = 12
    PRICING = 13
    CLOSE = 14
    CONTRACTS = 15
    ALLOCATION = 16


def day_rng(seed: int, day: int, stream: Stream) -> np.random.Generator:
    """The generator for one concern on one day (day counted from the horizon start)."""
    return np.random.default_rng([seed, day + 1_000_000, int(stream)])


def master_rng(seed: int, part: int = 0) -> np.random.Generator:
    """The generator for master data, independent of the horizon's length."""
    return np.random.default_rng([seed, _MASTER, part])
