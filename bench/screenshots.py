"""Every screenshot in the README and the facilitator guide, taken from real windows on an
X server (Xvfb), so that they can be made again after the interface changes.

    .venv/bin/python bench/screenshots.py [--only NAME ...] [--list]

Starts its own Xvfb (1920x1080) unless ``--display`` names a running X server. For each
picture a fresh process plays a bundled exercise's script into a new session file (in a
temporary folder, with the settings and documents folders there too: the user's own
recent files and settings are never read or changed), opens it in the real main window on
Qt's ``xcb`` platform, does what a facilitator would (a tab, the projector, a seat, solo
play, replay), waits for the window to settle (the chart and the network load after the
first frame) and captures the window from the X server (``QScreen.grabWindow``). Needs
``Xvfb`` (``bash packaging/dev.sh screenshots`` installs it and runs this).

Writes ``docs/screenshots/*.png`` (README) and ``docs/screenshots/guide/*.png`` (guide).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "docs" / "screenshots"
SIZE = (1600, 1000)
SETTLE_MS = 2500
STEP_SECONDS = 40  # between two script lines played into a session

#: name -> (file under docs/screenshots, what it shows)
SCENES = {
    "start-page": ("guide/start-page.png", "the start page with a recent session"),
    "guide-console": ("guide/console.png", "the console during round 1 of Peace of Inches"),
    "msel": ("guide/msel.png", "the MSEL timeline"),
    "adjudication": ("guide/adjudication.png", "moves waiting for a ruling"),
    "guide-projector": ("guide/projector.png", "the projector during round 1"),
    "console": ("console.png", "the console mid-exercise (Framework Agreement, phase 3)"),
    "console-new-session": ("console-new-session.png", "the console of a new session"),
    "audience": ("audience.png", "the projector mid-exercise"),
    "chart": ("chart.png", "the console's escalation chart with two variables overlaid"),
    "network": ("network.png", "the console's issue network with an issue's details"),
    "seat": ("seat.png", "a team's seat: its brief and its private messages"),
    "solo": ("solo.png", "solo play: the student's turn"),
    "replay": ("replay.png", "replay at the start of round 4 with trainer notes"),
}


# --------------------------------------------------------------------------- driver


def _free_display() -> int:
    d = 90
    while Path(f"/tmp/.X{d}-lock").exists() or Path(f"/tmp/.X11-unix/X{d}").exists():
        d += 1
    return d


def _start_xvfb() -> tuple[subprocess.Popen, str]:
    if shutil.which("Xvfb") is None:
        raise SystemExit("screenshots: Xvfb is not installed (bash packaging/dev.sh "
                         "screenshots installs it)")
    d = _free_display()
    proc = subprocess.Popen(["Xvfb", f":{d}", "-screen", "0", "1920x1080x24", "-nolisten",
                             "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if Path(f"/tmp/.X11-unix/X{d}").exists():
            break
        time.sleep(0.1)
    else:
        proc.kill()
        raise SystemExit("screenshots: Xvfb did not start")
    return proc, f":{d}"


def drive(names: list[str], display: str | None) -> int:
    xvfb = None
    if display is None:
        xvfb, display = _start_xvfb()
    failed = []
    try:
        for name in names:
            out = SHOTS / SCENES[name][0]
            out.parent.mkdir(parents=True, exist_ok=True)
            home = Path(tempfile.mkdtemp(prefix="peacetable-shots-"))
            env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", HOME=str(home),
                       PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
            for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
                env[var] = str(home / var.lower())
                os.makedirs(env[var], exist_ok=True)
            (home / "Documents").mkdir()
            (Path(env["XDG_CONFIG_HOME"]) / "user-dirs.dirs").write_text(
                f'XDG_DOCUMENTS_DIR="{home / "Documents"}"\n')
            proc = subprocess.run([sys.executable, __file__, "--scene", name, "--out", str(out),
                                   "--work", str(home)], env=env, timeout=600,
                                  capture_output=True, text=True)
            shutil.rmtree(home, ignore_errors=True)
            if proc.returncode != 0 or not out.exists():
                failed.append(name)
                print(f"{name}: FAILED\n{proc.stderr[-3000:]}", file=sys.stderr)
            else:
                print(f"{out.relative_to(ROOT)} — {SCENES[name][1]}")
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(10)
    return 1 if failed else 0


# --------------------------------------------------------------------------- one scene


def _played(scenario: str, work: Path, name: str, *, upto=None, teams=None, seed: int = 7,
            waiting: int = 0):
    """A new session of a bundled exercise with its script played up to line ``upto``
    (a function of the lines giving an index, or None for all); ``waiting``: leave the
    rulings on the last this many moves unmade (they wait in the queue)."""
    from peacetable.app.script import ScriptRunner, read_script
    from peacetable.app.session import Session

    toml = ROOT / "scenarios" / f"{scenario}.toml"
    moves = toml.with_name(f"{scenario}.moves.jsonl")
    path = work / "Documents" / "PeaceTable" / f"{name}.peacetable"
    path.parent.mkdir(parents=True, exist_ok=True)
    s = Session.create(toml, path, seed=seed, teams=teams or {})
    lines = list(read_script(moves))
    stop = len(lines) if upto is None else upto(lines)
    runner = ScriptRunner(s, str(moves))
    todo = lines[:stop]
    if waiting:
        last = [k for k, sl in enumerate(todo) if sl.data["cmd"] == "move"][-waiting]
        todo = [sl for k, sl in enumerate(todo)
                if k < last or sl.data["cmd"] not in ("adjudicate", "roll")]
    # a line every STEP_SECONDS, the last one just now: the clocks, the MSEL and the event
    # log read as in a real run rather than all at one moment
    from peacetable.domain.events import MoveSubmitted

    start = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(seconds=STEP_SECONDS * len(todo))
    for k, sl in enumerate(todo):
        cmd, label = runner.command(sl)
        ts = (start + _dt.timedelta(seconds=STEP_SECONDS * k)).isoformat(timespec="milliseconds")
        for ev in s.execute(cmd, ts=ts):
            if isinstance(ev.body, MoveSubmitted):
                runner.last_move = ev.seq
                if label:
                    runner.labels[label] = ev.seq
    return s, lines, stop, runner


def _advance_index(lines, n: int) -> int:
    """The index of the script's n-th ``advance`` line (1: the start of phase 1)."""
    seen = 0
    for k, sl in enumerate(lines):
        if sl.data["cmd"] == "advance":
            seen += 1
            if seen == n:
                return k
    return len(lines)


def scene(name: str, out: Path, work: Path) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from peacetable.ui import style
    from peacetable.ui.main import configure_application

    app = QApplication([sys.argv[0], *style.QT_ARGS])
    configure_application(app)
    from peacetable.ui.main_window import MainWindow

    win = MainWindow()
    win.resize(*SIZE)
    win.move(0, 0)
    state: dict = {"target": win, "ready": lambda: True}
    TEAMS = {"ukraine": "Team Blue", "russia": "Team Red", "us": "Team Washington"}

    # ---- what each picture shows: run once the main window is on screen
    def setup() -> None:
        if name == "start-page":
            s, *_ = _played("peace-of-inches", work, "peace-of-inches-seminar",
                            upto=lambda ls: _advance_index(ls, 3))
            s.close()
            win._set_recent([str(s.path)])
            return
        if name in ("guide-console", "msel", "adjudication", "guide-projector"):
            s, lines, stop, runner = _played(
                "peace-of-inches", work, "peace-of-inches-round-1",
                upto=lambda ls: _advance_index(ls, 2))
            if name == "adjudication":  # the next moves, entered and waiting for a ruling
                for sl in lines[stop:]:
                    if sl.data["cmd"] in ("adjudicate", "roll"):
                        break
                    runner.apply(sl)
            s.close()
            win.open_path(s.path)
            c = win.console
            if name == "msel":
                c.top_tabs.setCurrentWidget(c.msel)
            if name == "adjudication":
                c.top_tabs.setCurrentWidget(c.adjudication)
            if name == "guide-projector":
                show_projector()
            return
        if name in ("console", "audience", "chart", "network"):
            s, *_ = _played("framework-agreement", work, "staff-college-group-b",
                            upto=lambda ls: _advance_index(ls, 4), teams=TEAMS, seed=11,
                            waiting=2 if name == "console" else 0)
            s.close()
            win.open_path(s.path)
            if name == "audience":
                show_projector()
            if name in ("chart", "network"):
                state["ready"] = lambda: win.visuals_loaded
                QTimer.singleShot(0, lambda: visual_tab(name))
            return
        if name == "console-new-session":
            toml = ROOT / "scenarios" / "framework-agreement.toml"
            win.new_session(toml)
            dlg = win.new_dialog
            dlg.session_edit.setText(str(work / "Documents" / "PeaceTable" / "framework-agreement.peacetable"))
            dlg.create_button.click()
            return
        if name == "seat":
            from peacetable.app import seats as S
            from peacetable.domain import commands as C
            from peacetable.ui.seats import SeatWindow

            s, *_ = _played("framework-agreement", work, "seats",
                            upto=lambda ls: _advance_index(ls, 3) + 1, teams=TEAMS, seed=11)
            s.execute(C.SendMessage(sender="ukraine", to=("us",), text="We need the "
                                    "air-defence package before we sign anything."))
            s.execute(C.SendMessage(sender="us", to=("ukraine", "europe"), text="Agreed. Hold "
                                    "the line on the ceasefire text; we will carry the "
                                    "guarantees."))
            s.close()
            win.open_path(s.path)
            plan = S.configure(S.SeatPlan(), ["ukraine", "russia", "us"], {})
            seat = SeatWindow(win.bridge, plan)
            seat.resize(*SIZE)
            seat.move(0, 0)
            seat.show()
            view = seat.open_seat("ukraine")
            view.tabs.setCurrentIndex(1)  # Messages
            win.hide()
            state["target"] = seat
            state["keep"] = seat
            return
        if name == "solo":
            from peacetable.app.autoplay import default_bots
            from peacetable.ui.solo import SoloWindow

            s, *_ = _played("framework-agreement", work, "solo",
                            upto=lambda ls: _advance_index(ls, 4) + 1, seed=11)
            solo = SoloWindow(s, "ukraine", default_bots(s.scenario), pace=0.3, seed=3,
                              baseline_runs=0)
            solo.resize(*SIZE)
            solo.move(0, 0)
            solo.show()
            win.hide()
            state["target"] = solo
            state["keep"] = solo
            state["ready"] = lambda: solo.status.text().startswith("Your turn")
            return
        if name == "replay":
            from peacetable.app.annotations import add_annotation

            s, *_ = _played("peace-of-inches", work, "peace-of-inches-seminar", teams=TEAMS)
            starts = [ev.seq for ev in s.events if ev.type == "phase_started"]
            add_annotation(s, starts[1] + 5, "First reciprocal step: ask Moscow what it "
                           "expected in return.", "Trainer")
            add_annotation(s, starts[3] - 2, "The grid deal is sealed here, in private: the "
                           "room has not seen it yet.", "Trainer")
            s.close()
            win.trainer.open_replay(s.path)
            page = win.trainer.page
            page.seek(starts[3] + 2)
            page.top_tabs.setCurrentWidget(page.event_log)
            return
        raise SystemExit(f"unknown scene {name}")

    def show_projector() -> None:
        proj = win.show_projector()
        proj.resize(*SIZE)
        proj.move(0, 0)
        proj.raise_()
        state["target"] = proj

    def visual_tab(which: str) -> None:
        if not win.visuals_loaded:
            QTimer.singleShot(200, lambda: visual_tab(which))
            return
        c = win.console
        w = win.visuals[which]
        c.show_page(w)
        c.centre.setSizes([260, 740])  # the bottom pane (chart, network) tall
        if which == "chart":
            for vid in list(w.var_curves)[:2]:
                w.set_variable_visible(vid, True)
        else:
            iid = next(iter(w.nodes))
            w.select_issue(iid)
            QTimer.singleShot(300, w.view.fit)
        state["target"] = win

    def capture() -> None:
        if not state["ready"]():
            QTimer.singleShot(250, capture)
            return
        QTimer.singleShot(SETTLE_MS, grab)

    def grab() -> None:
        target = state["target"]
        target.raise_()
        app.processEvents()
        pix = target.screen().grabWindow(target.winId())
        if pix.isNull() or not pix.save(str(out)):
            print(f"could not capture {name}", file=sys.stderr)
            app.exit(1)
            return
        app.exit(0)

    def first_frame() -> None:
        setup()
        QTimer.singleShot(500, capture)

    win.firstShown.connect(lambda: QTimer.singleShot(0, first_frame))
    win.show()
    QTimer.singleShot(300_000, lambda: app.exit(2))  # never hang
    return app.exec()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="+", choices=sorted(SCENES), help="these pictures only")
    ap.add_argument("--list", action="store_true", help="list the pictures and exit")
    ap.add_argument("--display", help="a running X server to use (default: start Xvfb)")
    ap.add_argument("--scene", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.list:
        for k, (path, what) in SCENES.items():
            print(f"{k:20} docs/screenshots/{path}: {what}")
        return 0
    if args.scene:
        return scene(args.scene, args.out, args.work)
    return drive(args.only or list(SCENES), args.display)


if __name__ == "__main__":
    sys.exit(main())
