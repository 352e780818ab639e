"""Screenshots of the projector window, the escalation chart and the network view.

    .venv/bin/python bench/screenshot_audience.py [--scenario NAME] [--lines N] [--out DIR]

Plays the first N lines of a bundled exercise's ``.moves.jsonl`` into a fresh session,
builds the widgets offscreen at 1920x1080 and grabs them:

* ``audience.png``: the AudienceWindow (projector) mid-exercise;
* ``chart.png``: the control console's EscalationChart with two variables overlaid;
* ``network.png``: the control console's NetworkView with an issue's details open.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

if "--live" not in sys.argv:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="framework-agreement")
    ap.add_argument("--lines", type=int, default=100)
    ap.add_argument("--select", default="ceasefire", help="issue shown in network.png")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--live", type=float, default=0.0, metavar="SECONDS",
                    help="show the projector window on the real display for SECONDS instead "
                         "of grabbing offscreen (for /work/shared/tools/screenshot)")
    args = ap.parse_args()
    if args.live:
        os.environ["QT_QPA_PLATFORM"] = os.environ.get("PEACETABLE_QPA", "xcb")

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from peacetable.app.script import ScriptRunner, read_script
    from peacetable.app.session import Session
    from peacetable.ui.audience import AudienceWindow
    from peacetable.ui.escalation_chart import EscalationChart
    from peacetable.ui.network_view import NetworkView

    toml = ROOT / "scenarios" / f"{args.scenario}.toml"
    moves = ROOT / "scenarios" / f"{args.scenario}.moves.jsonl"
    tmp = Path(tempfile.mkdtemp(prefix="peacetable-shots-"))
    session = Session.create(toml, tmp / "shot.peacetable", seed=7)
    projector = AudienceWindow()
    projector.resize(1920, 1080)
    projector.set_session(session)
    chart = EscalationChart()
    chart.resize(1920, 1080)
    chart.set_session(session)
    network = NetworkView()
    network.resize(1920, 1080)
    network.set_session(session)
    for w in (projector, chart, network):
        session.subscribe(w.on_change)
        w.show()
    runner = ScriptRunner(session, str(moves))
    for k, line in enumerate(read_script(moves)):
        if k >= args.lines:
            break
        runner.apply(line)
    for v in session.scenario.escalation.variables[:2]:
        chart.set_variable_visible(v.id, True)
    if args.select in network.nodes:
        network.select_issue(args.select)
    projector.chart.flush()
    chart.flush()
    app.processEvents()
    if args.live:
        from PySide6.QtCore import QTimer

        chart.hide()
        network.hide()
        projector.showFullScreen()
        QTimer.singleShot(int(args.live * 1000), app.quit)
        app.exec()
        session.close()
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, w in (("audience", projector), ("chart", chart), ("network", network)):
        path = args.out / f"{name}.png"
        if not w.grab().save(str(path)):
            print(f"could not write {path}", file=sys.stderr)
            return 1
        print(f"wrote {path}")
    session.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
