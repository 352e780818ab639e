"""Domain behaviour written against the mutants of the second sample (docs/testing.md,
"Mutation testing") that no test of the mutation run noticed."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetable.domain.analytics.bargaining import (
    OPEN,
    PackageSpace,
    analyze_bargaining,
    coalition_space,
    crossed_partial,
)
from peacetable.domain.loader import parse_scenario

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ANCHOR = 'monitoring = { none = 1.0, joint = 0.5, international = 0.0 }\n'
STATUS_TEST = '''
[[roles.red_line_tests]]
red_line = "No foreign monitors at the dam"
crossed_if = {{ issue = "monitoring", status = "{status}" }}
'''


def _coalition(river_path, status: str | None) -> PackageSpace:
    text = river_path.read_text(encoding="utf-8")
    if status is not None:
        text = text.replace(ANCHOR, ANCHOR + STATUS_TEST.format(status=status), 1)
    space = PackageSpace.from_scenario(parse_scenario(text).scenario)
    return coalition_space(space, ["upland", "lowland"])


@pytest.mark.parametrize("status", ["suspended", "blocked", "declared", "on_table"])
def test_a_red_line_on_a_status_no_package_gives_takes_nothing_from_a_coalition(river_path,
                                                                               status):
    """Among some parties a package settles an issue or leaves it open: a red line crossed
    when an issue is suspended (blocked, ...) is crossed by none of them."""
    plain = _coalition(river_path, None)
    tested = _coalition(river_path, status)
    assert tested.enumerate()[0].tolist() == plain.enumerate()[0].tolist()
    assert len(analyze_bargaining(tested).frontier) == len(analyze_bargaining(plain).frontier)
    for monitoring in (OPEN, "none", "international"):
        assert crossed_partial(tested, {"release": "low", "monitoring": monitoring}) == []


def test_a_red_line_on_an_open_issue_is_crossed_by_leaving_it_open(river_path):
    plain, tested = _coalition(river_path, None), _coalition(river_path, "open")
    assert len(tested.enumerate()[0]) < len(plain.enumerate()[0])
    assert crossed_partial(tested, {"release": "low", "monitoring": OPEN}) == [
        ("upland", "No foreign monitors at the dam")]
    assert crossed_partial(tested, {"release": "low", "monitoring": "none"}) == []


def test_a_leverage_bot_asks_less_as_its_leverage_falls(river):
    """Its aspiration follows its time curve times (leverage now / at the start)^3; the
    other strategies do not read leverage."""
    from peacetable.domain.bots import PlayerBot
    from peacetable.domain.bots.knowledge import Knowledge

    knowledge = Knowledge.of(river, "upland")
    bot = PlayerBot(river, "upland", "leverage", knowledge, seed=1)
    bot.mem.start_leverage = 60.0
    curve = 1.0 - 0.5 ** (1.0 / bot.strategy.exponent)
    assert 0.0 < curve < 1.0
    assert bot.share(0.5, {"leverage": {"upland": 60.0}}) == pytest.approx(curve)
    assert bot.share(0.5, {"leverage": {"upland": 30.0}}) == pytest.approx(curve / 8)
    assert bot.share(0.5, {"leverage": {"upland": 90.0}}) == pytest.approx(curve)  # capped
    assert bot.share(0.5, {}) == pytest.approx(curve)  # not shown: as at the start
    hard = PlayerBot(river, "upland", "hardliner", knowledge, seed=1)
    hard.mem.start_leverage = 60.0
    assert hard.share(0.5, {"leverage": {"upland": 30.0}}) == \
        hard.share(0.5, {"leverage": {"upland": 60.0}})


def test_a_range_the_scenario_gets_wrong_is_said_in_the_author_s_numbers(river_path):
    """A model check's own sentence is the problem (no "Value error," and no "(got ...)")."""
    from peacetable.domain.loader import ScenarioError

    text = river_path.read_text(encoding="utf-8").replace("min = 0\nmax = 10",
                                                          "min = 12\nmax = 10", 1)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "river.toml")
    assert [(p.path, p.message) for p in err.value.problems] == [
        (("escalation", "variables", 0), "min (12) must be below max (10)")]
    assert str(err.value) == "river.toml:18: escalation.variables[0]: min (12) must be below " \
                             "max (10)"
    for lo, hi, said in (("0.125", "0.0625", "min (0.125) must be below max (0.0625)"),
                         ("123456789", "12345678", "min (123456789) must be below max (12345678)")):
        with pytest.raises(ScenarioError) as err:
            parse_scenario(text.replace("min = 12\nmax = 10", f"min = {lo}\nmax = {hi}", 1))
        assert [p.message for p in err.value.problems] == [said]


def test_a_reciprocator_answers_the_steps_control_accepted_at_their_ruled_size(river):
    """A step the others took counts at the magnitude control accepted it at (a ruling may
    change it), or at its own when the dice decide; a reciprocator concedes 0.12 of its
    share for each step of the others."""
    from peacetable.domain.bots import PlayerBot
    from peacetable.domain.bots.knowledge import Knowledge
    from peacetable.domain.bots.players import Clock, Observation
    from peacetable.domain.events import PUBLIC, DiceRolled, Event, MoveAdjudicated, MoveSubmitted
    from peacetable.domain.state import initial_state
    from peacetable.domain.views import view_state

    view = view_state(river, initial_state(river), "upland")
    clock = Clock(0, 3, 0, 4)

    def ev(seq, body):
        return Event(seq, f"2031-01-01T00:00:{seq:02d}Z", PUBLIC, body)

    step = MoveSubmitted(role="lowland", template="pull_back", kind="de_escalation")
    for ruling, steps in ((MoveAdjudicated(move=1, decision="accepted", magnitude=3), 3),
                          (DiceRolled(move=1, odds=50, draw=10, success=True), 1),
                          (MoveAdjudicated(move=1, decision="rejected", magnitude=3), 0)):
        bot = PlayerBot(river, "upland", "reciprocator", Knowledge.of(river, "upland"), seed=1)
        bot.act(Observation(view, (ev(1, step), ev(2, ruling)), clock))
        assert bot.share(0.0, view) == pytest.approx(1.0 - (0.15 + 0.12 * steps)), ruling


def test_a_leverage_bot_wins_back_leverage_only_with_a_lever_that_gives_it_some():
    """Kessmark (a leverage bot) has one lever, a veto that moves no leverage: below its
    starting leverage it does not pull it to win leverage back; the UN mission's patrol
    surge (+3 for itself) is pulled."""
    from peacetable.domain.bots import PlayerBot
    from peacetable.domain.bots.knowledge import Knowledge
    from peacetable.domain.loader import load_scenario

    sc = load_scenario(FIXTURES / "highland-talks.toml").scenario
    lever = {"lever"}
    kessmark = PlayerBot(sc, "kessmark", "leverage", Knowledge.of(sc, "kessmark"), seed=1)
    kessmark.mem.start_leverage = 55.0
    assert [t.id for t in kessmark.templates["lever"]] == ["veto_federal_region"]
    assert kessmark._lever({"leverage": {"kessmark": 40.0}}, lever, 0.5) is None
    un = PlayerBot(sc, "unmission", "leverage", Knowledge.of(sc, "unmission"), seed=1)
    un.mem.start_leverage = 35.0
    move = un._lever({"leverage": {"unmission": 20.0}}, lever, 0.5)
    assert move is not None and move.template == "patrol_surge"
    assert un._lever({"leverage": {"unmission": 35.0}}, lever, 0.5) is None  # not fallen


def test_a_red_line_test_on_an_issue_the_scenario_lacks_names_the_issues_it_has(river_path):
    from peacetable.domain.loader import ScenarioError

    text = river_path.read_text(encoding="utf-8").replace(
        ANCHOR, ANCHOR + STATUS_TEST.format(status="open").replace('"monitoring"', '"dam"'), 1)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "river.toml")
    assert [(p.path, p.message) for p in err.value.problems] == [
        (("roles", 0, "red_line_tests", 0, "crossed_if"),
         "condition names unknown issue 'dam' (expected one of: release, monitoring)")]


def test_an_issue_test_without_status_or_option_is_told_what_it_needs(river_path):
    from peacetable.domain.loader import ScenarioError

    text = river_path.read_text(encoding="utf-8").replace(
        ANCHOR, ANCHOR + '\n[[roles.red_line_tests]]\nred_line = "No foreign monitors at the '
        'dam"\ncrossed_if = { issue = "monitoring" }\n', 1)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "river.toml")
    assert [p.message for p in err.value.problems] == [
        "an issue test needs issue and exactly one of status or option"]


@pytest.mark.parametrize("pending", ["carry", "withdraw"])
def test_moves_undecided_when_a_phase_ends_are_carried_over_or_withdrawn(tmp_path, river_path,
                                                                        pending):
    from peacetable.app.session import Session
    from peacetable.domain import commands as C
    from peacetable.domain.events import CONTROL, CarriedOver, PhaseStarted, Withdrawn

    s = Session.create(river_path, tmp_path / "carry.peacetable", seed=3)
    try:
        s.execute(C.Advance())
        (a,) = s.execute(C.SubmitMove(role="lowland", template="statement", rationale="wait"))
        (b,) = s.execute(C.SubmitMove(role="upland", template="statement", rationale="no"))
        out = s.execute(C.Advance(pending=pending))
        bodies = [e.body for e in out]
        if pending == "carry":
            assert [type(x) for x in bodies] == [PhaseStarted, CarriedOver]
            assert bodies[1] == CarriedOver(moves=(a.seq, b.seq), phase="sealed_round")
            assert out[1].visibility == CONTROL
            assert {s.state.moves[m].status for m in (a.seq, b.seq)} == {"pending"}
        else:
            assert [type(x) for x in bodies] == [Withdrawn, Withdrawn, PhaseStarted]
            assert [(x.move, x.reason) for x in bodies[:2]] == [
                (a.seq, "not decided when 'Talks' ended"), (b.seq, "not decided when 'Talks' ended")]
            assert a.seq not in s.state.moves and b.seq not in s.state.moves  # off the table
        assert s.state.phase == "sealed_round"
    finally:
        s.close()
