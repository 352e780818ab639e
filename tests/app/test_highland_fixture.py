"""Highland Talks (tests/fixtures/highland-talks.toml): an intrastate peace process written
from the format's documentation alone. It validates, it uses every construct of the format,
its script plays to the end through the engine with no refused command and nothing shown to
a viewer who may not see it, and the bargaining analysis of it matches a brute force written
here from the scenario text (interaction terms, constraints and red lines included)."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import pytest

from peacetable.app.analysis import analyze_path
from peacetable.app.script import ScriptRunner, read_script
from peacetable.app.session import Session
from peacetable.domain.analytics.bargaining import PackageSpace, analyze_bargaining
from peacetable.domain.loader import load_scenario
from peacetable.domain.views import describe_for_room

ROOT = Path(__file__).resolve().parents[2]
TOML = ROOT / "tests" / "fixtures" / "highland-talks.toml"
SCRIPT = ROOT / "tests" / "fixtures" / "highland-talks.moves.jsonl"
MARKERS = {"government": "GOVERNMENT-SECRET", "front": "FRONT-SECRET",
           "kessmark": "KESSMARK-SECRET", "unmission": "UNMISSION-SECRET"}


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(TOML).scenario


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    path = tmp_path_factory.mktemp("highland") / "h.peacetable"
    s = Session.create(TOML, path, seed=3)
    runner = ScriptRunner(s, str(SCRIPT))
    runner.run(read_script(SCRIPT))  # a refused line raises ScriptError
    labels = dict(runner.labels)
    s.close()
    s = Session.open(path, readonly=True)
    yield s, labels
    s.close()


def _walk(cond):
    yield cond
    for part in (cond.all or ()) + (cond.any or ()):
        yield from _walk(part)


def test_it_validates_and_uses_every_construct(scenario):
    sc = scenario
    players = [r for r in sc.roles if r.is_player]
    assert len(players) == 4 and sum(r.kind == "control" for r in sc.roles) == 1
    assert {v.polarity for v in sc.escalation.variables} == {"escalatory", "calming"}
    assert sc.escalation.hysteresis > 0
    # linkages: every kind, and option-level on either side
    assert {lk.kind for lk in sc.linkages} == {"precondition", "blocks", "trade_off", "reinforces"}
    assert any(lk.from_option and lk.to_option and lk.kind == "precondition" for lk in sc.linkages)
    assert any(lk.from_option and lk.to_option and lk.kind == "blocks" for lk in sc.linkages)
    # a linkage known to some roles only, one from a variable test, a rung with a requirement
    assert any(lk.visible_to for lk in sc.linkages)
    assert any(lk.condition is not None for lk in sc.linkages)
    assert any(r.requires is not None for r in sc.escalation.rungs)
    assert {c.kind for c in sc.constraints} == {"incompatible", "requires"}
    assert any(lk.value for lk in sc.linkages if lk.kind == "trade_off")
    # interaction terms, positive and negative
    values = [t.value for r in players for t in r.interactions]
    assert min(values) < 0 < max(values)
    # red lines as conditions: an option, all-of, a variable; and a red line left as words
    tests = [t for r in players for t in r.red_line_tests]
    forms = {type(c).__name__ for t in tests for c in _walk(t.crossed_if)}
    assert any(t.crossed_if.all for t in tests) and any(t.crossed_if.variable for t in tests)
    assert any(t.crossed_if.option for t in tests) and forms
    assert any(len(r.red_lines) > len(r.red_line_tests) for r in players)
    # phases: open and sealed; moves of every kind; a channel locked to private
    assert {p.sequencing for p in sc.phases} == {"open", "sealed"}
    assert {m.kind for m in sc.moves} == {"proposal", "acceptance", "rejection", "concession",
                                          "conditional_offer", "escalation", "de_escalation",
                                          "statement", "lever"}
    assert any(m.channel_locked for m in sc.moves)
    assert any(m.issues for m in sc.moves if m.kind == "proposal")
    assert any(m.odds for m in sc.moves)
    offer = next(m for m in sc.moves if m.kind == "conditional_offer")
    conds = list(_walk(offer.condition))
    assert any(c.any for c in conds) and any(c.status for c in conds) and any(c.variable for c in conds)
    # injects: every visibility, a reserve inject, one that never fires by itself, one that blocks
    assert {i.visibility for i in sc.injects} == {"public", "targets", "control"}
    scheduled = {i for p in sc.phases for i in p.injects}
    assert any(i.id not in scheduled for i in sc.injects)
    assert any(i.auto is False for i in sc.injects)
    assert any(i.effects.issues for i in sc.injects)
    assert all(r.bot for r in players[:3])


def test_the_script_plays_to_the_end(played):
    s, labels = played
    st = s.state
    assert st.phase_index == len(s.scenario.phases) - 1
    agreed = {iid: s.view("control")["issues"][iid] for iid in ("ceasefire", "disarmament",
                                                               "autonomy", "monitoring")}
    assert all(rec["status"] == "agreed" for rec in agreed.values()), agreed
    # settled without an agreement: the government's decree in the sealed round
    amnesty = s.view("control")["issues"]["amnesty"]
    assert (amnesty["status"], amnesty["option"], amnesty["declared_by"]) == (
        "declared", "conditional", "government")
    # Kessmark's veto on a federal region still holds; the freeze on disarmament was lifted
    assert s.view("control")["issues"]["autonomy"]["blocked_options"] == ["federal_region"]
    # the sealed round was revealed, and both sealed moves were ruled on
    types = [e.type for e in s.events]
    assert "moves_revealed" in types and "dice_rolled" in types


def test_the_quiet_channel_deal_is_private_until_published(played):
    s, labels = played
    q = labels["q"]
    publish = next(e.seq for e in s.events if e.type == "agreement_published")
    for viewer in ("kessmark", "unmission", "audience"):
        before = s.view(viewer, at=publish - 1)
        assert before["issues"]["autonomy"]["status"] == "open", viewer
        assert q not in [a["id"] for a in before["agreements"]]
        after = s.view(viewer, at=publish)
        assert after["issues"]["autonomy"]["status"] == "agreed", viewer
    for viewer in ("government", "front"):
        assert s.view(viewer, at=publish - 1)["issues"]["autonomy"]["status"] == "agreed"


def test_no_viewer_is_shown_what_it_may_not_see(played):
    """At every event, for every viewer: no other role's private brief, no control note, and
    no private or sealed rationale the viewer was not meant to read, in its view or in the
    lines of the events it may see."""
    s, _ = played
    private = {
        "CONTROL-NOTE-HIGHLAND": set(),
        "MISSION-MESSAGE": {"unmission", "government"},
        "KESSMARK-PRIVATE-RATIONALE": {"kessmark", "government", "front"},
        "QUIET-CHANNEL-RATIONALE": {"government", "front"},
        "QUIET-ACCEPT-RATIONALE": {"government", "front"},
    }
    sealed = {"SEALED-RATIONALE-KESSMARK": "kessmark", "SEALED-RATIONALE-FRONT": "front",
              "SEALED-RATIONALE-GOVERNMENT": "government"}
    reveal = next(e.seq for e in s.events if e.type == "moves_revealed")
    by_seq = {e.seq: e for e in s.events}

    def shown(viewer: str, n: int) -> str:
        return json.dumps(s.view(viewer, at=n), ensure_ascii=False) + "\n".join(
            s.describe(e) + "\n" + describe_for_room(s.scenario, e, by_seq, viewer)
            for e in s.visible_events(viewer, upto=n))

    checked = 0
    for ev in s.events:
        n = ev.seq
        for viewer in ("audience", *s.scenario.player_ids):
            text = shown(viewer, n)
            for role, marker in MARKERS.items():
                if role != viewer:
                    assert marker not in text, (viewer, n, marker)
            for marker, allowed in private.items():
                if viewer not in allowed:
                    assert marker not in text, (viewer, n, marker)
                    checked += 1
            for marker, author in sealed.items():
                if viewer != author and n < reveal:
                    assert marker not in text, (viewer, n, marker)
                    checked += 1
            assert "CONTROL-SECRET" not in text
    assert checked > 100
    # the checker can fail: the markers are there for those who may read them
    last = s.events[-1].seq
    assert "GOVERNMENT-SECRET" in shown("government", last)
    for marker, allowed in private.items():
        for viewer in allowed:
            assert marker in shown(viewer, last), (viewer, marker)
    for marker, author in sealed.items():
        assert marker in shown(author, reveal - 1)


# --------------------------------------------------------------------------- analysis


def brute_force(sc):
    """Every feasible full package within every tested red line, with each role's exact
    utility, computed from the scenario's own numbers (weights normalised to sum to 1)."""
    players = [r for r in sc.roles if r.is_player]
    issues = [(i.id, [o.id for o in i.options]) for i in sc.issues]
    out = []
    for combo in itertools.product(*[opts for _, opts in issues]):
        pkg = dict(zip([i for i, _ in issues], combo))
        ok = True
        for c in sc.constraints:
            a = pkg[c.first.issue] == c.first.option
            b = pkg[c.second.issue] == c.second.option
            ok &= not (a and b) if c.kind == "incompatible" else (not a or b)
        if not ok:
            continue

        def holds(cond) -> bool:
            if cond.all is not None:
                return all(holds(x) for x in cond.all)
            if cond.any is not None:
                return any(holds(x) for x in cond.any)
            if cond.option is not None:
                return pkg[cond.issue] == cond.option
            if cond.status is not None:
                return cond.status == "agreed"
            return False  # a variable is not decided by a package

        if any(holds(t.crossed_if) for r in players for t in r.red_line_tests):
            continue
        u = []
        for r in players:
            total = sum(Fraction(str(w)) for w in r.weights.values())
            v = sum(Fraction(str(r.weights[i])) / total * Fraction(str(r.preferences[i][pkg[i]]))
                    for i, _ in issues)
            v += sum(Fraction(str(t.value)) for t in r.interactions
                     if pkg[t.first.issue] == t.first.option
                     and pkg[t.second.issue] == t.second.option)
            v += sum(Fraction(str(lk.value[r.id])) for lk in sc.linkages if r.id in lk.value
                     and pkg[lk.source] == lk.from_option and pkg[lk.target] == lk.to_option)
            u.append(v)
        out.append((pkg, u))
    return out, [Fraction(str(r.batna)) for r in players]


def test_the_analysis_matches_brute_force(scenario):
    rows, batna = brute_force(scenario)
    zopa = [(p, u) for p, u in rows if all(x >= b for x, b in zip(u, batna))]
    frontier = [p for p, u in rows
                if not any(all(y >= x for x, y in zip(u, v)) and v != u for _, v in rows)]
    space = PackageSpace.from_scenario(scenario)
    b = analyze_bargaining(space)
    assert b.zopa_count == len(zopa) > 0
    got = sorted(tuple(sorted(b.package(r).items())) for r in range(len(b.frontier)))
    assert got == sorted(tuple(sorted(p.items())) for p in frontier)

    def nash_key(item):
        k, (p, u) = item
        g = [x - y for x, y in zip(u, batna)]
        prod = Fraction(1)
        for x in g:
            prod *= x
        return (prod, sum(g), -k)

    _, (nash_pkg, _) = max(enumerate(zopa), key=nash_key)
    assert b.package(b.nash) == nash_pkg
    # the trade-off value counts: without it the brute force would disagree on utilities
    got_u = {tuple(sorted(b.package(r).items())): b.frontier.utilities[r]
             for r in range(len(b.frontier))}
    for p, u in rows:
        key = tuple(sorted(p.items()))
        if key in got_u:
            assert [space.real(a, x) for a, x in enumerate(got_u[key])] == u
    # the red lines hold at the point: amnesty is not blanket (UN), autonomy not status quo
    assert nash_pkg["amnesty"] != "blanket" and nash_pkg["autonomy"] != "status_quo"


def test_analyze_reads_the_fixture_and_a_played_session(played):
    s, _ = played
    report, text = analyze_path(TOML)
    assert report["bargaining"]["nash"] is not None
    assert "Highland Talks" in text and "Nash bargaining point" in text
    # between the government and the Front alone, the UN mission's red line binds no one,
    # and the report says the deal crosses it
    report, text = analyze_path(TOML, parties=["government", "front"])
    nash = report["coalition"]["nash"]
    assert nash["package"]["amnesty"] == "blanket"
    assert {"role": "unmission", "red_line": "No blanket amnesty for war crimes"} in \
        nash["red_lines_crossed_for_others"]
    assert "CROSSES A RED LINE of UN mission: No blanket amnesty for war crimes" in text
    report, text = analyze_path(s.path)
    assert report["session"]["flags"] is not None
    assert "Self-rule for the highlands" in text
