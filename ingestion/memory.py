"""Memory housekeeping for the loaders' hot loops."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (and left as it was after).

    A parse, or a pass over every landed file, allocates hundreds of thousands to millions of
    small acyclic objects; the collector would rescan them again and again for nothing
    (measured: half a parse's run time). Pause it around a whole batch of files too: re-enabled
    between files, it rescans every set parsed so far (a 512-file batch took twice as long).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
