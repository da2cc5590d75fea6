"""Formats on the tiles and the data-as-of banner (no world needed)."""

from __future__ import annotations

import pytest

from dashboards.data import banner_text
from dashboards.ui import delta, fmt, parse


@pytest.mark.parametrize(
    ("value", "kind", "text", "back"),
    [
        (0.953123, "pct", "95.31%", 0.9531),
        (4.6507, "days", "4.7 d", 4.7),
        (7.1722, "turns", "7.17×", 7.17),
        (27161.71, "usd", "27,162 USD", 27162),
        (-1234.5, "usd", "-1,234 USD", -1234),
        (None, "pct", "–", None),
        (float("nan"), "days", "–", None),
    ],
)
def test_tile_formats_round_trip(value, kind, text, back) -> None:
    assert fmt(value, kind) == text
    assert parse(text) == (pytest.approx(back) if back is not None else None)


def test_deltas_are_signed_in_the_tile_unit() -> None:
    assert delta(0.95, 0.90, "pct") == "+5.00 pp"
    assert delta(3.0, 4.5, "days") == "-1.5 d"
    assert delta(1.0, None, "turns") is None


def test_banner_says_what_is_live_and_what_blocked() -> None:
    assert banner_text({"exists": False})[0] == "empty"
    assert "backbone run" in banner_text({"exists": False})[1]
    live = {"data_as_of": "2025-06-30T00:00:00", "published_at": "2025-07-01T02:00:00Z"}
    assert banner_text(
        {"exists": True, "published": live, "latest_run": {"outcome": "published"}}
    ) == (
        "ok",
        "Data as of 2025-06-30 (published 2025-07-01T02:00:00Z).",
    )
    level, text = banner_text(
        {
            "exists": True,
            "published": live,
            "latest_run": {
                "outcome": "blocked",
                "at": "2025-07-02T02:00:00Z",
                "blocked_by": [{"asset": "raw/legacy_mx", "check": "value_domains"}],
            },
        }
    )
    assert level == "blocked"
    assert text.endswith("was blocked by raw/legacy_mx:value_domains.")
    assert text.startswith("Data as of 2025-06-30")
