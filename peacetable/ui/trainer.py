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
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import QSettings

from . import messages, style

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtWidgets import QDialog, QWidget

    from ..app.replay import ReplayModel
    from ..app.session import Session
    from .main_window import MainWindow
    from .replay_page import ReplayPage
    from .trainer_panels import AnnotationDialog, ExportDialog

log = logging.getLogger("peacetable.ui")

SESSION_FILTER = "PeaceTable sessions (*.peacetable)"


def _panels():
    from . import trainer_panels  # the dialogs and panels: loaded when first needed

    return trainer_panels


def _widgets():
    from PySide6 import QtWidgets

    return QtWidgets


def writable(path: Path) -> bool:
    """May this user write the session file and its folder (SQLite writes beside it)?"""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def ask(parent: QWidget | None, title: str, text: str, yes: str, detail: str = "") -> bool:
    """A question with one action button and Cancel; True if the action was chosen."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, title, f"{text}\n\n{detail}" if detail else text,
                      QMessageBox.StandardButton.Cancel, parent)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)  # what users typed is shown as typed
    button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is button


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
        path, _ = _widgets().QFileDialog.getSaveFileName(
            self.window, title, suggested, filters,
            options=_widgets().QFileDialog.Option.DontConfirmOverwrite)
        return path or None

    # ------------------------------------------------------------------ replay
    def open_replay_dialog(self) -> None:
        from .dialogs import SESSION_FILTER as FILTER

        s = self.current()
        start = str(s.path.parent) if s else \
            str(QSettings().value("paths/last_session_dir", "") or Path.home())
        path, _ = _widgets().QFileDialog.getOpenFileName(
            self.window, "Open a session for replay", start, FILTER)
        if path:
            self.open_replay(path)

    def open_replay(self, path: str | Path, reason: str = "", at: int | None = None) -> bool:
        """Open ``path`` for replay in the window (closing what was shown)."""
        from ..app.session import Session, SessionFileError

        p = Path(path).expanduser()
        try:
            # the replay model folds the record once and gives the session its state
            session = Session.open_replay(p, defer_state=True)
        except SessionFileError as exc:
            messages.show_error(self.window, "Cannot open the session", str(exc))
            return False
        except OSError as exc:
            messages.show_error(self.window, "Cannot open the session",
                                f"{p}: {exc.strerror or exc}")
            return False
        try:
            from ..app.replay import ReplayModel

            self.window.setCursor(QtCore.Qt.CursorShape.WaitCursor)
            try:
                # a file from someone else: every event checked against the chain and the
                # scenario before any view reads it (opening read-only checks the chain of
                # what it reads, not what each event names)
                check = session.verify_record()
                if not check.intact:
                    raise SessionFileError(f"{p}: {check.message}; the file was not changed")
                model = ReplayModel(session)
            finally:
                self.window.unsetCursor()
        except SessionFileError as exc:
            session.close()
            messages.show_error(self.window, "Cannot open the session", str(exc))
            return False
        except Exception as exc:  # a session that passed its checks but cannot be folded
            check = session.verify_record()
            session.close()
            if not check.intact:  # the record is broken: say where
                messages.show_error(self.window, "Cannot open the session",
                                    f"{p}: {check.message}")
                return False
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
        w.status_label.setText(f"{style.shown_path(session.path)} · replay: read-only, {model.last} events · "
                               "←/→ step, PgUp/PgDn phase, Home/End, Space play")
        for a in w.session_actions:
            if a in (w.close_action, w.projector_action, w.briefing_action):
                a.setEnabled(True)
        self.update_actions()
        w.warning_box = messages.notify_warnings(w, "Opened with a warning", session.warnings)
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
        dlg = _panels().AnnotationDialog(self.window, s, at)
        self.last_dialog = dlg
        dlg.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
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
        dlg = _panels().AnnotationDialog(self.window, s, note.seq, note.text, note.author,
                                         editing=True)
        self.last_dialog = dlg
        dlg.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
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
        for dlg in self.window.findChildren(_panels().AnnotationsDialog):
            dlg.panel.reload()

    def show_notes(self) -> QDialog | None:
        s = self.current()
        if s is None:
            return None
        if self.replaying and self.page is not None:
            self.page.top_tabs.setCurrentWidget(self.page.annotations)
            return None
        dlg = _panels().AnnotationsDialog(self, s)
        dlg.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
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
        dlg = _panels().HotWashDialog(self, s)
        dlg.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
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
        dlg = _panels().ExportDialog(self, s, viewer)
        dlg.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
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

        self.window.setCursor(QtCore.Qt.CursorShape.WaitCursor)
        try:
            out = write_report(s, path, viewer=viewer, force=force)
        except Exception as exc:  # any failure is a message; nothing else is touched
            log.exception("report %s failed", path)
            messages.show_error(parent or self.window, "The report was not written",
                                f"{path}: {exc}")
            return None
        finally:
            self.window.unsetCursor()
        self.window.statusBar().showMessage(f"Report written: {style.shown_path(out)}", 8000)
        return Path(out)
