"""Text zoom benchmark: one zoom step (Ctrl+= / Ctrl+-) on a full console, against the
re-polish it replaced, measured in the same run.

    .venv/bin/python bench/bench_zoom.py [--steps 6]

The bundled Framework Agreement is played through to its end (its script), opened in the
console (offscreen, 1600x1000) with the projector window open, and left to settle. Then
``--steps`` zoom steps alternate larger and smaller, each timed from the call to the
events processed after it:

  * zoom: ``style.apply`` as the window calls it (each existing widget's font rescaled;
    the views that draw their own texts follow through ``set_text_scale``);
  * re-polish (baseline): the former way: the new application font, then the application
    style sheet set again with a different text, so that every widget is polished anew
    and takes the new font; the headings and the views that draw their own texts follow
    as in the zoom.

Prints the medians, their ratio and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="peacetable-bench-zoom-")
os.environ["HOME"] = _HOME  # the bench never touches the user's settings or recent files
os.environ["XDG_CONFIG_HOME"] = _HOME
os.environ["XDG_DATA_HOME"] = _HOME

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=6)
    args = ap.parse_args()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from peacetable.app.script import ScriptRunner, read_script
    from peacetable.app.session import Session
    from peacetable.ui import style
    from peacetable.ui.main import configure_application

    app = QApplication(sys.argv[:1] + style.QT_ARGS)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, _HOME)
    configure_application(app)
    from peacetable.ui.main_window import MainWindow

    path = Path(_HOME) / "framework.peacetable"
    script = ROOT / "scenarios" / "framework-agreement.moves.jsonl"
    s = Session.create(ROOT / "scenarios" / "framework-agreement.toml", path, seed=7)
    ScriptRunner(s, str(script)).run(read_script(script))
    s.close()
    win = MainWindow()
    win.resize(1600, 1000)
    win.show()
    assert win.open_path(path)
    win.show_projector()
    end = time.time() + 5
    while time.time() < end:
        app.processEvents()

    scales = [1.15, 1.0]

    def step(k: int, repolish: bool) -> float:
        scale = scales[k % 2]
        t = time.perf_counter()
        if repolish:  # the former way: the new application font, then the style sheet
            font = app.font()    # set again so that every widget is polished anew (apply
            font.setPointSizeF(style.BASE_POINT_SIZE * scale)  # then finds the font set
            app.setFont(font)    # and rescales nothing itself)
            app.setStyleSheet(f"/* text scale {scale:g} */{style.STYLESHEET}")
        style.apply(app, scale)
        app.processEvents()
        return time.perf_counter() - t

    zoom, base = [], []
    for k in range(args.steps):  # interleaved, so that the load hits both alike
        zoom.append(step(2 * k, False))
        zoom.append(step(2 * k + 1, False))
        base.append(step(2 * k, True))
        base.append(step(2 * k + 1, True))
    mz, mb = statistics.median(zoom), statistics.median(base)
    print(f"events in the session: {len(win.session.events)}; widgets: "
          f"{sum(1 + len(t.findChildren(object)) for t in app.topLevelWidgets())}")
    print(f"zoom step, median of {len(zoom)}: {mz * 1000:.0f} ms")
    print(f"re-polish baseline, median of {len(base)}: {mb * 1000:.0f} ms")
    print(f"ratio zoom / re-polish: {mz / mb:.2f}")
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    win.close()


if __name__ == "__main__":
    main()
