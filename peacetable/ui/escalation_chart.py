"""Live escalation chart: the escalation index over event number, with rungs and phases.

``EscalationChart`` plots one point after every applied event (the same points as
:meth:`peacetable.app.session.Session.trace`): the escalation index as a thick curve,
optional overlays of the escalation variables, the scenario's rungs as labelled horizontal
bands and the phase starts as labelled vertical lines.

Variables are drawn on the index's own axis, each rescaled from its own range
``[min, max]`` to ``[0, scale]`` (the legend says so: "Troops (0–10 battalions → 0–100)"),
so a variable at the top of the chart is at its maximum, whatever its polarity.

Updates are incremental: ``on_change`` appends the new points to growing numpy buffers and
arms a single-shot timer; the curves are redrawn at most ``MAX_FPS`` times a second
(``setData`` on views of the buffers, peak downsampling, clipping to the view), so a burst
of commands never freezes the window. After undo/redo (``change.rebuilt``) the buffers are
reloaded from ``session.trace()``.

For any viewer other than ``"control"`` (the projector, a role), a point is kept only where
the event is visible to that viewer or the escalation picture visibly changed, so the
chart never marks the moment of a hidden event that changed nothing the viewer can see.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers ImageExporter / SVGExporter)
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.events import NO_STATE, Event, Redone, Undone
from ..domain.state import State, fold
from .widgets_common import (
    INDEX_COLOUR,
    SERIES_COLOURS,
    font,
    rung_colour,
    short_phase_label,
)

log = logging.getLogger(__name__)

__all__ = ["EscalationChart"]


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
        self._unsubscribe = None
        big = viewer != "control"
        self._fs = font_scale if font_scale is not None else (1.45 if big else 1.0)
        show_controls = (viewer == "control") if show_controls is None else show_controls

        # growing buffers: column 0 = x (event number), 1 = index, 2 = phase index,
        # 3.. = variables rescaled to 0..scale
        self._buf = np.zeros((0, 3), dtype=np.float64)
        self._n = 0
        self._var_ids: list[str] = []
        self._scale = 100.0
        self._last_state: State | None = None
        self._last_seq = 0  # last event seq seen (applied or not)
        self._dirty = False
        self.redraws = 0

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(1000 / self.MAX_FPS))
        self._timer.timeout.connect(self.flush)

        # ---- plot
        self.plot = pg.PlotWidget(background="w")
        self.plot.setObjectName("escalationPlot")
        pi = self.plot.getPlotItem()
        pi.setMenuEnabled(True)
        pi.hideButtons()
        pi.showGrid(x=False, y=False)
        pi.setMouseEnabled(x=True, y=False)
        pi.setDownsampling(auto=True, mode="peak")
        pi.setClipToView(True)
        self.vb = pi.getViewBox()
        self.vb.setLimits(minXRange=4)
        tick_font = font(11 * self._fs)
        for name in ("left", "bottom"):
            ax = pi.getAxis(name)
            ax.setPen(pg.mkPen("#222222", width=1))
            ax.setTextPen(pg.mkPen("#111111"))
            ax.setStyle(tickFont=tick_font, tickTextOffset=6)
        label_style = {"color": "#111111", "font-size": f"{12 * self._fs:.0f}pt"}
        pi.setLabel("bottom", "event number", **label_style)
        pi.setLabel("left", "escalation index", **label_style)
        self.legend = pi.addLegend(offset=(-12, -12), labelTextSize=f"{11 * self._fs:.0f}pt",
                                   labelTextColor="#111111", brush=pg.mkBrush(255, 255, 255, 225),
                                   pen=pg.mkPen("#9e9e9e"))

        self.index_curve = pg.PlotDataItem(pen=pg.mkPen(INDEX_COLOUR, width=3.5 if big else 3),
                                           name="Escalation index")
        self._prep_curve(self.index_curve)
        self.index_curve.setZValue(20)
        pi.addItem(self.index_curve)
        self.marker = pg.ScatterPlotItem(size=14 if big else 11, pen=pg.mkPen("w", width=2),
                                         brush=pg.mkBrush(INDEX_COLOUR))
        self.marker.setZValue(21)
        pi.addItem(self.marker)

        self.var_curves: dict[str, pg.PlotDataItem] = {}
        self.rung_regions: list[pg.LinearRegionItem] = []
        self.rung_labels: list[pg.TextItem] = []
        self.phase_lines: list[pg.InfiniteLine] = []
        self.vb.sigXRangeChanged.connect(self._place_rung_labels)
        self.vb.sigResized.connect(self._place_rung_labels)

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
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        head = QLabel("Overlay variables")
        head.setFont(font(10 * self._fs, bold=True))
        side.addWidget(head)
        side.addWidget(self.var_list, 1)
        side.addWidget(self.btn_png)
        side.addWidget(self.btn_svg)
        self.side = QWidget()
        self.side.setLayout(side)
        self.side.setMaximumWidth(300)
        self.side.setVisible(show_controls)

        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.side)

    # ------------------------------------------------------------------ public API
    def set_session(self, session) -> None:
        """Show ``session`` (a :class:`peacetable.app.session.Session`), or clear with None."""
        self._timer.stop()
        self.session = session
        self._clear_scenario_items()
        if session is None:
            self._buf = np.zeros((0, 3))
            self._n = 0
            self._last_state = None
            self._last_seq = 0
            self.index_curve.setData([], [])
            self.marker.setData([], [])
            return
        sc = session.scenario
        esc = sc.escalation
        self._scale = float(esc.scale)
        self._var_ids = [v.id for v in esc.variables]
        self.legend.removeItem(self.index_curve)
        self.legend.addItem(self.index_curve, f"Escalation index (0–{esc.scale:g})")
        self._build_rungs(sc)
        self._build_var_curves(sc)
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
        trace = s.trace()
        rows = self._rows_from_trace(trace)
        self._buf = np.zeros((max(1024, 2 * len(rows)), 3 + len(self._var_ids)))
        self._n = 0
        self._push_rows(rows)
        self._last_state = s.state
        self._last_seq = s.events[-1].seq if s.events else 0
        self._rebuild_phase_lines()
        if redraw:
            self.flush()
        else:
            self._dirty = True

    def flush(self) -> None:
        """Redraw now (the timer calls this; tests and exports may call it directly)."""
        self._timer.stop()
        n = self._n
        x = self._buf[:n, 0]
        self.index_curve.setData(x, self._buf[:n, 1], skipFiniteCheck=True)
        for j, vid in enumerate(self._var_ids):
            curve = self.var_curves.get(vid)
            if curve is not None and curve.isVisible():
                curve.setData(x, self._buf[:n, 3 + j], skipFiniteCheck=True)
        if n:
            self.marker.setData([x[-1]], [self._buf[n - 1, 1]])
        else:
            self.marker.setData([], [])
        self._dirty = False
        self.redraws += 1
        self.redrawn.emit()

    def points(self) -> list[tuple[int, int, float, dict[str, float]]]:
        """The plotted points as (seq, phase index, index, variables rescaled 0..scale)."""
        out = []
        for row in self._buf[: self._n]:
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
        exp.export(str(path))
        return Path(path)

    def export_svg(self, path: str | Path) -> Path:
        """Write the chart as an SVG drawing."""
        self.flush()
        exp = pg.exporters.SVGExporter(self.plot.getPlotItem())
        exp.parameters()["background"] = QColor("white")
        exp.export(str(path))
        return Path(path)

    # ------------------------------------------------------------------ data
    def _rows_from_trace(self, trace) -> list[tuple]:
        """Trace tuples kept for this viewer, as buffer rows."""
        rows = [self._row(seq, ph, idx, var) for seq, ph, idx, var in trace]
        if self.viewer == "control" or not rows:
            return rows
        vis = {ev.seq: ev.visibility.allows(self.viewer) for ev in self.session.events}
        kept = [rows[0]]
        for r in rows[1:]:
            if vis.get(int(r[0]), False) or r[1:] != kept[-1][1:]:
                kept.append(r)
        return kept

    def _row(self, seq: int, phase: int, index: float, variables: dict[str, float]) -> tuple:
        sc = self.session.scenario
        scale = self._scale
        vals = []
        for vid in self._var_ids:
            v = sc.variable_by_id[vid]
            vals.append((variables[vid] - v.min) / (v.max - v.min) * scale)
        return (float(seq), float(index), float(phase), *vals)

    def _push_rows(self, rows: list[tuple]) -> None:
        if not rows:
            return
        need = self._n + len(rows)
        if need > len(self._buf):
            cap = max(need, 2 * len(self._buf), 1024)
            grown = np.zeros((cap, self._buf.shape[1]))
            grown[: self._n] = self._buf[: self._n]
            self._buf = grown
        self._buf[self._n:need] = np.asarray(rows, dtype=np.float64)
        self._n = need

    def _append_change(self, change) -> None:
        applied: list[Event] = [ev for ev in change.events
                                if not isinstance(ev.body, (*NO_STATE, Undone, Redone))]
        self._last_seq = change.events[-1].seq
        prev_phase = int(self._buf[self._n - 1, 2]) if self._n else -1
        rows: list[tuple] = []
        if len(applied) == 1:
            st = change.state
            rows.append(self._row(applied[0].seq, st.phase_index, st.index, st.variables))
        elif applied:
            def hook(ev: Event, st: State) -> None:
                rows.append(self._row(ev.seq, st.phase_index, st.index, st.variables))
            fold(self.session.scenario, applied, start=self._last_state, on_event=hook)
        self._last_state = change.state
        if self.viewer != "control" and rows:
            vis = {ev.seq: ev.visibility.allows(self.viewer) for ev in applied}
            kept = []
            last = tuple(self._buf[self._n - 1, 1:]) if self._n else None
            for r in rows:
                if vis.get(int(r[0]), False) or last is None or \
                        not np.allclose(r[1:], last, rtol=0, atol=1e-12):
                    kept.append(r)
                    last = r[1:]
            rows = kept
        self._push_rows(rows)
        for r in rows:
            if int(r[2]) != prev_phase:
                self._add_phase_line(r[0], int(r[2]))
            prev_phase = int(r[2])

    def _schedule(self) -> None:
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    # ------------------------------------------------------------------ scenario items
    def _prep_curve(self, curve: pg.PlotDataItem) -> None:
        curve.setDownsampling(auto=True, method="peak")
        curve.setClipToView(True)
        curve.setSkipFiniteCheck(True)

    def _clear_scenario_items(self) -> None:
        pi = self.plot.getPlotItem()
        for it in self.rung_regions + self.rung_labels + self.phase_lines:
            pi.removeItem(it)
        self.rung_regions.clear()
        self.rung_labels.clear()
        self.phase_lines.clear()
        for c in self.var_curves.values():
            self.legend.removeItem(c)
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
        edge = pg.mkPen(QColor(90, 90, 90, 140), width=1, style=Qt.PenStyle.DashLine)
        for k, r in enumerate(rungs):
            lo = r.threshold
            hi = rungs[k + 1].threshold if k + 1 < n else esc.scale
            brush = pg.mkBrush(rung_colour(k, n, alpha=70))
            reg = pg.LinearRegionItem(values=(lo, hi), orientation="horizontal", movable=False,
                                      brush=brush, pen=edge, hoverBrush=brush, hoverPen=edge)
            reg.setZValue(-20)
            reg.setToolTip(f"{r.label}: index {lo:g}–{hi:g}")
            pi.addItem(reg, ignoreBounds=True)
            self.rung_regions.append(reg)
            lab = pg.TextItem(r.label, color="#101010", anchor=(0, 0.5),
                              fill=pg.mkBrush(255, 255, 255, 190))
            lab.setFont(font(10.5 * self._fs, bold=True))
            lab.setZValue(5)
            lab.setPos(0, (lo + hi) / 2)
            pi.addItem(lab, ignoreBounds=True)
            self.rung_labels.append(lab)
        pi.setYRange(0, esc.scale, padding=0.01)
        self._place_rung_labels()

    def _place_rung_labels(self, *args) -> None:
        if not self.rung_labels:
            return
        (x0, x1), (y0, y1) = self.vb.viewRange()
        h = max(1.0, self.vb.height())
        px_per_unit = h / max(1e-9, (y1 - y0))
        esc_rungs = [r.getRegion() for r in self.rung_regions]
        line_px = 1.9 * 10.5 * self._fs  # roughly one line of label text in pixels
        for lab, (lo, hi) in zip(self.rung_labels, esc_rungs):
            lab.setPos(x0 + (x1 - x0) * 0.006, (lo + hi) / 2)
            # hide a label only if its band is too thin to hold it (zoomed far out)
            lab.setVisible((hi - lo) * px_per_unit >= line_px * 0.8)

    def _build_var_curves(self, sc) -> None:
        pi = self.plot.getPlotItem()
        esc = sc.escalation
        self.var_list.blockSignals(True)
        for j, v in enumerate(esc.variables):
            colour = SERIES_COLOURS[j % len(SERIES_COLOURS)]
            style = Qt.PenStyle.DashLine if j % 2 else Qt.PenStyle.SolidLine
            curve = pg.PlotDataItem(pen=pg.mkPen(colour, width=2.2, style=style))
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
            item.setToolTip(f"{v.label}: {v.min:g}–{v.max:g}{unit}, drawn as 0–{esc.scale:g}"
                            + (f"\n{v.description}" if v.description else ""))
            self.var_list.addItem(item)
        self.var_list.blockSignals(False)

    def _legend_name(self, vid: str) -> str:
        v = self.session.scenario.variable_by_id[vid]
        unit = f" {v.unit}" if v.unit else ""
        return f"{v.label} ({v.min:g}–{v.max:g}{unit} → 0–{self._scale:g})"

    def _on_var_toggled(self, item: QListWidgetItem) -> None:
        vid = item.data(Qt.ItemDataRole.UserRole)
        curve = self.var_curves.get(vid)
        if curve is None:
            return
        on = item.checkState() == Qt.CheckState.Checked
        if on == curve.isVisible():
            return
        curve.setVisible(on)
        if on:
            self.legend.addItem(curve, self._legend_name(vid))
            j = self._var_ids.index(vid)
            n = self._n
            curve.setData(self._buf[:n, 0], self._buf[:n, 3 + j], skipFiniteCheck=True)
        else:
            self.legend.removeItem(curve)

    def _rebuild_phase_lines(self) -> None:
        pi = self.plot.getPlotItem()
        for ln in self.phase_lines:
            pi.removeItem(ln)
        self.phase_lines.clear()
        prev = -1
        for k in range(self._n):
            ph = int(self._buf[k, 2])
            if ph != prev and ph >= 0:
                self._add_phase_line(self._buf[k, 0], ph)
            prev = ph

    def _add_phase_line(self, x: float, phase_index: int) -> None:
        if phase_index < 0 or self.session is None:
            return
        phases = self.session.scenario.phases
        label = short_phase_label(phases[phase_index].label, phase_index) \
            if phase_index < len(phases) else f"P{phase_index + 1}"
        ln = pg.InfiniteLine(pos=float(x), angle=90, movable=False,
                             pen=pg.mkPen("#37474f", width=2, style=Qt.PenStyle.DashLine),
                             label=label,
                             labelOpts={"position": 0.97 if len(self.phase_lines) % 2 == 0
                                        else 0.86,
                                        "color": "#0d0d0d", "fill": pg.mkBrush(255, 255, 255, 220),
                                        "anchors": [(0, 0.5), (0, 0.5)], "movable": False})
        ln.label.setFont(font(10 * self._fs, bold=True))
        ln.setZValue(6)
        self.plot.getPlotItem().addItem(ln, ignoreBounds=True)
        self.phase_lines.append(ln)

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

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self._timer.stop()
        super().closeEvent(event)
