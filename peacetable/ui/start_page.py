"""The start page (shown when no session is open), the demo player and the guide dialog.

The page lists the bundled exercises as cards (one click starts a session saved in the
user's documents folder), the recent sessions with their title, phase reached and last
activity, and a "Run demo" per exercise that plays its bundled script into a new session,
one command every few seconds, until it ends or the user stops it. What it shows is read by
:mod:`peacetable.app.start`; the cards are filled after the window is first shown, so that
reading the scenarios does not delay start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from . import messages, style

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtWidgets import QListWidget

    from ..app.start import Exercise
    from .guide import GuideDialog
    from .main_window import MainWindow

#: milliseconds between two commands of a demo: time to read what the last one did
DEMO_INTERVAL_MS = 2500


class ExerciseCard(QFrame):
    """One bundled exercise: title, summary, roles, planned length, New session, Run demo."""

    def __init__(self, exercise: Exercise, page: StartPage):
        super().__init__()
        from ..app.start import planned_length

        self.exercise = exercise
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        title = QLabel(exercise.title)
        style.set_cls(title, "h2")
        lay.addWidget(title)
        summary = QLabel(exercise.summary)
        summary.setWordWrap(True)
        lay.addWidget(summary)
        self.facts = QLabel(
            f"{planned_length(exercise.planned_minutes)} planned · {exercise.phases} "
            f"phase{'s' if exercise.phases != 1 else ''} · roles: {', '.join(exercise.roles)}")
        self.facts.setWordWrap(True)
        style.set_cls(self.facts, "muted")
        lay.addWidget(self.facts)
        row = QHBoxLayout()
        self.new_button = QPushButton("New session")
        style.set_cls(self.new_button, "primary")
        self.new_button.setToolTip("Start a session of this exercise now, saved in "
                                   f"{page.folder_text()}")
        self.new_button.clicked.connect(lambda: page.start(exercise))
        row.addWidget(self.new_button)
        self.demo_button = QPushButton("Run demo")
        self.demo_button.setToolTip("Watch a whole run of this exercise played move by move "
                                    "(a new session you can stop at any time)")
        self.demo_button.setEnabled(exercise.script is not None)
        self.demo_button.clicked.connect(lambda: page.run_demo(exercise))
        row.addWidget(self.demo_button)
        self.edit_button = QPushButton("Edit")
        self.edit_button.setToolTip("Open this exercise's scenario in the workbench (your "
                                    "changes are saved as a copy of your own)")
        self.edit_button.clicked.connect(lambda: page.window_.open_workbench(exercise.path))
        row.addWidget(self.edit_button)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addStretch(1)


class StartPage(QWidget):
    """Shown when no session is open: start one, open one, or pick a recent one."""

    def __init__(self, window: MainWindow, parent: QWidget | None = None):
        super().__init__(parent)
        self.window_ = window
        self.cards: list[ExerciseCard] = []
        self.demo: DemoPlayer | None = None
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        holder = QWidget()
        scroll.setWidget(holder)
        hold = QHBoxLayout(holder)
        hold.setContentsMargins(80, 48, 80, 32)
        column = QWidget()
        column.setMaximumWidth(1100)
        hold.addWidget(column, 1)
        lay = QVBoxLayout(column)
        lay.setContentsMargins(0, 0, 0, 0)
        title = QLabel("PeaceTable")
        style.set_cls(title, "h1")
        lay.addWidget(title)
        sub = QLabel("Run a staged negotiation exercise: phases, moves, adjudication, injects, "
                     "and a record you can replay.")
        sub.setWordWrap(True)
        style.set_cls(sub, "muted")
        lay.addWidget(sub)
        row = QHBoxLayout()
        self.new_button = QPushButton("New session from a scenario…")
        self.new_button.clicked.connect(lambda: window.new_session())
        self.open_button = QPushButton("Open a session…")
        self.open_button.clicked.connect(window.open_dialog)
        self.solo_button = QPushButton("Play alone against bots…")
        self.solo_button.clicked.connect(lambda: window.seats.solo())
        self.guide_button = QPushButton("Facilitator guide")
        self.guide_button.clicked.connect(lambda: show_guide(window))
        for b in (self.new_button, self.open_button, self.solo_button, self.guide_button):
            row.addWidget(b)
        row.addStretch(1)
        lay.addSpacing(12)
        lay.addLayout(row)
        lay.addSpacing(20)
        ex_title = QLabel("Exercises")
        style.set_cls(ex_title, "h2")
        lay.addWidget(ex_title)
        self.cards_grid = QGridLayout()
        self.cards_grid.setSpacing(12)
        lay.addLayout(self.cards_grid)
        self.cards_note = QLabel("")
        self.cards_note.setWordWrap(True)
        style.set_cls(self.cards_note, "muted")
        lay.addWidget(self.cards_note)
        lay.addSpacing(20)
        recent_title = QLabel("Recent sessions")
        style.set_cls(recent_title, "h2")
        lay.addWidget(recent_title)
        # the list of recent sessions is built with the cards, after the first frame (a
        # QListWidget's first use creates its type and a dozen enums in PySide: ~30 ms)
        self.recent_paths: list[str] = []
        self._recent_list: QListWidget | None = None
        self._recent_box = QVBoxLayout()
        self._recent_box.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(self._recent_box, 4)
        self.no_recent = QLabel("No recent sessions yet.")
        style.set_cls(self.no_recent, "muted")
        self.no_recent.setVisible(False)  # known once the list is read
        lay.addWidget(self.no_recent)
        lay.addSpacing(12)
        hint = QLabel("Tip: drop a .peacetable session or a .toml scenario onto this window.")
        style.set_cls(hint, "muted")
        lay.addWidget(hint)
        lay.addStretch(1)
        self._filled = False

    # ------------------------------------------------------------------ cards
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._filled:
            return
        w = self.window_
        if getattr(w, "_exposed", True):
            QTimer.singleShot(0, self.fill)
        else:  # reading the exercises waits until the window's first frame is on screen
            w.firstShown.connect(lambda: QTimer.singleShot(0, self.fill))

    def fill(self) -> None:
        """Read the bundled exercises (one card each) and the recent sessions' details; the
        first time the page is shown, after the window is on screen."""
        from ..app.start import exercises

        if self._filled:
            return
        self._filled = True
        self._render_recent()
        found, problems = exercises()
        for k, ex in enumerate(found):
            card = ExerciseCard(ex, self)
            self.cards.append(card)
            self.cards_grid.addWidget(card, k // 2, k % 2)
        notes = list(problems)
        if not found and not problems:
            notes.append("No exercises are bundled with this installation: use “New session "
                         "from a scenario…” with a scenario file of your own.")
        self.cards_note.setText("\n".join(notes))
        self.cards_note.setVisible(bool(notes))

    @staticmethod
    def folder_text() -> str:
        from ..app.start import default_session_folder

        return str(default_session_folder())

    def _new_path(self, exercise: Exercise, suffix: str = "") -> Path | None:
        from ..app.start import default_session_folder
        from .dialogs import suggest_session_path

        folder = default_session_folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            messages.show_error(self.window_, "Cannot create the session folder",
                                f"{folder}: {exc.strerror or exc}. Use “New session from a "
                                "scenario…” to save the session somewhere else.")
            return None
        return suggest_session_path(exercise.scenario_id + suffix, folder)

    def start(self, exercise: Exercise, suffix: str = "", title: str = ""):
        """Create a session of ``exercise`` in the documents folder and show it; the session,
        or None after saying why not."""
        from ..app.session import Refused, Session, SessionFileError
        from ..domain.loader import ScenarioError

        path = self._new_path(exercise, suffix)
        if path is None:
            return None
        try:
            session = Session.create(exercise.path, path, seed=_random_seed(),
                                     title=title)
        except (SessionFileError, ScenarioError, Refused, OSError) as exc:
            messages.show_error(self.window_, "Could not start the session", str(exc))
            return None
        self.window_.adopt(session)
        return session

    def run_demo(self, exercise: Exercise) -> DemoPlayer | None:
        """Start a demo session of ``exercise`` and play its script into it."""
        from ..app.script import ScriptError, read_script

        if exercise.script is None:
            return None
        try:
            lines = list(read_script(exercise.script))
        except (ScriptError, OSError) as exc:
            messages.show_error(self.window_, "Cannot run the demo", str(exc))
            return None
        session = self.start(exercise, suffix="-demo", title=f"{exercise.title} (demo)")
        if session is None:
            return None
        self.demo = DemoPlayer(self.window_, lines, str(exercise.script))
        self.demo.start()
        return self.demo

    # ------------------------------------------------------------------ recent
    @property
    def recent_list(self) -> QListWidget:
        """The recent sessions (built when first needed)."""
        if self._recent_list is None:
            from PySide6.QtWidgets import QListWidget

            lst = QListWidget(self)
            lst.setMinimumHeight(160)
            lst.itemActivated.connect(
                lambda item: self.window_.open_path(self.recent_paths[lst.row(item)]))
            self._recent_box.addWidget(lst)
            self._recent_list = lst
        return self._recent_list

    def set_recent(self, paths: list[str]) -> None:
        """List ``paths`` with each run's title, phase reached and last activity; reading
        them waits until the page is first shown (:meth:`fill`)."""
        self.recent_paths = list(paths)
        if self._filled:
            self._render_recent()

    def _render_recent(self) -> None:
        from PySide6.QtWidgets import QListWidgetItem

        from ..app.start import recent_session

        self.recent_list.clear()
        paths = self.recent_paths
        infos = [recent_session(p) for p in paths]
        for k, p in enumerate(paths):
            if infos[k].problem:
                text = f"{Path(p).name}    —    cannot be read: {infos[k].problem}"
            else:
                info = infos[k]
                text = "    ·    ".join(x for x in (info.title, info.phase, info.last_activity) if x)
            item = QListWidgetItem(text)
            item.setToolTip(p)
            self.recent_list.addItem(item)
        self.recent_list.setVisible(bool(paths))
        self.no_recent.setVisible(not paths)


class DemoPlayer(QObject):
    """Plays a script into the window's session, one command every ``interval`` ms, through
    the same bridge as the console's own controls; a "Stop demo" button in the status bar
    (or closing the session) stops it, leaving what was played in the session."""

    finished = Signal(str)  # why it ended: "done", "stopped", or the problem

    def __init__(self, window: MainWindow, lines, source: str, interval: int = DEMO_INTERVAL_MS):
        super().__init__(window)
        from ..app.script import ScriptRunner

        self.window_ = window
        self.session = window.session
        self.runner = ScriptRunner(self.session, source)  # type: ignore[arg-type]
        self.lines = list(lines)
        self.position = 0
        self.timer = QTimer(self)
        self.timer.setInterval(interval)
        self.timer.timeout.connect(self.step)
        self.stop_button = QPushButton("Stop demo")
        self.stop_button.setToolTip("Stop playing the demo; the session keeps what was played")
        self.stop_button.clicked.connect(lambda: self.stop("stopped"))
        self.progress = QLabel("")
        window.bridge.sessionChanged.connect(self._session_changed)

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def start(self) -> None:
        bar = self.window_.statusBar()
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.stop_button)
        self.progress.show()
        self.stop_button.show()
        self._show_progress()
        self.timer.start()

    def _show_progress(self) -> None:
        self.progress.setText(f"Demo: step {self.position} of {len(self.lines)}")

    def step(self) -> None:
        """Apply the next command of the script (the timer calls this)."""
        from ..app.script import ScriptError
        from ..app.session import SessionFileError

        if self.window_.session is not self.session or self.position >= len(self.lines):
            self.stop("done")
            return
        line = self.lines[self.position]
        try:
            self.runner.apply(line)
        except (ScriptError, SessionFileError) as exc:
            self.stop(str(exc))
            messages.show_error(self.window_, "The demo stopped", str(exc))
            return
        self.position += 1
        self._show_progress()
        if self.position >= len(self.lines):
            self.stop("done")

    def stop(self, why: str = "stopped") -> None:
        if not self.stop_button.isVisible() and not self.timer.isActive():
            return
        self.timer.stop()
        bar = self.window_.statusBar()
        for w in (self.stop_button, self.progress):
            bar.removeWidget(w)
            w.hide()
        try:
            self.window_.bridge.sessionChanged.disconnect(self._session_changed)
        except (RuntimeError, TypeError):
            pass
        self.finished.emit(why)

    def _session_changed(self, session) -> None:
        if session is not self.session:
            self.stop("stopped")


# --------------------------------------------------------------------------- guide


def _random_seed() -> int:
    import secrets  # (hmac and hashlib: not needed before the first frame)

    return secrets.randbelow(2**31)


def show_guide(window: QWidget) -> GuideDialog | None:
    from ..app.start import guide_path
    from .guide import GuideDialog

    path = guide_path()
    if path is None:
        messages.show_info(window, "Facilitator guide",
                           "This installation has no copy of the facilitator guide "
                           "(docs/facilitator-guide.md).")
        return None
    try:
        dlg = GuideDialog(path, window)
    except OSError as exc:
        messages.show_error(window, "Facilitator guide", f"{path}: cannot be read: "
                            f"{exc.strerror or exc}")
        return None
    window.guide_dialog = dlg  # type: ignore[attr-defined]
    dlg.show()
    return dlg
