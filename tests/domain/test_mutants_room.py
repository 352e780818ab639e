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


def _ev(seq: int, body, vis=PUBLIC):
    return Event(seq, f"2031-01-01T00:00:{seq:02d}Z", vis, body)


def test_a_withdrawal_is_named_with_its_reason(river):
    from peacetable.domain.events import Withdrawn

    role, tpl = river.roles[0], river.moves[0]
    move = _ev(1, MoveSubmitted(role=role.id, template=tpl.id, kind=tpl.kind))
    plain = _ev(2, Withdrawn(move=1))
    why = _ev(3, Withdrawn(move=1, reason="the flood changed everything"))
    events = {1: move, 2: plain, 3: why}
    from peacetable.domain.views import describe_event

    first = describe_event(river, plain, events)
    assert first.startswith("Withdrawn: ") and tpl.label in first and " — " not in first
    assert describe_event(river, why, events) == first + " — the flood changed everything"


def test_carried_over_moves_are_counted_in_words_into_the_next_phase(river):
    from peacetable.domain.events import CarriedOver

    one = _ev(1, CarriedOver(moves=(4,), phase="summit"))
    two = _ev(2, CarriedOver(moves=(4, 5), phase="summit"))
    ghost = _ev(3, CarriedOver(moves=(4, 5), phase="no_such_phase"))
    events = {1: one, 2: two, 3: ghost}
    assert describe_for_room(river, one, events) == "1 undecided move carried over into Summit"
    assert describe_for_room(river, two, events) == "2 undecided moves carried over into Summit"
    assert describe_for_room(river, ghost, events) == \
        "2 undecided moves carried over into no_such_phase"


def test_a_team_s_answer_to_an_inject_names_the_inject_when_it_is_known(river):
    from peacetable.domain.events import ActionRecorded, InjectFired

    role = river.roles[1]
    fired = _ev(1, InjectFired(inject="flash_flood", title="Flash flood",
                               synopsis="A storm fills the reservoir overnight."))
    answer = _ev(2, ActionRecorded(inject_event=1, role=role.id, text="opened the gates"))
    stray = _ev(3, ActionRecorded(inject_event=99, role=role.id, text="stood by"))
    events = {1: fired, 2: answer, 3: stray}
    assert describe_for_room(river, answer, events) == \
        f"{role.name} responds to Flash flood: opened the gates"
    assert describe_for_room(river, stray, events) == f"{role.name} responds: stood by"


def test_an_inject_rescheduled_to_a_phase_the_scenario_lacks_names_it_by_id(river):
    from peacetable.domain.events import InjectRescheduled
    from peacetable.domain.views import describe_event

    known = _ev(1, InjectRescheduled(inject="flash_flood", phase="summit", at_minute=5))
    ghost = _ev(2, InjectRescheduled(inject="flash_flood", phase="no_such_phase",
                                     at_minute=5))
    events = {1: known, 2: ghost}
    assert describe_event(river, known, events).endswith("to minute 5 of Summit")
    assert describe_event(river, ghost, events).endswith("to minute 5 of no_such_phase")
