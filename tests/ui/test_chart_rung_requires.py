"""A rung that ``requires`` a condition on a variable is not reached while the condition
fails, however high the index (the engine's ``rung_for``). The chart — in the console and
on the projector alike — does not let its band pass for the rung in force by the index
alone: the label says what the rung needs, the tooltip says what holds otherwise, and the
band is drawn paler than a rung the index reaches by itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetable.app.session import Session
from peacetable.ui.escalation_chart import EscalationChart
from peacetable.ui.widgets_common import rung_colour

ROOT = Path(__file__).resolve().parents[2]
HIGHLAND = ROOT / "tests" / "fixtures" / "highland-talks.toml"


@pytest.mark.parametrize("viewer", ["control", "audience"])
def test_a_rung_with_a_requirement_is_labelled_with_what_it_needs(qtbot, tmp_path, viewer):
    s = Session.create(HIGHLAND, tmp_path / "h.peacetable", seed=1)
    try:
        c = EscalationChart(viewer=viewer)
        qtbot.addWidget(c)
        c.resize(1280, 720)
        c.set_session(s)
        rungs = s.scenario.escalation.rungs
        n = len(rungs)
        k = next(k for k, r in enumerate(rungs) if r.id == "regional_war")
        needs = rungs[k].requires.typed().describe(s.scenario)
        assert needs == "Kessmark troops on the border ≥ 5 battalions"
        lab, band = c.rung_labels[k], c.rung_regions[k]
        assert lab.toPlainText() == f"Regional war (needs {needs})"
        assert f"only while {needs}" in band.toolTip() and "rung below holds" in band.toolTip()
        assert band.brush().color() != rung_colour(k, n, alpha=70)
        # a rung the index reaches by itself keeps its plain label and colour
        assert c.rung_labels[k - 1].toPlainText() == rungs[k - 1].label
        assert c.rung_regions[k - 1].brush().color() == rung_colour(k - 1, n, alpha=70)
    finally:
        s.close()
