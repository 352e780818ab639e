"""The main window: menus, the welcome page, the console, the projector, the files.

Start-up is kept short: this module imports only Qt and the small Qt-only helpers (and
reads ``QtCore.Qt`` only in methods that run later); the console (and with it the domain
and the session layer) is imported when the first session opens, and the chart/network
widgets (pyqtgraph, networkx) once the window has been shown. Every change is written to
the session file by the engine as it happens, so there is no Save: closing the window, or
the session, loses nothing.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from . import messages, style
from .actions import PhaseActions, shortcuts
from .bridge import SessionBridge
from .undo import UndoController

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    from ..app.session import Change, Session
    from . import dialogs
    from .console import Console

log = logging.getLogger("peacetable.ui")

APP_TITLE = "PeaceTable"
RECENT_KEY = "recent/files"
COUNTDOWN_KEY = "projector/countdown"
#: what the room sees on the projector (View menu), remembered: option -> menu text
ROOM_OPTIONS = {"network": "Show the issue &network on the projector",
                "analysis": "Show the network's &analysis (deadlocks) on the projector",
                "overlays": "Show the escalation &variables on the projector"}
MAX_RECENT = 10
OPENABLE = (".peacetable", ".toml")
#: the chart and network widgets: key -> (module under peacetable.ui, class)
VISUALS = {"chart": ("escalation_chart", "EscalationChart"),
           "network": ("network_view", "NetworkView")}


class _ExposeWatcher(QObject):
    """Tells the window when its native window is first exposed (really on screen)."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Expose and getattr(obj, "isExposed", lambda: False)():
            obj.removeEventFilter(self)
            self.window._first_exposed()
        return False


class MainWindow(QMainWindow):
    #: emitted once, when the window is first exposed on screen
    firstShown = Signal()
    #: emitted when the chart/network widgets have been loaded (or failed to load)
    visualsLoaded = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.bridge = SessionBridge(self)
        self.undo = UndoController(self.bridge, self)
        self.phase_actions = PhaseActions(self.bridge, self.undo, self)
        self.console: Console | None = None
        self.warning_box = None  # what the last opened file warned of (non-blocking)
        self.visuals: dict[str, QWidget] = {}
        self.visual_errors: dict[str, str] = {}
        self.visuals_loaded = False
        self.projector = None
        self.workbenches: list = []  # open scenario workbench windows
        self._shown = False
        self._exposed = False

        # each widget is created in its place (a parent given at construction): moving a
        # built tree under a new parent makes the style sheet resolve every widget in it
        # again, which cost more than building the start page itself
        self.pages = QStackedWidget(self)
        self.setCentralWidget(self.pages)
        from .start_page import StartPage

        self.welcome = StartPage(self, self.pages)
        self.pages.addWidget(self.welcome)
        self._make_actions()
        self._make_menus()
        from .seat_menu import SeatsController

        self.seats = SeatsController(self)
        self.status_label = QLabel()
        self.statusBar().addWidget(self.status_label, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)

        self.bridge.sessionChanged.connect(self._session_changed)
        self.bridge.changed.connect(self._changed)
        self._refresh_recent()
        self._session_changed(None)
        geometry = QSettings().value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self._default_geometry()

    def _default_geometry(self) -> None:
        """First start: fill most of the screen (the console wants room on a projector)."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        w, h = int(area.width() * 0.96), int(area.height() * 0.94)
        self.resize(w, h)
        self.move(area.x() + (area.width() - w) // 2, area.y() + (area.height() - h) // 2)

    # ------------------------------------------------------------------ actions & menus
    def _action(self, text: str, slot, shortcut: str | QKeySequence | None = None,
                tip: str = "") -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcuts(shortcuts(shortcut))
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        a.triggered.connect(lambda _checked=False: slot())
        return a

    def _make_actions(self) -> None:
        self.new_action = self._action("&New session from a scenario…", self.new_session,
                                       QKeySequence.StandardKey.New,
                                       "Start a new session file from a scenario")
        self.open_action = self._action("&Open…", self.open_dialog, QKeySequence.StandardKey.Open,
                                        "Open a session (or a scenario to start one)")
        self.workbench_action = self._action(
            "Open scenario in &workbench…", self.open_workbench_dialog,
            tip="Edit a scenario file, with its problems and previews beside the text")
        self.close_action = self._action("&Close session", self.close_session,
                                         QKeySequence.StandardKey.Close)
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.note_action = self._action("Add a control &note…", self.add_note, "Ctrl+Shift+N")
        self.inject_action = self._action("Fire an &unscheduled inject…", self.unscheduled_inject,
                                          "Ctrl+I")
        self.projector_action = self._action("&Projector window", self.show_projector,
                                             "Ctrl+Shift+P",
                                             "Open the audience window (public information only)")
        self.countdown_action = self._action("Show the &countdown on the projector",
                                             self._countdown_toggled)
        self.countdown_action.setCheckable(True)
        self.countdown_action.setChecked(QSettings().value(COUNTDOWN_KEY, False, type=bool))
        self.room_actions: dict[str, QAction] = {}
        for key, text in ROOM_OPTIONS.items():
            act = self._action(text, self._room_toggled)
            act.setCheckable(True)
            act.setChecked(QSettings().value(f"projector/{key}", style.ROOM_DEFAULTS[key],
                                             type=bool))
            self.room_actions[key] = act
        self.larger_action = self._action("&Larger text", lambda: self._scale(1))
        self.larger_action.setShortcuts(shortcuts(QKeySequence.StandardKey.ZoomIn, "Ctrl++",
                                                  "Ctrl+="))
        self.smaller_action = self._action("&Smaller text", lambda: self._scale(-1),
                                           QKeySequence.StandardKey.ZoomOut)
        self.normal_action = self._action("&Normal text size", lambda: self._scale(0), "Ctrl+0")
        self.entry_action = self._action("Go to &move entry", self._focus_entry, "Ctrl+M")
        self.briefing_action = self._action("Scenario &briefing", self.show_briefing, "F1")
        self.about_action = self._action("&About PeaceTable", self.show_about)
        self.guide_action = self._action("&Facilitator guide", self.show_guide,
                                         tip="How to run a workshop with PeaceTable, step by step")
        self.session_actions = [self.close_action, self.note_action, self.inject_action,
                                self.projector_action, self.entry_action, self.briefing_action]
        from .trainer import TrainerActions  # replay, notes, hot wash, fork, report

        self.trainer = TrainerActions(self)

    def _make_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addAction(self.new_action)
        m.addAction(self.open_action)
        m.addAction(self.trainer.open_replay_action)
        m.addAction(self.workbench_action)
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        m.addAction(self.close_action)
        m.addSeparator()
        m.addAction(self.trainer.fork_action)
        m.addAction(self.trainer.export_action)
        m.addSeparator()
        m.addAction(self.quit_action)

        m = mb.addMenu("&Edit")
        m.addAction(self.undo.undo_action)
        m.addAction(self.undo.redo_action)
        m.addSeparator()
        m.addAction(self.note_action)
        m.addSeparator()
        for a in (self.trainer.annotate_action, self.trainer.notes_action,
                  self.trainer.hotwash_action):
            m.addAction(a)

        m = mb.addMenu("&Phase")
        pa = self.phase_actions
        for a in (pa.advance, pa.reveal, pa.clock, pa.correct, pa.back):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.inject_action)

        self.view_menu = mb.addMenu("&View")
        self.view_menu.addAction(self.projector_action)
        self.view_menu.addAction(self.countdown_action)
        for act in self.room_actions.values():
            self.view_menu.addAction(act)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.larger_action)
        self.view_menu.addAction(self.smaller_action)
        self.view_menu.addAction(self.normal_action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.entry_action)
        self.goto_menu = self.view_menu.addMenu("&Go to")
        self.goto_actions: list[QAction] = []
        self._fill_goto_menu()

        m = mb.addMenu("&Help")
        m.addAction(self.guide_action)
        m.addAction(self.briefing_action)
        m.addAction(self.about_action)

    def _fill_goto_menu(self) -> None:
        """One entry per console tab, Ctrl+1..9 (rebuilt when the chart and network arrive)."""
        self.goto_menu.clear()
        self.goto_actions = []
        if self.console is None:
            self.goto_menu.addAction("Open a session first").setEnabled(False)
            return
        for k, (title, page) in enumerate(self.console.pages()):
            a = self.goto_menu.addAction(title)
            if k < 9:
                a.setShortcuts(shortcuts(f"Ctrl+{k + 1}"))
            a.triggered.connect(lambda _c=False, p=page: self.console.show_page(p))
            self.goto_actions.append(a)

    # ------------------------------------------------------------------ showing
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            handle = self.windowHandle()
            if handle is not None:
                handle.installEventFilter(_ExposeWatcher(self))
            # if the platform never reports exposure, load the visuals anyway
            QTimer.singleShot(3000, self.ensure_visuals)

    def _first_exposed(self) -> None:
        if self._exposed:
            return
        self._exposed = True
        self.firstShown.emit()
        # after the first frame: the styles' one-time re-polish, then the chart and network
        QTimer.singleShot(0, self._after_first_frame)

    def _after_first_frame(self) -> None:
        icon = style.app_icon()  # (QIcon's first use costs ~15 ms: not before the frame)
        QApplication.setWindowIcon(icon)
        self.setWindowIcon(icon)
        style.first_window_shown()
        self.ensure_visuals()

    def ensure_visuals(self) -> None:
        """Import and create the chart and network widgets (pyqtgraph, networkx) once."""
        if self.visuals_loaded:
            return
        self.visuals_loaded = True
        for key, (module, cls) in VISUALS.items():
            try:
                mod = importlib.import_module(f"{__package__}.{module}")
                widget = getattr(mod, cls)(self)  # owned by the window from the start
            except Exception as exc:  # keep the console usable without this one view
                log.exception("could not load %s.%s", module, cls)
                self.visual_errors[key] = f"{type(exc).__name__}: {exc}"
                continue
            self.visuals[key] = widget
            style.follow_zoom(widget)
            if self.console is not None:
                self.console.add_visual(key, widget)
        if self.console is not None:
            self._fill_goto_menu()
        self.visualsLoaded.emit()
        if self.visual_errors:
            from ..logs import log_dir

            messages.show_error(self, "A view could not be loaded", "\n".join(
                f"{VISUALS[k][1]}: {err}" for k, err in self.visual_errors.items())
                + f"\n\nThe rest of the console works. Details are in the log ({log_dir()}).")
        _tell(self.visuals.values(), "set_session", self.bridge.session)

    # ------------------------------------------------------------------ sessions
    @property
    def session(self) -> Session | None:
        return self.bridge.session

    def _ensure_console(self) -> Console:
        if self.console is None:
            from .console import Console

            self.console = Console(self.bridge, self.phase_actions)
            self.pages.addWidget(self.console)
            for key, widget in self.visuals.items():
                self.console.add_visual(key, widget)
            state = QSettings().value("window/console_splitters")
            if isinstance(state, list) and len(state) == 2:
                self.console.splitter.restoreState(state[0])
                self.console.centre.restoreState(state[1])
            self._fill_goto_menu()
        return self.console

    def open_path(self, path: str | Path) -> bool:
        """Open a session, or start a new session from a scenario (.toml)."""
        p = Path(path).expanduser()
        if p.suffix.lower() == ".toml":
            return self.new_session(p) is not None
        return self.open_session(p)

    def open_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from .dialogs import OPEN_FILTER

        start = str(Path(self.session.path).parent) if self.session else \
            str(QSettings().value("paths/last_session_dir", "") or Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open a session or a scenario", start,
                                              OPEN_FILTER)
        if path:
            self.open_path(path)

    def open_session(self, path: str | Path) -> bool:
        from ..app.session import Session, SessionFileError
        from ..storage.session_file import SessionLocked, SessionNotWritable

        p = Path(path).expanduser()
        current = self.session
        if current is not None and _same_file(current.path, p):
            self.statusBar().showMessage(f"{p.name} is already open here", 4000)
            return True
        readonly = False
        try:
            session = Session.open(p)
        except SessionLocked:
            return self.trainer.open_replay(p, reason="It is open for writing in another "
                                            "PeaceTable window or process, so it opened for "
                                            "replay.")
        except SessionNotWritable as exc:
            # a file or folder this user may not write: replay it, and say why
            return self.trainer.open_replay(p, reason=f"It cannot be written here, so it "
                                            f"opened for replay: {exc}")
        except SessionFileError as exc:
            messages.show_error(self, "Cannot open the session", str(exc))
            self._forget_recent(p, missing_only=True)
            return False
        except OSError as exc:
            messages.show_error(self, "Cannot open the session",
                               f"{p}: {exc.strerror or exc}")
            return False
        self.adopt(session, readonly=readonly)
        return True

    def new_session(self, scenario_path: str | Path | None = None) -> dialogs.NewSessionDialog:
        """Open the New Session dialog (pre-filled with ``scenario_path``); returns it.

        The dialog is window-modal but does not block: when it creates the session, the
        window adopts it."""
        from .dialogs import NewSessionDialog

        dlg = NewSessionDialog(self, scenario_path)
        dlg.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.accepted.connect(lambda: dlg.session is not None and self.adopt(dlg.session))
        dlg.accepted.connect(lambda: dlg.seats_check.isChecked() and self.seats.setup())
        self.new_dialog = dlg
        dlg.open()
        return dlg

    def adopt(self, session: Session, readonly: bool = False) -> None:
        """Show ``session`` (just created or opened); close the one shown before."""
        self.trainer.close_replay()
        old = self.session
        try:
            self._ensure_console()
            self.bridge.set_session(session, readonly=readonly)
        except BaseException:
            self.bridge.set_session(old)
            session.close()  # never leave a file locked by a window that does not show it
            raise
        if old is not None and old is not session:
            old.close(pause_clock=True)
        self._add_recent(session.path)
        self.pages.setCurrentWidget(self.console)
        self.timer.start()
        session.keep_time()
        handed = self.seats.session_opened(session)  # a laptop handed to the seats stays there
        if not handed and not readonly and session.state.phase is not None \
                and session.clock().paused_on_close:
            # after a break: time did not count while the session was closed
            QTimer.singleShot(0, self._offer_resume)
        self.warning_box = messages.notify_warnings(self, "Opened with a warning",
                                                    session.warnings)
        log.info("session open: %s (%d events)", session.path, len(session.events))

    def close_session(self) -> None:
        if self.trainer.close_replay():
            return
        s = self.session
        if s is None:
            return
        self._save_layout()
        self.bridge.set_session(None)
        s.close(pause_clock=True)
        self.timer.stop()
        self.pages.setCurrentWidget(self.welcome)

    # ------------------------------------------------------------------ change
    def _session_changed(self, session: Session | None) -> None:
        for a in self.session_actions:
            a.setEnabled(session is not None)
        writable = session is not None and not self.bridge.readonly
        self.note_action.setEnabled(writable)
        self.inject_action.setEnabled(writable)
        self._update_title()
        self._update_status()
        self._refresh_recent()
        self.trainer.update_actions()
        self._tell_views("set_session", session)

    def _changed(self, change: Change) -> None:
        self._update_status()
        self._tell_views("on_change", change)

    def _tell_views(self, method: str, arg) -> None:
        """Pass a session or a change to the chart, the network and the projector."""
        views = list(self.visuals.values())
        if self.projector is not None:
            views.append(self.projector)
        _tell(views, method, arg)

    def _tick(self) -> None:
        if self.console is not None and self.session is not None:
            # now and then, while the clock runs: if PeaceTable is killed, the next opening
            # pauses the clock at this moment (the time it was down is not exercise time)
            self.session.keep_time()
            self.bridge.fire_due_injects()
            self.console.tick()
            if self.projector is not None:
                self.projector.show_countdown(self.bridge.reading()
                                              if self.countdown_action.isChecked() else None)

    def _room_options(self) -> dict[str, bool]:
        return {k: a.isChecked() for k, a in self.room_actions.items()}

    def _room_toggled(self) -> None:
        for key, on in self._room_options().items():
            QSettings().setValue(f"projector/{key}", on)
        if self.projector is not None:
            self.projector.set_room_options(**self._room_options())

    def _countdown_toggled(self) -> None:
        QSettings().setValue(COUNTDOWN_KEY, self.countdown_action.isChecked())
        self._tick()

    def _offer_resume(self) -> bool:
        """The clock stopped when the session was closed: ask whether to start it again."""
        from ..domain import commands as C
        from .style import mmss

        s = self.session
        if s is None or self.bridge.readonly:
            return False
        r = s.clock()
        if not r.started or r.running:
            return False
        if s.stopped_at:
            from ..app.clock import parse_ts

            when = parse_ts(s.stopped_at).astimezone().strftime("%H:%M")
            text = (f"PeaceTable stopped without closing this session (it was last running at "
                    f"{when}). The clock is paused from then on, at {mmss(r.phase)} into the "
                    "phase: the time since was not counted.")
        else:
            text = (f"The clock stopped when this session was closed, at {mmss(r.phase)} into "
                    "the phase.")
        if not messages.ask_resume(self, text, "Resume it now, or keep it paused and resume "
                                   "from the Phase menu (F9) when the room is ready."):
            return False
        return self.bridge.execute(C.ResumeClock()) is not None

    def _update_title(self) -> None:
        s = self.session
        if s is None:
            self.setWindowTitle(APP_TITLE)
            self.setWindowFilePath("")
            return
        ro = " [read-only]" if self.bridge.readonly else ""
        self.setWindowTitle(f"{s.path.name}{ro} — {s.scenario.scenario.title} — {APP_TITLE}")
        self.setWindowFilePath(str(s.path))

    def _update_status(self) -> None:
        s = self.session
        if s is None:
            self.status_label.setText("No session open. Every change to a session is saved "
                                      "as it happens.")
            return
        st = s.state
        waiting = sum(1 for m in st.moves.values() if m.status == "pending" and not m.sealed)
        mode = "read-only: nothing can be changed" if self.bridge.readonly else \
            f"all changes saved ({s.store.last_seq} events)"
        self.status_label.setText(f"{style.shown_path(s.path)} · {mode} · dice seed {s.seed} · "
                                  f"{waiting} move{'s' if waiting != 1 else ''} awaiting decision")

    # ------------------------------------------------------------------ recent files
    def recent_files(self) -> list[str]:
        value = QSettings().value(RECENT_KEY, [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or []) if v]

    def _set_recent(self, paths: list[str]) -> None:
        QSettings().setValue(RECENT_KEY, paths[:MAX_RECENT])
        self._refresh_recent()

    def _add_recent(self, path: Path) -> None:
        p = str(Path(path).resolve())
        self._set_recent([p] + [x for x in self.recent_files() if x != p])

    def _forget_recent(self, path: Path, missing_only: bool = False) -> None:
        p = str(Path(path).resolve())
        if missing_only and Path(p).exists():
            return
        self._set_recent([x for x in self.recent_files() if x != p])

    def _refresh_recent(self) -> None:
        self.welcome.set_recent(self.recent_files())

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent_files()
        for k, p in enumerate(paths):
            name = Path(p).name.replace("&", "&&")
            a = self.recent_menu.addAction(f"&{k + 1}  {name}" if k < 9 else name)
            a.setToolTip(p)
            a.setStatusTip(p)
            a.triggered.connect(lambda _c=False, path=p: self.open_path(path))
        if not paths:
            self.recent_menu.addAction("No recent sessions").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear this list").triggered.connect(
                lambda: self._set_recent([]))

    # ------------------------------------------------------------------ workbench
    def open_workbench_dialog(self):
        """Choose a scenario file and open it in the workbench."""
        from PySide6.QtWidgets import QFileDialog

        from .dialogs import SCENARIO_FILTER

        start = str(QSettings().value("paths/last_scenario_dir", "") or Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open a scenario in the workbench", start,
                                              SCENARIO_FILTER)
        return self.open_workbench(path) if path else None

    def open_workbench(self, path: str | Path):
        """Open ``path`` in a workbench window (or raise the one that has it open); the
        window, or None after saying why the file cannot be opened."""
        from ..app.workbench import ScenarioDocument
        from ..domain.loader import ScenarioError
        from .workbench import WorkbenchWindow

        p = Path(path).expanduser()
        for wb in self.workbenches:
            if wb.document.path is not None and _same_file(wb.document.path, p):
                wb.show()
                wb.raise_()
                wb.activateWindow()
                return wb
        try:
            doc = ScenarioDocument.open(p)
        except ScenarioError as exc:
            messages.show_error(self, "Cannot open the scenario", str(exc))
            return None
        QSettings().setValue("paths/last_scenario_dir", str(p.parent))
        wb = WorkbenchWindow(doc, self)
        self.workbenches.append(wb)
        wb.show()
        return wb

    def workbench_closed(self, wb) -> None:
        if wb in self.workbenches:
            self.workbenches.remove(wb)

    def _close_workbenches(self) -> bool:
        """Before the app closes: each workbench with unsaved changes asks Save / Discard /
        Cancel. False (nothing closed) when one is cancelled."""
        for wb in list(self.workbenches):
            if not wb.maybe_save():
                wb.show()
                wb.raise_()
                return False
        for wb in list(self.workbenches):
            wb.close_without_asking()
        return True

    # ------------------------------------------------------------------ other commands
    def add_note(self) -> dialogs.NoteDialog | None:
        if self.session is None:
            return None
        from .dialogs import NoteDialog

        dlg = NoteDialog(self.bridge, self)
        dlg.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def unscheduled_inject(self):
        if self.console is None or self.session is None:
            return None
        self.console.show_page(self.console.msel)
        return self.console.msel.open_inject_dialog()

    def show_projector(self):
        """Open (or raise) the audience window for the projector: public information only."""
        if self.session is None and not self.trainer.replaying:
            return None
        if self.projector is None:
            try:
                from .audience import AudienceWindow
            except Exception as exc:
                log.exception("could not load the audience window")
                messages.show_error(self, "Projector window", f"The audience window could not be "
                                   f"loaded: {type(exc).__name__}: {exc}")
                return None
            self.projector = style.follow_zoom(AudienceWindow())
            self.projector.setWindowIcon(self.windowIcon())
            # the text zoom keys work with the projector in front too
            self.projector.addActions([self.larger_action, self.smaller_action,
                                       self.normal_action])
            self.projector.set_room_options(**self._room_options())
            self.projector.set_session(self.session)
            if self.trainer.replaying:
                self.trainer.page.attach_projector(self.projector)
            # with a second screen (the projector), open there, filling it
            others = [sc for sc in QApplication.screens() if sc is not self.screen()]
            if others:
                area = others[0].availableGeometry()
                self.projector.move(area.topLeft())
                self.projector.resize(area.size())
                self.projector.showMaximized()
        self._tick()
        self.projector.show()
        self.projector.raise_()
        self.projector.activateWindow()
        return self.projector

    def show_briefing(self) -> None:
        if self.trainer.current() is not None:
            from .dialogs import BriefingDialog

            dlg = BriefingDialog(self.trainer.current(), self)
            dlg.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
            dlg.open()

    def show_guide(self):
        from .start_page import show_guide

        return show_guide(self)

    def show_about(self) -> None:
        from .. import __version__
        from ..logs import log_dir

        messages.show_info(self, "About PeaceTable",
                          f"PeaceTable {__version__}\n\nStaged negotiation exercises: phases, "
                          "moves, adjudication, injects, and a record that can be replayed.\n\n"
                          f"Log files: {log_dir()}")

    def _focus_entry(self) -> None:
        if self.console is not None:
            self.console.move_entry.role_combo.setFocus()

    def _scale(self, direction: int) -> None:
        """One text zoom for every window: the body and heading fonts, and the views that
        draw their own texts (chart, network, projector), which follow it through
        :func:`style.follow_zoom`. The level is kept for the next start."""
        app = QApplication.instance()
        if app is not None:
            scale = style.step_scale(app, direction)
            self.statusBar().showMessage(f"Text size {scale:.0%}", 2000)

    # ------------------------------------------------------------------ drag and drop
    @staticmethod
    def _dropped_path(event) -> Path | None:
        md = event.mimeData()
        if not md.hasUrls():
            return None
        for url in md.urls():
            if url.isLocalFile():
                p = Path(url.toLocalFile())
                if p.suffix.lower() in OPENABLE:
                    return p
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_path(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        p = self._dropped_path(event)
        if p is None:
            event.ignore()
            return
        event.acceptProposedAction()
        # open after the drop returns, so that a dialog does not block the drag source
        QTimer.singleShot(0, lambda: self.open_path(p))

    # ------------------------------------------------------------------ closing
    def _save_layout(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        if self.console is not None:
            settings.setValue("window/console_splitters",
                              [self.console.splitter.saveState(), self.console.centre.saveState()])

    def closeEvent(self, event) -> None:
        if not self._close_workbenches():  # unsaved scenario text: the user cancelled
            event.ignore()
            return
        self._save_layout()
        self.trainer.close_replay()
        if self.projector is not None:
            self.projector.close()
            self.projector.set_session(None)
        s = self.session
        if s is not None:
            self.bridge.set_session(None)
            s.close(pause_clock=True)
        self.timer.stop()
        super().closeEvent(event)


def _tell(views, method: str, arg) -> None:
    """Call ``method(arg)`` on every view. One view failing must not keep the others (or the
    room) behind: all are told, then the first failure is raised (to the error dialog and
    the log)."""
    failure: Exception | None = None
    for w in views:
        try:
            getattr(w, method)(arg)
        except Exception as exc:
            failure = failure or exc
    if failure is not None:
        raise failure


def _same_file(a: Path, b: Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False
