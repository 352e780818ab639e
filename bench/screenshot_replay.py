"""The replay screenshot for the README: the bundled Peace of Inches script played, two
trainer notes added, opened for replay in the main window at the start of round 4.

    ../shared/tools/screenshot docs/screenshots/replay.png --title replay -- \\
        .venv/bin/python bench/screenshot_replay.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from peacetable.app.annotations import add_annotation
    from peacetable.app.script import ScriptRunner, read_script
    from peacetable.app.session import Session

    scenario = ROOT / "scenarios" / "peace-of-inches.toml"
    moves = scenario.with_name("peace-of-inches.moves.jsonl")
    path = Path(tempfile.mkdtemp(prefix="peacetable-shot-")) / "peace-of-inches-seminar.peacetable"
    s = Session.create(scenario, path, seed=7, teams={"ukraine": "Team Kyiv",
                                                      "russia": "Team Moscow",
                                                      "us": "Team Washington"})
    runner = ScriptRunner(s, str(moves))
    for line in read_script(moves):
        runner.apply(line)
    starts = [ev.seq for ev in s.events if ev.type == "phase_started"]
    add_annotation(s, starts[1] + 5, "First reciprocal step: ask Moscow what it expected "
                   "in return.", "Trainer")
    add_annotation(s, starts[3] - 2, "The grid deal is sealed here, in private: the room "
                   "has not seen it yet.", "Trainer")
    s.close()

    from peacetable.ui.main import run_gui  # noqa: F401 (the app's own start-up)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from peacetable.ui import style
    from peacetable.ui.main import configure_application

    app = QApplication(sys.argv[:1] + style.QT_ARGS)
    configure_application(app)
    from peacetable.ui.main_window import MainWindow

    w = MainWindow()
    w.show()

    def go() -> None:
        w.trainer.open_replay(path)
        page = w.trainer.page
        page.seek(starts[3] + 2)
        page.top_tabs.setCurrentWidget(page.event_log)

    QTimer.singleShot(300, go)
    QTimer.singleShot(60_000, app.quit)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
