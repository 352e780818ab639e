"""The trainer's commands in the main window: replay, annotations, hot wash, fork, report.

:class:`TrainerActions` owns the menu entries (File → Open for replay…, Continue from here
as a new session…, Export report…; Edit → Annotate an event…, Annotations…, Hot wash…) and
the replay page, and carries each command from the first question to the end:

- **Replay** opens a session read-only (``Session.open_replay``) on the
  :class:`~peacetable.ui.replay_page.ReplayPage`; a session open for writing elsewhere, or
  one this user may not write, opens this way too, and the page's banner says why.
- **Annotations** are notes pinned to an event, kept apart from the record
  (:mod:`peacetable.app.annotations`), live or in replay. Where the file cannot take notes
  the trainer is told so on starting to annotate and offered a copy (``save_copy``); the
  copy then opens for replay at the same event and the note goes there.
- **Hot wash**: after the last phase has started, prompts per team; the answers are kept
  as annotations.
- **Continue from here** forks the session at the cursor (live: the last event) into a new
  file (an existing file is refused) and opens the new session live.
- **Export report** writes the after-action report (HTML, PDF, CSV or JSON by the file's
  suffix) as a chosen viewer, asking before it replaces a file.

File names are asked through :meth:`TrainerActions.ask_save_path` (a file dialog), the one
place tests replace.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from . import messages
from .style import set_cls

if TYPE_CHECKING:  # pragma: no cover
    from ..app.replay import ReplayModel
    from ..app.session import Session
    from .main_window import MainWindow
    from .replay_page import ReplayPage

log = logging.getLogger("peacetable.ui")

SESSION_FILTER = "PeaceTable sessions (*.peacetable)"
REPORT_FILTERS = {".html": "Web page (*.html)", ".pdf": "PDF document (*.pdf)",
                  ".csv": "Spreadsheet, events (*.csv)", ".json": "JSON, events (*.json)"}
AUTHOR_KEY = "trainer/author"
ID_ROLE = Qt.ItemDataRole.UserRole


def writable(path: Path) -> bool:
    """May this user write the session file and its folder (SQLite writes beside it)?"""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def ask(parent: QWidget | None, title: str, text: str, yes: str, detail: str = "") -> bool:
    """A question with one action button and Cancel; True if the action was chosen."""
    box = QMessageBox(QMessageBox.Icon.Question, title, f"{text}\n\n{detail}" if detail else text,
                      QMessageBox.StandardButton.Cancel, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # what users typed is shown as typed
    button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is button


# --------------------------------------------------------------------------- annotations


class AnnotationDialog(QDialog):
    """Write or change one note: the event it is pinned to, who writes, the text."""

    def __init__(self, parent: QWidget | None, session: Session, seq: int, text: str = "",
                 author: str = "", editing: bool = False):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Edit the note" if editing else "Annotate an event")
        self.setMinimumWidth(560)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        last = len(session.events)
        self.seq_spin = QSpinBox()
        self.seq_spin.setRange(1, max(1, last))
        self.seq_spin.setValue(max(1, min(seq, last)))
        self.seq_spin.setEnabled(not editing)
        self.event_label = QLabel()
        self.event_label.setWordWrap(True)
        self.event_label.setTextFormat(Qt.TextFormat.PlainText)
        set_cls(self.event_label, "muted")
        self.seq_spin.valueChanged.connect(self._show_event)
        form.addRow("Event", self.seq_spin)
        form.addRow("", self.event_label)
        self.author_edit = QLineEdit(author or str(QSettings().value(AUTHOR_KEY, "") or ""))
        self.author_edit.setPlaceholderText("your name (optional)")
        self.author_edit.setEnabled(not editing)
        form.addRow("Author", self.author_edit)
        lay.addLayout(form)
        self.text_edit = QPlainTextEdit(text)
        self.text_edit.setPlaceholderText("What to point out here: what happened, what was "
                                          "missed, what to ask the teams")
        lay.addWidget(self.text_edit, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("Save note" if editing else "Add note",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._show_event(self.seq_spin.value())

    def _show_event(self, seq: int) -> None:
        evs = self.session.events
        self.event_label.setText(self.session.describe(evs[seq - 1]) if 1 <= seq <= len(evs)
                                 else "")

    def values(self) -> tuple[int, str, str]:
        return self.seq_spin.value(), self.text_edit.toPlainText().strip(), \
            self.author_edit.text().strip()

    def accept(self) -> None:
        if not self.values()[1]:
            messages.show_info(self, "Empty note", "Write the note first.")
            return
        QSettings().setValue(AUTHOR_KEY, self.author_edit.text().strip())
        super().accept()


class AnnotationsPanel(QWidget):
    """Every note of the session, in event order; the cursor's own notes in bold. Add at
    the cursor, edit, delete, or go to a note's event (double-click)."""

    seekRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller: TrainerActions | None = None
        self.session: Session | None = None
        self.model: ReplayModel | None = None
        self.notes: list[Any] = []
        lay = QVBoxLayout(self)
        self.heading = QLabel("Notes pinned to events (kept apart from the record)")
        set_cls(self.heading, "h2")
        lay.addWidget(self.heading)
        self.list = QListWidget()
        self.list.setObjectName("annotationList")
        self.list.setWordWrap(True)
        self.list.itemDoubleClicked.connect(lambda _it: self.go_to())
        self.list.itemSelectionChanged.connect(self._update_buttons)
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add a note…")
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton("Delete")
        self.goto_button = QPushButton("Go to its event")
        self.add_button.clicked.connect(lambda: self.controller and self.controller.annotate())
        self.edit_button.clicked.connect(
            lambda: self.controller and self.selected_id() is not None
            and self.controller.edit_note(self.selected_id()))
        self.delete_button.clicked.connect(
            lambda: self.controller and self.selected_id() is not None
            and self.controller.delete_note(self.selected_id()))
        self.goto_button.clicked.connect(self.go_to)
        for b in (self.add_button, self.edit_button, self.delete_button, self.goto_button):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self._update_buttons()

    def set_replay(self, model: ReplayModel | None) -> None:
        self.model = model
        self.set_session(None if model is None else model.session)

    def set_session(self, session: Session | None) -> None:
        self.session = session
        self.goto_button.setVisible(self.model is not None)
        self.reload()

    def reload(self) -> None:
        """Re-read the notes from the session file."""
        self.notes = []
        labels: dict[int, str] = {}
        if self.session is not None:
            from ..app.annotations import author_label, list_annotations

            self.notes = list(list_annotations(self.session))
            labels = {a.id: author_label(self.session, a) for a in self.notes}
        if self.model is not None:
            self.model.set_marks(self.notes)
        keep = self.selected_id()
        self.list.clear()
        for a in self.notes:
            who = f" · {labels[a.id]}"
            item = QListWidgetItem(f"Event {a.seq}{who}\n{a.text}")
            item.setData(ID_ROLE, a.id)
            item.setToolTip(self._describe(a.seq))
            self.list.addItem(item)
            if a.id == keep:
                item.setSelected(True)
        if not self.notes:
            item = QListWidgetItem("No notes yet. Add one to point out a moment to the class.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)
        self.follow_cursor()
        self._update_buttons()

    def _describe(self, seq: int) -> str:
        s = self.session
        return s.describe(s.events[seq - 1]) if s is not None and 1 <= seq <= len(s.events) \
            else ""

    def follow_cursor(self) -> None:
        if self.model is None:
            return
        at = self.model.cursor
        for k in range(self.list.count()):
            it = self.list.item(k)
            note = next((a for a in self.notes if a.id == it.data(ID_ROLE)), None)
            f = it.font()
            bold = note is not None and note.seq == at
            if f.bold() != bold:
                f.setBold(bold)
                it.setFont(f)

    def texts(self) -> list[str]:
        return [a.text for a in self.notes]

    def selected_id(self) -> int | None:
        items = self.list.selectedItems()
        return items[0].data(ID_ROLE) if items else None

    def select(self, note_id: int) -> bool:
        for k in range(self.list.count()):
            if self.list.item(k).data(ID_ROLE) == note_id:
                self.list.setCurrentRow(k)
                return True
        return False

    def go_to(self) -> None:
        nid = self.selected_id()
        note = next((a for a in self.notes if a.id == nid), None)
        if note is not None and self.model is not None:
            self.seekRequested.emit(note.seq)

    def _update_buttons(self) -> None:
        has = self.selected_id() is not None
        self.add_button.setEnabled(self.session is not None)
        for b in (self.edit_button, self.delete_button, self.goto_button):
            b.setEnabled(has)


class HotWashPanel(QWidget):
    """After the last phase: what worked and what each team would change, answered per
    team and kept as annotations."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller: TrainerActions | None = None
        self.session: Session | None = None
        self.model: ReplayModel | None = None
        self.edits: dict[tuple[str, str], QPlainTextEdit] = {}
        lay = QVBoxLayout(self)
        self.heading = QLabel("Hot wash")
        set_cls(self.heading, "h2")
        lay.addWidget(self.heading)
        self.note = QLabel()
        self.note.setWordWrap(True)
        set_cls(self.note, "muted")
        lay.addWidget(self.note)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        lay.addWidget(self.scroll, 1)
        row = QHBoxLayout()
        self.saved_label = QLabel()
        row.addWidget(self.saved_label, 1)
        self.save_button = QPushButton("Save the answers as notes")
        self.save_button.clicked.connect(lambda: self.controller and self.controller.save_hotwash())
        row.addWidget(self.save_button)
        lay.addLayout(row)
        self.set_session(None)

    def set_session(self, session: Session | None, model: ReplayModel | None = None) -> None:
        self.session, self.model = session, model
        self.edits = {}
        body = QWidget()
        form = QVBoxLayout(body)
        if session is not None:
            from ..app.annotations import HOTWASH_PROMPTS

            teams = session.teams
            for r in session.scenario.roles:
                if not r.is_player:
                    continue
                box = QGroupBox(f"{r.name}{' — ' + teams[r.id] if r.id in teams else ''}")
                bl = QVBoxLayout(box)
                for key, question in HOTWASH_PROMPTS:
                    q = QLabel(question)
                    q.setWordWrap(True)
                    bl.addWidget(q)
                    edit = QPlainTextEdit()
                    edit.setFixedHeight(64)
                    edit.setPlaceholderText(f"{r.name}: the team's answer")
                    bl.addWidget(edit)
                    self.edits[(r.id, key)] = edit
                form.addWidget(box)
        form.addStretch(1)
        self.scroll.setWidget(body)
        self.saved_label.setText("")
        self.follow_cursor()

    def reached(self) -> bool:
        """Has the session's last phase started (by the cursor, in replay)?"""
        s = self.session
        if s is None:
            return False
        last = len(s.scenario.phases) - 1
        if self.model is not None:
            b = self.model.bookmark_at()
            return b is not None and b.phase_index >= last
        return s.state.phase_index >= last

    def follow_cursor(self) -> None:
        on = self.reached()
        s = self.session
        if s is None:
            self.note.setText("No session.")
        elif on:
            self.note.setText("Ask each team what worked and what they would change; their "
                              "answers are kept as notes at the last event, apart from the "
                              "record, and go into the after-action report.")
        else:
            self.note.setText(f"The hot wash follows the last phase: it opens once phase "
                              f"{len(s.scenario.phases)} has started"
                              + (" (move the cursor there)." if self.model is not None else "."))
        self.scroll.setEnabled(on)
        self.save_button.setEnabled(on)

    def answers(self) -> list[tuple[str, str, str]]:
        return [(rid, key, e.toPlainText().strip()) for (rid, key), e in self.edits.items()
                if e.toPlainText().strip()]

    def clear(self) -> None:
        for e in self.edits.values():
            e.clear()


class AnnotationsDialog(QDialog):
    """The live session's notes (Edit → Annotations…)."""

    def __init__(self, trainer: TrainerActions, session: Session):
        super().__init__(trainer.window)
        self.setWindowTitle("Notes")
        self.resize(720, 520)
        lay = QVBoxLayout(self)
        self.panel = AnnotationsPanel(self)
        self.panel.controller = trainer
        self.panel.set_session(session)
        lay.addWidget(self.panel)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


class HotWashDialog(QDialog):
    """The hot wash for a live session (Edit → Hot wash…)."""

    def __init__(self, trainer: TrainerActions, session: Session):
        super().__init__(trainer.window)
        self.setWindowTitle("Hot wash")
        self.resize(760, 640)
        lay = QVBoxLayout(self)
        self.panel = HotWashPanel(self)
        self.panel.controller = trainer
        self.panel.set_session(session)
        lay.addWidget(self.panel)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


# --------------------------------------------------------------------------- report


class ExportDialog(QDialog):
    """Export the after-action report: as which viewer, and where (the suffix picks the
    format)."""

    def __init__(self, trainer: TrainerActions, session: Session, viewer: str = "control"):
        super().__init__(trainer.window)
        self.trainer = trainer
        self.session = session
        self.setWindowTitle("Export the after-action report")
        self.setMinimumWidth(640)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.viewer_combo = QComboBox()
        self.viewer_combo.addItem("Control (everything)", "control")
        self.viewer_combo.addItem("Audience (public only)", "audience")
        for r in session.scenario.roles:
            if r.is_player:
                self.viewer_combo.addItem(f"{r.name} (what this team saw)", r.id)
        k = self.viewer_combo.findData(viewer)
        self.viewer_combo.setCurrentIndex(max(0, k))
        form.addRow("Report as seen by", self.viewer_combo)
        row = QHBoxLayout()
        self.path_edit = QLineEdit(str(session.path.with_name(session.path.stem + "-report.html")))
        row.addWidget(self.path_edit, 1)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        row.addWidget(browse)
        form.addRow("File", row)
        hint = QLabel("The file's ending picks the format: .html (a web page with the charts), "
                      ".pdf, .csv or .json (the events, as the chosen viewer saw them).")
        hint.setWordWrap(True)
        set_cls(hint, "muted")
        form.addRow("", hint)
        lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.written: Path | None = None

    def _browse(self) -> None:
        path = self.trainer.ask_save_path("Export the report", self.path_edit.text(),
                                          ";;".join(REPORT_FILTERS.values()))
        if path:
            self.path_edit.setText(path)

    def accept(self) -> None:
        p = Path(self.path_edit.text().strip()).expanduser()
        if p.suffix.lower() not in REPORT_FILTERS:
            messages.show_info(self, "Which format?", f"{p.name} does not end in .html, .pdf, "
                               ".csv or .json: the ending picks the report's format.")
            return
        out = self.trainer.write_report(p, self.viewer_combo.currentData() or "control", self)
        if out is not None:
            self.written = out
            super().accept()


# --------------------------------------------------------------------------- actions


class TrainerActions:
    """The trainer's menu entries and what they do; see the module docstring."""

    def __init__(self, window: MainWindow):
        self.window = window
        self.page: ReplayPage | None = None
        self.model: ReplayModel | None = None
        self.replay_session: Session | None = None
        w = window
        self.open_replay_action = w._action("Open for &replay…", self.open_replay_dialog,
                                            "Ctrl+Shift+O", "Open a session read-only, to "
                                            "step through it, view it as a team and annotate it")
        self.fork_action = w._action("&Continue from here as a new session…", self.fork_here,
                                     tip="A new session holding the record up to this event, "
                                         "which then continues live")
        self.export_action = w._action("&Export report…", self.export_report, "Ctrl+E",
                                       "The after-action report as HTML, PDF, CSV or JSON")
        self.annotate_action = w._action("&Annotate an event…", self.annotate, "Ctrl+Shift+A",
                                         "A note pinned to an event, kept apart from the record")
        self.notes_action = w._action("Notes…", self.show_notes)
        self.hotwash_action = w._action("&Hot wash…", self.show_hotwash)
        self.session_actions = [self.fork_action, self.export_action, self.annotate_action,
                                self.notes_action, self.hotwash_action]
        import importlib.util

        #: the report writer ships with the reports; without it the entry is not offered
        self.export_action.setVisible(
            importlib.util.find_spec(f"{__package__}.report_export") is not None)
        self.update_actions()

    # ------------------------------------------------------------------ state
    @property
    def replaying(self) -> bool:
        return self.model is not None

    def current(self) -> Session | None:
        """The session the trainer's commands act on: the replay, else the live one."""
        return self.replay_session if self.replaying else self.window.session

    def cursor(self) -> int:
        """The event the commands act at: the replay cursor, else the last event."""
        if self.model is not None:
            return self.model.cursor
        s = self.window.session
        return 0 if s is None else s.store.last_seq

    def update_actions(self) -> None:
        on = self.current() is not None
        for a in self.session_actions:
            a.setEnabled(on)

    def ask_save_path(self, title: str, suggested: str, filters: str) -> str | None:
        """A file name to write (None if cancelled); existing files are dealt with by the
        caller, so the dialog itself does not ask."""
        path, _ = QFileDialog.getSaveFileName(
            self.window, title, suggested, filters,
            options=QFileDialog.Option.DontConfirmOverwrite)
        return path or None

    # ------------------------------------------------------------------ replay
    def open_replay_dialog(self) -> None:
        from .dialogs import SESSION_FILTER as FILTER

        s = self.current()
        start = str(s.path.parent) if s else \
            str(QSettings().value("paths/last_session_dir", "") or Path.home())
        path, _ = QFileDialog.getOpenFileName(self.window, "Open a session for replay", start,
                                              FILTER)
        if path:
            self.open_replay(path)

    def open_replay(self, path: str | Path, reason: str = "", at: int | None = None) -> bool:
        """Open ``path`` for replay in the window (closing what was shown)."""
        from ..app.session import Session, SessionFileError

        p = Path(path).expanduser()
        opener = getattr(Session, "open_replay", None)
        try:
            session = opener(p) if opener is not None else Session.open(p, readonly=True)
        except SessionFileError as exc:
            messages.show_error(self.window, "Cannot open the session", str(exc))
            return False
        except OSError as exc:
            messages.show_error(self.window, "Cannot open the session",
                                f"{p}: {exc.strerror or exc}")
            return False
        try:
            from ..app.replay import ReplayModel

            self.window.setCursor(Qt.CursorShape.WaitCursor)
            try:
                model = ReplayModel(session)
            finally:
                self.window.unsetCursor()
        except Exception as exc:  # a session that passed its checks but cannot be folded
            session.close()
            log.exception("replay of %s failed", p)
            messages.show_error(self.window, "Cannot replay the session", f"{p}: {exc}")
            return False
        self.show_replay(session, model, reason, at)
        return True

    def show_replay(self, session: Session, model: ReplayModel, reason: str = "",
                    at: int | None = None) -> None:
        w = self.window
        if w.session is not None:
            w.close_session()
        old = self.replay_session
        page = self._ensure_page()
        self.replay_session, self.model = session, model
        page.set_replay(model, reason, at)
        page.attach_projector(w.projector)
        if old is not None and old is not session:
            old.close()
        w.pages.setCurrentWidget(page)
        w._add_recent(session.path)
        w.setWindowTitle(f"{session.path.name} [replay] — {session.scenario.scenario.title} — "
                         "PeaceTable")
        w.setWindowFilePath(str(session.path))
        w.status_label.setText(f"{session.path} · replay: read-only, {model.last} events · "
                               "←/→ step, PgUp/PgDn phase, Home/End, Space play")
        for a in w.session_actions:
            if a in (w.close_action, w.projector_action, w.briefing_action):
                a.setEnabled(True)
        self.update_actions()
        log.info("replay open: %s (%d events)", session.path, model.last)

    def _ensure_page(self) -> ReplayPage:
        if self.page is None:
            from .replay_page import ReplayPage

            self.page = ReplayPage()
            self.page.annotateRequested.connect(self.annotate)
            self.page.forkRequested.connect(self.fork_here)
            self.page.exportRequested.connect(self.export_report)
            self.page.annotations.controller = self
            self.page.hotwash.controller = self
            self.window.pages.addWidget(self.page)
        return self.page

    def close_replay(self) -> bool:
        """Close the replay if one is shown; True if it was."""
        if self.replay_session is None:
            return False
        s = self.replay_session
        self.replay_session = self.model = None
        if self.page is not None:
            self.page.set_replay(None)
        s.close()
        w = self.window
        w.pages.setCurrentWidget(w.welcome)
        w._session_changed(w.session)
        self.update_actions()
        return True

    # ------------------------------------------------------------------ annotations
    def _writable_for_notes(self) -> Session | None:
        """The session to write notes to: the current one, or, where its file cannot take
        notes, a copy the trainer agreed to save (opened for replay at the same event)."""
        s = self.current()
        if s is None:
            return None
        note = getattr(s, "replay_note", None)
        if not note:
            return s
        if not ask(self.window, "Notes cannot be saved in this file",
                   f"{s.path.name} cannot take notes: {note}.",
                   "Save a copy…",
                   "Save a copy of the session and annotate the copy? The copy opens for "
                   "replay at the same event."):
            return None
        suggested = str(Path.home() / f"{s.path.stem}-notes.peacetable") \
            if not writable(s.path) else str(s.path.with_name(f"{s.path.stem}-notes.peacetable"))
        out = self.ask_save_path("Save a copy to annotate", suggested, SESSION_FILTER)
        if not out:
            return None
        out_p = Path(out).expanduser()
        if out_p.suffix.lower() != ".peacetable":
            out_p = out_p.with_name(out_p.name + ".peacetable")
        if out_p.exists():
            messages.show_error(self.window, "File exists",
                                f"{out_p} already exists; choose another name for the copy.")
            return None
        from ..app.annotations import AnnotationError, save_copy

        try:
            copy = save_copy(s, out_p)
        except (AnnotationError, OSError, ValueError) as exc:
            messages.show_error(self.window, "Could not save a copy", str(exc))
            return None
        if not self.open_replay(copy, reason=f"This is a copy of {s.path.name}, for notes.",
                                at=self.cursor()):
            return None
        return self.replay_session

    def annotate(self, seq: int | None = None) -> AnnotationDialog | None:
        """Ask for a note on event ``seq`` (default: the cursor, live the last event) and
        add it. Returns the dialog after it closed (for tests), None if nothing asked."""
        if self.current() is None:
            return None
        at = self.cursor() if seq is None else int(seq)
        if at < 1:
            messages.show_info(self.window, "No event here", "Move the cursor to an event "
                               "first: a note is pinned to an event.")
            return None
        s = self._writable_for_notes()
        if s is None:
            return None
        dlg = AnnotationDialog(self.window, s, at)
        self.last_dialog = dlg
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.accepted.connect(lambda: self._add_note(s, dlg))
        dlg.open()
        return dlg

    def _add_note(self, s: Session, dlg: AnnotationDialog) -> None:
        from ..app.annotations import AnnotationError, add_annotation

        seq, text, author = dlg.values()
        try:
            add_annotation(s, seq, text, author=author)
        except (AnnotationError, ValueError) as exc:
            messages.show_error(self.window, "The note was not saved", str(exc))
            return
        self._notes_changed()

    def edit_note(self, note_id: int) -> AnnotationDialog | None:
        from ..app.annotations import list_annotations

        s = self._writable_for_notes()
        if s is None:
            return None
        note = next((a for a in list_annotations(s) if a.id == note_id), None)
        if note is None:
            return None
        dlg = AnnotationDialog(self.window, s, note.seq, note.text, note.author, editing=True)
        self.last_dialog = dlg
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.accepted.connect(lambda: self._edit_note(s, note_id, dlg))
        dlg.open()
        return dlg

    def _edit_note(self, s: Session, note_id: int, dlg: AnnotationDialog) -> None:
        from ..app.annotations import AnnotationError, edit_annotation

        try:
            edit_annotation(s, note_id, dlg.values()[1])
        except (AnnotationError, ValueError) as exc:
            messages.show_error(self.window, "The note was not changed", str(exc))
            return
        self._notes_changed()

    def delete_note(self, note_id: int) -> bool:
        from ..app.annotations import AnnotationError, delete_annotation, list_annotations

        s = self._writable_for_notes()
        if s is None:
            return False
        note = next((a for a in list_annotations(s) if a.id == note_id), None)
        if note is None:
            return False
        short = note.text if len(note.text) <= 80 else note.text[:79] + "…"
        if not ask(self.window, "Delete the note?", f"Delete the note at event {note.seq}?",
                   "Delete", short):
            return False
        try:
            delete_annotation(s, note_id)
        except (AnnotationError, ValueError) as exc:
            messages.show_error(self.window, "The note was not deleted", str(exc))
            return False
        self._notes_changed()
        return True

    def _notes_changed(self) -> None:
        if self.page is not None and self.replaying:
            self.page.reload_marks()
        for dlg in self.window.findChildren(AnnotationsDialog):
            dlg.panel.reload()

    def show_notes(self) -> QDialog | None:
        s = self.current()
        if s is None:
            return None
        if self.replaying and self.page is not None:
            self.page.top_tabs.setCurrentWidget(self.page.annotations)
            return None
        dlg = AnnotationsDialog(self, s)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    # ------------------------------------------------------------------ hot wash
    def show_hotwash(self) -> QDialog | None:
        s = self.current()
        if s is None:
            return None
        if self.replaying and self.page is not None:
            self.page.top_tabs.setCurrentWidget(self.page.hotwash)
            return None
        dlg = HotWashDialog(self, s)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.hotwash_dialog = dlg
        dlg.open()
        return dlg

    def save_hotwash(self) -> int:
        """Save the hot wash answers typed in the panel shown; returns how many."""
        panel = self.page.hotwash if self.replaying and self.page is not None else \
            getattr(getattr(self, "hotwash_dialog", None), "panel", None)
        if panel is None:
            return 0
        answers = panel.answers()
        if not answers:
            messages.show_info(self.window, "Hot wash", "Type at least one team's answer first.")
            return 0
        s = self._writable_for_notes()
        if s is None:
            return 0
        from ..app.annotations import AnnotationError, add_hotwash

        n = 0
        try:
            for rid, key, text in answers:
                add_hotwash(s, rid, key, text)
                n += 1
        except (AnnotationError, ValueError) as exc:
            messages.show_error(self.window, "Not all answers were saved", str(exc))
        if self.replaying and self.page is not None:
            panel = self.page.hotwash  # a copy may have opened: its page takes the answers
        panel.clear()
        panel.saved_label.setText(f"{n} answer{'s' if n != 1 else ''} saved as notes.")
        self._notes_changed()
        return n

    # ------------------------------------------------------------------ fork
    def fork_here(self, out: str | Path | None = None) -> Path | None:
        """Continue from the cursor as a new session: ask for its file, fork, open it live."""
        s = self.current()
        if s is None:
            return None
        at = self.cursor()
        if out is None:
            suggested = s.path.with_name(f"{s.path.stem}-from-{at}.peacetable")
            if not writable(s.path):
                suggested = Path.home() / suggested.name
            out = self.ask_save_path(f"Continue from event {at} as a new session",
                                     str(suggested), SESSION_FILTER)
            if not out:
                return None
        p = Path(out).expanduser()
        if p.suffix.lower() != ".peacetable":
            p = p.with_name(p.name + ".peacetable")
        if p.exists():
            messages.show_error(self.window, "File exists", f"{p} already exists. A new "
                                "session needs a new file: choose another name.")
            return None
        from ..app.fork import fork_session
        from ..app.session import SessionFileError

        try:
            child = fork_session(s.path, at, p)
        except (SessionFileError, OSError, ValueError) as exc:
            messages.show_error(self.window, "Could not continue from here", str(exc))
            return None
        self.close_replay()
        if not self.window.open_session(child):
            return None
        self.window.statusBar().showMessage(
            f"New session {Path(child).name}: the record of {s.path.name} up to event {at}, "
            "continuing live", 8000)
        return Path(child)

    # ------------------------------------------------------------------ report
    def export_report(self) -> ExportDialog | None:
        s = self.current()
        if s is None:
            return None
        viewer = self.page.viewer() if self.replaying and self.page is not None else "control"
        dlg = ExportDialog(self, s, viewer)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.export_dialog = dlg
        dlg.open()
        return dlg

    def write_report(self, path: Path, viewer: str, parent: QWidget | None = None) -> Path | None:
        s = self.current()
        if s is None:
            return None
        force = False
        if path.exists():
            if not ask(parent or self.window, "Replace the file?",
                       f"{path.name} already exists in {path.parent}.", "Replace",
                       "Replacing it overwrites the file with the new report."):
                return None
            force = True
        from .report_export import write_report

        self.window.setCursor(Qt.CursorShape.WaitCursor)
        try:
            out = write_report(s, path, viewer=viewer, force=force)
        except Exception as exc:  # any failure is a message; nothing else is touched
            log.exception("report %s failed", path)
            messages.show_error(parent or self.window, "The report was not written",
                                f"{path}: {exc}")
            return None
        finally:
            self.window.unsetCursor()
        self.window.statusBar().showMessage(f"Report written: {out}", 8000)
        return Path(out)
