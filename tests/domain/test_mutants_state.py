"""The escalation index and the rung ladder, at their boundaries.

Written against mutants that survived the broader tests (docs/testing.md). River Accord:
troops 0–10 (weight 2), flow 0–100 (weight 1, calming), scale 100; rungs calm 0,
tension 30, standoff 60; hysteresis 5.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetable.domain.loader import load_scenario
from peacetable.domain.state import escalation_index, initial_state, rung_for

RIVER = Path(__file__).resolve().parents[1] / "fixtures" / "river-accord.toml"


@pytest.fixture(scope="module")
def river():
    return load_scenario(RIVER).scenario


def by_definition(troops: float, flow: float) -> float:
    """100 × (2·troops/10 + 1·(1 − flow/100)) / 3, written out."""
    return round(100 * (2 * (troops / 10) + 1 * (1 - flow / 100)) / 3, 6)


@pytest.mark.parametrize("troops,flow", [(0, 100), (10, 0), (4, 60), (7.5, 20), (0, 0), (10, 100)])
def test_the_index_is_the_weighted_mean_of_positions(river, troops, flow):
    assert escalation_index(river, {"troops": troops, "flow": flow}) == by_definition(troops, flow)


def test_the_initial_state_holds_the_initial_values_and_their_rung(river):
    st = initial_state(river)
    assert st.variables == st.base == {"troops": 4.0, "flow": 60.0}
    assert st.index == by_definition(4, 60) == pytest.approx(40.0)
    assert st.rung == "tension"
    assert st.leverage == st.base_leverage
    assert set(st.leverage) == {r.id for r in river.roles if r.is_player}


@pytest.mark.parametrize("index,rung", [(0, "calm"), (29.999, "calm"), (30, "tension"),
                                        (59.999, "tension"), (60, "standoff"), (100, "standoff")])
def test_a_rung_is_reached_at_its_threshold(river, index, rung):
    assert rung_for(river, index, None) == rung
    assert rung_for(river, index, "calm") == rung  # going up: no hysteresis


@pytest.mark.parametrize("index,rung", [
    (60, "standoff"), (55, "standoff"), (54.999, "tension"),  # standoff held to 60 - 5
    (30, "tension"), (25.5, "tension"), (25, "tension"), (24.999, "calm")])
def test_stepping_down_needs_the_index_hysteresis_below_the_threshold(river, index, rung):
    current = "standoff" if index >= 54 else "tension"
    assert rung_for(river, index, current) == rung


def test_a_fall_of_two_rungs_stops_where_hysteresis_holds(river):
    assert rung_for(river, 27, "standoff") == "tension"
    assert rung_for(river, 10, "standoff") == "calm"
    assert rung_for(river, 40, "unknown-rung") == "tension"


def test_why_an_issue_is_blocked_as_each_viewer_reads_it(river):
    from peacetable.domain.events import CONTROL, PUBLIC, private_to
    from peacetable.domain.state import Hold, hold_text

    secret = Hold(issue="release", option=None, by="upland", event=5,
                  visibility=private_to("upland"), source="Dam closure")
    assert hold_text(river, secret) == "blocked by Upland (Dam closure)"  # control by default
    assert hold_text(river, secret, "upland") == "blocked by Upland (Dam closure)"
    assert hold_text(river, secret, "lowland") == "blocked"
    assert hold_text(river, secret, "audience") == "blocked"
    plain = Hold(issue="release", option=None, by="upland", event=5, visibility=PUBLIC)
    assert hold_text(river, plain, "lowland") == "blocked by Upland"
    inject = Hold(issue="release", option=None, by=None, event=5, visibility=CONTROL,
                  source="Drought")
    assert hold_text(river, inject) == "blocked (Drought)"
    assert hold_text(river, inject, "upland") == "blocked"
    bare = Hold(issue="release", option=None, by="ghost", event=5, visibility=PUBLIC)
    assert hold_text(river, bare, "upland") == "blocked"


def test_the_fold_holds_a_rung_down_to_exactly_the_hysteresis_below(tmp_path):
    """The fold's own rung (kept at hand for speed) agrees with ``rung_for`` at the edge:
    standoff (60) is held at an index of exactly 55."""
    from peacetable.app.session import Session
    from peacetable.domain import commands as C

    s = Session.create(RIVER, tmp_path / "s.peacetable", seed=1)
    try:
        s.execute(C.Advance())
        s.execute(C.FireInject(title="Build-up", synopsis="Troops mass, the river is shut.",
                               effects={"variables": {"troops": 6, "flow": -60}}))
        assert (s.state.index, s.state.rung) == (100.0, "standoff")
        s.execute(C.FireInject(title="Partial pull-back", synopsis="Some troops leave.",
                               effects={"variables": {"troops": -2.5, "flow": 85}}))
        assert s.state.variables == {"troops": 7.5, "flow": 85.0}
        assert s.state.index == by_definition(7.5, 85) == 55.0
        assert s.state.rung == rung_for(s.scenario, 55.0, "standoff") == "standoff"
    finally:
        s.close()
