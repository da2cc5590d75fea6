"""The parser's worker pool: results in order, and a broken pool never loses a batch."""

from __future__ import annotations

import os

import pytest

from ingestion.x12 import pool


def _square_in_worker(value: int) -> tuple[int, int]:
    return value * value, os.getpid()


def _die_in_worker(parent: int) -> int:
    if os.getpid() != parent:
        os._exit(3)  # a worker killed mid-batch (out of memory, say)
    return parent


def test_chunks_run_in_workers_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pool.WORKERS_VARIABLE, "2")
    try:
        results = pool.map_in_workers(_square_in_worker, list(range(6)))
    finally:
        pool.shutdown()
    assert [square for square, _ in results] == [0, 1, 4, 9, 16, 25]
    assert os.getpid() not in {pid for _, pid in results}


def test_a_broken_pool_falls_back_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pool.WORKERS_VARIABLE, "2")
    try:
        assert pool.map_in_workers(_die_in_worker, [os.getpid()] * 3) == [os.getpid()] * 3
    finally:
        pool.shutdown()


@pytest.mark.parametrize("configured", ["0", "1"])
def test_one_worker_or_none_parses_here(monkeypatch: pytest.MonkeyPatch, configured: str) -> None:
    monkeypatch.setenv(pool.WORKERS_VARIABLE, configured)
    assert pool.worker_count() == 0
    assert pool.map_in_workers(_square_in_worker, [3]) == [(9, os.getpid())]
