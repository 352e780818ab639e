"""EscalationChart: real widget, offscreen, driven by a real session and scripted commands."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QGraphicsItem

from peacetable.app.script import ScriptLine, ScriptRunner, read_script
from peacetable.app.session import Session
from peacetable.ui.escalation_chart import EscalationChart

ROOT = Path(__file__).resolve().parents[2]

# A short exercise on the river fixture: three phases, escalation up and down, a private
# conditional offer, a sealed round, a note, an undo and a redo.
SCRIPT = [
    {"cmd": "advance"},
    {"cmd": "note", "text": "control watches Lowland"},
    {"cmd": "move", "role": "lowland", "template": "mass_troops", "magnitude": 2, "label": "mt"},
    {"cmd": "adjudicate", "move": "@mt", "decision": "accept"},
    {"cmd": "move", "role": "upland", "template": "open_sluices", "to": ["lowland"],
     "label": "sl"},
    {"cmd": "adjudicate", "move": "@sl", "decision": "accept"},
    {"cmd": "inject", "id": "flash_flood"},
    {"cmd": "advance"},
    {"cmd": "move", "role": "lowland", "template": "pull_back", "magnitude": 2, "label": "pb"},
    {"cmd": "reveal"},
    {"cmd": "adjudicate", "move": "@pb", "decision": "accept"},
    {"cmd": "move", "role": "lowland", "template": "pull_back", "magnitude": 1, "label": "pb2"},
    {"cmd": "reveal"},
    {"cmd": "adjudicate", "move": "@pb2", "decision": "accept"},
    {"cmd": "undo"},
    {"cmd": "redo"},
    {"cmd": "undo"},
    {"cmd": "advance"},
    {"cmd": "move", "role": "upland", "template": "statement", "label": "st"},
    {"cmd": "adjudicate", "move": "@st", "decision": "accept"},
]


def play(session: Session, lines) -> None:
    runner = ScriptRunner(session)
    for k, data in enumerate(lines, start=1):
        runner.apply(ScriptLine(k, data))


@pytest.fixture
def chart(qtbot, river_session):
    c = EscalationChart()
    qtbot.addWidget(c)
    c.resize(1280, 720)
    c.set_session(river_session)
    river_session.subscribe(c.on_change)
    c.show()
    return c


def _trace_rows(session: Session):
    sc = session.scenario
    rows = []
    for seq, phase, index, variables in session.trace():
        # up means worse: a calming variable is drawn upside down
        scaled = {v.id: abs((v.polarity == "calming") - (variables[v.id] - v.min)
                            / (v.max - v.min)) * sc.escalation.scale
                  for v in sc.escalation.variables}
        rows.append((seq, phase, index, scaled))
    return rows


def _assert_points_match(chart: EscalationChart, session: Session) -> None:
    expected = _trace_rows(session)
    got = chart.points()
    assert [p[:2] for p in got] == [e[:2] for e in expected]
    assert np.allclose([p[2] for p in got], [e[2] for e in expected], atol=1e-9)
    for p, e in zip(got, expected):
        for vid in e[3]:
            assert p[3][vid] == pytest.approx(e[3][vid], abs=1e-9)


def test_points_equal_session_trace_after_a_played_script(chart, river_session):
    play(river_session, SCRIPT)
    chart.flush()
    _assert_points_match(chart, river_session)
    # the curve item itself holds exactly those points
    trace = river_session.trace()
    x, y = chart.index_curve.xData, chart.index_curve.yData
    assert list(x) == [float(t[0]) for t in trace]
    assert np.allclose(y, [t[2] for t in trace])
    # the marker sits on the last point
    pos = chart.marker.pos()
    assert chart.marker.isVisible()
    assert (pos.x(), pos.y()) == pytest.approx((trace[-1][0], trace[-1][2]))


def test_incremental_points_equal_a_reload(chart, river_session):
    play(river_session, SCRIPT[:14])  # no undo yet: every change appended incrementally
    incremental = chart.points()
    chart.reload()
    assert chart.points() == incremental
    _assert_points_match(chart, river_session)


def test_open_existing_session_then_follow_it(qtbot, tmp_path, river_path):
    s = Session.create(river_path, tmp_path / "a.peacetable", seed=3)
    play(s, SCRIPT[:8])
    s.close()
    s = Session.open(tmp_path / "a.peacetable")
    try:
        c = EscalationChart()
        qtbot.addWidget(c)
        c.set_session(s)
        s.subscribe(c.on_change)
        _assert_points_match(c, s)
        play(s, SCRIPT[8:])
        _assert_points_match(c, s)
    finally:
        s.close()


def test_rung_bands_present_with_labels(chart, river):
    rungs = river.escalation.rungs
    assert len(chart.rung_regions) == len(rungs) == len(chart.rung_labels)
    (x0, x1), _ = chart.vb.viewRange()
    for k, (reg, lab, rung) in enumerate(zip(chart.rung_regions, chart.rung_labels, rungs)):
        lo, hi = reg.getRegion()
        assert lo == pytest.approx(rung.threshold)
        top = rungs[k + 1].threshold if k + 1 < len(rungs) else river.escalation.scale
        assert hi == pytest.approx(top)
        assert lab.toPlainText() == rung.label
        assert reg.movable is False
        assert not reg.flags() & QGraphicsItem.GraphicsItemFlag.ItemIsMovable
        # the band itself is what is drawn: its rectangle spans the visible x range
        r = reg.rect()
        assert (r.top(), r.bottom()) == pytest.approx((lo, hi))
        assert (r.left(), r.right()) == pytest.approx((x0, x1))
        assert reg.toolTip().startswith(rung.label)
    # the bands are in the plot and the labels readable (visible at this size)
    items = chart.plot.getPlotItem().items
    assert all(r in items for r in chart.rung_regions)
    assert all(lab.isVisible() for lab in chart.rung_labels)


def _path_segments(path) -> list[tuple[float, float, float, float]]:
    """The (x0, y0, x1, y1) segments of a QPainterPath made of moveTo/lineTo pairs."""
    els = [path.elementAt(k) for k in range(path.elementCount())]
    return [(a.x, a.y, b.x, b.y) for a, b in zip(els[0::2], els[1::2])]


def test_phase_boundaries_are_labelled_vertical_lines(chart, river_session, river):
    play(river_session, SCRIPT)
    chart.set_x_mode("events")  # the phases' names in a strip over the plot
    chart.flush()
    starts = [ev.seq for ev in river_session.effective_events() if ev.type == "phase_started"]
    assert [ln.value() for ln in chart.phase_lines] == starts
    # all the lines are drawn by one path item: per phase start, a 2 px line as two
    # adjacent 1 px vertical segments centred on it, spanning the view's whole y range
    (x0, x1), (y0, y1) = chart.vb.viewRange()
    px = chart.vb.width() / (x1 - x0)
    segs = _path_segments(chart.phase_path.path())
    assert len(segs) == 2 * len(starts)
    for start, (a, b) in zip(starts, zip(segs[0::2], segs[1::2])):
        assert (a[0] + b[0]) / 2 == pytest.approx(start)
        assert (b[0] - a[0]) * px == pytest.approx(1.0)
    for sx0, sy0, sx1, sy1 in segs:
        assert sx0 == sx1  # vertical
        assert (min(sy0, sy1), max(sy0, sy1)) == pytest.approx((y0, y1))
    pen = chart.phase_path.pen()
    assert pen.isCosmetic() and pen.widthF() == 1.0 and pen.dashPattern() == [8.0, 4.0]
    assert chart.phase_path in chart.plot.getPlotItem().items
    assert chart.phase_path.isVisible()
    for k, ln in enumerate(chart.phase_lines):
        text = ln.label.toPlainText()
        assert text.startswith(f"P{k + 1}")
        # the phase's name, and its days in the story
        day = river.phases[k].date.day
        tip = f"{river.phases[k].label}\nIn the story: {day} Apr 2031"
        assert ln.toolTip() == tip and text.endswith(f" · {day} Apr 2031")
        # each label is shown, next to its line, in the strip above the top rung
        assert ln.label.isVisible() and ln.label.toolTip() == tip
        assert ln.label.pos().x() == pytest.approx(starts[k])
        assert river.escalation.scale < ln.label.pos().y() < y1


def test_phase_line_tooltip_under_the_pointer(qtbot, chart, river_session, river):
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    play(river_session, SCRIPT)
    chart.flush()
    QApplication.processEvents()
    ln = chart.phase_lines[1]
    _, (y0, y1) = chart.vb.viewRange()
    on_line = chart.vb.mapViewToScene(QPointF(ln.value() + 0.01, (y0 + y1) / 2))
    assert chart.phase_line_at(on_line) is ln
    (x0, x1), _ = chart.vb.viewRange()
    px = chart.vb.width() / (x1 - x0)
    off_line = chart.vb.mapViewToScene(QPointF(ln.value() + 12 / px, (y0 + y1) / 2))
    assert chart.phase_line_at(off_line) is None
    # a tooltip event on the plot's viewport shows the phase's name
    vp = chart.plot.viewport()
    pos = chart.plot.mapFromScene(on_line)
    ev = QHelpEvent(QEvent.Type.ToolTip, pos, vp.mapToGlobal(pos))
    QApplication.sendEvent(vp, ev)
    assert QToolTip.text().splitlines() == [river.phases[1].label, "In the story: 14 Apr 2031"]
    QToolTip.hideText()


def test_labels_are_only_laid_out_when_the_view_moves(chart, river_session, monkeypatch):
    from PySide6.QtCore import QPointF

    play(river_session, SCRIPT)
    chart.flush()
    chart.grab()  # a paint settles the view's pending auto-range
    calls = []
    orig = chart._place_labels_now
    monkeypatch.setattr(chart, "_place_labels_now", lambda *a: (calls.append(a), orig(*a)))
    xr = chart.vb.viewRange()[0]
    chart.vb.sigXRangeChanged.emit(chart.vb, xr)  # nothing moved: nothing to do
    chart.vb.sigResized.emit(chart.vb)
    assert calls == []
    chart.vb.setXRange(xr[0] + 2, xr[1] + 2, padding=0)  # panned: labels follow
    assert len(calls) == 1
    (x0, x1), _ = chart.vb.viewRange()
    # the rung labels stay level with their bands, in the margin right of the plot
    lo, hi = chart.rung_regions[0].getRegion()
    mid = chart.vb.mapViewToScene(QPointF(x0, (lo + hi) / 2)).y()
    assert chart.rung_labels[0].scenePos().y() == pytest.approx(mid, abs=0.5)
    assert chart.rung_labels[0].scenePos().x() > chart.vb.sceneBoundingRect().right()
    assert (chart.rung_regions[0].rect().left(), chart.rung_regions[0].rect().right()) == \
        pytest.approx((x0, x1))


def test_curves_use_peak_downsampling_and_clip_to_view(chart):
    pi = chart.plot.getPlotItem()
    assert pi.downsampleMode() == (1, True, "peak") and pi.clipToViewMode() is True
    for curve in [chart.index_curve, *chart.var_curves.values()]:
        assert curve.opts["autoDownsample"] is True
        assert curve.opts["downsampleMethod"] == "peak"
        assert curve.opts["clipToView"] is True
        # no antialiasing on the long curves
        assert curve.opts["antialias"] is False
        assert curve.curve.opts["antialias"] is False


def test_index_curve_is_painted_as_rectangles_on_screen(chart, river_session):
    play(river_session, SCRIPT)
    for _ in range(3):  # and stays so, redraw after redraw
        play(river_session, [{"cmd": "move", "role": "upland", "template": "statement"},
                             {"cmd": "adjudicate", "move": "last", "decision": "accept"}])
        chart.flush()
        chart.grab()
        assert chart.index_curve.curve.painted_rects


def _image_array(img):
    from PySide6.QtGui import QImage

    img = img.convertToFormat(QImage.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return a[:, : img.width(), :3].astype(int)


@pytest.mark.parametrize(("shape", "n"), [("walk", 40), ("walk", 5000), ("flat", 300),
                                          ("flat", 1)])
def test_step_curve_rectangles_look_like_pyqtgraphs_stroked_line(qtbot, shape, n):
    """The thick step curves are painted as rectangles; they must cover the same pixels
    as pyqtgraph's own (stroked) painting, up to the rounding of half-pixel edges."""
    import pyqtgraph as pg

    from peacetable.ui.escalation_chart import StepCurve

    rng = np.random.default_rng(5)
    x = np.arange(n, dtype=float)
    if shape == "walk":
        y = np.clip(50 + np.cumsum(rng.normal(0, 2, n)), 0, 100)
    else:
        y = np.full(n, 42.0)
    pw = pg.PlotWidget(background="w")
    qtbot.addWidget(pw)
    pw.resize(900, 500)
    pw.show()
    curve = StepCurve(pen=pg.mkPen("#0b1f4b", width=3), stepMode="right")
    pw.addItem(curve)
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    pw.getPlotItem().vb.setRange(xRange=(0, n), yRange=(0, 100), padding=0.02)
    curve.setData(x, y)
    pw.grab()
    # new data on an unmoved view, as the chart's flush() gives it: pyqtgraph hands the
    # curve connect="finite" (finiteness not checked yet), which must not matter
    curve.setData(x, y, skipFiniteCheck=True)
    assert curve.curve.rect_steps
    fast = _image_array(pw.grab().toImage())
    assert curve.curve.painted_rects
    curve.curve.rect_steps = False
    curve.curve.update()
    slow = _image_array(pw.grab().toImage())
    assert not curve.curve.painted_rects
    ink_fast, ink_slow = fast.sum(2) < 300, slow.sum(2) < 300
    if n > 1:
        assert ink_slow.sum() > 500
    assert (ink_fast != ink_slow).sum() <= 0.015 * ink_slow.sum()


def test_variable_overlay_is_checkable_and_named_with_its_scaling(chart, river_session, river):
    play(river_session, SCRIPT[:4])
    assert chart.var_list.count() == len(river.escalation.variables)
    assert not chart.legend.isVisible()
    chart.set_variable_visible("troops", True)
    curve = chart.var_curves["troops"]
    assert curve.isVisible()
    expected = [p[3]["troops"] for p in _trace_rows(river_session)]
    assert np.allclose(curve.yData, expected)
    assert chart.legend.isVisible()
    names = [lab.text for _, lab in chart.legend.items]
    assert any("Troops at the border" in n and "0–10 battalions → 0–100" in n for n in names)
    chart.set_variable_visible("troops", False)
    assert not curve.isVisible()
    assert not chart.legend.isVisible()


def test_bursts_are_coalesced_into_few_redraws(qtbot, chart, river_session):
    play(river_session, [{"cmd": "advance"}])
    qtbot.waitUntil(lambda: not chart._timer.isActive(), timeout=2000)
    before = chart.redraws
    for _ in range(40):  # 80 changes in a burst, without returning to the event loop
        play(river_session, [{"cmd": "move", "role": "upland", "template": "statement"},
                             {"cmd": "adjudicate", "move": "last", "decision": "accept"}])
    assert chart.redraws == before  # nothing drawn during the burst
    with qtbot.waitSignal(chart.redrawn, timeout=2000):
        pass
    assert chart.redraws == before + 1
    _assert_points_match(chart, river_session)


def test_export_png_and_svg(chart, river_session, tmp_path):
    play(river_session, SCRIPT)
    chart.grab()
    assert chart.index_curve.curve.painted_rects  # on screen: the fast painting
    png = chart.export_png(tmp_path / "chart.png", width=1600)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    img = QImage(str(png))
    assert not img.isNull() and img.width() == 1600 and img.height() > 100
    # exports draw the curve with pyqtgraph's own (antialiased, vector) painting
    assert not chart.index_curve.curve.painted_rects
    svg = chart.export_svg(tmp_path / "chart.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert len(list(root.iter())) > 20  # real drawing content, not an empty document
    # labels are exported as text (not as the pixmaps they are cached in on screen)
    assert not [el for el in root.iter() if el.tag.endswith("image")]
    texts = " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))
    words = texts.split()  # a long rung label is written on two lines
    assert all(w in words for lab in chart.rung_labels for w in lab.toPlainText().split())
    # the phase axis: each phase's name and in-game date under its start
    assert all(ln.name in texts and ln.date in texts for ln in chart.phase_lines)
    # and the on-screen caching is back afterwards
    assert chart.rung_labels[0].cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert chart.rung_labels[0].scale() == 1.0


def test_audience_chart_keeps_only_points_the_room_may_see(qtbot, river_session):
    c = EscalationChart(viewer="audience")
    qtbot.addWidget(c)
    c.set_session(river_session)
    river_session.subscribe(c.on_change)
    play(river_session, SCRIPT)
    c.flush()
    vis = {ev.seq: ev.visibility.allows("audience") for ev in river_session.events}
    pts = c.points()
    trace = {t[0]: t for t in river_session.trace()}
    for k, (seq, _ph, idx, _v) in enumerate(pts):
        assert idx == pytest.approx(trace[seq][2])
        if k and not vis.get(seq, False):
            # a hidden event is only marked when the public picture changed with it
            assert idx != pytest.approx(pts[k - 1][2]) or _v != pts[k - 1][3]
    assert pts[-1][2] == pytest.approx(river_session.view("audience")["escalation"]["index"])
    # on screen, the room's chart has no variable list and no export buttons; control's has
    c.show()
    qtbot.waitExposed(c)
    assert c.isVisible() and not c.side.isVisible() and not c.btn_png.isVisible()
    ctl = EscalationChart()
    qtbot.addWidget(ctl)
    ctl.show()
    qtbot.waitExposed(ctl)
    assert ctl.side.isVisible() and ctl.btn_png.isVisible()
    # incremental and reloaded agree
    inc = c.points()
    c.reload()
    assert c.points() == inc


def test_set_session_none_clears(chart, river_session):
    play(river_session, SCRIPT[:4])
    chart.set_session(None)
    assert chart.points() == []
    assert chart.rung_regions == [] and chart.phase_lines == []
    assert chart.phase_path.path().isEmpty()
    assert chart.var_list.count() == 0


@pytest.mark.parametrize("toml", sorted((ROOT / "scenarios").glob("*.toml")),
                         ids=lambda p: p.stem)
def test_bundled_scenario_chart_matches_trace(qtbot, tmp_path, toml):
    moves = toml.with_suffix("").with_suffix(".moves.jsonl")
    if not moves.exists():
        pytest.skip(f"no {moves.name} yet")
    s = Session.create(toml, tmp_path / "b.peacetable", seed=11)
    try:
        c = EscalationChart()
        qtbot.addWidget(c)
        c.set_session(s)
        s.subscribe(c.on_change)
        runner = ScriptRunner(s, str(moves))
        runner.run(read_script(moves))
        c.flush()
        _assert_points_match(c, s)
        assert len(c.rung_regions) == len(s.scenario.escalation.rungs)
    finally:
        s.close()


def test_export_buttons_ask_for_a_file_and_write_it(chart, river_session, tmp_path,
                                                    monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    play(river_session, SCRIPT[:6])
    answers = iter([str(tmp_path / "b.png"), str(tmp_path / "b.svg"), ""])
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (next(answers), "")))
    chart.btn_png.click()
    chart.btn_svg.click()
    chart.btn_png.click()  # cancelled: nothing written
    assert (tmp_path / "b.png").read_bytes()[:4] == b"\x89PNG"
    assert ET.parse(tmp_path / "b.svg").getroot().tag.endswith("svg")
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".png", ".svg")) == \
        ["b.png", "b.svg"]
