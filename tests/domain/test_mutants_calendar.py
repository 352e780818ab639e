"""The story's calendar at its edges: a phase followed by one that starts on the same day.

Written against a mutant that survived the broader tests (docs/testing.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from peacetable.domain.calendar import phase_span
from peacetable.domain.loader import parse_scenario

RIVER = Path(__file__).resolve().parents[1] / "fixtures" / "river-accord.toml"


def test_a_phase_followed_by_one_starting_the_same_day_has_no_last_day():
    text = RIVER.read_text(encoding="utf-8")
    assert "date = 2031-04-14\n" in text
    sc = parse_scenario(text.replace("date = 2031-04-14\n", "date = 2031-04-07\n"),
                        "same-day.toml").scenario
    apr = lambda d: dt.date(2031, 4, d)  # noqa: E731
    assert phase_span(sc, 0) == (apr(7), None)  # not "the day before the next starts"
    assert phase_span(sc, 1) == (apr(7), apr(20))
    assert phase_span(sc, 2) == (apr(21), None)
