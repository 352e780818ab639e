"""The issue network draws a linkage from a variable test: the variable as a node of its own
shape, an edge to the issue labelled with the test, faint while the test does not hold; and
a viewer that does not know of a linkage gets a graph without it, also when replay switches
the viewer."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtGui import QColor

from peacetable.app.replay import ReplayModel
from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.ui.network_view import VARIABLE_PREFIX, NetworkView
from peacetable.ui.widgets_common import STATUS_STYLE, visible_texts

BLOCK = '''
[[linkages]]
kind = "blocks"
while = { variable = "troops", op = ">", value = 6 }
to = "release"
note = "No water talks under the guns."
'''


@pytest.fixture
def blocked(tmp_path, river_path):
    path = tmp_path / "blocked.toml"
    path.write_text(river_path.read_text(encoding="utf-8") + BLOCK, encoding="utf-8")
    s = Session.create(path, tmp_path / "blocked.peacetable", seed=2)
    s.execute(C.Advance())
    yield s
    s.close()


def make_view(qtbot, session, viewer="control") -> NetworkView:
    v = NetworkView(viewer=viewer)
    qtbot.addWidget(v)
    v.resize(1400, 900)
    v.set_session(session)
    session.subscribe(v.on_change)
    return v


def test_the_variable_is_a_node_with_a_labelled_edge(qtbot, blocked):
    v = make_view(qtbot, blocked, "audience")
    node = v.nodes[VARIABLE_PREFIX + "troops"]
    assert node.variable and not v.nodes["release"].variable
    # a hexagon: six corners (the path closes on the first), not a rounded rectangle
    assert node.path().elementCount() == 7
    assert node.title.toPlainText() == "Troops at the border"
    assert node.status.toPlainText() == "now 4 battalions"
    # left of the issues
    assert node.pos().x() < min(n.pos().x() for k, n in v.nodes.items() if not n.variable)
    (edge,) = [e for e in v.edges if e.spec.label]
    assert (edge.spec.source, edge.spec.target, edge.spec.kind) == (
        VARIABLE_PREFIX + "troops", "release", "blocks")
    assert edge.text.text() == "while > 6 battalions"
    assert edge.toolTip().startswith(
        "Talks on Water release are blocked while Troops at the border > 6 battalions")
    assert "No water talks under the guns." in edge.toolTip()
    assert edge.opacity() < 1.0  # 4 battalions: the test does not hold
    seq = blocked.execute(C.SubmitMove(role="lowland", template="mass_troops"))[0].seq
    blocked.execute(C.Adjudicate(move=seq, decision="accept"))  # 6: still not over 6
    assert edge.opacity() < 1.0
    seq = blocked.execute(C.SubmitMove(role="lowland", template="mass_troops"))[0].seq
    blocked.execute(C.Adjudicate(move=seq, decision="accept"))  # 8
    assert edge.opacity() == 1.0
    assert node.status.toPlainText() == "now 8 battalions"
    assert v.node_colour("release") == QColor(STATUS_STYLE["blocked"][0]).name()
    assert blocked.view("audience")["issues"]["release"]["status"] == "blocked"
    v.select_issue("release")
    details = v.details.toPlainText()
    assert "blocked while > 6 battalions (Troops at the border > 6 battalions)" in details
    assert "blocked while Troops at the border > 6 battalions" in details  # the status reason
    # a variable node has no details of its own
    v.select_issue(VARIABLE_PREFIX + "troops")
    assert v.selected is None


def test_replay_switching_viewer_redraws_what_it_knows(qtbot, tmp_path, river_path):
    s = Session.create(river_path, tmp_path / "river.peacetable", seed=1)
    s.execute(C.Advance())
    model = ReplayModel(s)
    v = NetworkView()
    qtbot.addWidget(v)
    v.set_replay(s, lambda: model.view(v.viewer), "control")
    quiet = [e for e in v.edges if e.spec.kind == "trade_off"]
    assert len(quiet) == 1 and "QUIET-CHANNEL" in "\n".join(visible_texts(v))
    v.viewer = "midland"
    assert [e for e in v.edges if e.spec.kind == "trade_off"] == []
    assert "QUIET-CHANNEL" not in "\n".join(visible_texts(v))
    v.viewer = "upland"
    assert len([e for e in v.edges if e.spec.kind == "trade_off"]) == 1
    s.close()


def test_the_reason_is_shown_as_the_engine_wrote_it(qtbot, tmp_path, river_path):
    """A reason holding a word that is also an issue id ("monitoring") is not rewritten."""
    text = river_path.read_text(encoding="utf-8").replace(
        'unit = "battalions"', 'unit = "battalions under monitoring"', 1) + BLOCK
    path = tmp_path / "unit.toml"
    path.write_text(text, encoding="utf-8")
    s = Session.create(path, tmp_path / "unit.peacetable", seed=2)
    s.execute(C.Advance())
    for _ in range(2):
        seq = s.execute(C.SubmitMove(role="lowland", template="mass_troops"))[0].seq
        s.execute(C.Adjudicate(move=seq, decision="accept"))
    reason = s.view()["issues"]["release"]["reason"]
    assert reason == "blocked while Troops at the border > 6 battalions under monitoring"
    v = make_view(qtbot, s)
    v.select_issue("release")
    assert reason in v.details.toPlainText()
    s.close()


def test_a_rung_with_a_requirement_says_so_on_the_chart(qtbot, tmp_path, river_path):
    from peacetable.ui.escalation_chart import EscalationChart

    text = river_path.read_text(encoding="utf-8").replace(
        'id = "standoff"\n', 'id = "standoff"\nrequires = { variable = "flow", op = "<", '
        'value = 50 }\n', 1)
    path = tmp_path / "req.toml"
    path.write_text(text, encoding="utf-8")
    s = Session.create(path, tmp_path / "req.peacetable", seed=2)
    c = EscalationChart()
    qtbot.addWidget(c)
    c.set_session(s)
    tips = [band.toolTip() for band in c.rung_regions]
    assert tips[2] == ("Armed standoff: index 60–100, only while River flow downstream < 50 "
                       "% of normal (otherwise the rung below holds, however high the index)")
    assert c.rung_labels[2].toPlainText().startswith("Armed standoff (needs River flow downstream")
    assert "only while" not in tips[1]
    assert c.rung_labels[2].toolTip() == tips[2]
    s.close()
