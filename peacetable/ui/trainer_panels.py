"""The trainer's dialogs and panels: a note, the notes list, the hot wash, the report
export (see :mod:`peacetable.ui.trainer` for what they are used for).

Imported when a replay or a trainer dialog is first needed, not at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
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
    from .trainer import TrainerActions

REPORT_FILTERS = {".html": "Web page (*.html)", ".pdf": "PDF document (*.pdf)",
                  ".csv": "Spreadsheet, events (*.csv)", ".json": "JSON, events (*.json)"}
AUTHOR_KEY = "trainer/author"
ID_ROLE = Qt.ItemDataRole.UserRole


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


class _PanelDialog(QDialog):
    """A live session's trainer panel in a dialog of its own, with a Close button."""

    def __init__(self, trainer: TrainerActions, session: Session, title: str,
                 size: tuple[int, int], panel):
        super().__init__(trainer.window)
        self.setWindowTitle(title)
        self.resize(*size)
        lay = QVBoxLayout(self)
        self.panel = panel
        self.panel.controller = trainer
        self.panel.set_session(session)
        lay.addWidget(self.panel)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


class AnnotationsDialog(_PanelDialog):
    """The live session's notes (Edit → Annotations…)."""

    def __init__(self, trainer: TrainerActions, session: Session):
        super().__init__(trainer, session, "Notes", (720, 520), AnnotationsPanel())


class HotWashDialog(_PanelDialog):
    """The hot wash for a live session (Edit → Hot wash…)."""

    def __init__(self, trainer: TrainerActions, session: Session):
        super().__init__(trainer, session, "Hot wash", (760, 640), HotWashPanel())


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
