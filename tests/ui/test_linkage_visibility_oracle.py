"""Linkages known to some roles only: an oracle over every viewer at every event.

The scenario is the river fixture (its quiet channel: a trade-off Upland and Lowland know
of) with two more hidden linkages appended: a block from a variable test that only Midland
knows of, and a precondition that only Lowland knows of. A script plays a session that
moves the variable across the threshold, tables, accepts and announces an agreement.

The oracle reads only the scenario text: for each viewer, the linkages it may not know of
(``visible_to`` not naming it; control knows all). After every command, for control, the
audience and every role, nothing of such a linkage -- its note, its sentence, the label of
its edge, the reason it gives an issue -- is in that viewer's view, its issue network (every
text of the widget, every issue's details, the edges drawn), its role panel, the projector
(for the audience), its seat (for a role), or its after-action report (HTML, JSON, CSV). What a viewer does know of
is there (so the check is not passing on an empty screen). At the end, ``peacetable
analyze --viewer`` in text and JSON is checked the same way.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from peacetable.app.analysis import analyze_path
from peacetable.app.report import build_report, render_csv, render_html, render_json
from peacetable.app.report_figures import report_figures
from peacetable.app.script import ScriptLine, ScriptRunner
from peacetable.app.session import Session
from peacetable.domain.loader import parse_scenario
from peacetable.ui.audience import AudienceWindow
from peacetable.ui.bridge import SessionBridge
from peacetable.ui.network_view import NetworkView
from peacetable.ui.role_panel import RolePanel
from peacetable.ui.seats import SeatView
from peacetable.ui.widgets_common import visible_texts

EXTRA = '''
[[linkages]]
kind = "blocks"
while = { variable = "troops", op = ">=", value = 8 }
to = "release"
visible_to = ["midland"]
note = "WATCH-HIDDEN: Midland's spies count the battalions."

[[linkages]]
kind = "precondition"
from = "release"
to = "monitoring"
to_option = "international"
visible_to = ["lowland"]
note = "ORDER-HIDDEN: no foreign monitors before the water flows."
'''

SCRIPT = [
    {"cmd": "advance"},
    {"cmd": "move", "role": "upland", "template": "statement", "rationale": "we talk"},
    {"cmd": "adjudicate", "move": "last", "decision": "accept"},
    {"cmd": "move", "role": "lowland", "template": "propose",
     "package": {"monitoring": "joint"}, "label": "p"},
    {"cmd": "adjudicate", "move": "@p", "decision": "accept"},
    {"cmd": "move", "role": "upland", "template": "accept", "target": "@p", "label": "acc"},
    {"cmd": "adjudicate", "move": "@acc", "decision": "accept"},
    # 8 battalions: Water release is blocked (for Midland, who knows why; open to the rest)
    {"cmd": "move", "role": "lowland", "template": "mass_troops", "magnitude": 2, "label": "mt"},
    {"cmd": "adjudicate", "move": "@mt", "decision": "accept"},
    {"cmd": "move", "role": "lowland", "template": "pull_back", "magnitude": 1, "label": "pb"},
    {"cmd": "adjudicate", "move": "@pb", "decision": "accept"},
    {"cmd": "undo"},
    {"cmd": "redo"},
    {"cmd": "move", "role": "upland", "template": "propose",
     "package": {"release": "medium"}, "label": "q"},
    {"cmd": "adjudicate", "move": "@q", "decision": "accept"},
]
VIEWERS = ("control", "audience", "upland", "lowland", "midland")


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def hidden_material(sc, viewer: str) -> set[str]:
    """What the viewer must never read: from the scenario's linkages it may not know of."""
    from peacetable.domain.views import linkage_text, while_label

    out: set[str] = set()
    for k in sc.linkages:
        if k.visible_to is None or viewer == "control" or viewer in k.visible_to:
            continue
        out.add(norm(k.note))
        out.add(norm(k.note.split(":", 1)[0]))  # its marker alone
        sentence = linkage_text(sc, k)
        out.add(norm(sentence))
        out.add(norm(sentence[:1].upper() + sentence[1:]))
        if k.condition is not None:
            out.add(norm(while_label(sc, k)))
            out.add(norm("blocked while " + k.condition.typed().describe(sc)))
    return out


def known_material(sc, viewer: str) -> set[str]:
    """Notes of the hidden linkages this viewer does know of (they must reach it)."""
    return {norm(k.note) for k in sc.linkages if k.visible_to is not None
            and (viewer == "control" or viewer in k.visible_to)}


def leaks(texts, forbidden: set[str]) -> list[str]:
    blob = "\n".join(norm(t) for t in texts)
    return sorted(f for f in forbidden if f and f in blob)


@pytest.fixture
def hidden_session(tmp_path, river_path):
    text = river_path.read_text(encoding="utf-8") + EXTRA
    parse_scenario(text, "hidden.toml")  # valid as written
    path = tmp_path / "hidden.toml"
    path.write_text(text, encoding="utf-8")
    s = Session.create(path, tmp_path / "hidden.peacetable", seed=5)
    yield s
    s.close()


def test_the_fixture_hides_what_the_oracle_expects(hidden_session):
    sc = hidden_session.scenario
    assert hidden_material(sc, "control") == set()
    quiet = "QUIET-CHANNEL"
    assert quiet in hidden_material(sc, "midland") and quiet in hidden_material(sc, "audience")
    assert quiet not in hidden_material(sc, "upland")
    assert "WATCH-HIDDEN" in hidden_material(sc, "lowland")
    assert "ORDER-HIDDEN" in hidden_material(sc, "upland")
    assert norm("while ≥ 8 battalions") in hidden_material(sc, "audience")


def test_no_viewer_reads_a_linkage_it_does_not_know_of(qtbot, hidden_session):
    s = hidden_session
    sc = s.scenario
    nets = {v: NetworkView(viewer=v) for v in VIEWERS}
    for v, w in nets.items():
        qtbot.addWidget(w)
        w.set_session(s)
        s.subscribe(w.on_change)
    projector = AudienceWindow()
    qtbot.addWidget(projector)
    projector.set_session(s)
    s.subscribe(projector.on_change)
    bridge = SessionBridge()
    panel = RolePanel(bridge)
    qtbot.addWidget(panel)
    bridge.set_session(s)
    seats = {r: SeatView(bridge, r) for r in ("upland", "lowland", "midland")}
    for w in seats.values():
        qtbot.addWidget(w)
    runner = ScriptRunner(s)
    forbidden = {v: hidden_material(sc, v) for v in VIEWERS}
    known = {v: known_material(sc, v) for v in VIEWERS}
    seen_block = set()
    for n, line in enumerate(SCRIPT, start=1):
        runner.apply(ScriptLine(n, line))
        at = s.store.last_seq
        for v in VIEWERS:
            view = s.view(v)
            assert not leaks([json.dumps(view, ensure_ascii=False)], forbidden[v]), (v, at)
            if view["issues"]["release"]["reason"].startswith("blocked while"):
                seen_block.add(v)
            # the network: every text, every issue's details, the edges drawn
            net = nets[v]
            texts = visible_texts(net)
            for iid in sc.issue_by_id:
                net.select_issue(iid)
                texts.append(net.details.toHtml())
            net.select_issue(None)
            assert not leaks(texts, forbidden[v]), (v, at)
            drawn = {(e.spec.kind, e.spec.source, e.spec.target) for e in net.edges}
            for k in sc.linkages:
                src = k.source or "variable:" + min(k.variables)
                assert ((k.kind, src, k.target) in drawn) == k.known_to(v), (v, k.note)
            blob = "\n".join(norm(t) for t in texts)
            assert all(m in blob for m in known[v]), (v, at)
            # the after-action report as this viewer would get it
            data = build_report(s, v)
            # with its figures: the network drawn from the linkages this viewer knows of
            report = [render_html(data, report_figures(s, data)), render_json(s, data),
                      render_csv(s, data)]
            assert not leaks(report, forbidden[v]), (v, at)
            if v not in ("control", "audience"):
                panel.select_role(v)
                panel.refresh()
                assert not leaks(visible_texts(panel), forbidden[v]), (v, at)
                assert not leaks(visible_texts(seats[v]), forbidden[v]), (v, at)
        projector.chart.flush()
        assert not leaks(visible_texts(projector), forbidden["audience"]), at
        for iid in projector.network.nodes:
            projector.network.select_issue(iid)
            assert not leaks(visible_texts(projector), forbidden["audience"]), (iid, at)
    # the variable crossed the threshold: the block showed to those who know of it only
    assert seen_block == {"control", "midland"}


def test_analyze_for_a_viewer_leaves_out_what_it_does_not_know(hidden_session, tmp_path):
    s = hidden_session
    runner = ScriptRunner(s)
    for n, line in enumerate(SCRIPT, start=1):
        runner.apply(ScriptLine(n, line))
    path = s.path
    sc = s.scenario
    s.close()
    for v in VIEWERS:
        report, text = analyze_path(path, viewer=v)
        edges = report["network"]["edges"]
        assert (["release", "monitoring"] in edges["trade_off"]) == (v in ("control", "upland",
                                                                          "lowland")), v
        assert (["release", "monitoring"] in edges["precondition"]) == (v in ("control",
                                                                             "lowland")), v
        blocks = report["network"]["variable_blocks"]
        assert bool(blocks) == (v in ("control", "midland")), v
        assert not leaks([text, json.dumps(report, ensure_ascii=False)],
                         hidden_material(sc, v)), v
    _, text = analyze_path(path, viewer="midland")
    assert "held back while Troops at the border ≥ 8 battalions: Water release (no " in text


def test_highland_talks_script_never_shows_a_hidden_linkage(qtbot, tmp_path):
    """The other-conflict fixture and its script: at every event, each viewer's view and
    report hold nothing of a linkage it does not know of; at the end, its network and the
    projector neither."""
    from pathlib import Path

    from peacetable.app.script import read_script

    root = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
    s = Session.create(root / "highland-talks.toml", tmp_path / "h.peacetable", seed=3)
    sc = s.scenario
    viewers = ("control", "audience", *(r.id for r in sc.roles if r.is_player))
    forbidden = {v: hidden_material(sc, v) for v in viewers}
    assert any(forbidden.values()), "the fixture has a linkage known to some roles only"
    runner = ScriptRunner(s, str(root / "highland-talks.moves.jsonl"))
    blocked_while: set[str] = set()
    for line in read_script(root / "highland-talks.moves.jsonl"):
        runner.apply(line)
        for v in viewers:
            view = s.view(v)
            assert not leaks([json.dumps(view, ensure_ascii=False)], forbidden[v]), (v, line)
            if any(r["reason"].startswith("blocked while") for r in view["issues"].values()):
                blocked_while.add(v)
            data = build_report(s, v)
            page = render_html(data, report_figures(s, data))  # its figures too
            assert not leaks([page, render_json(s, data)], forbidden[v]), (v, line)
    assert blocked_while  # the border variable crossed its threshold during the script
    for v in viewers:
        net = NetworkView(viewer=v)
        qtbot.addWidget(net)
        net.set_session(s)
        texts = visible_texts(net)
        for iid in sc.issue_by_id:
            net.select_issue(iid)
            texts.append(net.details.toHtml())
        assert not leaks(texts, forbidden[v]), v
        assert all(m in "\n".join(norm(t) for t in texts) for m in known_material(sc, v)), v
    projector = AudienceWindow()
    qtbot.addWidget(projector)
    projector.set_session(s)
    assert not leaks(visible_texts(projector), forbidden["audience"])
    s.close()
