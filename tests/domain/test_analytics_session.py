"""Session analytics on real session files: concession curves, GRIT reciprocity, flags for
packages worse than no deal, distance of the agreements from the Pareto frontier."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.events import DiceRolled
from peacetable.domain.analytics.bargaining import PackageSpace, analyze_bargaining
from peacetable.domain.analytics.session import (
    agreed_package,
    concession_curves,
    frontier_distance,
    package_flags,
    reciprocity,
    trace_moves,
)

EXTRA = """
[[moves]]
id = "stand_down"
label = "Stand down"
kind = "de_escalation"

[[moves]]
id = "give_ground"
label = "Give ground"
kind = "concession"

[[phases]]
id = "closing"
label = "Closing"
allowed_moves = ["concession", "de_escalation"]
"""


def move(s: Session, **kw) -> int:
    return s.execute(C.SubmitMove(**kw))[0].seq


def accept(s: Session, mid: int) -> None:
    s.execute(C.Adjudicate(move=mid, decision="accept"))


def play(s: Session, role: str, template: str, **kw) -> int:
    m = move(s, role=role, template=template, **kw)
    accept(s, m)
    return m


@pytest.fixture
def plus_session(tmp_path, river_path):
    """River Accord plus a de-escalation and a concession open to every role and a fourth
    phase (appended to the real fixture file)."""
    path = tmp_path / "river-plus.toml"
    path.write_text(Path(river_path).read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    s = Session.create(path, tmp_path / "plus.peacetable", seed=1)
    yield s
    s.close()


def grit_run(s: Session) -> dict[str, int]:
    """talks (round 0): lowland pull_back, upland stand_down, midland stand_down (rejected by
    control); sealed_round (1): midland then upland stand down sealed, revealed, carried out;
    summit (2): lowland stands down; closing (3): midland gives ground."""
    seq = {}
    s.execute(C.Advance())
    seq["T1"] = play(s, "lowland", "pull_back")
    seq["T2"] = play(s, "upland", "stand_down")
    t3 = move(s, role="midland", template="stand_down")
    s.execute(C.Adjudicate(move=t3, decision="reject", reason="not credible"))
    s.execute(C.Advance())
    seq["S1"] = move(s, role="midland", template="stand_down")
    seq["S2"] = move(s, role="upland", template="stand_down")
    s.execute(C.Reveal())
    accept(s, seq["S1"])
    accept(s, seq["S2"])
    s.execute(C.Advance())
    seq["U1"] = play(s, "lowland", "stand_down")
    s.execute(C.Advance())
    seq["G1"] = play(s, "midland", "give_ground")
    return seq


def answers(rec: dict) -> list[tuple[int, int | None, int | None]]:
    return [(it["move"], it["answered_by"] and it["answered_by"]["move"],
             it["answered_by"] and it["answered_by"]["lag_rounds"]) for it in rec["items"]]


def test_reciprocity_within_one_round(plus_session):
    s = plus_session
    q = grit_run(s)
    moves = trace_moves(s.scenario, s.events)
    rec = reciprocity(s.scenario.player_ids, moves, k=1)
    # lowland: T1 answered by upland's T2 in the same round; U1 by midland's G1 a round later
    assert answers(rec["lowland"]) == [(q["T1"], q["T2"], 0), (q["U1"], q["G1"], 1)]
    assert rec["lowland"]["share"] == 1.0 and rec["lowland"]["mean_lag_rounds"] == 0.5
    # upland: T2 answered by midland's sealed S1 (round 1); S2 -- visible only at the reveal --
    # is answered by lowland's U1 (round 2)
    assert answers(rec["upland"]) == [(q["T2"], q["S1"], 1), (q["S2"], q["U1"], 1)]
    # midland: the rejected T3 does not count; S1 was submitted before the reveal, so
    # upland's S2 (also sealed) is simultaneous, not an answer: U1 answers it; G1 unanswered
    assert answers(rec["midland"]) == [(q["S1"], q["U1"], 1), (q["G1"], None, None)]
    assert rec["midland"]["initiatives"] == 2 and rec["midland"]["share"] == 0.5
    assert rec["upland"]["items"][0]["answered_by"]["lag_events"] == q["S1"] - q["T2"]


def test_reciprocity_same_round_only(plus_session):
    s = plus_session
    q = grit_run(s)
    rec = reciprocity(s.scenario.player_ids, trace_moves(s.scenario, s.events), k=0)
    assert answers(rec["lowland"]) == [(q["T1"], q["T2"], 0), (q["U1"], None, None)]
    assert rec["upland"]["answered"] == 0 and rec["upland"]["share"] == 0.0
    assert rec["midland"]["answered"] == 0


def test_undone_moves_do_not_count(plus_session):
    s = plus_session
    q = grit_run(s)
    s.execute(C.Undo())  # cancels the adjudication of G1: it is pending again
    moves = trace_moves(s.scenario, s.events)
    assert next(m for m in moves if m.seq == q["G1"]).outcome == "pending"
    rec = reciprocity(s.scenario.player_ids, moves, k=1)
    assert answers(rec["lowland"]) == [(q["T1"], q["T2"], 0), (q["U1"], None, None)]
    assert rec["midland"]["initiatives"] == 1


def test_an_answer_must_have_seen_the_initiative(plus_session):
    """A private step addressed to Upland is answered only by Upland: Midland, which never
    saw it, does not count as answering it."""
    s = plus_session
    s.execute(C.Advance())
    t1 = play(s, "lowland", "stand_down", channel="private", to=("upland",))
    m1 = play(s, "midland", "stand_down")
    rec = reciprocity(s.scenario.player_ids, trace_moves(s.scenario, s.events), k=1)
    assert answers(rec["lowland"]) == [(t1, None, None)]
    u1 = play(s, "upland", "stand_down")
    rec = reciprocity(s.scenario.player_ids, trace_moves(s.scenario, s.events), k=1)
    assert answers(rec["lowland"]) == [(t1, u1, 0)]
    # Midland's public step was seen by everyone: Upland's later one answers it
    assert answers(rec["midland"]) == [(m1, u1, 0)]


def test_no_initiative_means_no_share(river_session):
    s = river_session
    s.execute(C.Advance())
    rec = reciprocity(s.scenario.player_ids, trace_moves(s.scenario, s.events))
    assert rec["upland"] == {"initiatives": 0, "answered": 0, "share": None,
                             "mean_lag_rounds": None, "mean_lag_events": None, "items": []}


# --------------------------------------------------------------------------- concessions


def test_concession_curve_and_flags(river_session, river):
    s = river_session
    sp = PackageSpace.from_scenario(river)
    s.execute(C.Advance())
    p1 = play(s, "upland", "propose", package={"monitoring": "none", "release": "low"})
    p2 = play(s, "upland", "propose", package={"monitoring": "joint", "release": "medium"},
              parties=("lowland",))
    a = play(s, "lowland", "accept", target=p2)
    curves = concession_curves(sp, trace_moves(river, s.events))
    # upland: its ideal first (0), then .6*(1-.6) + .4*(1-.5) = .44
    assert [(p["move"], p["distance"]) for p in curves["upland"]["points"]] == \
        [(p1, 0.0), (p2, 0.44)]
    # lowland accepted (joint, medium): .7*(1-.6) + .3*(1-.6) = .4
    assert [(p["move"], p["kind"], p["distance"]) for p in curves["lowland"]["points"]] == \
        [(a, "acceptance", 0.4)]
    assert curves["upland"]["phases"] == [
        {"phase": "talks", "points": 2, "first": 0.0, "last": 0.44, "max": 0.44}]
    assert curves["midland"] == {"points": [], "phases": [], "current": 0.0}

    flags = package_flags(sp, s.state)
    [prop] = flags["proposals"]  # p1 is still on the table
    assert prop["move"] == p1 and prop["status"] == "tabled"
    assert prop["worse_than_batna_for"] == ["lowland"]  # lowland gets 0 < .3
    assert prop["values"]["lowland"]["utility"] == 0.0
    [agr] = flags["agreements"]
    assert agr["package"] == {"monitoring": "joint", "release": "medium"}
    assert agr["worse_than_batna_for"] == []

    b = analyze_bargaining(sp)
    d = frontier_distance(b, agreed_package(s.state))
    # the agreement is the Nash point, on the frontier: no joint gain left
    assert d["uniform_gain"] == 0.0 and d["frontier_reachable"]
    assert d["compatible_frontier_packages"] == 1


def test_partial_agreement_curve_distance_and_flags(river_session, river):
    s = river_session
    sp = PackageSpace.from_scenario(river)
    s.execute(C.Advance())
    p1 = play(s, "upland", "propose", package={"monitoring": "none"}, parties=("lowland",))
    a1 = play(s, "lowland", "accept", target=p1)
    assert agreed_package(s.state) == {"monitoring": "none"}
    # midland is no party to the monitoring agreement: its position is its own package only
    # (release=medium is its ideal: 0; counting monitoring=none would add .5*(1-.2) = .4)
    play(s, "midland", "propose", package={"release": "medium"})
    p2 = play(s, "upland", "propose", package={"release": "medium"}, parties=("lowland",))
    a2 = move(s, role="lowland", template="accept", target=p2)  # not yet carried out
    curves = concession_curves(sp, trace_moves(river, s.events))
    # upland's position after p2 includes the monitoring agreement it is party to:
    # monitoring=none (its ideal) + release=medium: .6*(1-.6) = .24
    assert [p["distance"] for p in curves["upland"]["points"]] == [0.0, 0.24]
    assert [p["move"] for p in curves["lowland"]["points"]] == [a1]  # a2 pending: not counted
    assert [p["distance"] for p in curves["midland"]["points"]] == [0.0]
    accept(s, a2)
    curves = concession_curves(sp, trace_moves(river, s.events))
    # lowland: monitoring=none (.3*1) + release=medium (.7*.4) = .58; the first acceptance
    # (monitoring alone) cost .3
    assert [p["distance"] for p in curves["lowland"]["points"]] == [0.3, 0.58]


def test_distance_of_a_partial_agreement_from_the_frontier(river_session, river):
    """Agreement on monitoring=none. Its value: upland .4 + .6*.4 = .64, lowland .7*.3 = .21
    (< .3: worse than no deal), midland .5*.2 + .5*.2 = .2. Best joint move: (medium, none)
    gives +.12/+.21/+.4, so every role could still gain .12. Frontier packages extending it:
    (low|medium|high, none) = 3; the Nash completion is (medium, none) (.36*.12*.4 > 0)."""
    s = river_session
    sp = PackageSpace.from_scenario(river)
    s.execute(C.Advance())
    p1 = play(s, "upland", "propose", package={"monitoring": "none"}, parties=("lowland",))
    play(s, "lowland", "accept", target=p1)
    agreed = agreed_package(s.state)
    b = analyze_bargaining(sp)
    d = frontier_distance(b, agreed, analyze_bargaining(sp, fixed=agreed, count=False))
    assert d["value"] == {"upland": 0.64, "lowland": 0.21, "midland": 0.2}
    assert d["uniform_gain"] == 0.12
    assert d["uniform_gain_package"] == {"release": "medium", "monitoring": "none"}
    assert d["compatible_frontier_packages"] == 3 and d["frontier_reachable"]
    assert d["best_completion"]["package"] == {"release": "medium", "monitoring": "none"}
    flags = package_flags(sp, s.state)
    assert flags["agreements"][0]["worse_than_batna_for"] == ["lowland"]


def test_rejected_and_rolled_moves(plus_session):
    s = plus_session
    s.execute(C.Advance())
    m1 = move(s, role="upland", template="stand_down")
    s.execute(C.Roll(move=m1, odds=99))  # draw <= 99 unless the seeded draw is 100
    m2 = move(s, role="lowland", template="stand_down")
    s.execute(C.Adjudicate(move=m2, decision="reject", reason="no"))
    moves = {m.seq: m for m in trace_moves(s.scenario, s.events)}
    roll = s.events[-3].body
    assert isinstance(roll, DiceRolled) and roll.move == m1
    assert moves[m1].outcome == ("carried_out" if roll.success else "rejected")
    assert moves[m2].outcome == "rejected" and not moves[m2].counted
