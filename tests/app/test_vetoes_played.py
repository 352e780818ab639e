"""Vetoes and declared postures in a played exercise (the Highland Talks script): the state
at each step, the debrief and the report, for each viewer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peacetable.app.debrief import debrief_at
from peacetable.app.report import build_report, render_html, render_json
from peacetable.app.script import ScriptRunner, read_script
from peacetable.app.session import Session

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TOML = FIXTURES / "highland-talks.toml"
SCRIPT = FIXTURES / "highland-talks.moves.jsonl"
DECREE = "Government of Arvel declared: Amnesty: Amnesty for those who testify"


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    path = tmp_path_factory.mktemp("vetoes") / "h.peacetable"
    s = Session.create(TOML, path, seed=3)
    runner = ScriptRunner(s, str(SCRIPT))
    runner.run(read_script(SCRIPT))
    yield s, runner.labels
    s.close()


def _fired(s: Session, inject: str) -> int:
    return next(e.seq for e in s.events if e.type == "inject_fired" and e.body.inject == inject)


def test_a_control_only_freeze_suspends_the_quiet_deal_until_lifted(played):
    s, labels = played
    q = labels["q"]
    freeze, lifted = _fired(s, "arms_cache"), _fired(s, "cache_handed_over")

    def standing(viewer: str, at: int) -> str | None:
        return next((a["status"] for a in s.view(viewer, at=at)["agreements"] if a["id"] == q),
                    None)

    for viewer in ("control", "government", "front"):
        assert standing(viewer, freeze - 1) == "in_force"
        assert standing(viewer, freeze) == "suspended"
        assert standing(viewer, lifted) == "in_force"
    # control reads what froze it; the others read only that it is frozen
    assert s.view("control", at=freeze)["issues"]["disarmament"]["reason"] == \
        "blocked (Arms cache found)"
    for viewer in ("audience", "government", "front", "kessmark", "unmission"):
        rec = s.view(viewer, at=freeze)["issues"]["disarmament"]
        assert (rec["status"], rec["reason"]) == ("blocked", "blocked"), viewer
        assert standing(viewer, freeze) in (None, "suspended")  # the deal stays private
    # the debrief tells the story, by labels
    history = debrief_at(s, lifted, "control")["agreement_history"]
    changes = [(h["change"], h["cause"]) for h in history if h["agreement"] == q]
    assert ("suspended", "inject: Arms cache found — Blocked: Disarmament") in changes
    assert ("back in force", "inject: The arms cache is handed over — Block lifted: "
                             "Disarmament") in changes
    hidden = debrief_at(s, lifted, "government")["agreement_history"]
    assert [h["cause"] for h in hidden if h["change"] == "suspended"] == [""]


def test_a_veto_on_one_option_and_a_decree_in_the_debrief_and_report(played):
    s, labels = played
    end = s.store.last_seq
    for viewer in ("control", "audience", "kessmark", "front"):
        d = debrief_at(s, end, viewer)
        assert [p["text"] for p in d["postures"]] == [DECREE], viewer
        assert d["blocks"] == [{"what": "Self-rule for the highlands: A federal region",
                                "reason": "blocked by Kessmark (Veto a federal region)"}]
        assert DECREE not in json.dumps(d["agreements_in_force"])  # not an agreement
    data = build_report(s, viewer="audience")
    html = render_html(data)
    assert "Declared without an agreement" in html and DECREE in html
    assert "blocked by Kessmark (Veto a federal region)" in html
    assert json.loads(render_json(s, data))["report"]["agreements"]["postures"][0]["text"] == DECREE


def test_a_private_declaration_reaches_the_debrief_of_those_who_saw_it(played):
    s, _ = played
    at = _fired(s, "commission_decree")
    decree = "Government of Arvel declared: Monitoring: Joint commission"
    for viewer in ("control", "government", "front"):
        assert decree in [p["text"] for p in debrief_at(s, at, viewer)["postures"]], viewer
        assert s.view(viewer, at=at)["issues"]["monitoring"]["status"] == "declared"
    for viewer in ("audience", "kessmark", "unmission"):
        assert decree not in [p["text"] for p in debrief_at(s, at, viewer)["postures"]], viewer
        assert s.view(viewer, at=at)["issues"]["monitoring"]["status"] == "open"
    # later the guaranteed package settles monitoring: the agreement prevails
    assert s.view("control")["issues"]["monitoring"]["status"] == "agreed"
    assert decree not in [p["text"] for p in debrief_at(s, None, "control")["postures"]]


def test_the_fixture_writes_each_construct():
    from peacetable.domain.loader import load_scenario

    sc = load_scenario(TOML).scenario
    assert any(m.effects.options for m in sc.moves)  # a veto on one option (a move)
    assert any(m.effects.declare for m in sc.moves)  # a declaration (a move)
    assert any(i.effects.declare and i.effects.by for i in sc.injects)  # by an inject
    assert {flag for i in sc.injects for flag in i.effects.issues.values()} == {"blocked", "open"}
