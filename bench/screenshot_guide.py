"""The facilitator guide's screenshots, taken from the real main window.

    .venv/bin/python bench/screenshot_guide.py [--out DIR]

Runs offscreen at 1600x1000 with settings and documents in a temporary folder (the user's
own recent files are never read or changed): the start page, then a session of
``peace-of-inches`` played by its bundled script up to round 1's rulings, then the console,
the MSEL tab, the adjudication queue with moves waiting, and the projector window. Writes
PNGs to ``docs/screenshots/guide/``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_TMP = Path(tempfile.mkdtemp(prefix="peacetable-guide-"))
for _name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
    os.environ[_name] = str(_TMP / _name.lower())
    os.makedirs(os.environ[_name], exist_ok=True)
(_TMP / "documents").mkdir()
(Path(os.environ["XDG_CONFIG_HOME"]) / "user-dirs.dirs").write_text(
    f'XDG_DOCUMENTS_DIR="{_TMP / "documents"}"\n')

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "guide")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from peacetable.app.script import ScriptRunner, read_script
    from peacetable.ui.main import configure_application
    from peacetable.ui.main_window import MainWindow

    configure_application(app)
    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    window.welcome.fill()
    app.processEvents()

    def shot(widget, name: str) -> None:
        app.processEvents()
        path = args.out / name
        widget.grab().save(str(path))
        print(path)

    shot(window, "start-page.png")

    card = next(c for c in window.welcome.cards if c.exercise.scenario_id == "peace_of_inches")
    card.new_button.click()
    session = window.session
    script = card.exercise.script
    lines = list(read_script(script))
    runner = ScriptRunner(session, str(script))
    # round 1 up to its first rulings, then two moves left waiting for control
    stop = next(k for k, sl in enumerate(lines) if sl.data["cmd"] == "advance" and k > 0)
    for sl in lines[:stop]:
        runner.apply(sl)
    app.processEvents()
    window.ensure_visuals()
    app.processEvents()
    console = window.console
    shot(window, "console.png")
    console.top_tabs.setCurrentWidget(console.msel)
    shot(window, "msel.png")
    console.top_tabs.setCurrentWidget(console.adjudication)
    for sl in lines[stop:]:
        if sl.data["cmd"] == "adjudicate":
            break
        runner.apply(sl)
    shot(window, "adjudication.png")
    projector = window.show_projector()
    if projector is not None:
        projector.resize(1600, 900)
        app.processEvents()
        shot(projector, "projector.png")
        projector.close()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
