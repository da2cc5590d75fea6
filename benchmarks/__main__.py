"""Run every benchmark module in this package (or the ones named) and print their results.

Each module exposes `run() -> list[Result]`; a result is a ratio against a baseline measured in the
same run, so the numbers mean the same on a fast or a busy machine.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

from rich.console import Console
from rich.table import Table

import benchmarks
from benchmarks.result import Result


def main(selected: list[str]) -> int:
    console = Console()
    modules = [
        m.name
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name not in {"result", "__main__"}
    ]
    if selected:
        modules = [m for m in modules if m in selected]
    results: list[Result] = []
    for name in sorted(modules):
        module = importlib.import_module(f"benchmarks.{name}")
        if not hasattr(module, "run"):
            continue
        console.print(f"[bold]{name}[/bold]…")
        results.extend(module.run())
    table = Table("benchmark", "measured", "baseline", "ratio", "target", "ok")
    for r in results:
        table.add_row(
            r.name,
            r.measured,
            r.baseline,
            f"{r.ratio:.2f}",
            r.target,
            "yes" if r.ok else "[red]NO[/red]",
        )
    console.print(table)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
