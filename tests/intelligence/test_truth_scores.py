"""The scores that compare findings with the simulator's truth, on frames small enough to check."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from intelligence.truth import score_events, score_rows


def _events(rows: list[tuple[str, date, date]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["item_id", "start_date", "end_date"], orient="row")


def test_events_match_when_they_overlap_within_the_slack() -> None:
    truth = _events(
        [("A", date(2025, 3, 1), date(2025, 3, 14)), ("B", date(2025, 5, 1), date(2025, 5, 7))]
    )
    found = _events(
        [
            ("A", date(2025, 3, 10), date(2025, 3, 23)),  # overlaps A
            ("B", date(2025, 5, 9), date(2025, 5, 15)),  # 2 days after B: inside 3 days slack
            ("C", date(2025, 5, 1), date(2025, 5, 7)),  # no shock on C
        ]
    )
    score = score_events(found, truth, keys=["item_id"], slack_days=3)
    assert (score.true_positives, score.found, score.expected) == (2, 3, 2)
    assert score.precision == pytest.approx(2 / 3)
    assert score.recall == 1.0
    strict = score_events(found, truth, keys=["item_id"], slack_days=0)
    assert strict.recall == 0.5


def test_rows_are_claimed_once_each() -> None:
    truth = pl.DataFrame({"k": ["x", "x", "y"]})
    found = pl.DataFrame({"k": ["x", "z", "z"]})
    score = score_rows(found, truth, keys=["k"])
    assert score.true_positives == 1
    assert score.recall == pytest.approx(1 / 3)
    assert score.precision == pytest.approx(1 / 3)
