"""Engine rules, fold, undo, conditional offers, visibility — on real session files."""

from __future__ import annotations

import json

import msgspec
import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.engine import Refused, roll_draw
from peacetable.domain.events import MoveSubmitted, PhaseStarted, SessionStarted
from peacetable.domain.state import escalation_index, fold, initial_state, rung_for
from peacetable.domain.views import view_state


def move(s: Session, **kw) -> int:
    ev = s.execute(C.SubmitMove(**kw))
    return ev[0].seq


def accept(s: Session, mid: int, **kw) -> None:
    s.execute(C.Adjudicate(move=mid, decision="accept", **kw))


def canon(st) -> str:
    return json.dumps(msgspec.to_builtins(st), sort_keys=True)


def canon_noseq(st) -> str:
    """The state without its event number (which always advances)."""
    return canon(msgspec.structs.replace(st, seq=0))


def test_first_command_must_start_a_phase(river_session):
    with pytest.raises(Refused, match="no phase has started"):
        river_session.execute(C.SubmitMove(role="upland", template="statement"))
    assert river_session.store.last_seq == 1  # only session_started


def test_refused_move_writes_nothing(river_session):
    s = river_session
    s.execute(C.Advance())
    before = s.store.last_seq
    with pytest.raises(Refused, match="may not use"):
        move(s, role="upland", template="mass_troops")
    with pytest.raises(Refused, match="not allowed in phase"):
        s.execute(C.Advance())
        move(s, role="upland", template="propose", package={"monitoring": "joint"})
    assert s.store.last_seq == before + 1  # only the second advance
    assert len(s.store.events()) == s.store.last_seq


def test_effects_scale_with_magnitude_and_clamp(river_session, river):
    s = river_session
    s.execute(C.Advance())
    m = move(s, role="lowland", template="mass_troops", magnitude=3)
    accept(s, m)
    assert s.state.variables["troops"] == 10  # 4 + 2*3 = 10, the maximum
    m = move(s, role="lowland", template="mass_troops", magnitude=3)
    accept(s, m)
    assert s.state.variables["troops"] == 10  # clamped
    assert s.state.leverage["lowland"] == 70  # 40 + 5*3 + 5*3


def test_precondition_linkage_refuses_then_package_allows(river_session):
    s = river_session
    s.execute(C.Advance())
    with pytest.raises(Refused, match="needs 'Monitoring' settled first"):
        move(s, role="upland", template="propose", package={"release": "medium"})
    p = move(s, role="upland", template="propose", package={"release": "medium", "monitoring": "joint"})
    accept(s, p)
    assert s.view()["issues"]["release"]["status"] == "on_table"
    a = move(s, role="lowland", template="accept", target=p)
    with pytest.raises(Refused, match="not a party"):
        move(s, role="midland", template="accept", target=p)
    accept(s, a)
    view = s.view()
    assert view["issues"]["release"] == {"status": "agreed", "option": "medium", "agreement": p,
                                         "reason": "", "declared_by": None,
                                         "blocked_options": []}
    assert [a["id"] for a in view["agreements"]] == [p]
    with pytest.raises(Refused, match="already agreed"):
        move(s, role="lowland", template="propose", package={"monitoring": "none"})


def test_rejection_takes_proposal_off_the_table(river_session):
    s = river_session
    s.execute(C.Advance())
    p = move(s, role="upland", template="propose", package={"monitoring": "none"})
    accept(s, p)
    r = move(s, role="lowland", template="reject", target=p)
    accept(s, r)
    assert p not in s.state.moves
    with pytest.raises(Refused, match="not a proposal on the table"):
        move(s, role="lowland", template="accept", target=p)


def test_conditional_offer_follows_its_condition(river_session):
    """The 'fewer troops for more water' exchange: in force only while troops <= 2."""
    s = river_session
    s.execute(C.Advance())
    o = move(s, role="upland", template="open_sluices", channel="private", to=("lowland",))
    accept(s, o)
    assert s.state.offers[o].status == "waiting"
    assert s.state.variables["flow"] == 60
    s.execute(C.Advance())  # sealed round
    d = move(s, role="lowland", template="pull_back", magnitude=1)
    s.execute(C.Reveal())
    accept(s, d)
    assert s.state.variables["troops"] == 2
    assert s.state.offers[o].status == "in_force"
    assert s.state.variables["flow"] == 90
    # escalating again breaks the condition and the water stops
    s.execute(C.Advance())
    s2 = s  # summit phase allows no escalation: check the phase rule too
    with pytest.raises(Refused, match="not allowed"):
        move(s2, role="lowland", template="mass_troops")


def test_conditional_offer_lapses_when_condition_breaks(tmp_path, river_path):
    s = Session.create(river_path, tmp_path / "s.peacetable", seed=1)
    s.execute(C.Advance())
    o = move(s, role="upland", template="open_sluices", to=("lowland",),
             condition={"variable": "troops", "op": "<=", "value": 4})
    accept(s, o)
    assert s.state.offers[o].status == "in_force" and s.state.variables["flow"] == 90
    m = move(s, role="lowland", template="mass_troops")
    accept(s, m)
    assert s.state.offers[o].status == "waiting" and s.state.variables["flow"] == 60
    s.execute(C.Undo())
    assert s.state.offers[o].status == "in_force" and s.state.variables["flow"] == 90
    s.close()


def test_bad_condition_is_refused(river_session):
    s = river_session
    s.execute(C.Advance())
    with pytest.raises(Refused, match="unknown variable 'rain'"):
        move(s, role="upland", template="open_sluices", condition={"variable": "rain", "op": "<",
                                                                   "value": 1})
    with pytest.raises(Refused, match="condition"):
        move(s, role="upland", template="open_sluices", condition={"variable": "troops"})


def test_sealed_phase_hides_moves_until_revealed(river_session):
    s = river_session
    s.execute(C.Advance())
    s.execute(C.Advance())
    m = move(s, role="lowland", template="pull_back", rationale="LOWLAND sealed reasoning")
    assert s.events[-1].visibility.roles == ("lowland",)
    assert not any(x["id"] == m for x in s.view("audience")["moves_open"])
    assert not any(x["id"] == m for x in s.view("upland")["moves_open"])
    assert any(x["id"] == m for x in s.view("lowland")["moves_open"])
    with pytest.raises(Refused, match="sealed"):
        accept(s, m)
    with pytest.raises(Refused, match="reveal the sealed moves first"):
        s.execute(C.Advance())
    s.execute(C.Reveal())
    assert any(x["id"] == m for x in s.view("audience")["moves_open"])
    accept(s, m)


def test_private_moves_and_briefs_stay_private(river_session, river):
    s = river_session
    s.execute(C.Advance())
    o = move(s, role="upland", template="open_sluices", to=("lowland",),
             rationale="UPLAND private rationale")
    accept(s, o)
    s.execute(C.AddNote(text="CONTROL note about Upland"))
    audience = json.dumps(s.view("audience"))
    assert "UPLAND" not in audience and "SECRET" not in audience
    assert all(x["id"] != o for x in s.view("audience")["offers"])
    assert any(x["id"] == o for x in s.view("lowland")["offers"])
    assert all(x["id"] != o for x in s.view("midland")["offers"])
    upland = json.dumps(s.view("upland"))
    assert "UPLAND-SECRET" in upland and "LOWLAND-SECRET" not in upland
    assert [e.seq for e in s.events if e.visibility.allows("audience")] == [1, 2]


def test_roll_is_recorded_and_deterministic(tmp_path, river_path):
    outs = []
    for k in range(2):
        s = Session.create(river_path, tmp_path / f"r{k}.peacetable", seed=42)
        s.execute(C.Advance())
        m = move(s, role="lowland", template="mass_troops")
        ev = s.execute(C.Roll(move=m, odds=50, reason="will the army obey?"))[0]
        assert ev.body.draw == roll_draw(42, 0)
        assert ev.body.success == (ev.body.draw <= 50)
        outs.append((ev.body.draw, canon(s.state)))
        s.close()
    assert outs[0] == outs[1]


def test_undo_is_a_compensating_event_and_redo_reinstates(river_session):
    s = river_session
    s.execute(C.Advance())
    m = move(s, role="lowland", template="mass_troops")
    before = canon_noseq(s.state_at(m))
    accept(s, m)
    after = canon_noseq(s.state)
    n = s.store.last_seq
    s.execute(C.Undo())
    assert s.store.last_seq == n + 1  # appended, nothing deleted
    assert len(s.store.events()) == n + 1
    assert canon_noseq(s.state) == before
    s.execute(C.Redo())
    assert s.state.variables["troops"] == 6
    assert canon_noseq(s.state) == after
    # a new command clears the redo stack
    s.execute(C.Undo())
    s.execute(C.AddNote(text="n"))
    with pytest.raises(Refused, match="nothing to redo"):
        s.execute(C.Redo())


def test_undo_back_to_the_start_and_nothing_more(river_session):
    s = river_session
    s.execute(C.Advance())
    move(s, role="upland", template="statement")
    s.execute(C.Undo())
    s.execute(C.Undo())
    assert s.state.phase is None
    with pytest.raises(Refused, match="nothing to undo"):
        s.execute(C.Undo())


def test_fold_is_pure_and_does_not_touch_its_input(river_session, river):
    s = river_session
    s.execute(C.Advance())
    m = move(s, role="lowland", template="mass_troops")
    accept(s, m)
    start = s.state_at(2)
    frozen = canon(start)
    fold(river, s.events[2:], start=start)
    assert canon(start) == frozen


def test_reopen_restores_exactly(tmp_path, river_path):
    path = tmp_path / "x.peacetable"
    s = Session.create(river_path, path, seed=3)
    s.execute(C.Advance())
    accept(s, move(s, role="lowland", template="mass_troops", magnitude=2))
    s.execute(C.Undo())
    s.execute(C.Redo())
    view = s.view()
    s.close()
    s2 = Session.open(path)
    assert s2.view() == view
    s2.execute(C.Undo())  # the undo ledger survives reopening
    assert s2.state.variables["troops"] == 4
    s2.close()


def test_escalation_index_and_rungs(river):
    st = initial_state(river)
    # troops 4/10 weight 2, flow 60% calming weight 1 -> (2*0.4 + 1*0.4) / 3
    assert st.index == pytest.approx(100 * (2 * 0.4 + 0.4) / 3, abs=1e-6)
    assert st.rung == "tension"
    assert rung_for(river, 65, "tension") == "standoff"
    # hysteresis 5: stepping down from standoff (60) needs the index below 55
    assert rung_for(river, 57, "standoff") == "standoff"
    assert rung_for(river, 54.9, "standoff") == "tension"
    assert rung_for(river, 10, "standoff") == "calm"
    assert escalation_index(river, {"troops": 0, "flow": 100}) == 0


def test_injects_fire_once_and_apply_effects(river_session):
    s = river_session
    s.execute(C.Advance())
    s.execute(C.FireInject(id="flash_flood"))
    assert s.state.variables["flow"] == 70
    with pytest.raises(Refused, match="already fired"):
        s.execute(C.FireInject(id="flash_flood"))
    ev = s.execute(C.FireInject(id="leak"))[0]
    assert ev.visibility.scope == "roles" and ev.visibility.roles == ("upland",)
    ev = s.execute(C.FireInject(title="Border clash", synopsis="Shots across the river.",
                                effects={"variables": {"troops": 1}}))[0]
    assert ev.body.scheduled is False and s.state.variables["troops"] == 5
    with pytest.raises(Refused, match="unknown escalation variable"):
        s.execute(C.FireInject(title="x", synopsis="y", effects={"variables": {"rain": 1}}))
    s.execute(C.RecordAction(inject_event=ev.seq, role="lowland", text="Sent a hotline message"))


def test_third_scenario_plays_with_no_code_change(river_session):
    """The river fixture is not about Ukraine: the engine knows nothing of either."""
    s = river_session
    for _ in range(3):
        s.execute(C.Advance())
    assert s.state.phase == "summit"
    # the record names the fixture's scenario and walks its phases in the file's order
    first = s.events[0].body
    assert isinstance(first, SessionStarted) and first.scenario_id == "river_accord"
    started = [(e.body.phase, e.body.index) for e in s.events if isinstance(e.body, PhaseStarted)]
    assert started == [(p.id, k) for k, p in enumerate(s.scenario.phases)]
    assert not any(isinstance(e.body, MoveSubmitted) for e in s.events)


def test_view_state_rejects_unknown_viewer(river_session, river):
    with pytest.raises(ValueError, match="unknown viewer"):
        view_state(river, river_session.state, "nobody")


def test_private_proposal_reaches_its_parties(river_session):
    s = river_session
    s.execute(C.Advance())
    p = move(s, role="upland", template="propose", channel="private",
             package={"monitoring": "joint"})
    assert s.events[-1].visibility.roles == ("upland", "lowland")
    accept(s, p)
    a = move(s, role="lowland", template="accept", target=p)
    accept(s, a)
    assert s.view("lowland")["agreements"][0]["id"] == p
    assert s.view("midland")["agreements"] == []
    assert s.view("audience")["issues"]["monitoring"]["status"] == "open"


def test_reveal_shows_what_sealed_moves_said_to_who_may_see_them(river_session):
    s = river_session
    s.execute(C.Advance())
    s.execute(C.Advance())  # sealed round
    pub = move(s, role="lowland", template="pull_back", rationale="we step back")
    priv = move(s, role="lowland", template="statement", channel="private", to=("upland",),
                rationale="LOWLAND whisper")
    evs = s.execute(C.Reveal())
    assert [e.visibility.scope for e in evs] == ["public", "roles"]
    assert evs[0].body.revealed[0].move == pub and evs[0].body.revealed[0].rationale == "we step back"
    assert evs[1].visibility.roles == ("lowland", "upland") and evs[1].body.moves == (priv,)
    audience = [s.describe(e) for e in s.events if e.visibility.allows("audience")]
    assert any("Pull troops back" in line for line in audience)
    assert not any("whisper" in line for line in audience)


def test_publish_makes_a_private_agreement_public(river_session):
    s = river_session
    s.execute(C.Advance())
    p = move(s, role="upland", template="propose", channel="private",
             package={"monitoring": "joint"})
    accept(s, p)
    accept(s, move(s, role="lowland", template="accept", target=p))
    assert s.view("audience")["agreements"] == []
    with pytest.raises(Refused, match="not an agreement"):
        s.execute(C.Publish(agreement=p + 100))
    s.execute(C.Publish(agreement=p, reason="announced at the press conference"))
    assert [a["id"] for a in s.view("audience")["agreements"]] == [p]
    assert s.view("audience")["issues"]["monitoring"]["status"] == "agreed"
    with pytest.raises(Refused, match="already public"):
        s.execute(C.Publish(agreement=p))
    s.execute(C.Undo())
    assert s.view("audience")["agreements"] == []
