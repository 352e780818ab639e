"""Autoplay on real session files: bots and the control bot play through Session.execute."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from peacetable.app.autoplay import Autoplay, default_bots, parse_bots
from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.bots import STRATEGIES
from peacetable.domain.events import MoveSubmitted, PhaseStarted
from peacetable.domain.loader import parse_scenario
from peacetable.domain.scenario import Role

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scenarios").glob("*.toml"))
FIXTURES = ROOT / "tests" / "fixtures"


def test_strategy_names_match_the_scenario_format():
    # the scenario's optional `bot` field accepts exactly the strategies the bots implement
    field = Role.model_fields["bot"].annotation
    literal = next(a for a in typing.get_args(field) if a is not type(None))
    assert set(typing.get_args(literal)) == set(STRATEGIES)
    assert {"hardliner", "conceder", "reciprocator", "leverage"} <= set(STRATEGIES)
    assert all(isinstance(d, str) and d for d in STRATEGIES.values())


def test_default_bots_read_the_scenario_field(river_path):
    text = river_path.read_text().replace('name = "Upland"', 'name = "Upland"\nbot = "hardliner"')
    sc = parse_scenario(text, "river").scenario
    assert default_bots(sc) == {"upland": "hardliner", "lowland": "reciprocator",
                                "midland": "reciprocator"}
    with pytest.raises(Exception, match="hardliner"):
        parse_scenario(text.replace('bot = "hardliner"', 'bot = "hawk"'), "river")


def test_parse_bots_names_the_bad_part(river):
    assert parse_bots(river, ["upland=conceder"]) == {"upland": "conceder"}
    with pytest.raises(ValueError, match="unknown role 'narnia'.*upland, lowland, midland"):
        parse_bots(river, ["narnia=conceder"])
    with pytest.raises(ValueError, match="unknown strategy 'hawk'.*hardliner"):
        parse_bots(river, ["upland=hawk"])
    with pytest.raises(ValueError, match="expected ROLE=STRATEGY"):
        parse_bots(river, ["upland"])
    with pytest.raises(ValueError, match="not a player role|unknown role 'control'"):
        parse_bots(river, ["control=conceder"])


def _play(session: Session, bots: dict[str, str], seed: int) -> Autoplay:
    ap = Autoplay(session, bots, seed=seed)
    while ap.step():
        pass
    return ap


@pytest.mark.parametrize("path", [*BUNDLED, FIXTURES / "river-accord.toml"], ids=lambda p: p.stem)
def test_bots_play_a_whole_session_file(tmp_path, path):
    s = Session.create(path, tmp_path / "s.peacetable", seed=11)
    try:
        sc = s.scenario
        ap = _play(s, default_bots(sc), seed=11)
        assert ap.finished and ap.waiting_for() == []
        assert ap.refused == 0
        assert s.state.phase_index == len(sc.phases) - 1
        assert not any(m.sealed or m.status == "pending" for m in s.state.moves.values())
        # every scheduled inject was fired
        assert set(s.state.injects_fired) == set(sc.inject_phase)
        kinds = {e.body.kind for e in s.events if isinstance(e.body, MoveSubmitted)}
        assert {"proposal", "acceptance"} <= kinds
        # the record on disk is the game: reopening folds to the same state
        last = s.store.last_seq
    finally:
        s.close()
    again = Session.open(tmp_path / "s.peacetable", readonly=True)
    try:
        assert again.store.last_seq == last
    finally:
        again.close()


def test_same_seed_same_game(tmp_path, river_path):
    def record(name: str, seed: int) -> list:
        s = Session.create(river_path, tmp_path / name, seed=seed)
        try:
            _play(s, {"upland": "conceder", "lowland": "hardliner", "midland": "leverage"}, seed)
            return [(e.type, e.visibility, e.body) for e in s.events[1:]]
        finally:
            s.close()

    a, b = record("a.peacetable", 5), record("b.peacetable", 5)
    assert a == b
    assert any(record(f"c{k}.peacetable", k) != a for k in (6, 7, 8))


def test_a_person_plays_one_role(tmp_path):
    path = next(p for p in BUNDLED if "inches" in p.name)
    s = Session.create(path, tmp_path / "solo.peacetable", seed=3)
    try:
        bots = default_bots(s.scenario)
        bots.pop("ukraine")
        ap = Autoplay(s, bots, seed=3)
        turns = moved = 0
        while True:
            if ap.step():
                continue
            if ap.finished:
                break
            assert ap.waiting_for() == ["ukraine"]
            turns += 1
            phase = s.scenario.phase_by_id[s.state.phase]
            if turns % 2 and "statement" in phase.allowed_moves:
                # a move by the person ends the turn
                s.execute(C.SubmitMove(role="ukraine", template="statement",
                                       rationale="we are listening"))
                moved += 1
                assert ap.waiting_for() != ["ukraine"] or ap.round  # the turn moved on
            else:
                ap.end_turn("ukraine")
        assert turns == len(s.scenario.phases) * ap.rounds
        assert moved > 0 and ap.refused == 0
        starts = [e for e in s.events if isinstance(e.body, PhaseStarted)]
        assert len(starts) == len(s.scenario.phases)
        # no bot ever moved for the person's role
        assert sum(1 for e in s.events if isinstance(e.body, MoveSubmitted)
                   and e.body.role == "ukraine") == moved
    finally:
        s.close()


def test_without_the_control_bot_the_game_waits_for_control(river_session):
    ap = Autoplay(river_session, default_bots(river_session.scenario), control=False, seed=1)
    assert ap.step() == [] and ap.waiting_for() == ["control"]
    river_session.execute(C.Advance())
    assert ap.step()  # bots move now
    while ap.step():
        pass
    assert ap.waiting_for() == ["control"] and not ap.finished
