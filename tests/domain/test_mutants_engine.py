"""Undo/redo stacks, control's notes and red lines read against a package, case by case.

Written against mutants that survived the broader tests (docs/testing.md): a stack popped
for an undo of something else, a default visibility lost, a refusal's words changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetable.domain import commands as C
from peacetable.domain.engine import Ledger, Refused, decide
from peacetable.domain.events import CONTROL, Event, Note, PUBLIC, Redone, Undone, private_to
from peacetable.domain.loader import load_scenario
from peacetable.domain.scenario import RedLineTest
from peacetable.domain.state import State, red_lines_crossed

ROOT = Path(__file__).resolve().parents[2]


def _ev(seq: int, body) -> Event:
    return Event(seq=seq, ts="2026-11-30T10:00:00", visibility=PUBLIC, body=body)


def test_the_ledger_pops_only_the_move_undone_or_redone():
    led = Ledger()
    for seq in (1, 2, 3):
        led.feed(_ev(seq, Note(text=str(seq))))
    assert led.undo == [1, 2, 3] and led.redo == []
    led.feed(_ev(4, Undone(target=3)))
    assert led.undo == [1, 2] and led.redo == [3]
    led.feed(_ev(5, Redone(target=3)))
    assert led.undo == [1, 2, 3] and led.redo == []
    # a record may hold an undo of something that is not on top (a file from elsewhere):
    # the stacks do not lose what is on top for it
    led.feed(_ev(6, Undone(target=1)))
    assert led.undo == [1, 2, 3] and led.redo == [1]
    led.feed(_ev(7, Redone(target=2)))
    assert led.undo == [1, 2, 3, 2] and led.redo == [1]
    # a new undoable event clears what could be redone
    led.feed(_ev(8, Note(text="new")))
    assert led.redo == [] and led.undo[-1] == 8


def test_the_ledger_takes_an_undo_or_redo_with_empty_stacks():
    led = Ledger()
    led.feed(_ev(1, Undone(target=9)))
    assert led.undo == [] and led.redo == [9]
    led = Ledger()
    led.feed(_ev(1, Redone(target=9)))
    assert led.undo == [9] and led.redo == []


@pytest.fixture(scope="module")
def river():
    return load_scenario(ROOT / "tests" / "fixtures" / "river-accord.toml").scenario


def _started(sc) -> State:
    from peacetable.domain.state import initial_state
    st = initial_state(sc)
    st.started = True
    return st


def test_undo_and_redo_take_the_visibility_of_their_target(river):
    st = _started(river)
    led = Ledger(undo=[4], redo=[7])
    secret = private_to("upland")
    assert decide(river, st, C.Undo(), led, {4: secret}) == [(Undone(target=4), secret)]
    assert decide(river, st, C.Redo(), led, {7: PUBLIC}) == [(Redone(target=7), PUBLIC)]
    # a target whose visibility is not known is shown to control only
    assert decide(river, st, C.Undo(), led, {}) == [(Undone(target=4), CONTROL)]
    assert decide(river, st, C.Redo(), led, {}) == [(Redone(target=7), CONTROL)]


def test_undo_redo_and_note_refusals(river):
    st = _started(river)
    with pytest.raises(Refused, match=r"^there is nothing to undo$"):
        decide(river, st, C.Undo(), Ledger())
    with pytest.raises(Refused, match=r"^there is nothing to redo$"):
        decide(river, st, C.Redo(), Ledger())
    with pytest.raises(Refused, match=r"^the note is empty$"):
        decide(river, st, C.AddNote(text=" \n "))
    assert decide(river, st, C.AddNote(text="  a word  ")) == [(Note(text="a word"), CONTROL)]


@pytest.fixture(scope="module")
def framework():
    return load_scenario(ROOT / "scenarios" / "framework-agreement.toml").scenario


def test_red_lines_read_against_a_package(framework):
    st = _started(framework)
    assert red_lines_crossed(framework, st, "russia", {}) == []
    assert red_lines_crossed(framework, st, "russia", {"territory": "restore_1991"}) == [
        "No return to the 1991 borders"]
    assert red_lines_crossed(framework, st, "russia",
                             {"security_guarantees": "nato_membership",
                              "territory": "restore_1991"}) == [
        "No NATO membership for Ukraine and no Western troops stationed in Ukraine",
        "No return to the 1991 borders"]
    assert red_lines_crossed(framework, st, "nobody", {"territory": "restore_1991"}) == []


def test_a_red_line_on_an_open_issue_reads_issues_outside_the_package_as_open(framework):
    role = framework.role_by_id["russia"]
    tests = (RedLineTest.model_validate({"red_line": role.red_lines[0],
                                         "crossed_if": {"issue": "territory", "status": "open"}}),)
    sc = framework.model_copy(update={"role_by_id": {**framework.role_by_id,
                                                     "russia": role.model_copy(update={"red_line_tests": tests})}})
    st = _started(framework)
    assert red_lines_crossed(sc, st, "russia", {}) == [role.red_lines[0]]
    assert red_lines_crossed(sc, st, "russia", {"territory": "restore_1991"}) == []


def test_a_reveal_shows_each_sealed_move_whole_to_those_its_channel_reaches(tmp_path, river_path):
    from peacetable.app.session import Session
    from peacetable.domain.events import MovesRevealed, RevealedMove, Visibility

    s = Session.create(river_path, tmp_path / "s.peacetable", seed=1)
    try:
        s.execute(C.Advance())
        s.execute(C.Advance())  # the sealed round
        a = s.execute(C.SubmitMove(role="lowland", template="pull_back", magnitude=2,
                                   rationale="calm"))[0].seq
        b = s.execute(C.SubmitMove(role="upland", template="statement", channel="private",
                                   to=("midland",), rationale="quiet"))[0].seq
        got = [(e.body, e.visibility) for e in s.execute(C.Reveal())]
        assert got == [
            (MovesRevealed(moves=(a,), revealed=(RevealedMove(
                move=a, role="lowland", template="pull_back", kind="de_escalation", magnitude=2,
                package={}, target=None, rationale="calm"),)), PUBLIC),
            (MovesRevealed(moves=(b,), revealed=(RevealedMove(
                move=b, role="upland", template="statement", kind="statement", magnitude=1,
                package={}, target=None, rationale="quiet"),)),
             Visibility("roles", ("upland", "midland"))),
        ]
    finally:
        s.close()


def test_a_blocking_test_on_two_variables_says_both_values_now(river):
    from peacetable.domain.engine import _while_text
    from peacetable.domain.scenario import Linkage

    flow = river.variable_by_id["flow"].model_copy(update={"unit": ""})
    sc = river.model_copy(update={"variable_by_id": {**river.variable_by_id, "flow": flow}})
    link = Linkage.model_validate({"kind": "blocks", "to": "release", "while": {"all": [
        {"variable": "troops", "op": ">", "value": 6}, {"variable": "flow", "op": "<", "value": 30}]}})
    st = State(variables={"troops": 8.0, "flow": 25.0})
    assert _while_text(sc, st, "Talks on 'Water release'", link) == (
        "Talks on 'Water release' are blocked while Troops at the border > 6 battalions and "
        "River flow downstream < 30 (now: River flow downstream 25; Troops at the border 8 battalions)")
