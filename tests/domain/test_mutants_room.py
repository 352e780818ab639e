"""The projector's line for an event (``describe_for_room``) where the broader tests do not
look: a move whose template the scenario does not have is named by its id.

Written against mutants that survived the broader tests (docs/testing.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetable.domain.events import (
    PUBLIC,
    ClockCorrected,
    ClockPaused,
    ClockResumed,
    Event,
    MoveSubmitted,
)
from peacetable.domain.loader import load_scenario
from peacetable.domain.views import describe_for_room

RIVER = Path(__file__).resolve().parents[1] / "fixtures" / "river-accord.toml"


@pytest.fixture(scope="module")
def river():
    return load_scenario(RIVER).scenario


def test_a_move_of_a_template_the_scenario_lacks_is_named_by_its_id(river):
    role = river.roles[0]
    tpl = river.moves[0]
    known = Event(1, "2031-01-01T00:00:00Z", PUBLIC,
                  MoveSubmitted(role=role.id, template=tpl.id, kind=tpl.kind))
    ghost = Event(2, "2031-01-01T00:00:01Z", PUBLIC,
                  MoveSubmitted(role=role.id, template="ghost_template", kind="statement"))
    events = {1: known, 2: ghost}
    assert describe_for_room(river, known, events).startswith(f"{role.name}: {tpl.label}")
    assert describe_for_room(river, ghost, events) == f"{role.name}: ghost_template"


def test_with_nothing_agreed_the_best_completion_is_the_nash_point(river):
    from peacetable.domain.analytics.report import session_report
    from peacetable.domain.state import initial_state

    report = session_report(river, [], initial_state(river))
    distance = report["session"]["frontier_distance"]
    assert distance["agreed"] == {}
    assert distance["best_completion"] == report["bargaining"]["nash"]
    assert distance["best_completion"]["package"]  # the fixture's Nash point settles issues


def test_the_debrief_gives_the_best_completion_by_label(river):
    from peacetable.domain.analytics.debrief import bargaining_debrief
    from peacetable.domain.state import initial_state
    from peacetable.domain.views import package_text

    d = bargaining_debrief(river, initial_state(river))
    best = d["best_completion"]
    assert best["package"] == d["nash"]["package"]  # nothing agreed: the Nash point
    assert best["package_text"] == package_text(river, best["package"]) == \
        "Water release: Medium release; Monitoring: Joint commission"


def test_a_revealed_sealed_proposal_is_told_with_its_package(river):
    from peacetable.domain.events import MovesRevealed, RevealedMove
    from peacetable.domain.views import describe_event, package_text

    up, low = river.role_by_id["upland"], river.role_by_id["lowland"]
    propose = river.template_by_id["propose"]
    package = {"release": "medium"}
    ev = Event(9, "2031-01-01T00:00:00Z", PUBLIC, MovesRevealed(moves=(4, 6), revealed=(
        RevealedMove(move=4, role="upland", template="propose", kind="proposal",
                     package=package),
        RevealedMove(move=6, role="lowland", template="propose", kind="proposal",
                     magnitude=2))))
    assert describe_event(river, ev, {}, "control") == (
        f"Revealed: {up.name}: {propose.label} {{{package_text(river, package)}}} (#4); "
        f"{low.name}: {propose.label} x2 (#6)")
    assert describe_event(river, ev, {}, "midland") == (
        f"Revealed: {up.name}: {propose.label} {{{package_text(river, package)}}}; "
        f"{low.name}: {propose.label} x2")


@pytest.mark.parametrize("body, line", [
    (ClockPaused(reason="Lunch with the UN envoy"), "Clock paused: Lunch with the UN envoy"),
    (ClockPaused(reason="crashed"), "Clock paused (PeaceTable stopped without closing the session)"),
    (ClockPaused(reason="closed"), "Clock paused (session closed)"),
    (ClockResumed(), "Clock resumed"),
    (ClockCorrected(seconds=-95, reason="Timer set late by NATO liaison"),
     "Clock corrected by -1:35: Timer set late by NATO liaison"),
])
def test_the_projector_keeps_the_case_of_what_control_typed(river, body, line):
    """Only the line's first letter is raised: a pause reason, "PeaceTable" and acronyms
    keep their capitals on the projector."""
    ev = Event(1, "2031-01-01T00:00:00Z", PUBLIC, body)
    assert describe_for_room(river, ev, {1: ev}) == line
