from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.x12 import ParsedSet, parse_file

FILES = Path(__file__).parent / "files"


@pytest.fixture
def parse():
    """Parse a fixture file by name."""

    def _parse(name: str) -> list[ParsedSet]:
        return parse_file(FILES / name)

    return _parse
