"""Firing an inject, case by case: each refusal in full, and the event written compared whole
(its words as control edited them, its targets, its effects, who sees it).

Written against mutants of the engine's inject command that the broader tests let through
(docs/testing.md, "Mutation testing").
"""

from __future__ import annotations

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.engine import Refused
from peacetable.domain.events import CONTROL, PUBLIC, InjectFired, Visibility


def why(s: Session, cmd: C.Command) -> str:
    before = s.store.last_seq
    with pytest.raises(Refused) as info:
        s.execute(cmd)
    assert s.store.last_seq == before  # nothing written
    return str(info.value)


def fire(s: Session, cmd: C.FireInject):
    (ev,) = s.execute(cmd)
    return ev


@pytest.fixture
def talks(river_session) -> Session:
    river_session.execute(C.Advance())
    return river_session


def test_a_scheduled_inject_refused_unknown_twice_or_skipped(river_session):
    s = river_session
    assert why(s, C.FireInject(id="nope")) == (
        "unknown inject 'nope' (expected one of: flash_flood, leak)")
    skip = s.execute(C.SkipInject(id="flash_flood"))[0].seq
    assert why(s, C.FireInject(id="flash_flood")) == (
        f"inject 'Flash flood' was skipped (event {skip}); undo the skip to fire it")
    s.execute(C.Undo())
    first = fire(s, C.FireInject(id="flash_flood")).seq
    assert why(s, C.FireInject(id="flash_flood")) == (
        f"inject 'Flash flood' was already fired (event {first})")


def test_a_scheduled_inject_carries_the_scenarios_words_unless_control_edits_them(talks):
    s = talks
    ev = fire(s, C.FireInject(id="flash_flood", title="  ", synopsis=""))
    assert ev.body == InjectFired(
        inject="flash_flood", title="Flash flood", synopsis="A storm fills the reservoir overnight.",
        targets=("upland",), expected_action="Upland considers a release.",
        effects={"variables": {"flow": 10.0}}, scheduled=True)
    assert ev.visibility == PUBLIC
    s.execute(C.Undo())
    ev = fire(s, C.FireInject(id="flash_flood", title="  Storm surge ", synopsis=" The dam spills. "))
    assert (ev.body.title, ev.body.synopsis) == ("Storm surge", "The dam spills.")
    assert ev.body.inject == "flash_flood" and ev.body.scheduled is True


def test_a_reserve_inject_is_seen_by_its_targets_and_is_not_scheduled(talks):
    ev = fire(talks, C.FireInject(id="leak"))
    assert ev.body == InjectFired(
        inject="leak", title="Leaked memo",
        synopsis="A memo on Lowland's readiness leaks to Upland.", targets=("upland",),
        expected_action="", effects={}, scheduled=False)
    assert ev.visibility == Visibility("roles", ("upland",))


def test_a_control_inject_is_seen_by_control_alone(tmp_path, river_path):
    highland = river_path.parent / "highland-talks.toml"
    s = Session.create(highland, tmp_path / "h.peacetable", seed=7)
    try:
        ev = fire(s, C.FireInject(id="arms_cache"))
    finally:
        s.close()
    assert ev.visibility == CONTROL
    assert ev.body.targets == ("unmission",)
    assert ev.body.effects == {"issues": {"disarmament": "blocked"}}


def test_an_unscheduled_inject_refusals(talks):
    s = talks
    need = "an unscheduled inject needs a title and a synopsis"
    assert why(s, C.FireInject(title=" ", synopsis="y")) == need
    assert why(s, C.FireInject(title="x", synopsis=" ")) == need
    assert why(s, C.FireInject(title="x")) == need
    assert why(s, C.FireInject(synopsis="y")) == need
    assert why(s, C.FireInject(title="x", synopsis="y", targets=("upland", "nobody"))) == (
        "unknown target role 'nobody'")
    assert why(s, C.FireInject(title="x", synopsis="y",
                               effects={"variables": {"troops": "lots"}})) == (
        "inject effects: Input should be a valid number")
    assert why(s, C.FireInject(title="x", synopsis="y", effects={"variables": {"rain": 1}})) == (
        "inject effects: unknown escalation variable 'rain' (expected one of: troops, flow)")
    assert why(s, C.FireInject(title="x", synopsis="y",
                               effects={"declare": {"monitoring": "joint"}})) == (
        "inject effects: an inject that declares a posture names the role that declares it "
        "(by = a player role id)")
    assert why(s, C.FireInject(title="x", synopsis="y", visibility="targets")) == (
        "an inject visible to its targets needs target roles")


def test_an_unscheduled_inject_written_whole_for_each_visibility(talks):
    s = talks
    ev = fire(s, C.FireInject(title=" Border clash ", synopsis=" Shots across the river. ",
                              visibility="targets", targets=("upland", "lowland"),
                              expected_action="Call the hotline.",
                              effects={"variables": {"troops": 1}}))
    assert ev.body == InjectFired(
        inject=None, title="Border clash", synopsis="Shots across the river.",
        targets=("upland", "lowland"), expected_action="Call the hotline.",
        effects={"variables": {"troops": 1.0}}, scheduled=False)
    assert ev.visibility == Visibility("roles", ("upland", "lowland"))
    assert s.state.variables["troops"] == 5
    ev = fire(s, C.FireInject(title="x", synopsis="y", visibility="control", targets=("upland",)))
    assert ev.visibility == CONTROL and ev.body.targets == ("upland",)
    ev = fire(s, C.FireInject(title="x", synopsis="y", targets=("upland",)))
    assert ev.visibility == PUBLIC
    assert ev.body == InjectFired(inject=None, title="x", synopsis="y", targets=("upland",),
                                  expected_action="", effects={}, scheduled=False)


def test_blocks_lifts_and_postures_of_an_unscheduled_inject_case_by_case(talks):
    """What stands already is read issue by issue, option by option, role by role."""
    s = talks

    def fire(**effects) -> str:
        try:
            s.execute(C.FireInject(title="Order", synopsis="An order.", effects=effects))
        except Refused as exc:
            return str(exc)
        return "fired"

    def holds() -> set[tuple[str, str | None, str | None]]:
        return {(h.issue, h.option, h.by) for h in s.state.holds}

    assert fire(issues={"release": "blocked"}, by="upland") == "fired"
    # a block on another issue, or on one option, is not the block already there
    assert fire(issues={"monitoring": "blocked"}, by="upland") == "fired"
    assert fire(options={"release": {"low": "blocked"}}, by="upland") == "fired"
    assert fire(options={"release": {"low": "blocked"}}, by="upland") == (
        "inject effects: 'Water release: Low release' is already blocked by Upland "
        "(nothing would change)")
    assert fire(options={"release": {"medium": "blocked"}}, by="upland") == "fired"
    # a role lifts only its own block
    assert fire(issues={"release": "open"}, by="midland") == (
        "inject effects: 'Water release' is not blocked by Midland (there is no block to lift)")
    # a lift that names no role lifts a block whoever put it on
    assert fire(issues={"release": "open"}) == "fired"
    assert ("release", None, "upland") not in holds()
    assert ("monitoring", None, "upland") in holds() and ("release", "low", "upland") in holds()
    assert fire(issues={"release": "open"}) == (
        "inject effects: 'Water release' is not blocked (there is no block to lift)")
    assert fire(issues={"release": "blocked"}) == "fired"
    assert fire(issues={"release": "blocked"}) == (
        "inject effects: 'Water release' is already blocked (nothing would change)")
    assert fire(issues={"release": "open"}, by="lowland") == "fired"  # a block of no one's
    assert ("release", None, None) not in holds()
    # a posture is refused only when the same role declared the same option
    assert fire(declare={"monitoring": "joint"}, by="midland") == "fired"
    assert fire(declare={"monitoring": "joint"}, by="lowland") == "fired"
    assert fire(declare={"monitoring": "joint"}, by="lowland") == (
        "inject effects: Lowland has already declared 'Monitoring: Joint commission' "
        "(nothing would change)")
    assert fire(declare={"monitoring": "international"}, by="lowland") == "fired"
