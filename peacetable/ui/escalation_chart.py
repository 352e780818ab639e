"""Live escalation chart: the escalation index over the exercise, with rungs and phases.

``EscalationChart`` plots one point after every applied event (the same points as
:meth:`peacetable.app.session.Session.trace`): the escalation index as a thick curve,
optional overlays of the escalation variables, the scenario's rungs as horizontal bands
(their labels in a margin right of the plot, on the band's colour, never over the curves)
and the phase starts as vertical lines.

The time axis (a choice beside the chart, remembered in the settings, followed by every
chart — the projector's too): ``"phases"`` (the default: points spaced by event, each
phase's name and in-game date written under the axis from its start), ``"minutes"`` (the
exercise clock when each event was recorded, pauses left out: ``Session.exercise_minutes``)
or ``"events"`` (the event number). Number axes tick whole numbers only. The legend (shown
with overlays) sits in a row of its own under the plot, one column when two do not fit.

Variables are drawn on the index's own axis, each rescaled from its own range
``[min, max]`` to ``[0, scale]`` (the legend says so: "Troops (0–10 battalions → 0–100)"),
so that up means worse for every curve: a variable whose scale runs the other way
(``polarity = "calming"``, a higher value is better) is drawn upside down, and its legend
and tooltip name the real values at the bottom and the top ("River flow downstream (100–0
% of normal → 0–100)").

Updates are incremental: ``on_change`` appends the new points to growing numpy buffers and
arms a single-shot timer; the curves are redrawn at most ``MAX_FPS`` times a second
(``setData`` on views of the buffers, peak downsampling, clipping to the view), so a burst
of commands never freezes the window. After undo/redo (``change.rebuilt``) the buffers are
reloaded from ``session.trace()``.

A redraw runs as little Python as possible (docs/performance-chart.md): the thick step
curves paint themselves as rectangles (:class:`_RectStepCurveItem`), the rung bands are
plain Qt rectangles, all the phase lines are one dashed path item, and the rung and phase
labels are plain Qt text items, all painted by Qt's C++ code; the labels are laid out
again only when the view moves by a tenth of a pixel or more. Tooltips: a rung band or
label names its rung, a phase label or the pointer near a phase line names the phase.

The points come from the application layer, already cut to what the chart's viewer may be
shown (:func:`peacetable.app.replay.session_trace` live, :meth:`ReplayModel.trace` in
replay): for any viewer other than ``"control"`` (the projector, a role), a point is kept
only where the event is visible to that viewer or the escalation picture changed, so the
chart never marks the moment of a hidden event that changed nothing the viewer can see.
The chart neither folds events nor filters them by itself.

In replay (:meth:`EscalationChart.set_replay`), :meth:`EscalationChart.set_cursor` draws the
curve and the phase lines up to the cursor only, with a vertical cursor line, on an x axis
spanning the whole session.
"""

from __future__ import annotations

import math

import logging
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QIcon,
    QPaintEngine,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QTransform,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ..app.replay import session_trace
from ..domain.calendar import span_label
from .widgets_common import (
    INDEX_COLOUR,
    SERIES_COLOURS,
    font,
    rung_colour,
    short_phase_label,
)

try:  # the packed QRectF array pyqtgraph itself draws bars and line segments with
    from pyqtgraph.Qt.internals import PrimitiveArray
except ImportError:  # pragma: no cover - another pyqtgraph: draw steps the standard way
    PrimitiveArray = None

log = logging.getLogger(__name__)

__all__ = ["EscalationChart"]

#: the index holds its value from one event to the next: draw steps, each point's value
#: running to the right until the next point
STEP = "right"


#: how near (in pixels) the pointer must be to a phase line for its tooltip
PHASE_HIT_PX = 5.0


def _prefix_runs(X: np.ndarray, Y: np.ndarray, starts: np.ndarray, lo: np.ndarray,
                 hi: np.ndarray, k: int, span: tuple[float, float] | None) -> tuple:
    """The runs (one per pixel column) of a step curve's first ``k`` points in device
    coordinates, from the whole curve's runs (``starts``: each run's first point; ``lo``,
    ``hi``: its lowest and highest value): each run's x, lowest and highest value with the
    value held into it, and the value each run but the last ends at (held to the next).
    With ``span`` (device x from, to) only the runs that reach into it, and one on each
    side (the horizontal steps that cross its edges)."""
    b = int(np.searchsorted(starts, k - 1, side="right")) - 1  # the run of point k - 1
    j0, j1 = 0, b + 1
    if span is not None:
        xs_all = X[starts[:b + 1]]
        j0 = max(0, int(np.searchsorted(xs_all, span[0], side="left")) - 1)
        j1 = min(b + 1, int(np.searchsorted(xs_all, span[1], side="right")) + 1)
    st = starts[j0:j1]
    lo, hi = lo[j0:j1].copy(), hi[j0:j1].copy()
    if j1 == b + 1:  # the last run is cut at point k - 1
        lo[-1], hi[-1] = Y[starts[b]:k].min(), Y[starts[b]:k].max()
    first = 1 if j0 == 0 else 0  # every run but the curve's first holds a value into it
    held = Y[st[first:] - 1]
    lo[first:] = np.minimum(lo[first:], held)
    hi[first:] = np.maximum(hi[first:], held)
    return X[st], lo, hi, Y[st[1:] - 1]


class _RectStepCurveItem(pg.PlotCurveItem):
    """A PlotCurveItem that paints a thick step line as filled rectangles.

    Qt's raster engine strokes every segment of a pen wider than one pixel through its
    general path stroker, which is what makes a thick 100,000-point curve slow; the
    segments of a step line are all horizontal or vertical, and such a segment drawn with
    a square-capped pen of width ``w`` covers exactly the rectangle around it padded by
    ``w/2``, which Qt fills with its span filler, several times faster. The same pixels
    (up to the rounding of half-pixel edges) as the stroked line, in device coordinates.

    Anything else (exports and anything not painted by Qt's raster engine, which want
    vector paths and antialiasing; other step modes; fills; gaps; antialiased,
    translucent, dashed or thin pens; rotated views) is painted by pyqtgraph's own code."""

    def __init__(self, *args, **kwargs):
        self._rects = PrimitiveArray(QRectF, 4) if PrimitiveArray is not None else None
        self.rect_steps = self._rects is not None
        self.painted_rects = False  # whether the last paint drew rectangles
        #: replay: draw only the first ``shown`` points of the data (None: all of them);
        #: set with :meth:`show_first`
        self.shown: int | None = None
        #: the x of the last point the last paint drew (None: nothing drawn)
        self.painted_last_x: float | None = None
        self._columns: tuple | None = None  # (key, X, Y, starts, lo, hi): see _columns_for
        super().__init__(*args, **kwargs)
        # the part being painted (opt.exposedRect): a replay drag repaints a strip, and
        # only the steps that reach into it are drawn
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def show_first(self, k: int | None) -> None:
        """Draw only the first ``k`` points of the data (None: all). The data is not
        plotted again: only the strip between the old and the new last point drawn is
        repainted, so that moving the replay cursor costs what changed on screen."""
        old = self.shown
        if k is not None:
            k = max(0, int(k))
        if k == old:
            return
        self.shown = k
        if not self.isVisible():
            return  # nothing on screen (a hidden overlay): drawn from `shown` when shown
        x = self.xData
        if x is None or not len(x) or old is None or k is None:
            self.update()
            return
        lo, hi = sorted((min(old, len(x)), min(k, len(x))))
        a, b = float(x[max(0, lo - 1)]), float(x[max(0, hi - 1)])
        px = self.pixelWidth() or 0.0  # one screen pixel in data units
        pad = (self.opts["pen"].widthF() + 6.0) * px
        br = self.boundingRect()
        strip = QRectF(a - pad, br.top(), b - a + 2 * pad, br.height())
        vb = self.getViewBox()
        if vb is not None:  # the view clips the curve: nothing of it shows outside (the
            strip = strip.intersected(vb.viewRect())  # axes are not painted again)
        if not strip.isEmpty():
            self.update(strip)

    def paint(self, p, opt, widget):
        drawn = False
        if self.rect_steps:
            p.save()
            try:
                drawn = self._paint_rects(p, opt)
            except Exception:  # an exception must never leave paint(): PySide aborts
                log.exception("step curve: falling back to pyqtgraph's painting")
                self.rect_steps = False
            finally:
                p.restore()
        self.painted_rects = drawn
        if drawn:
            return
        k = self.shown
        x, y = self.xData, self.yData
        if k is None or x is None or k >= len(x):
            super().paint(p, opt, widget)
            self.painted_last_x = float(x[-1]) if x is not None and len(x) else None
            return
        # the first k points only (exports, other paint engines): as a path
        self.painted_last_x = float(x[k - 1]) if k else None
        if k < 2:
            return
        aa = self._exportOpts.get("antialias", True) if self._exportOpts is not False \
            else self.opts["antialias"]
        p.setRenderHint(QPainter.RenderHint.Antialiasing, aa)
        p.setPen(self.opts["pen"])
        p.drawPath(self.generatePath(x[:k], y[:k]))

    def _paint_rects(self, p: QPainter, opt=None) -> bool:
        o = self.opts
        pen = o["pen"]
        t = p.transform()
        engine = p.paintEngine()
        if (self._exportOpts is not False or engine is None
                or engine.type() != QPaintEngine.Type.Raster
                or o["stepMode"] != "right" or o["antialias"]
                or not isinstance(o["connect"], str) or o["connect"] not in ("all", "finite")
                or o["fillLevel"] is not None or o["shadowPen"] is not None
                or o["compositionMode"] is not None
                or pen.style() != Qt.PenStyle.SolidLine or not pen.isSolid()
                or pen.color().alphaF() < 1.0 or not pen.isCosmetic() or pen.widthF() <= 1.0
                or pen.capStyle() != Qt.PenCapStyle.SquareCap
                or t.type().value > QTransform.TransformationType.TxScale.value):
            return False
        x, y = self.getData()
        k = self.shown
        if x is None or len(x) == 0 or k == 0:
            self.painted_last_x = None
            return True
        h = pen.widthF() / 2
        if k is not None:
            k = min(k, len(x))
            got = self._columns_for(x, y, t)
            if got is None:
                return False
            X, Y, starts, lo, hi = got
            # the runs of the first k points (every column before the last point's whole,
            # the last point's column cut at it), only those that reach into the part of
            # the plot being painted: a replay cursor's move repaints a strip
            span = None
            exposed = getattr(opt, "exposedRect", None)
            if exposed is not None and not exposed.isEmpty() and t.m11() > 0:
                span = (exposed.left() * t.m11() + t.m31() - h - 1,
                        exposed.right() * t.m11() + t.m31() + h + 1)
            xs, lo, hi, yend = _prefix_runs(X, Y, starts, lo, hi, k, span)
            n = k
        else:
            X = x * t.m11() + t.m31()
            Y = y * t.m22() + t.m32()
            if not (np.isfinite(X).all() and np.isfinite(Y).all()):
                return False  # gaps (connect="finite" with non-finite values): pyqtgraph's way
            # "right" steps: point i holds its value from x[i] to x[i+1], then rises to
            # y[i+1]. Points sharing an x (peak downsampling gives two per pixel column)
            # make one vertical rectangle, spanning the value held into the run and every
            # value in it; then one horizontal rectangle runs to the next x at the run's
            # last value. Fewer, shorter rectangles than one per segment, and the same
            # pixels.
            n = len(X)
            starts = np.flatnonzero(np.r_[True, X[1:] != X[:-1]])
            lo = np.minimum.reduceat(Y, starts)
            hi = np.maximum.reduceat(Y, starts)
            ends = np.r_[starts[1:], n] - 1
            held = Y[starts[1:] - 1]
            lo[1:] = np.minimum(lo[1:], held)
            hi[1:] = np.maximum(hi[1:], held)
            xs = X[starts]
            yend = Y[ends[:-1]]
        self.painted_last_x = float(x[n - 1])
        keep_v = hi > lo  # a flat run is covered by the horizontals' square ends
        nv, nh = int(np.count_nonzero(keep_v)), len(xs) - 1
        if nv + nh == 0:
            return True  # a single point: nothing to draw (as pyqtgraph)
        self._rects.resize(nv + nh)
        m = self._rects.ndarray()
        m[:nv, 0] = xs[keep_v] - h
        m[:nv, 1] = lo[keep_v] - h
        m[:nv, 2] = 2 * h
        m[:nv, 3] = hi[keep_v] - lo[keep_v] + 2 * h
        a, b = xs[:-1], xs[1:]
        m[nv:, 0] = np.minimum(a, b) - h
        m[nv:, 1] = yend - h
        m[nv:, 2] = np.abs(b - a) + 2 * h
        m[nv:, 3] = 2 * h
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(pen.color())
        p.drawRects(*self._rects.drawargs())
        return True

    def _columns_for(self, x: np.ndarray, y: np.ndarray, t: QTransform) -> tuple | None:
        """The whole data in device coordinates, in runs of one pixel column each (first
        index, lowest and highest value of each run), kept until the data or the view's
        scaling changes: a replay draws a prefix of the same data at every cursor move.
        None where the data has gaps."""
        key = (id(x), id(y), len(x), t.m11(), t.m31(), t.m22(), t.m32())
        got = self._columns
        if got is not None and got[0] == key:
            return got[1]
        X = x * t.m11() + t.m31()
        Y = y * t.m22() + t.m32()
        if not (np.isfinite(X).all() and np.isfinite(Y).all()):
            return None
        col = np.floor(X)
        starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
        out = (X, Y, starts, np.minimum.reduceat(Y, starts), np.maximum.reduceat(Y, starts))
        self._columns = (key, out)
        return out


class _CursorLine(QGraphicsLineItem):
    """The replay cursor: a vertical line across the plot, moved along x at every step of
    a drag (:meth:`move_to`), painted by Qt's own item (pyqtgraph's ``InfiniteLine`` worked
    its bounds out again in Python at every move and painted itself in Python,
    antialiased, across the plot's height: about a millisecond of every frame). It spans
    the view's height (:meth:`span`, kept by the chart as the view's y range changes)."""

    def __init__(self, colour: str, width: float):
        super().__init__(0.0, 0.0, 0.0, 1.0)
        pen = QPen(QColor(colour))
        pen.setWidthF(width)
        pen.setCosmetic(True)
        self.setPen(pen)

    def value(self) -> float:
        """Where the line is on the x axis."""
        return self.pos().x()

    def move_to(self, x: float) -> None:
        """Put the line at ``x``."""
        x = float(x)
        if self.pos().x() != x:
            self.setPos(x, 0.0)

    def span(self, y0: float, y1: float) -> None:
        """Run from ``y0`` to ``y1`` (data units; the view clips the rest)."""
        line = self.line()
        if (line.y1(), line.y2()) != (y0, y1):
            self.setLine(0.0, y0, 0.0, y1)


class StepCurve(pg.PlotDataItem):
    """A pyqtgraph PlotDataItem (downsampling, clipping to the view, legend, exports all
    unchanged) whose curve is a :class:`_RectStepCurveItem`."""

    def __init__(self, **kwargs):
        super().__init__()
        old = self.curve
        try:
            old.sigClicked.disconnect(self.sigClicked)
        except (RuntimeError, TypeError):  # pragma: no cover
            pass
        old.setParentItem(None)
        self.curve = _RectStepCurveItem()
        self.curve.setParentItem(self)
        self.curve.sigClicked.connect(self.sigClicked)
        self.setData(**kwargs)


class Label(QGraphicsRectItem):
    """A text on a filled box, at a fixed pixel size, pinned to a point of the plot (data
    coordinates) by the middle of its left edge, or of its right edge (``right=True``).

    A plain Qt rectangle with a plain Qt text as its child: both are painted by Qt's C++
    code, so a redraw of the chart runs no Python for them (pyqtgraph's TextItem and
    InfLineLabel run Python paint and transform code on every frame), and both are cached
    as pixmaps on screen."""

    PAD_X = 4.0
    PAD_Y = 4.0

    def __init__(self, text: str, qfont: QFont, colour: str, fill: QColor, parent=None,
                 max_width: float | None = None):
        super().__init__(parent)
        #: wider texts are broken into lines at spaces (None: one line)
        self.max_width = max_width
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setBrush(QBrush(fill))
        self.text_item = QGraphicsSimpleTextItem(self)
        self.text_item.setFont(qfont)
        self.text_item.setBrush(QBrush(QColor(colour)))
        # on screen, the box and the text are drawn once into pixmaps and then copied,
        # not laid out again on every frame (exports draw them afresh)
        for item in (self, self.text_item):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.right = False
        self._text: str | None = None
        self.set_text(text)

    def set_text(self, text: str, right: bool | None = None) -> None:
        right = self.right if right is None else right
        if text == self._text and right == self.right:
            return
        self._text, self.right = text, right
        if self.max_width is not None:
            text = _wrap(text, QFontMetricsF(self.text_item.font()), self.max_width)
        self.text_item.setText(text)
        br = self.text_item.boundingRect()
        w, h = br.width() + 2 * self.PAD_X, br.height() + 2 * self.PAD_Y
        x = -w if right else 0.0
        self.setRect(QRectF(x, -h / 2, w, h))
        self.text_item.setPos(x + self.PAD_X, -h / 2 + self.PAD_Y)

    def toPlainText(self) -> str:
        """The text shown (as pyqtgraph's TextItem)."""
        return self._text or ""


def _wrap(text: str, fm: QFontMetricsF, width: float) -> str:
    """``text`` broken into lines at spaces, each at most ``width`` wide where it can be."""
    lines: list[str] = []
    for word in text.split():
        if lines and fm.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


class RungBand(QGraphicsRectItem):
    """One rung's horizontal band, ``lo``..``hi`` on the index axis: a plain, opaque Qt
    rectangle in data coordinates (painted in C++, no hover logic), spanning the visible x
    range (set by :meth:`EscalationChart._place_labels`)."""

    movable = False

    def __init__(self, lo: float, hi: float, brush: QBrush, tooltip: str):
        super().__init__(QRectF(0.0, lo, 1.0, hi - lo))
        self.lo, self.hi = float(lo), float(hi)
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setBrush(brush)
        self.setToolTip(tooltip)

    def getRegion(self) -> tuple[float, float]:
        """(lo, hi) on the index axis (as pyqtgraph's LinearRegionItem)."""
        return self.lo, self.hi

    def set_x_span(self, x0: float, x1: float) -> None:
        self.setRect(QRectF(x0, self.lo, x1 - x0, self.hi - self.lo))


class PhaseLine:
    """A phase start. Every phase line is drawn by one path item
    (:attr:`EscalationChart.phase_path`); each has its own :class:`Label`, and a tooltip
    (the phase's full name) shown near the line and over the label."""

    angle = 90  # vertical

    def __init__(self, x: float, phase_index: int, full: str, short: str, tooltip: str,
                 label: Label, seq: int | None = None, date: str = ""):
        self.x = float(x)  # on the chart's x axis (event number or exercise minutes)
        self.name = full.split(" · ")[0] if date else full  # the name without the date
        self.seq = int(x) if seq is None else int(seq)  # the event that started the phase
        self.date = date  # the phase's in-game days ("" when it has none)
        self.phase_index = phase_index
        self.full, self.short = full, short
        self.tooltip = tooltip
        self.label = label

    def value(self) -> float:
        return self.x

    def toolTip(self) -> str:
        return self.tooltip


class _PhaseTooltips(QObject):
    """Event filter on the plot's viewport: the tooltip of the phase line under the
    pointer (the lines are one path item, which cannot carry one tooltip per line)."""

    def __init__(self, chart: EscalationChart):
        super().__init__(chart)
        self.chart = chart

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            ln = self.chart.phase_line_at(self.chart.plot.mapToScene(event.pos()))
            if ln is not None and ln.tooltip:
                QToolTip.showText(event.globalPos(), ln.tooltip, obj)
                return True
        return False


#: what the x axis measures (the choice is remembered, and every chart follows it)
X_MODES = {
    "phases": "Phases",              # phase names at phase starts; spaced by event
    "minutes": "Exercise minutes",   # the exercise clock when each event was recorded
    "events": "Event number",
}
X_TITLES = {"phases": "phase", "minutes": "exercise time (minutes, pauses left out)",
            "events": "event number"}
X_MODE_KEY = "chart/x_axis"
DEFAULT_X_MODE = "phases"
#: whole-number tick steps for counted things (events, minutes)
NICE_STEPS = (1, 2, 5, 10, 15, 20, 30, 50, 60, 100, 120, 200, 250, 500, 1000, 2000, 2500,
              5000, 10_000, 20_000, 25_000, 50_000, 100_000, 200_000, 250_000, 500_000,
              1_000_000)


class _XModeHub(QObject):
    """The x-axis choice, shared: the console's chart, the projector's and the replay's
    follow one remembered setting."""

    changed = Signal(str)


_hub: _XModeHub | None = None


def x_mode_hub() -> _XModeHub:
    global _hub
    if _hub is None:
        _hub = _XModeHub()
    return _hub


def saved_x_mode() -> str:
    mode = str(QSettings().value(X_MODE_KEY, DEFAULT_X_MODE) or DEFAULT_X_MODE)
    return mode if mode in X_MODES else DEFAULT_X_MODE


def choose_x_mode(mode: str) -> None:
    """Remember ``mode`` and show it on every chart."""
    if mode not in X_MODES:
        raise KeyError(mode)
    QSettings().setValue(X_MODE_KEY, mode)
    x_mode_hub().changed.emit(mode)


def whole_ticks(x0: float, x1: float, width_px: float, label_px: float) -> list[float]:
    """Whole-number tick values in [x0, x1], at a step from :data:`NICE_STEPS` wide enough
    for labels ``label_px`` wide (never less than 1: no fractional ticks)."""
    if not (math.isfinite(x0) and math.isfinite(x1)) or x1 <= x0 or width_px <= 0:
        return []
    px = width_px / (x1 - x0)
    step = next((st for st in NICE_STEPS if st * px >= label_px), NICE_STEPS[-1])
    first = math.ceil(max(0.0, x0) / step) * step
    if (x1 - first) / step > 2000:
        return []
    return [float(v) for v in range(int(first), int(math.floor(x1)) + 1, step)]


class _PhaseAxis(pg.AxisItem):
    """The bottom axis. In the "phases" mode it writes each phase's name (and in-game date,
    on a second line) from the phase's tick to the right, shortened to "P<n>" when the next
    phase starts too soon for the name, instead of pyqtgraph's centred tick text (which
    would spill into the phase before and drops a text at the left edge). Otherwise a
    plain AxisItem with the ticks the chart sets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: (x, full name, short name, date text) per phase start, or None
        self.phase_texts: list[tuple[float, str, str, str]] | None = None
        self.drawn: list[tuple[QRectF, str]] = []  # the texts of the last draw

    def generateDrawSpecs(self, p):
        specs = super().generateDrawSpecs(p)
        if specs is not None and self.phase_texts:
            try:  # this runs inside paint: an exception must never leave it
                specs = (specs[0], specs[1], self._phase_text_specs(p))
            except Exception:
                log.exception("phase axis: drawing pyqtgraph's texts instead")
                self.phase_texts = None
        self.drawn = [] if specs is None else [(r, t) for r, _f, t in specs[2]]
        return specs

    def _phase_text_specs(self, p) -> list:
        bounds = self.mapRectFromParent(self.geometry())
        lo, hi = self.range
        if hi <= lo:
            return []
        scale = bounds.width() / (hi - lo)
        fm = QFontMetricsF(p.font())
        top = bounds.top() + max(0, self.style["tickLength"]) + self.style["tickTextOffset"][1]
        line_h = fm.height()
        out = []
        texts = self.phase_texts or []
        xs = [(x - lo) * scale + bounds.left() for x, *_ in texts]
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        for k, (_x, full, short, date) in enumerate(texts):
            left = xs[k] + 3
            if left < bounds.left() - 1 or left > bounds.right():
                continue
            right = xs[k + 1] - 6 if k + 1 < len(texts) else bounds.right()
            room = min(right, bounds.right()) - left
            name = next((t for t in (full, short) if fm.horizontalAdvance(t) <= room), "")
            if not name:
                continue
            text = name
            # the date, or without its year when the whole does not fit
            short_date = date[:-5] if date[-4:].isdigit() and date[-5:-4] == " " else ""
            day = next((d for d in (date, short_date) if d and fm.horizontalAdvance(d) <= room),
                       "")
            if day:
                text += "\n" + day
            out.append((QRectF(left, top, room, line_h * text.count("\n") + line_h), flags,
                        text))
        return out


class EscalationChart(QWidget):
    """Escalation index over event number; see the module docstring."""

    #: emitted after the curves were redrawn (one per coalesced burst)
    redrawn = Signal()

    MAX_FPS = 30

    def __init__(self, parent: QWidget | None = None, *, viewer: str = "control",
                 show_controls: bool | None = None, font_scale: float | None = None):
        super().__init__(parent)
        self.viewer = viewer
        self.session = None
        big = viewer != "control"
        self._fs = font_scale if font_scale is not None else (1.45 if big else 1.0)
        self._base_fs = self._fs  # before the text zoom (see set_text_scale)
        show_controls = (viewer == "control") if show_controls is None else show_controls

        # growing buffers: column 0 = x (event number), 1 = index, 2 = phase index,
        # 3.. = variables rescaled to 0..scale
        self._buf = np.zeros((0, 3), dtype=np.float64)
        self._n = 0
        self._var_ids: list[str] = []
        self._scale = 100.0
        self._headroom = -1.0
        self._label_key: tuple = ()
        self._last_raw: tuple | None = None  # the last trace row shown
        self._last_seq = 0  # last event seq seen (applied or not)
        self.replay = None  # a ReplayModel in replay, else None
        self.cursor: int | None = None  # in replay: the last event drawn
        self._axes_cached = False  # the axes kept as pixmaps (replay; see set_session)
        self._dirty = False
        self.redraws = 0
        #: replay: what the curves hold (points, axis, overlaid variables); None live
        self._plotted: tuple | None = None
        #: what the x axis measures (X_MODES); exercise minutes per buffered row, kept
        #: only while the axis shows them
        self.x_mode = saved_x_mode()
        self._mins: np.ndarray | None = None

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(1000 / self.MAX_FPS))
        self._timer.timeout.connect(self.flush)

        # ---- plot
        self.x_axis = _PhaseAxis("bottom")
        self.plot = pg.PlotWidget(background="w", axisItems={"bottom": self.x_axis})
        self.plot.setObjectName("escalationPlot")
        # no cached background: the background is one colour, filled directly; the cached
        # copy pyqtgraph keeps by default is an image drawn at every paint, which Qt's
        # raster engine splits among its pool of threads for anything taller than 96 lines
        # (a replay drag repaints a strip of the plot at every move)
        self.plot.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        pi = self.plot.getPlotItem()
        pi.setMenuEnabled(True)
        pi.hideButtons()
        pi.showGrid(x=False, y=False)
        pi.setMouseEnabled(x=True, y=False)
        pi.setDownsampling(auto=True, mode="peak")
        pi.setClipToView(True)
        self.vb = pi.getViewBox()
        self.vb.setLimits(minXRange=4)
        # the rung labels sit in a margin right of the plot (never over the curves):
        # the right axis holds the room and draws nothing of its own
        pi.showAxis("right")
        self.rung_axis = pi.getAxis("right")
        self.rung_axis.setStyle(showValues=False, tickLength=0)
        for name in ("left", "bottom"):
            ax = pi.getAxis(name)
            ax.setPen(pg.mkPen("#222222", width=1))
            ax.setTextPen(pg.mkPen("#111111"))
        self.rung_axis.setPen(pg.mkPen(None))  # no line, no ticks: a margin for the labels
        self.rung_axis.setTicks([[], []])
        self._style_axes()
        # the legend sits in a row of its own under the plot, never over the curves
        self.legend = pg.LegendItem(labelTextSize=f"{11 * self._fs:.0f}pt", colCount=2,
                                    labelTextColor="#111111", pen=pg.mkPen("#9e9e9e"),
                                    brush=pg.mkBrush(255, 255, 255, 255))
        self.legend.setVisible(False)  # hidden: takes no room in the layout
        # across the axes' columns too, so that a wide legend never widens the plot's column
        # (it would push the chart past its pane); one column of names when two do not fit
        pi.layout.addItem(self.legend, 4, 0, 1, 3)

        self.index_curve = StepCurve(pen=pg.mkPen(INDEX_COLOUR, width=3.5 if big else 3),
                                     stepMode=STEP)
        self._index_name = "Escalation index"
        self._prep_curve(self.index_curve)
        self.index_curve.setZValue(20)
        pi.addItem(self.index_curve)
        # the latest point: a dot of fixed pixel size (ignores the view's scaling), moved
        # with setPos; much cheaper to update than a one-point ScatterPlotItem
        r = 7.0 if big else 5.5
        self.marker = QGraphicsEllipseItem(-r, -r, 2 * r, 2 * r)
        self.marker.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.marker.setBrush(pg.mkBrush(INDEX_COLOUR))
        self.marker.setPen(pg.mkPen("w", width=2))
        self.marker.setZValue(21)
        self.marker.setVisible(False)
        pi.addItem(self.marker, ignoreBounds=True)
        # replay: the cursor, a vertical line across the plot
        self.cursor_line = _CursorLine("#c62828", 2.0)
        self.cursor_line.setZValue(22)
        self.cursor_line.setVisible(False)
        pi.addItem(self.cursor_line, ignoreBounds=True)
        self.vb.sigYRangeChanged.connect(self._span_cursor_line)
        self._span_cursor_line()

        self.var_curves: dict[str, pg.PlotDataItem] = {}
        self.rung_regions: list[RungBand] = []
        self.rung_labels: list[Label] = []
        self.phase_lines: list[PhaseLine] = []
        # every phase line in one dashed path, one item to paint however many phases the
        # scenario has: each line 2 px wide, drawn as two adjacent 1 px lines spanning the
        # view's y range (Qt dashes 1 px cosmetic lines in its fast line drawer, wider ones
        # through the general path stroker: 4x slower)
        self.phase_path = QGraphicsPathItem()
        phase_pen = QPen(QColor("#37474f"))
        phase_pen.setWidthF(1.0)
        phase_pen.setCosmetic(True)
        phase_pen.setDashPattern([8.0, 4.0])  # the 2 px DashLine's 8 px dash, 4 px gap
        self.phase_path.setPen(phase_pen)
        self.phase_path.setZValue(6)
        pi.addItem(self.phase_path, ignoreBounds=True)
        self._band_span = (0.0, -1.0)
        self._placing = False
        self.vb.sigXRangeChanged.connect(self._place_labels)
        self.vb.sigYRangeChanged.connect(self._place_labels)
        self.vb.sigResized.connect(self._place_labels)
        self._tooltips = _PhaseTooltips(self)
        self.plot.viewport().installEventFilter(self._tooltips)

        # ---- side panel
        self.var_list = QListWidget()
        self.var_list.setObjectName("variableList")
        self.var_list.setToolTip("Overlay escalation variables, each rescaled from its own "
                                 "range to the index scale")
        self.var_list.itemChanged.connect(self._on_var_toggled)
        self.var_list.setIconSize(QSize(18, 18))
        self.btn_png = QPushButton("Export PNG…")
        self.btn_svg = QPushButton("Export SVG…")
        self.btn_png.clicked.connect(self._ask_png)
        self.btn_svg.clicked.connect(self._ask_svg)
        self.x_combo = QComboBox()
        self.x_combo.setObjectName("xAxisMode")
        self.x_combo.setToolTip("What the chart's horizontal axis shows: the phases, the "
                                "exercise clock in minutes, or the event number (remembered; "
                                "the projector follows)")
        for mode, text in X_MODES.items():
            self.x_combo.addItem(text, mode)
        self.x_combo.setCurrentIndex(list(X_MODES).index(self.x_mode))
        self.x_combo.currentIndexChanged.connect(
            lambda _i: choose_x_mode(self.x_combo.currentData()))
        x_row = QHBoxLayout()
        x_row.setContentsMargins(0, 0, 0, 0)
        x_label = QLabel("Time axis")
        x_label.setBuddy(self.x_combo)
        x_row.addWidget(x_label)
        x_row.addWidget(self.x_combo, 1)
        x_mode_hub().changed.connect(self.set_x_mode)
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.addLayout(x_row)
        head = QLabel("Overlay variables")
        head.setFont(font(10 * self._fs, bold=True))
        head.setObjectName("overlayHead")
        side.addWidget(head)
        side.addWidget(self.var_list, 1)
        side.addWidget(self.btn_png)
        side.addWidget(self.btn_svg)
        self.side = QWidget()
        self.side.setLayout(side)
        self.side.setMaximumWidth(340)
        self.side.setVisible(show_controls)

        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.side)

    # ------------------------------------------------------------------ public API
    def set_text_scale(self, zoom: float) -> None:
        """Follow the window's text zoom: axes, legend, rung and phase labels."""
        fs = self._base_fs * float(zoom)
        if abs(fs - self._fs) < 1e-9:
            return
        self._fs = fs
        self._style_axes()
        self.legend.setLabelTextSize(f"{11 * fs:.0f}pt")
        self.side.findChild(QLabel, "overlayHead").setFont(font(10 * fs, bold=True))
        if self.session is not None:
            # only the texts change size: the rung bands and labels and the phase lines'
            # labels are made again at the new size; the curves and their points stay
            self._clear_rungs()
            self._build_rungs(self.session.scenario)
            self._rebuild_phase_lines()
            self.flush()

    def _style_axes(self) -> None:
        pi = self.plot.getPlotItem()
        for name in ("left", "bottom"):
            pi.getAxis(name).setStyle(tickFont=font(11 * self._fs), tickTextOffset=6)
        label_style = {"color": "#111111", "font-size": f"{12 * self._fs:.0f}pt"}
        pi.setLabel("bottom", X_TITLES[self.x_mode], **label_style)
        self._y_title = ""
        self._fit_y_title(max(1.0, self.vb.height()))
        # the phase axis writes a name and a date line under each phase start: room for
        # two lines; the number axes size themselves to their texts
        if self.x_mode == "phases":
            line = QFontMetricsF(font(11 * self._fs)).height()
            self.x_axis.setStyle(autoExpandTextSpace=False, tickTextHeight=int(2 * line + 2))
        else:
            self.x_axis.setStyle(autoExpandTextSpace=True)

    def set_x_mode(self, mode: str) -> None:
        """Show the x axis as ``mode`` (:data:`X_MODES`); the user's choice goes through
        :func:`choose_x_mode`, which remembers it and tells every chart."""
        if mode not in X_MODES or mode == self.x_mode:
            return
        self.x_mode = mode
        k = list(X_MODES).index(mode)
        if self.x_combo.currentIndex() != k:
            self.x_combo.blockSignals(True)
            self.x_combo.setCurrentIndex(k)
            self.x_combo.blockSignals(False)
        self._style_axes()
        self._mins = None
        if self.session is None:
            self.x_axis.phase_texts = None
            self.x_axis.setTicks(None)
            return
        self._fill_minutes()
        for ln in self.phase_lines:
            ln.x = self._x_at(ln.seq)
        self._headroom = -1.0
        self._label_key = ()
        if self.replay is not None:
            self.vb.setXRange(0, self._x_at(max(4, self.replay.last)), padding=0.01)
            cursor = self.cursor
            self.set_cursor(cursor)
        else:
            self.vb.enableAutoRange(axis=pg.ViewBox.XAxis)
            self._place_labels()
            self.flush()

    # x positions: the event number, or the exercise minutes in the "minutes" mode
    def _fill_minutes(self) -> None:
        """(Re)compute the exercise minutes of every buffered row (the "minutes" mode)."""
        if self.x_mode != "minutes" or self.session is None:
            self._mins = None
            return
        self._mins = np.zeros(len(self._buf))
        n = self._n
        if n:
            seqs = [int(q) for q in self._buf[:n, 0]]
            self._mins[:n] = np.maximum.accumulate(
                np.asarray(self.session.exercise_minutes(seqs), dtype=np.float64))

    def _xs(self, n: int) -> np.ndarray:
        """The x values of the first ``n`` buffered rows on the current axis."""
        if self._mins is not None:
            return self._mins[:n]
        return self._buf[:n, 0]

    def _x_at(self, seq: int) -> float:
        """Where event ``seq`` is on the x axis."""
        if self.x_mode != "minutes" or self.session is None:
            return float(seq)
        n = int(np.searchsorted(self._buf[:self._n, 0], seq, side="right"))
        here = self.session.exercise_minutes([int(seq)])[0]
        return max(here, float(self._mins[n - 1])) if self._mins is not None and n else here

    def set_session(self, session, replay=None) -> None:
        """Show ``session`` (a :class:`peacetable.app.session.Session`), or clear with None;
        ``replay``: its :class:`~peacetable.app.replay.ReplayModel` (use :meth:`set_replay`)."""
        self._timer.stop()
        self.session = session
        self.replay = replay
        self._clear_scenario_items()
        # in replay the axes stay as they are while the cursor moves, and the cursor line
        # (the whole plot's height) reaches into the ticks of the bottom axis at every
        # move: the axes are kept as pixmaps (live, they change with every new point)
        self._axes_cached = replay is not None
        mode = QGraphicsItem.CacheMode.DeviceCoordinateCache if self._axes_cached \
            else QGraphicsItem.CacheMode.NoCache
        for ax in self._axes():
            ax.setCacheMode(mode)
        if replay is None:
            self.cursor = None
            self.cursor_line.setVisible(False)
            self.vb.enableAutoRange(axis=pg.ViewBox.XAxis)
        if session is None:
            self._buf = np.zeros((0, 3))
            self._mins = None
            self.x_axis.phase_texts = None
            self.x_axis.setTicks(None)
            self._n = 0
            self._last_raw = None
            self._last_seq = 0
            self.index_curve.setData([], [])
            self.marker.setVisible(False)
            return
        sc = session.scenario
        esc = sc.escalation
        self._scale = float(esc.scale)
        self._var_ids = [v.id for v in esc.variables]
        self._index_name = f"Escalation index (0–{esc.scale:g})"
        self._update_legend()
        self._build_rungs(sc)
        self._build_var_curves(sc)
        self._sample(self.index_curve)
        self._plotted = None
        self.reload()

    def on_change(self, change) -> None:
        """Called after every executed command with its :class:`Change`."""
        if self.session is None:
            return
        if change.rebuilt or not change.events or change.events[0].seq != self._last_seq + 1:
            self.reload(redraw=False)
        else:
            self._append_change(change)
        self._schedule()

    def reload(self, redraw: bool = True) -> None:
        """Reload every point from ``session.trace()`` (after undo/redo or on open)."""
        s = self.session
        if s is None:
            return
        raw = self.replay.trace(self.viewer) if self.replay is not None \
            else session_trace(s, self.viewer)
        rows = self._rows(raw)
        self._buf = np.zeros((max(1024, 2 * len(rows)), 3 + len(self._var_ids)))
        self._n = 0
        self._mins = None
        self._push_rows(rows)
        self._fill_minutes()
        self._plotted = None
        self._last_raw = raw[-1] if raw else None
        self._last_seq = self.replay.last if self.replay is not None else s.store.last_seq
        self._rebuild_phase_lines()
        if redraw:
            self.flush()
        else:
            self._dirty = True

    def flush(self) -> None:
        """Redraw now (the timer calls this; tests and exports may call it directly).

        In replay the whole trace is plotted once (again only when the points, the axis
        or the overlaid variables change) and the cursor says how much of it is drawn
        (:meth:`_show_cursor`): a cursor move plots nothing again."""
        self._timer.stop()
        n = self._n
        shown = [(j, c) for j, vid in enumerate(self._var_ids)
                 if (c := self.var_curves.get(vid)) is not None and c.isVisible()]
        key = (n, self.x_mode, tuple(j for j, _c in shown))
        if self.cursor is None or key != self._plotted:
            x = self._xs(n)
            self.index_curve.setData(x, self._buf[:n, 1], skipFiniteCheck=True)
            for j, curve in shown:
                curve.setData(x, self._buf[:n, 3 + j], skipFiniteCheck=True)
            self._plotted = key if self.cursor is not None else None
        if self.cursor is not None:
            self._show_cursor()
        else:
            for c in (self.index_curve, *self.var_curves.values()):
                c.curve.show_first(None)
            if n:
                self.marker.setPos(float(self._xs(n)[-1]), float(self._buf[n - 1, 1]))
                self.marker.setVisible(True)
            else:
                self.marker.setVisible(False)
        self._dirty = False
        self.redraws += 1
        self.redrawn.emit()

    def set_replay(self, model, viewer: str | None = None) -> None:
        """Show a :class:`~peacetable.app.replay.ReplayModel`'s session as ``viewer`` (default:
        the chart's own) with a cursor; None returns to no session."""
        if viewer is not None:
            self.viewer = viewer
        self.cursor = None if model is None else model.cursor
        self.set_session(None if model is None else model.session, model)
        if model is None:
            return
        self.vb.disableAutoRange(axis=pg.ViewBox.XAxis)
        self.vb.setXRange(0, self._x_at(max(4, model.last)), padding=0.01)
        self.set_cursor(model.cursor)

    def set_viewer(self, viewer: str) -> None:
        """Show the trace as ``viewer`` may see it (replay: at the same cursor)."""
        if viewer == self.viewer:
            return
        self.viewer = viewer
        if self.replay is not None:
            cursor = self.cursor
            self.reload(redraw=False)
            self.set_cursor(cursor)
        elif self.session is not None:
            self.reload()

    def set_cursor(self, seq: int | None) -> None:
        """Replay: draw the points and phase lines up to event ``seq`` and the cursor line
        there (None: everything, no cursor line). Redraws at once: the curves draw fewer
        or more of the points already plotted (only the strip between the two cursors is
        painted again), the marker and the cursor line move, and the phase labels are
        laid out again only when a phase start comes into or out of view."""
        self.cursor = None if seq is None else int(seq)
        self.cursor_line.setVisible(self.cursor is not None)
        if self.cursor is not None:
            self.cursor_line.move_to(self._x_at(self.cursor))
        if self.cursor is not None and self._plotted is not None and not self._dirty:
            self._show_cursor()
            if self._lines_shown() != self._label_key[-1:]:
                self._place_labels()
            self.redraws += 1
            self.redrawn.emit()
            return
        self._place_labels()
        self.flush()

    def _span_cursor_line(self, *args) -> None:
        """The cursor line runs across the view's height (and beyond: the view clips)."""
        y0, y1 = self.vb.viewRange()[1]
        pad = (y1 - y0) or 1.0
        self.cursor_line.span(y0 - pad, y1 + pad)

    def _lines_shown(self) -> tuple[int]:
        """How many phase lines the cursor shows (all of them live)."""
        if self.cursor is None:
            return (len(self.phase_lines),)
        return (sum(1 for ln in self.phase_lines if ln.seq is None or ln.seq <= self.cursor),)

    def _show_cursor(self) -> None:
        """Replay: the curves draw their points up to the cursor, the marker sits on the
        last of them."""
        n = self._n
        k = int(np.searchsorted(self._buf[:n, 0], self.cursor, side="right"))
        for c in (self.index_curve, *self.var_curves.values()):
            c.curve.show_first(k)
        if k:
            self.marker.setPos(float(self._xs(n)[k - 1]), float(self._buf[k - 1, 1]))
        self.marker.setVisible(bool(k))

    def points(self) -> list[tuple[int, int, float, dict[str, float]]]:
        """The plotted points as (seq, phase index, index, variables rescaled 0..scale),
        up to the cursor in replay."""
        out = []
        n = self._n
        if self.cursor is not None:
            n = int(np.searchsorted(self._buf[:n, 0], self.cursor, side="right"))
        for row in self._buf[:n]:
            out.append((int(row[0]), int(row[2]), float(row[1]),
                        {vid: float(row[3 + j]) for j, vid in enumerate(self._var_ids)}))
        return out

    def set_variable_visible(self, var_id: str, visible: bool) -> None:
        for k in range(self.var_list.count()):
            it = self.var_list.item(k)
            if it.data(Qt.ItemDataRole.UserRole) == var_id:
                it.setCheckState(Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)
                return
        raise KeyError(var_id)

    def export_png(self, path: str | Path, width: int = 1920) -> Path:
        """Write the chart as a PNG image ``width`` pixels wide."""
        self.flush()
        exp = pg.exporters.ImageExporter(self.plot.getPlotItem())
        exp.parameters()["width"] = int(width)
        exp.parameters()["background"] = QColor("white")
        # the labels and the marker keep their pixel size whatever the view's scaling:
        # scale them with the image, so that they keep their size relative to the chart
        with self._exporting(int(width) / max(1.0, exp.getSourceRect().width())):
            exp.export(str(path))
        return Path(path)

    def export_image(self, width: int = 1920):
        """The chart drawn as :meth:`export_png` draws it, as a ``QImage`` (for a caller
        that encodes it itself)."""
        self.flush()
        exp = pg.exporters.ImageExporter(self.plot.getPlotItem())
        exp.parameters()["width"] = int(width)
        exp.parameters()["background"] = QColor("white")
        with self._exporting(int(width) / max(1.0, exp.getSourceRect().width())):
            return exp.export(toBytes=True)

    def export_svg(self, path: str | Path) -> Path:
        """Write the chart as an SVG drawing."""
        self.flush()
        exp = pg.exporters.SVGExporter(self.plot.getPlotItem())
        exp.parameters()["background"] = QColor("white")
        with self._exporting():
            try:
                exp.export(str(path))
            except ValueError:
                # pyqtgraph 0.14's SVGExporter cannot parse the closed paths ("... Z") that
                # Qt 6 writes (pyqtgraph issue #3495); render the same scene with Qt's own
                # SVG generator instead.
                log.info("pyqtgraph SVGExporter failed; exporting the chart with "
                         "QSvgGenerator")
                self._export_svg_qt(Path(path))
        return Path(path)

    def _axes(self) -> list:
        pi = self.plot.getPlotItem()
        return [pi.getAxis(name) for name in ("left", "bottom", "right")]

    @contextmanager
    def _exporting(self, scale: float = 1.0):
        """Labels and axes drawn afresh (as text, not their on-screen pixmap caches) and,
        with the marker, scaled by ``scale`` while an export renders the scene."""
        labels = [*self.rung_labels, *(ln.label for ln in self.phase_lines)]
        cached = [it for lab in labels for it in (lab, lab.text_item)]
        axes = self._axes() if self._axes_cached else []
        for ax in axes:
            ax.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        for it in cached:
            it.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        for it in (*labels, self.marker):
            it.setScale(scale)
        try:
            yield
        finally:
            for it in (*labels, self.marker):
                it.setScale(1.0)
            for it in (*cached, *axes):
                it.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def _export_svg_qt(self, path: Path) -> None:
        from PySide6.QtSvg import QSvgGenerator

        item = self.plot.getPlotItem()
        src = item.sceneBoundingRect()
        w, h = max(1, int(src.width())), max(1, int(src.height()))
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(QSize(w, h))
        gen.setViewBox(QRectF(0, 0, w, h))
        gen.setTitle("Escalation index")
        gen.setDescription("PeaceTable escalation chart")
        painter = QPainter(gen)
        try:
            painter.fillRect(QRectF(0, 0, w, h), QColor("white"))
            self.plot.scene().render(painter, QRectF(0, 0, w, h), src)
        finally:
            painter.end()

    # ------------------------------------------------------------------ data
    def _row(self, seq: int, phase: int, index: float, variables: dict[str, float]) -> tuple:
        sc = self.session.scenario
        scale = self._scale
        vals = []
        for vid in self._var_ids:
            v = sc.variable_by_id[vid]
            n = (variables[vid] - v.min) / (v.max - v.min)
            # up means worse, as on the index: a calming variable is drawn upside down
            vals.append((1.0 - n if v.polarity == "calming" else n) * scale)
        return (float(seq), float(index), float(phase), *vals)

    def _rows(self, raw: list) -> np.ndarray:
        """:meth:`_row` of every trace row at once, as an array (column by column: a long
        session's trace has a row per event)."""
        sc = self.session.scenario
        n = len(raw)
        out = np.empty((n, 3 + len(self._var_ids)))
        if not n:
            return out
        out[:, 0] = np.fromiter((r[0] for r in raw), np.float64, n)
        out[:, 1] = np.fromiter((r[2] for r in raw), np.float64, n)
        out[:, 2] = np.fromiter((r[1] for r in raw), np.float64, n)
        for j, vid in enumerate(self._var_ids):
            v = sc.variable_by_id[vid]
            x = (np.fromiter((r[3][vid] for r in raw), np.float64, n) - v.min) / (v.max - v.min)
            out[:, 3 + j] = (1.0 - x if v.polarity == "calming" else x) * self._scale
        return out

    def _push_rows(self, rows: list[tuple] | np.ndarray) -> None:
        if len(rows) == 0:
            return
        need = self._n + len(rows)
        if need > len(self._buf):
            cap = max(need, 2 * len(self._buf), 1024)
            grown = np.zeros((cap, self._buf.shape[1]))
            grown[: self._n] = self._buf[: self._n]
            self._buf = grown
        self._buf[self._n:need] = np.asarray(rows, dtype=np.float64)
        if self._mins is not None:  # the "minutes" axis: the clock at the new events
            mins = np.zeros(len(self._buf))
            mins[: self._n] = self._mins[: self._n]
            new = np.asarray(self.session.exercise_minutes([int(r[0]) for r in rows]))
            floor = mins[self._n - 1] if self._n else 0.0
            mins[self._n:need] = np.maximum.accumulate(np.maximum(new, floor))
            self._mins = mins
        self._n = need

    def _append_change(self, change) -> None:
        prev_phase = int(self._buf[self._n - 1, 2]) if self._n else -1
        raw = session_trace(self.session, self.viewer, after=self._last_seq, last=self._last_raw)
        self._last_seq = change.events[-1].seq
        if raw:
            self._last_raw = raw[-1]
        rows = [self._row(*r) for r in raw]
        first = self._n
        self._push_rows(rows)
        xs = self._xs(self._n)
        for k, r in enumerate(rows):
            if int(r[2]) != prev_phase:
                self._add_phase_line(float(xs[first + k]), int(r[2]), seq=int(r[0]))
            prev_phase = int(r[2])

    def _schedule(self) -> None:
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    # ------------------------------------------------------------------ scenario items
    def _prep_curve(self, curve: pg.PlotDataItem) -> None:
        self._sample(curve)
        curve.setSkipFiniteCheck(True)
        # one min/max bin per pixel column (pyqtgraph's default draws ~5 per pixel): with
        # peak downsampling nothing visible is lost and a redraw draws 5x fewer segments
        curve.opts["autoDownsampleFactor"] = 1.0
        # no antialiasing on the long curves, whatever the global pyqtgraph option: thick
        # antialiased polylines are what makes a 100,000-point redraw slow
        curve.opts["antialias"] = False
        curve.updateItems(styleUpdate=True)

    def _sample(self, curve: pg.PlotDataItem) -> None:
        """Live, pyqtgraph thins a curve's points to the view (the peaks of each pixel
        column, clipped to the visible range). In replay the curve holds every point and
        draws the ones up to the cursor by pixel column itself (:class:`_RectStepCurveItem`),
        so that the cursor's column shows nothing after the cursor."""
        if self.replay is not None:
            curve.setDownsampling(ds=1, auto=False)
            curve.setClipToView(False)
        else:
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)

    def _clear_rungs(self) -> None:
        """Take the rung bands and their labels off the chart."""
        pi = self.plot.getPlotItem()
        for band in self.rung_regions:
            pi.removeItem(band)
        for lab in self.rung_labels:  # children of the right axis, not of the plot
            lab.setParentItem(None)
            if lab.scene() is not None:
                lab.scene().removeItem(lab)
        self.rung_regions.clear()
        self.rung_labels.clear()
        self._band_span = (0.0, -1.0)

    def _clear_scenario_items(self) -> None:
        pi = self.plot.getPlotItem()
        self._clear_rungs()
        for ln in self.phase_lines:
            pi.removeItem(ln.label)
        self.phase_lines.clear()
        self.phase_path.setPath(QPainterPath())
        self.legend.clear()
        self.legend.setVisible(False)
        for c in self.var_curves.values():
            pi.removeItem(c)
        self.var_curves.clear()
        self.var_list.blockSignals(True)
        self.var_list.clear()
        self.var_list.blockSignals(False)

    def _build_rungs(self, sc) -> None:
        pi = self.plot.getPlotItem()
        esc = sc.escalation
        rungs = esc.rungs
        n = len(rungs)
        label_font = font(10.5 * self._fs, bold=True)
        fm = QFontMetricsF(label_font)
        max_w = 13 * fm.averageCharWidth() + 2 * Label.PAD_X
        widest = 0.0
        for k, r in enumerate(rungs):
            lo = r.threshold
            hi = rungs[k + 1].threshold if k + 1 < n else esc.scale
            tip = f"{r.label}: index {lo:g}–{hi:g}"
            text = r.label
            alpha = 70
            if r.requires is not None:
                # the engine reaches and holds this rung only while its test holds; the
                # index alone does not put it in force, so the band and its label say so
                needs = r.requires.typed().describe(sc)
                tip += (f", only while {needs} (otherwise the rung below holds, however "
                        "high the index)")
                text = f"{r.label} (needs {needs})"
                alpha = 35  # paler: a band the index alone does not reach
            # opaque fill (rung_colour folds the transparency in): the cheapest to paint
            band = RungBand(lo, hi, pg.mkBrush(rung_colour(k, n, alpha=alpha)), tip)
            band.setZValue(1)
            pi.addItem(band, ignoreBounds=True)
            self.rung_regions.append(band)
            # in the margin right of the plot, on the band's colour (a key to the band)
            lab = Label(text, label_font, "#101010", rung_colour(k, n, alpha=110),
                        max_width=max_w - 2 * Label.PAD_X)
            lab.setToolTip(tip)
            lab.setZValue(5)
            lab.setParentItem(self.rung_axis)
            widest = max(widest, lab.rect().width())
            self.rung_labels.append(lab)
        self.rung_axis.setWidth(int(widest + 12))
        step = esc.scale / 5
        ticks = [(k * step, f"{k * step:g}") for k in range(6)]
        pi.getAxis("left").setTicks([ticks, []])
        self._headroom = -1.0
        self._place_labels()

    def _place_labels(self, *args) -> None:
        """Keep rung labels at the left edge of the view (hidden when their band is too
        thin to hold them), the rung bands as wide as the view, the phase lines as tall as
        the view, and give each phase line its name when there is room for it, else just
        its number.

        Connected to the view's range and size changes; returns at once when nothing
        visible moved by a tenth of a pixel (appending one point to a long session moves
        the x range by a fraction of a pixel), so a redraw normally runs none of this."""
        if self._placing:
            return
        (x0, x1), (y0, y1) = self.vb.viewRange()
        w = max(1.0, self.vb.width())
        h = max(1.0, self.vb.height())
        key = self._view_key(x0, x1, y0, y1, w, h)
        if args and key == self._label_key:
            return
        self._placing = True
        try:
            self._fit_legend()
            self._place_labels_now(w, h)
        finally:
            self._placing = False
        (x0, x1), (y0, y1) = self.vb.viewRange()
        self._label_key = self._view_key(x0, x1, y0, y1, w, h)

    def _view_key(self, x0: float, x1: float, y0: float, y1: float, w: float, h: float) -> tuple:
        """What the layout depends on, to a tenth of a pixel: where the origin is on screen
        and how many events the width shows (as a logarithm: a growing range moves the far
        edge's content by about ``w * ln(growth)`` pixels). The origin's pixel alone does
        not do: auto-range padding keeps it in place while the range doubles."""
        px = w / max(1e-9, (x1 - x0))
        return (round(x0 * px, 1), round(math.log(max(1e-9, x1 - x0)) * w * 10),
                round(y0, 9), round(y1, 9), w, h, len(self.phase_lines), len(self.rung_labels),
                *self._lines_shown())

    def _fit_y_title(self, h: float) -> None:
        """The index axis's title, shortened when the plot is too short for all of it."""
        size = 12 * self._fs
        fm = QFontMetricsF(font(size))
        title = "escalation index" if fm.horizontalAdvance("escalation index") + 8 <= h \
            else "index"
        if title != self._y_title:
            self._y_title = title
            self.plot.getPlotItem().setLabel("left", title, color="#111111",
                                             **{"font-size": f"{size:.0f}pt"})

    def _place_labels_now(self, w: float, h: float) -> None:
        self._fit_y_title(h)
        # a strip above the top rung holds the phase labels: the y range is the scale plus
        # that strip, recomputed when the plot is resized
        fm_phase = QFontMetricsF(font(10 * self._fs, bold=True))
        # (on the phase axis the names are under the plot: no strip)
        strip_px = 0.6 * fm_phase.height() + 4 if self.x_mode == "phases" else \
            2.1 * (fm_phase.height() + 6) + 8
        if self.session is not None and h > strip_px * 2:
            scale = self._scale
            head = strip_px * scale / (h - strip_px)
            if abs(head - self._headroom) > 1e-6:
                self._headroom = head
                self.vb.setYRange(0, scale + head, padding=0)
        (x0, x1), (y0, y1) = self.vb.viewRange()
        py = h / max(1e-9, (y1 - y0))
        px = w / max(1e-9, (x1 - x0))
        # rung bands span the visible x range exactly (not beyond: the SVG export does not
        # clip to the view)
        if (x0, x1) != self._band_span:
            self._band_span = (x0, x1)
            for band in self.rung_regions:
                band.set_x_span(x0, x1)
        self._place_rung_labels(py)
        lines = self.phase_lines
        if self.cursor is not None:  # replay: no phase after the cursor
            lines = [ln for ln in lines if ln.seq <= self.cursor]
        self._set_x_ticks(x0, x1, w, lines)
        on_axis = self.x_mode == "phases"  # the axis names the phases: no strip labels
        shown = {id(ln) for ln in lines}
        for ln in self.phase_lines:
            ln.label.setVisible(not on_axis and id(ln) in shown)
        half_px = 0.5 / px  # half a pixel, in events
        path = QPainterPath()
        for ln in lines:
            for x in (ln.x - half_px, ln.x + half_px):
                path.moveTo(x, y0)
                path.lineTo(x, y1)
        self.phase_path.setPath(path)
        if on_axis:
            return
        # phase labels: two alternating rows in the strip above the top rung; each label
        # sits right of its line (left of it when the line is too near the right edge) and
        # shows the phase name only if it ends before the next label of its row begins,
        # else just "P<n>"
        if not lines:
            return
        fm = QFontMetricsF(lines[0].label.text_item.font())
        pad = 14.0
        flip = [(x1 - ln.x) * px < fm.horizontalAdvance(ln.short) + pad for ln in lines]
        start: list[float] = [0.0] * len(lines)  # left edge of each chosen label, in px
        for k in range(len(lines) - 1, -1, -1):
            ln = lines[k]
            x = (ln.x - x0) * px
            limit = start[k + 2] if k + 2 < len(lines) else w
            full_w = fm.horizontalAdvance(ln.full) + pad
            if flip[k]:
                prev = (lines[k - 2].x - x0) * px if k >= 2 else -1e9
                text = ln.full if x - full_w > prev + pad else ln.short
                start[k] = x - fm.horizontalAdvance(text) - pad
            else:
                text = ln.full if x + full_w < limit else ln.short
                start[k] = x
            row_px = (0.5 + (k % 2) * 1.1) * (fm.height() + 6) + 3
            ln.label.set_text(text, right=flip[k])
            ln.label.setPos(ln.x, y1 - row_px / py)

    def _place_rung_labels(self, py: float) -> None:
        """Each rung's label in the margin right of the plot, level with the middle of its
        band, kept within the plot's height; a label that would overlap the one of the rung
        below is hidden (the band's tooltip still names it)."""
        if not self.rung_labels:
            return
        ax = self.rung_axis
        area = self.vb.sceneBoundingRect()
        top, bottom = ax.mapFromScene(area.topLeft()).y(), ax.mapFromScene(area.bottomLeft()).y()
        floor = bottom + 1.0  # the top edge of the last label shown, going up
        for lab, band in zip(self.rung_labels, self.rung_regions):
            lo, hi = band.getRegion()
            half = lab.rect().height() / 2
            y = ax.mapFromScene(self.vb.mapViewToScene(QPointF(0.0, (lo + hi) / 2))).y()
            y = min(max(y, top + half), bottom - half)
            lab.setPos(6.0, y)
            fits = y + half <= floor and bottom - top >= 2 * half
            lab.setVisible(fits)
            if fits:
                floor = y - half - 2.0

    def _set_x_ticks(self, x0: float, x1: float, w: float, lines: list[PhaseLine]) -> None:
        """The bottom axis's ticks: whole numbers (events or minutes), or the phase starts
        with their names and in-game dates (drawn by :class:`_PhaseAxis`)."""
        ax = self.x_axis
        if self.x_mode == "phases":
            ax.phase_texts = [(ln.x, ln.name, ln.short, ln.date) for ln in lines]
            ax.setTicks([[(ln.x, "") for ln in lines], []])
            return
        ax.phase_texts = None
        fm = QFontMetricsF(ax.style["tickFont"] or font(11 * self._fs))
        label_px = fm.horizontalAdvance(f"{int(max(abs(x0), abs(x1))):d}") + 18
        values = whole_ticks(x0, x1, w, label_px)
        ax.setTicks([[(v, f"{int(v):d}") for v in values], []])

    def _build_var_curves(self, sc) -> None:
        pi = self.plot.getPlotItem()
        esc = sc.escalation
        self.var_list.blockSignals(True)
        for j, v in enumerate(esc.variables):
            colour = SERIES_COLOURS[j % len(SERIES_COLOURS)]
            # solid pens: Qt draws long solid polylines as separate segments, much faster
            # than dashed ones; the series are told apart by colour and by the legend
            curve = StepCurve(pen=pg.mkPen(colour, width=2.2), stepMode=STEP)
            self._prep_curve(curve)
            curve.setVisible(False)
            curve.setZValue(10)
            pi.addItem(curve)
            self.var_curves[v.id] = curve
            item = QListWidgetItem(v.label)
            item.setData(Qt.ItemDataRole.UserRole, v.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            pm = QPixmap(18, 18)
            pm.fill(QColor(colour))
            item.setIcon(QIcon(pm))
            unit = f" {v.unit}" if v.unit else ""
            lo, hi = (v.max, v.min) if v.polarity == "calming" else (v.min, v.max)
            flip = " (upside down: up is worse)" if v.polarity == "calming" else ""
            item.setToolTip(f"{v.label}: {lo:g}–{hi:g}{unit}, drawn as 0–{esc.scale:g}{flip}"
                            + (f"\n{v.description}" if v.description else ""))
            self.var_list.addItem(item)
        self.var_list.blockSignals(False)

    def _legend_name(self, vid: str) -> str:
        v = self.session.scenario.variable_by_id[vid]
        unit = f" {v.unit}" if v.unit else ""
        lo, hi = (v.max, v.min) if v.polarity == "calming" else (v.min, v.max)
        return f"{v.label} ({lo:g}–{hi:g}{unit} → 0–{self._scale:g})"

    def _on_var_toggled(self, item: QListWidgetItem) -> None:
        vid = item.data(Qt.ItemDataRole.UserRole)
        curve = self.var_curves.get(vid)
        if curve is None:
            return
        on = item.checkState() == Qt.CheckState.Checked
        if on == curve.isVisible():
            return
        curve.setVisible(on)
        if on and self.cursor is not None:
            self.flush()  # replay: plotted whole, drawn up to the cursor
        elif on:
            j = self._var_ids.index(vid)
            n = self._n
            curve.setData(self._xs(n), self._buf[:n, 3 + j], skipFiniteCheck=True)
        self._update_legend()

    def _update_legend(self) -> None:
        """The legend names the index and each overlaid variable with its rescaling; with
        no overlay the axis title says it all and the legend is hidden."""
        self.legend.clear()
        shown = [vid for vid, c in self.var_curves.items() if c.isVisible()]
        if not shown:
            self.legend.setVisible(False)
            return
        self.legend.addItem(self.index_curve, self._index_name)
        for vid in shown:
            self.legend.addItem(self.var_curves[vid], self._legend_name(vid))
        self.legend.setVisible(True)
        self._fit_legend(force=True)

    def _fit_legend(self, force: bool = False) -> None:
        """Two columns of names when they fit in the chart's width, else one."""
        if not self.legend.items:
            return
        widest = max(label.boundingRect().width() for _s, label in self.legend.items) + 40
        cols = 2 if len(self.legend.items) > 1 and 2 * widest + 40 <= self.plot.width() else 1
        if cols != self.legend.columnCount or force:
            self.legend.setColumnCount(cols)
            # pyqtgraph's legend resizes itself at the scene's origin: put it back in its
            # row under the plot at once (the layout would otherwise wait for a size change)
            self.legend.updateGeometry()
            layout = self.plot.getPlotItem().layout
            layout.invalidate()
            layout.activate()

    def _rebuild_phase_lines(self) -> None:
        pi = self.plot.getPlotItem()
        for ln in self.phase_lines:
            pi.removeItem(ln.label)
        self.phase_lines.clear()
        prev = -1
        xs = self._xs(self._n)
        for k in range(self._n):
            ph = int(self._buf[k, 2])
            if ph != prev and ph >= 0:
                self._add_phase_line(float(xs[k]), ph, place=False, seq=int(self._buf[k, 0]))
            prev = ph
        self._label_key = ()
        self._place_labels()

    def _add_phase_line(self, x: float, phase_index: int, place: bool = True,
                        seq: int | None = None) -> None:
        if phase_index < 0 or self.session is None:
            return
        sc = self.session.scenario
        phases = sc.phases
        name = short_phase_label(phases[phase_index].label, phase_index) \
            if phase_index < len(phases) else f"P{phase_index + 1}"
        short = name.split(" ", 1)[0]
        date = span_label(phases[phase_index].date, phases[phase_index].end_date) \
            if phase_index < len(phases) else ""
        full = f"{name} · {date}" if date else name
        tip = phases[phase_index].label if phase_index < len(phases) else ""
        if tip and date:
            tip = f"{tip}\nIn the story: {date}"
        lab = Label(full, font(10 * self._fs, bold=True), "#0d0d0d",
                    QColor(255, 255, 255, 225))
        lab.setZValue(7)
        if tip:
            lab.setToolTip(tip)
        self.plot.getPlotItem().addItem(lab, ignoreBounds=True)
        self.phase_lines.append(PhaseLine(x, phase_index, full, short, tip, lab, seq=seq,
                                          date=date))
        if place:
            self._place_labels()

    def phase_line_at(self, scene_pos) -> PhaseLine | None:
        """The phase line within :data:`PHASE_HIT_PX` pixels of ``scene_pos``, if any."""
        if not self.phase_lines or not self.vb.sceneBoundingRect().contains(scene_pos):
            return None
        (x0, x1), _ = self.vb.viewRange()
        px = max(1.0, self.vb.width()) / max(1e-9, x1 - x0)
        x = self.vb.mapSceneToView(scene_pos).x()
        best = min(self.phase_lines, key=lambda ln: abs(ln.x - x))
        return best if abs(best.x - x) * px <= PHASE_HIT_PX else None

    # ------------------------------------------------------------------ export dialogs
    def _ask_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export chart as PNG", "escalation.png",
                                              "PNG image (*.png)")
        if path:
            self.export_png(path)

    def _ask_svg(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export chart as SVG", "escalation.svg",
                                              "SVG drawing (*.svg)")
        if path:
            self.export_svg(path)

    def closeEvent(self, event) -> None:
        self._timer.stop()
        super().closeEvent(event)
