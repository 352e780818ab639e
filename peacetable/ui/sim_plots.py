"""PNG plots of a simulation (pyqtgraph's ImageExporter, offscreen when there is no display).

Two plots: the distribution of the final escalation index over the runs (a histogram with
the scenario's rungs marked), and the share of runs that settled each issue (bars, issue
labels). Called by ``peacetable simulate``; the numbers come from
:func:`peacetable.app.simulate.summary` and the rows, never computed here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

WIDTH = 1200


def _app():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:  # the command line: draw offscreen, never flash a window
        if sys.platform.startswith("linux"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        app = QApplication(sys.argv[:1])
    return app


_PLOT_OPTIONS = {"antialias": True, "background": "w", "foreground": "k"}


def write_plots(result: Any, stem: Path) -> list[Path]:
    """Write ``STEM-escalation.png`` and ``STEM-agreements.png``; return their paths.

    ``result`` is a :class:`peacetable.app.simulate.Result` with at least one row.
    pyqtgraph's global options are set for the plots and put back afterwards, so that
    charts drawn later in the same process keep their own look."""
    _app()
    import pyqtgraph as pg

    saved = {k: pg.getConfigOption(k) for k in _PLOT_OPTIONS}
    pg.setConfigOptions(**_PLOT_OPTIONS)
    try:
        return _write_plots(result, stem)
    finally:
        pg.setConfigOptions(**saved)


def _write_plots(result: Any, stem: Path) -> list[Path]:
    import numpy as np
    import pyqtgraph as pg
    import pyqtgraph.exporters  # noqa: F401  (registers the exporters)

    from ..app.simulate import summary

    sc = result.scenario
    rows = result.rows
    summ = summary(result)
    out: list[Path] = []

    # 1. final escalation: histogram over the index scale, rung thresholds as lines
    scale = sc.escalation.scale
    finals = np.array([r["escalation_final"] for r in rows], dtype=float)
    bins = np.linspace(0.0, scale, 41)
    counts, edges = np.histogram(finals, bins=bins)
    w = pg.PlotWidget()
    w.resize(WIDTH, 600)
    w.show()
    p = w.getPlotItem()
    p.setTitle(f"{sc.scenario.title}: final escalation index, {len(rows)} runs")
    p.setLabel("bottom", f"escalation index (0–{scale:g})")
    p.setLabel("left", "runs")
    p.addItem(pg.BarGraphItem(x0=edges[:-1], x1=edges[1:], height=counts,
                              brush=pg.mkBrush("#4c72b0"), pen=pg.mkPen("#2a4a80")))
    top = max(1, int(counts.max()))
    for rung in sc.escalation.rungs[1:]:
        p.addItem(pg.InfiniteLine(pos=rung.threshold, angle=90,
                                  pen=pg.mkPen("#b04c4c", style=pg.QtCore.Qt.PenStyle.DashLine)))
        label = pg.TextItem(_short(rung.label, 28), color="#b04c4c", anchor=(1, 0), angle=90)
        label.setPos(rung.threshold, top * 1.45)
        p.addItem(label)
    p.setXRange(0, scale, padding=0.01)
    p.setYRange(0, top * 1.5, padding=0)
    path = Path(f"{stem}-escalation.png")
    _export(p, path)
    out.append(path)

    # 2. agreement rate per issue (issue labels on the axis)
    issues = list(sc.issues)
    rates = [summ["issue_rates"][i.id] * 100 for i in issues]
    w2 = pg.PlotWidget()
    w2.resize(WIDTH, 60 + 40 * len(issues))
    w2.show()
    p2 = w2.getPlotItem()
    p2.setTitle(f"{sc.scenario.title}: runs that settled each issue, {len(rows)} runs")
    ys = np.arange(len(issues))[::-1]  # first issue on top
    p2.setLabel("bottom", "runs with the issue agreed (%)")
    p2.setLabel("left", "")
    p2.addItem(pg.BarGraphItem(x0=np.zeros(len(issues)), y=ys, width=rates, height=0.7,
                               brush=pg.mkBrush("#55a868"), pen=pg.mkPen("#2f6b3f")))
    left = p2.getAxis("left")
    left.setTicks([[(float(y), _short(i.label, 40)) for y, i in zip(ys, issues)]])
    left.setWidth(300)
    p2.setXRange(0, 100, padding=0.01)
    p2.setYRange(-0.6, len(issues) - 0.4, padding=0)
    path = Path(f"{stem}-agreements.png")
    _export(p2, path)
    out.append(path)
    for widget in (w, w2):
        widget.close()
        widget.deleteLater()
    return out


def _short(text: str, n: int = 18) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _export(item, path: Path) -> None:
    import pyqtgraph.exporters as exporters

    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()  # lay the plot out at its size before it is drawn
    exp = exporters.ImageExporter(item)
    exp.parameters()["width"] = WIDTH
    exp.export(str(path))
