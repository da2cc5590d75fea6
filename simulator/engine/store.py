"""Append-only columnar stores for the daily loop: numpy arrays that grow by doubling.

Records made on day d (order lines, PO lines) must be addressable later (a backorder ships,
a receipt arrives) by an integer key; a store gives each appended row the next key.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


class Store:
    """Named numpy columns of equal length, appended in batches and read by key."""

    def __init__(self, **dtypes: type | str) -> None:
        self._dtypes = dtypes
        self._cols = {name: np.empty(1024, dtype=dt) for name, dt in dtypes.items()}
        self.size = 0

    def append(self, **columns: np.ndarray) -> np.ndarray:
        """Append a batch; returns the keys it was given."""
        n = len(next(iter(columns.values())))
        need = self.size + n
        if need > len(next(iter(self._cols.values()))):
            cap = max(need, 2 * len(next(iter(self._cols.values()))))
            for name, col in self._cols.items():
                grown = np.empty(cap, dtype=col.dtype)
                grown[: self.size] = col[: self.size]
                self._cols[name] = grown
        for name in self._dtypes:
            self._cols[name][self.size : need] = columns[name]
        keys = np.arange(self.size, need)
        self.size = need
        return keys

    def __getitem__(self, name: str) -> np.ndarray:
        """The live column (a view on the filled part; writes go through)."""
        return self._cols[name][: self.size]


class Log:
    """Per-day batches of event rows, concatenated once at the end.

    With a `spill_dir`, `spill()` (called by the daily loop at each month end) moves the batches
    gathered so far to one `.npz` file per event kind and chunk, so the loop holds at most a
    month of events; `columns()` reads the chunks back in order, followed by what is still in
    memory. The columns are the same with or without spilling.
    """

    def __init__(self, spill_dir: Path | None = None) -> None:
        self._parts: dict[str, list[dict[str, np.ndarray]]] = {}
        self._spill_dir = spill_dir
        self._spilled: dict[str, list[Path]] = {}

    def add(self, name: str, **columns: np.ndarray) -> None:
        if len(next(iter(columns.values()))):
            self._parts.setdefault(name, []).append(columns)

    def spill(self) -> None:
        """Write every kind's batches to its next chunk file and release them (no-op without a dir)."""
        if self._spill_dir is None:
            return
        for name, parts in self._parts.items():
            chunks = self._spilled.setdefault(name, [])
            path = self._spill_dir / f"{name}.{len(chunks):04d}.npz"
            np.savez(path, **{col: np.concatenate([p[col] for p in parts]) for col in parts[0]})
            chunks.append(path)
        self._parts = {}

    def columns(self, name: str, keep: bool = False, **dtypes: type | str) -> dict[str, np.ndarray]:
        """All batches of one event kind as whole columns (empty columns when none happened).

        The batches are released unless `keep`, which bounds the memory the final assembly needs.
        """
        parts = self._parts.get(name, []) if keep else self._parts.pop(name, [])
        files = self._spilled.get(name, []) if keep else self._spilled.pop(name, [])
        chunks = []
        for path in files:
            with np.load(path) as data:
                chunks.append({col: data[col] for col in dtypes})
            if not keep:
                path.unlink()
        parts = chunks + parts
        return {
            col: np.concatenate([p[col].astype(dt, copy=False) for p in parts])
            if parts
            else np.empty(0, dtype=dt)
            for col, dt in dtypes.items()
        }
