"""NetworkView: real widget, offscreen, on the river fixture and the bundled exercises."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from peacetable.app.script import ScriptLine, ScriptRunner
from peacetable.app.session import Session
from peacetable.domain.analytics.network import LinkageNetwork
from peacetable.domain.loader import parse_scenario
from peacetable.ui.network_view import NetworkView, layered_layout
from peacetable.ui.widgets_common import DEADLOCK_COLOUR, STATUS_STYLE, network_facts

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK = ROOT / "scenarios" / "framework-agreement.toml"


def play(session: Session, lines) -> None:
    runner = ScriptRunner(session)
    for k, data in enumerate(lines, start=1):
        runner.apply(ScriptLine(k, data))


def make_view(qtbot, session, viewer="control") -> NetworkView:
    v = NetworkView(viewer=viewer)
    qtbot.addWidget(v)
    v.resize(1400, 900)
    v.set_session(session)
    session.subscribe(v.on_change)
    v.show()
    qtbot.waitExposed(v)
    return v


def fill(status: str) -> str:
    return QColor(STATUS_STYLE[status][0]).name()


def assert_colours_follow(view: NetworkView, session: Session, viewer: str = "control"):
    statuses = session.view(viewer)["issues"]
    for iid, rec in statuses.items():
        assert view.node_colour(iid) == fill(rec["status"]), iid


def test_node_colours_follow_statuses(qtbot, river_session):
    v = make_view(qtbot, river_session)
    # before anything: monitoring open, release blocked (waits for its precondition)
    assert river_session.view()["issues"]["release"]["status"] == "blocked"
    assert v.node_colour("monitoring") == fill("open")
    assert v.node_colour("release") == fill("blocked")
    play(river_session, [
        {"cmd": "advance"},
        {"cmd": "move", "role": "lowland", "template": "propose",
         "package": {"monitoring": "joint", "release": "medium"}, "label": "p"},
        {"cmd": "adjudicate", "move": "@p", "decision": "accept"},
    ])
    assert v.node_colour("monitoring") == fill("on_table")
    assert v.node_colour("release") == fill("on_table")
    play(river_session, [
        {"cmd": "move", "role": "upland", "template": "accept", "target": 3, "label": "a"},
        {"cmd": "adjudicate", "move": "@a", "decision": "accept"},
    ])
    assert v.node_colour("monitoring") == fill("agreed")
    assert "Joint commission" in v.nodes["monitoring"].status.toPlainText()
    assert_colours_follow(v, river_session)
    play(river_session, [{"cmd": "undo"}])  # a rebuilt change: back to on the table
    assert v.node_colour("monitoring") == fill("on_table")
    assert_colours_follow(v, river_session)


def test_legend_names_every_status_and_edge_kind(qtbot, river_session):
    from PySide6.QtWidgets import QLabel

    v = make_view(qtbot, river_session)
    texts = {lab.text() for lab in v.legend.findChildren(QLabel)}
    for _fill, _ink, label in STATUS_STYLE.values():
        assert label in texts
    assert {"precondition", "trade-off", "reinforces", "blocks", "deadlock"} <= texts


def test_framework_deadlock_cycle_is_highlighted(qtbot, tmp_path):
    s = Session.create(FRAMEWORK, tmp_path / "fa.peacetable", seed=1)
    try:
        v = make_view(qtbot, s)
        cycles, _ = LinkageNetwork.from_scenario(s.scenario).deadlock_cycles()
        assert ["ceasefire", "framework_signing"] in cycles
        assert set(v.highlighted_edges()) == {("ceasefire", "framework_signing"),
                                              ("framework_signing", "ceasefire")}
        for e in v.edges:
            if e.spec.deadlock:
                assert e.pen().color().name() == QColor(DEADLOCK_COLOUR).name()
                assert e.pen().widthF() >= 6
            else:
                assert e.pen().widthF() < 6
        for iid, node in v.nodes.items():
            in_cycle = iid in ("ceasefire", "framework_signing")
            assert (node.pen().color().name() == QColor(DEADLOCK_COLOUR).name()) == in_cycle
            assert (node.pen().widthF() >= 6) == in_cycle
            assert node.badge.isVisible() == in_cycle
        # the detail panel names the cycle
        v.select_issue("ceasefire")
        text = v.details.toPlainText()
        assert "Deadlock" in text and "Signing the framework" in text
        assert "Settle together" in text
    finally:
        s.close()


def test_clicking_a_node_shows_its_details(qtbot, river_session, river):
    v = make_view(qtbot, river_session)
    node = v.nodes["release"]
    pos = v.view.mapFromScene(node.pos())
    with qtbot.waitSignal(v.issueSelected, timeout=2000) as sig:
        qtbot.mouseClick(v.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert sig.args == ["release"]
    assert v.selected == "release"
    text = v.details.toPlainText()
    assert "Water release" in text
    assert "Status: Blocked" in text and "waits for Monitoring" in text
    for opt in river.issue_by_id["release"].options:
        assert opt.label in text
    assert "Linkages in" in text and "precondition from Monitoring" in text
    assert "No release figure without a way to check it." in text
    assert "not part of a precondition cycle" in text
    # control view: each role's preference over the options
    assert "Role preferences" in text
    for name in ("Upland", "Lowland", "Midland"):
        assert name in text
    # monitoring unlocks the release
    v.select_issue("monitoring")
    text = v.details.toPlainText()
    assert "Settling it unlocks" in text and "at once: Water release" in text
    assert "Linkages out" in text and "precondition to Water release" in text


def test_details_escape_scenario_text(qtbot, tmp_path, river_path):
    text = river_path.read_text(encoding="utf-8").replace(
        'label = "Monitoring"', 'label = "Monitoring <b>&amp; audit</b>"')
    loaded = parse_scenario(text, "escaped.toml")
    s = Session.create_from(loaded, tmp_path / "e.peacetable", seed=1)
    try:
        v = make_view(qtbot, s)
        v.select_issue("monitoring")
        assert "Monitoring <b>&amp; audit</b>" in v.details.toPlainText()
    finally:
        s.close()


def test_audience_variant_never_shows_role_preferences(qtbot, tmp_path):
    s = Session.create(FRAMEWORK, tmp_path / "fa.peacetable", seed=1)
    try:
        v = make_view(qtbot, s, viewer="audience")
        control = make_view(qtbot, s)
        for iid in v.nodes:
            v.select_issue(iid)
            html = v.details.toHtml()
            text = v.details.toPlainText()
            assert "preference" not in text.lower() and "weight" not in text.lower()
            assert "preference" not in html.lower() and "<table" not in html.lower()
            # the control variant of the same panel does carry the preferences
            assert "Role preferences" in control.details_html(iid)
            assert_colours_follow(v, s, "audience")
    finally:
        s.close()


def test_edge_styles_by_linkage_kind(qtbot, tmp_path, river_path):
    extra = """
[[linkages]]
kind = "trade_off"
from = "release"
to = "monitoring"

[[linkages]]
kind = "reinforces"
from = "monitoring"
to = "release"

[[linkages]]
kind = "blocks"
from = "release"
to = "monitoring"
"""
    loaded = parse_scenario(river_path.read_text(encoding="utf-8") + extra, "kinds.toml")
    s = Session.create_from(loaded, tmp_path / "k.peacetable", seed=1)
    try:
        v = make_view(qtbot, s)
        by_kind = {e.spec.kind: e for e in v.edges}
        assert set(by_kind) == {"precondition", "trade_off", "reinforces", "blocks"}
        assert by_kind["precondition"].pen().style() == Qt.PenStyle.SolidLine
        assert by_kind["precondition"].head is not None
        assert by_kind["trade_off"].pen().style() == Qt.PenStyle.DashLine
        assert by_kind["trade_off"].head is None
        assert by_kind["reinforces"].pen().style() == Qt.PenStyle.DotLine
        assert by_kind["reinforces"].head is not None
        blocks = by_kind["blocks"]
        assert blocks.pen().style() == Qt.PenStyle.SolidLine
        c = blocks.pen().color()
        assert c.red() > 200 and c.green() < 100 and c.blue() < 100
        for e in v.edges:
            assert e.toolTip()
    finally:
        s.close()


@pytest.mark.parametrize("toml", sorted((ROOT / "scenarios").glob("*.toml")),
                         ids=lambda p: p.stem)
def test_layout_is_deterministic_and_reads_left_to_right(toml):
    from peacetable.domain.loader import load_scenario

    sc = load_scenario(toml).scenario
    facts = network_facts(sc)
    a = layered_layout(sc, facts)
    b = layered_layout(sc, network_facts(sc))
    assert a == b
    assert set(a) == {i.id for i in sc.issues}
    assert len(set(a.values())) == len(a)  # one cell per issue
    grouped = {i for g in facts.groups for i in g}
    for lk in sc.linkages:
        if lk.kind == "precondition" and not (lk.source in grouped and lk.target in grouped):
            assert a[lk.source][0] < a[lk.target][0], (lk.source, lk.target)
    for g in facts.groups:
        assert len({a[i][0] for i in g}) == 1  # a deadlock group shares a column


def test_zoom_and_fit(qtbot, river_session):
    v = make_view(qtbot, river_session)
    base = v.view.transform().m11()
    v.btn_in.click()
    assert v.view.transform().m11() == pytest.approx(base * 1.25)
    assert v.view.auto_fit is False
    v.btn_fit.click()
    assert v.view.auto_fit is True
    assert v.view.transform().m11() == pytest.approx(base, rel=0.05)
    rect = v.view.mapFromScene(v.scene.itemsBoundingRect()).boundingRect()
    assert v.view.viewport().rect().adjusted(-2, -2, 2, 2).contains(rect)


def test_set_session_none_clears(qtbot, river_session):
    v = make_view(qtbot, river_session)
    v.set_session(None)
    assert v.nodes == {} and v.edges == [] and not v.scene.items()


def test_a_network_over_the_size_limits_is_not_drawn_and_says_why(qtbot, tmp_path):
    """A scenario built to be huge opens: the view draws no nodes and names the limit."""
    import importlib.util

    from peacetable.domain.analytics.network import MAX_ISSUES

    spec = importlib.util.spec_from_file_location(
        "generated_scenarios", Path(__file__).parents[1] / "domain" / "generated_scenarios.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    toml = tmp_path / "ring.toml"
    toml.write_text(gen.ring_scenario(MAX_ISSUES + 1), encoding="utf-8")
    s = Session.create(toml, tmp_path / "ring.peacetable", seed=1)
    try:
        view = make_view(qtbot, s)
        assert view.nodes == {} and view.facts is None
        text = view.details.toPlainText()
        assert "not drawn" in text and "2,001 issues" in text
        view.refresh()  # a later change restyles nothing and raises nothing
        view.select_issue("i0000")
        assert view.selected is None
    finally:
        s.close()
