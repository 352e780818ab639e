"""The escalation chart as a session grows: bands, axis, labels, legend."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from peacetable.app.script import ScriptLine, ScriptRunner

from peacetable.ui.escalation_chart import EscalationChart

from test_chart import SCRIPT  # noqa: E402


@pytest.fixture
def chart(qtbot, river_session):
    c = EscalationChart()
    qtbot.addWidget(c)
    c.resize(1280, 720)
    c.set_session(river_session)
    river_session.subscribe(c.on_change)
    c.show()
    qtbot.waitExposed(c)
    return c


def _settle(qtbot, chart):
    chart.flush()
    qtbot.wait(60)  # the view's auto range runs on the next paint


def test_rung_bands_grow_with_the_data(qtbot, chart, river_session):
    runner = ScriptRunner(river_session)
    for k, data in enumerate(SCRIPT, start=1):
        runner.apply(ScriptLine(k, data))
        _settle(qtbot, chart)
    (x0, x1), _ = chart.vb.viewRange()
    last = chart.points()[-1][0]
    assert x1 >= last
    for band in chart.rung_regions:
        r = band.rect()
        assert r.left() <= x0 + 1e-6 and r.right() >= x1 - 1e-6, (r, x0, x1)


def test_a_calming_variable_is_drawn_so_that_up_means_worse(chart, river_session, river):
    calming = [v for v in river.escalation.variables if v.polarity == "calming"]
    assert calming, "the fixture has a calming variable"
    v = calming[0]
    scale = river.escalation.scale
    _seq, _phase, _index, variables = river_session.trace()[-1]
    drawn = chart.points()[-1][3][v.id]
    n = (variables[v.id] - v.min) / (v.max - v.min)
    assert abs(n - 0.5) > 0.01  # drawn the other way round, it would differ
    assert drawn == pytest.approx((1 - n) * scale)
    chart.set_variable_visible(v.id, True)
    name = chart._legend_name(v.id)
    assert f"{v.max:g}–{v.min:g}" in name


def test_legend_never_covers_the_plot(qtbot, chart, river_session, river):
    runner = ScriptRunner(river_session)
    for k, data in enumerate(SCRIPT, start=1):
        runner.apply(ScriptLine(k, data))
    for v in river.escalation.variables:
        chart.set_variable_visible(v.id, True)
    _settle(qtbot, chart)
    assert chart.legend.isVisible()
    plot_area = chart.vb.sceneBoundingRect()
    legend = chart.legend.sceneBoundingRect()
    assert legend.height() > 0 and not legend.intersects(plot_area), (legend, plot_area)
    for v in river.escalation.variables:
        chart.set_variable_visible(v.id, False)
    _settle(qtbot, chart)
    assert not chart.legend.isVisible()
