"""Worker processes for parsing: a batch's files split into chunks, parsed side by side.

X12 parsing is pure Python (the GIL holds it to one core), and the loader's own work (hashing,
DuckDB inserts, the manifest) waits while a batch is parsed. Parsing the batch's chunks in
worker processes puts every core on it; what goes back to the loader is columnar (Arrow tables,
pickled as their buffers, not as millions of Python objects).

The pool is started once per process, on first use, from a `forkserver` (or `spawn`) context:
never `fork`, because the loading process runs DuckDB's threads, and a forked child of a
threaded process may inherit a lock held by a thread that no longer exists.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORKERS_VARIABLE = "BACKBONE_X12_WORKERS"
"""Environment override of the worker count (0 or 1: parse in the loading process)."""

# Worker processes for a machine's cores: beyond 2 the loading process itself (inserts, commits)
# becomes the bottleneck, and each worker holds a parsed chunk's objects (hundreds of MB).
MAX_WORKERS = 2

_pool: ProcessPoolExecutor | None = None
_worker_cpu: dict[int, float] = {}  # pid -> CPU seconds that worker has used so far


def worker_count() -> int:
    """Worker processes to parse with; 0 means in this process."""
    configured = os.environ.get(WORKERS_VARIABLE)
    if configured is not None and configured.strip():
        count = int(configured)
    else:
        count = min(MAX_WORKERS, _cores())
    return count if count >= 2 else 0


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def map_in_workers(function: Callable[[T], R], chunks: Sequence[T]) -> list[R]:
    """`[function(c) for c in chunks]`, run in the worker pool (in order).

    `function` must be importable by name (a module-level function) and its arguments and result
    picklable. A pool that broke (a worker killed, out of memory) is discarded and the chunks run
    here, so the batch's outcome never depends on the pool.
    """
    pool = _get_pool()
    if pool is None or len(chunks) < 2:
        return [function(chunk) for chunk in chunks]
    try:
        futures = [pool.submit(_timed, function, chunk) for chunk in chunks]
        results = []
        for future in futures:
            result, pid, cpu = future.result()
            _worker_cpu[pid] = cpu
            results.append(result)
        return results
    except BrokenProcessPool:
        shutdown()
        return [function(chunk) for chunk in chunks]


def worker_cpu_seconds() -> float:
    """CPU seconds the workers have used so far (their own accounting: a forkserver's children
    are not this process's children, so `RUSAGE_CHILDREN` never sees them)."""
    return sum(_worker_cpu.values())


def started() -> bool:
    """Whether the worker processes are running (a batch can use them without starting them)."""
    return _pool is not None


def shutdown() -> None:
    """Stop the workers (a new pool starts on next use)."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


def _get_pool() -> ProcessPoolExecutor | None:
    global _pool
    workers = worker_count()
    if workers == 0:
        return None
    if _pool is None:
        methods = multiprocessing.get_all_start_methods()
        if "forkserver" in methods:
            context = multiprocessing.get_context("forkserver")
            # The server preloads nothing: by default it imports the caller's `__main__`, which
            # would run an unguarded script's load a second time in there. The workers import
            # what the chunks need after the fork, single-threaded.
            context.set_forkserver_preload([])
        else:
            context = multiprocessing.get_context("spawn")
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    return _pool


def _timed(function: Callable[[T], R], chunk: T) -> tuple[R, int, float]:
    """In a worker: the result, the worker's pid and its CPU seconds so far."""
    result = function(chunk)
    return result, os.getpid(), time.process_time()


atexit.register(shutdown)
