"""The chart's time axis (phases, exercise minutes, event number), its ticks, and where
its rung labels and legend go: real widgets, painted offscreen."""

from __future__ import annotations

import datetime as dt
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QSettings

from peacetable.app.replay import ReplayModel
from peacetable.app.script import ScriptLine, ScriptRunner
from peacetable.app.session import Session
from peacetable.ui.audience import AudienceWindow
from peacetable.ui.escalation_chart import X_MODE_KEY, EscalationChart, choose_x_mode

from test_chart import SCRIPT  # noqa: E402

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


def play_timed(session: Session, lines, seconds_apart: float, origin: dt.datetime = T0) -> None:
    """Play script lines as if recorded ``seconds_apart`` apart on the clock, the first
    ``seconds_apart`` after ``origin``."""
    runner = ScriptRunner(session)
    orig = session.execute
    n = [0]

    def execute(cmd, ts=None):
        n[0] += 1
        return orig(cmd, ts=(origin + dt.timedelta(seconds=seconds_apart * n[0])).isoformat())

    session.execute = execute
    try:
        for k, data in enumerate(lines, start=1):
            runner.apply(ScriptLine(k, data))
    finally:
        session.execute = orig


def make_chart(qtbot, session, viewer="control") -> EscalationChart:
    c = EscalationChart(viewer=viewer)
    qtbot.addWidget(c)
    c.resize(1280, 720)
    c.set_session(session)
    session.subscribe(c.on_change)
    c.show()
    qtbot.waitExposed(c)
    return c


def drawn(qtbot, chart) -> list[str]:
    """The texts the bottom axis draws now (after a real paint)."""
    chart.flush()
    qtbot.wait(30)  # the view's auto range follows on the next paint
    chart.grab()
    return [text for _rect, text in chart.x_axis.drawn]


def test_number_axes_tick_whole_numbers_only(qtbot, river_session):
    # a short session: three events, a few minutes; pyqtgraph's own ticks would be halves
    play_timed(river_session, SCRIPT[:2], seconds_apart=40)
    chart = make_chart(qtbot, river_session)
    for mode in ("events", "minutes"):
        chart.set_x_mode(mode)
        texts = drawn(qtbot, chart)
        (x0, x1), _ = chart.vb.viewRange()
        assert x1 - x0 < 10, (mode, x0, x1)
        assert len(texts) >= 2, (mode, texts)
        assert all(t.lstrip("-").isdigit() for t in texts), (mode, texts)
        values = [v for v, _t in chart.x_axis._tickLevels[0]]
        assert values == [float(int(v)) for v in values]


def test_phase_axis_names_each_phase_at_its_start_with_its_date(qtbot, river_session, river):
    play_timed(river_session, SCRIPT, seconds_apart=30)
    chart = make_chart(qtbot, river_session)
    assert chart.x_mode == "phases"  # the default
    texts = drawn(qtbot, chart)
    assert texts == ["P1 Talks\n7 Apr 2031", "P2 Sealed round\n14 Apr 2031",
                     "P3 Summit\n21 Apr 2031"]
    starts = [ev.seq for ev in river_session.effective_events() if ev.type == "phase_started"]
    assert [v for v, _t in chart.x_axis._tickLevels[0]] == starts
    # each name starts at its phase's line (not centred on it, spilling into the phase
    # before) and ends before the next phase starts
    ax = chart.x_axis
    for k, (rect, _text) in enumerate(ax.drawn):
        line_x = ax.mapFromScene(chart.vb.mapViewToScene(QPointF(starts[k], 0))).x()
        assert line_x <= rect.left() <= line_x + 6
        if k + 1 < len(starts):
            nxt = ax.mapFromScene(chart.vb.mapViewToScene(QPointF(starts[k + 1], 0))).x()
            assert rect.right() < nxt
    # no name strip over the plot: the axis names the phases
    assert not any(ln.label.isVisible() for ln in chart.phase_lines)


def test_a_narrow_phase_is_named_by_its_number(qtbot, river_session):
    play_timed(river_session, SCRIPT, seconds_apart=30)
    chart = make_chart(qtbot, river_session)
    chart.resize(520, 600)
    texts = drawn(qtbot, chart)
    assert texts and all(t.split("\n")[0].startswith(f"P{k + 1}")
                         for k, t in enumerate(texts))
    assert any(t.split("\n")[0] == t.split("\n")[0].split(" ")[0] for t in texts), texts


def test_switching_the_axis_changes_ticks_positions_and_is_remembered(qtbot, river_session):
    play_timed(river_session, SCRIPT, seconds_apart=150)
    chart = make_chart(qtbot, river_session)
    projector = AudienceWindow()
    qtbot.addWidget(projector)
    projector.set_session(river_session)
    phases_texts = drawn(qtbot, chart)
    seqs = [p[0] for p in chart.points()]
    assert list(chart.index_curve.xData) == seqs

    chart.x_combo.setCurrentIndex(chart.x_combo.findData("minutes"))  # the user's choice
    assert QSettings().value(X_MODE_KEY) == "minutes"
    minutes_texts = drawn(qtbot, chart)
    assert minutes_texts != phases_texts and all(t.isdigit() for t in minutes_texts)
    expected = np.maximum.accumulate(river_session.exercise_minutes(seqs))
    assert np.allclose(chart.index_curve.xData, expected)
    assert expected[-1] > 40  # the axis spans the exercise's minutes, not its events
    (x0, x1), _ = chart.vb.viewRange()
    assert x1 == pytest.approx(expected[-1], rel=0.1)
    # phase lines move to the minute their phase started
    starts = [ev.seq for ev in river_session.effective_events() if ev.type == "phase_started"]
    assert [ln.value() for ln in chart.phase_lines] == pytest.approx(
        list(river_session.exercise_minutes(starts)))
    # the projector follows the console's choice, and a new chart starts with it
    assert projector.chart.x_mode == "minutes"
    again = make_chart(qtbot, river_session)
    assert again.x_mode == "minutes" and again.x_combo.currentData() == "minutes"

    choose_x_mode("events")
    events_texts = drawn(qtbot, chart)
    assert events_texts != minutes_texts
    assert list(chart.index_curve.xData) == seqs


def test_minutes_axis_leaves_a_pause_out_live_and_in_replay(qtbot, river_session):
    from peacetable.domain import commands as C

    choose_x_mode("minutes")
    chart = make_chart(qtbot, river_session)
    play_timed(river_session, SCRIPT[:1], seconds_apart=60)  # phase 1 starts at 9:01
    river_session.execute(C.PauseClock(reason="lunch"), ts=(T0 + dt.timedelta(minutes=5)).isoformat())
    river_session.execute(C.ResumeClock(), ts=(T0 + dt.timedelta(minutes=65)).isoformat())
    # a move and its ruling at 10:06 and 10:07: 5 and 6 running minutes into the exercise
    play_timed(river_session, SCRIPT[2:4], seconds_apart=60, origin=T0 + dt.timedelta(minutes=65))
    chart.flush()
    xs = list(chart.index_curve.xData)
    assert xs[-1] == pytest.approx(6.0)
    # replay: the cursor line stands at the cursor event's minute
    model = ReplayModel(river_session)
    replay_chart = EscalationChart()
    qtbot.addWidget(replay_chart)
    replay_chart.resize(1000, 600)
    replay_chart.set_replay(model)
    model.seek(len(river_session.events))
    replay_chart.set_cursor(model.cursor)
    assert replay_chart.cursor_line.value() == pytest.approx(6.0)
    assert list(replay_chart.index_curve.xData) == pytest.approx(xs)
    model.seek(len(river_session.events) - 1)
    replay_chart.set_cursor(model.cursor)
    assert replay_chart.cursor_line.value() == pytest.approx(5.0)


def _curve_scene_points(chart) -> list[QPointF]:
    xs, ys = chart.index_curve.xData, chart.index_curve.yData
    pts = [chart.vb.mapViewToScene(QPointF(float(x), float(y))) for x, y in zip(xs, ys)]
    # the step curve's corners too: each value held to the next point
    pts += [chart.vb.mapViewToScene(QPointF(float(x), float(y)))
            for x, y in zip(xs[1:], ys[:-1])]
    return pts


@pytest.mark.parametrize("viewer", ["control", "audience"])
@pytest.mark.parametrize("mode", ["phases", "minutes", "events"])
def test_rung_labels_never_cover_the_curve(qtbot, river_session, viewer, mode):
    play_timed(river_session, SCRIPT, seconds_apart=45)
    chart = make_chart(qtbot, river_session, viewer)
    chart.set_x_mode(mode)
    drawn(qtbot, chart)
    plot_area = chart.vb.sceneBoundingRect()
    points = _curve_scene_points(chart)
    assert points and all(plot_area.adjusted(-2, -2, 2, 2).contains(p) for p in points)
    shown = [lab for lab in chart.rung_labels if lab.isVisible()]
    assert len(shown) == len(chart.rung_labels)  # all readable at this size
    for lab, band in zip(chart.rung_labels, chart.rung_regions):
        r = lab.sceneBoundingRect()
        assert not r.intersects(plot_area), (lab.toPlainText(), r, plot_area)
        assert not any(r.contains(p) for p in points)
        # level with its band
        lo, hi = band.getRegion()
        top = chart.vb.mapViewToScene(QPointF(0, hi)).y()
        bottom = chart.vb.mapViewToScene(QPointF(0, lo)).y()
        assert top <= r.center().y() <= bottom


def test_projector_legend_stays_off_the_plot(qtbot, river_session, river):
    play_timed(river_session, SCRIPT, seconds_apart=45)
    projector = AudienceWindow()
    qtbot.addWidget(projector)
    projector.resize(1600, 900)
    projector.set_session(river_session)
    projector.set_room_options(overlays=True)
    projector.show()
    qtbot.waitExposed(projector)
    chart = projector.chart
    drawn(qtbot, chart)
    assert chart.legend.isVisible()
    legend = chart.legend.sceneBoundingRect()
    assert legend.height() > 0
    assert not legend.intersects(chart.vb.sceneBoundingRect())
    for lab in chart.rung_labels:
        assert not legend.intersects(lab.sceneBoundingRect())
    # the whole chart fits its pane: a wide legend does not push the plot out of sight
    item = chart.plot.getPlotItem().sceneBoundingRect()
    assert item.width() <= chart.plot.viewport().width() + 1
    assert all(lab.isVisible() for lab in chart.rung_labels)


def test_the_index_title_is_shortened_rather_than_cut(qtbot, river_session):
    play_timed(river_session, SCRIPT[:4], seconds_apart=45)
    chart = make_chart(qtbot, river_session)
    drawn(qtbot, chart)
    left = chart.plot.getPlotItem().getAxis("left")
    assert left.labelText == "escalation index"
    chart.resize(1280, 190)
    drawn(qtbot, chart)
    assert left.labelText == "index"
    # the title fits the plot's height
    assert left.label.boundingRect().width() <= chart.vb.height() + 1
