"""The MSEL timeline: every phase's scheduled injects (as control rescheduled them) and the
reserve; delay, reschedule, edit before firing and skip, each recorded.

Each scheduled inject shows when it is due on the phase clock; the ones due now are
highlighted (``session.injects_due()``, through the bridge's clock, every second). Fire one now, fire an
unscheduled inject written on the spot, or record what a team actually did in answer to
a fired inject (for the debrief). Reserve injects (not scheduled in any phase) can be
fired at any time.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain import commands as C
from ..domain.calendar import carried_date, date_label, short_date_label, span_label
from ..domain.views import acts_text

#: minutes the Delay button adds
DELAY_MINUTES = 5
from .dialogs import InjectDialog
from .move_entry import set_combo_data
from .style import DUE_COLOUR, mmss, set_cls

if TYPE_CHECKING:  # pragma: no cover
    from ..app.session import Session
    from ..domain.scenario import Inject
    from .bridge import SessionBridge

ID_ROLE = Qt.ItemDataRole.UserRole
#: the in-game date column (the last one in the model, shown second)
DATE_COL = 4
VIS_LABELS = {"public": "everyone", "control": "control only", "targets": "targets only"}


def who_hears(s: Session, inj: Inject) -> str:
    if inj.visibility == "targets":
        return ", ".join(s.scenario.role_by_id[r].name for r in inj.targets if r in s.scenario.role_by_id)
    return VIS_LABELS[inj.visibility]


class MselPanel(QWidget):
    #: how many scheduled injects are due now (emitted by every tick)
    dueChanged = Signal(int)

    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.dialog: InjectDialog | None = None
        self.n_due = 0
        lay = QVBoxLayout(self)
        self.header = QLabel()
        set_cls(self.header, "h2")
        lay.addWidget(self.header)

        split = QSplitter(Qt.Orientation.Horizontal)
        lay.addWidget(split, 1)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Due", "Inject", "Who hears it", "Status", "In the story"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        h = self.tree.header()
        h.setStretchLastSection(False)
        for c in (0, 2, 3, DATE_COL):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        h.moveSection(h.visualIndex(DATE_COL), 1)  # the day in the story, after the due time
        self.tree.headerItem().setToolTip(DATE_COL, "The in-game date of each phase and inject "
                                                    "(from the scenario)")
        self.tree.currentItemChanged.connect(lambda *_a: self._show_selected())
        self.tree.itemDoubleClicked.connect(lambda *_a: self.fire_selected())
        split.addWidget(self.tree)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.detail = QLabel("Select an inject.")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        detail_scroll = QScrollArea()
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        detail_scroll.setWidget(self.detail)
        rl.addWidget(detail_scroll, 1)
        row = QHBoxLayout()
        self.fire_button = QPushButton("Fire now")
        set_cls(self.fire_button, "primary")
        self.fire_button.clicked.connect(self.fire_selected)
        self.new_button = QPushButton("Unscheduled inject…")
        self.new_button.clicked.connect(self.open_inject_dialog)
        row.addWidget(self.fire_button)
        row.addWidget(self.new_button)
        rl.addLayout(row)
        row = QHBoxLayout()
        self.delay_button = QPushButton(f"Delay {DELAY_MINUTES} min")
        self.delay_button.setToolTip(f"Move the selected inject {DELAY_MINUTES} minutes later "
                                     "in its phase (recorded)")
        self.delay_button.clicked.connect(lambda: self.delay_selected())
        self.reschedule_button = QPushButton("Reschedule…")
        self.reschedule_button.setToolTip("Move the selected inject to another minute or a "
                                          "later phase (recorded)")
        self.reschedule_button.clicked.connect(lambda: self.open_reschedule_dialog())
        self.edit_button = QPushButton("Edit and fire…")
        self.edit_button.setToolTip("Change the inject's text before it is read out, then fire it")
        self.edit_button.clicked.connect(lambda: self.open_edit_dialog())
        self.skip_button = QPushButton("Skip")
        self.skip_button.setToolTip("The selected inject will not be played (recorded; Undo "
                                    "brings it back)")
        self.skip_button.clicked.connect(lambda: self.skip_selected())
        for b in (self.delay_button, self.reschedule_button, self.edit_button, self.skip_button):
            row.addWidget(b)
        rl.addLayout(row)
        split.addWidget(right)
        split.setSizes([620, 380])

        box = QGroupBox("Record what a team did in answer to a fired inject")
        form = QFormLayout(box)
        self.fired_combo = QComboBox()
        self.fired_combo.currentIndexChanged.connect(lambda _i: self._fired_changed())
        form.addRow("Inject", self.fired_combo)
        self.expected_label = QLabel()
        self.expected_label.setWordWrap(True)
        set_cls(self.expected_label, "muted")
        form.addRow("Expected", self.expected_label)
        self.action_role_combo = QComboBox()
        form.addRow("Role", self.action_role_combo)
        row = QHBoxLayout()
        self.action_edit = QLineEdit()
        self.action_edit.setPlaceholderText("what the team actually did")
        self.action_edit.textChanged.connect(lambda _t: self._update_buttons())
        self.record_button = QPushButton("Record")
        self.record_button.clicked.connect(self.record_action)
        row.addWidget(self.action_edit, 1)
        row.addWidget(self.record_button)
        form.addRow("Action", row)
        lay.addWidget(box)

        bridge.sessionChanged.connect(lambda _s: self.refresh())
        bridge.changed.connect(lambda _c: self.refresh())
        self.refresh()

    @property
    def session(self) -> Session | None:
        return self.bridge.session

    # ------------------------------------------------------------------ contents
    def refresh(self) -> None:
        s = self.session
        keep = self.selected_inject()
        self.tree.blockSignals(True)
        self.tree.clear()
        self._items: dict[str, QTreeWidgetItem] = {}
        self._schedule: dict[str, dict] = {}
        self._story_day = None
        if s is not None:
            sc = s.scenario
            schedule = s.inject_schedule()
            self._schedule = {r["id"]: r for r in schedule}
            self._story_day = s.game_date("control")
            current = s.state.phase_index
            if current is None:
                note = QTreeWidgetItem(["", "Scheduled injects start with phase 1", "", ""])
                self._group_font(note)
                self.tree.addTopLevelItem(note)
            for k, phase in enumerate(sc.phases):
                rows = [r for r in schedule if r["phase"] == phase.id]
                if not rows and k != current:
                    continue
                when = " (now)" if k == current else " (over)" if current is not None \
                    and k < current else ""
                day = short_date_label(phase.date)
                if phase.end_date is not None and phase.end_date != phase.date:
                    day += f"–{short_date_label(phase.end_date)}"
                group = QTreeWidgetItem([f"Phase {k + 1}", phase.label + when, "", "", day])
                group.setToolTip(DATE_COL, span_label(phase.date, phase.end_date))
                self._group_font(group)
                self.tree.addTopLevelItem(group)
                for row in rows:
                    inj = sc.inject_by_id[row["id"]]
                    item = QTreeWidgetItem([mmss(row["at_minute"] * 60), inj.title,
                                            who_hears(s, inj), "", short_date_label(row["date"])])
                    item.setToolTip(DATE_COL, date_label(row["date"]) + (
                        f" (rescheduled; planned for {date_label(row['planned_date'])})"
                        if row["date"] != row["planned_date"] else ""))
                    if (row["phase"], row["at_minute"]) != (row["planned_phase"],
                                                            row["planned_minute"]):
                        planned = sc.phase_by_id[row["planned_phase"]].label
                        item.setToolTip(0, f"rescheduled: planned for minute "
                                           f"{row['planned_minute']:g} of {planned}")
                    item.setData(0, ID_ROLE, inj.id)
                    group.addChild(item)
                    self._items[inj.id] = item
            reserve = [i for i in sc.injects if i.id not in sc.inject_phase]
            if reserve:
                rgroup = QTreeWidgetItem(["", "Reserve: fire when the game needs it", "", ""])
                self._group_font(rgroup)
                self.tree.addTopLevelItem(rgroup)
                for inj in reserve:
                    item = QTreeWidgetItem(["any time", inj.title, who_hears(s, inj), "",
                                            short_date_label(inj.date)])
                    item.setToolTip(DATE_COL, date_label(inj.date))
                    item.setData(0, ID_ROLE, inj.id)
                    rgroup.addChild(item)
                    self._items[inj.id] = item
            self.tree.expandAll()
        self.tree.blockSignals(False)
        if keep is None or not self.select_inject(keep):
            self._select_next()
        self._fill_fired()
        self.tick()
        self._show_selected()

    @staticmethod
    def _group_font(item: QTreeWidgetItem) -> None:
        f = QFont(item.font(1))
        f.setBold(True)
        for c in range(DATE_COL + 1):
            item.setFont(c, f)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)

    def tick(self) -> None:
        """Re-read the clock: which injects are due, how long until the others."""
        s = self.session
        if s is None:
            self.header.setText("MSEL")
            self.n_due = 0
            self.dueChanged.emit(0)
            return
        elapsed, running = self.bridge.clock()
        if s.state.phase is None:
            self.header.setText("MSEL · the exercise has not started")
        else:
            day = date_label(getattr(self, "_story_day", None))
            self.header.setText(f"MSEL · phase clock {mmss(elapsed)}"
                                + ("" if running else " (paused)")
                                + (f" · in the story: {day}" if day else ""))
        due_rows = {r["id"]: r for r in self.bridge.injects_due()}
        n_due = 0
        for iid, item in self._items.items():
            fired = s.state.injects_fired.get(iid)
            row = due_rows.get(iid)
            planned = self._schedule.get(iid)
            if fired is not None:
                status = f"fired (event {fired})"
                bg = None
                fg = QColor("#777777")
            elif planned is not None and planned["skipped_at"] is not None:
                status = f"skipped (event {planned['skipped_at']})"
                bg = None
                fg = QColor("#777777")
            elif planned is not None and row is None:
                over = s.state.phase_index is not None and \
                    planned["phase_index"] < s.state.phase_index
                status = "not fired" if over else "later phase"
                bg = None
                fg = QColor("#777777")
            elif row is not None and row["due"]:
                status = "DUE NOW"
                bg = QColor(DUE_COLOUR)
                fg = None
                n_due += 1
            elif row is not None:
                status = f"in {mmss(row['at_minute'] * 60 - elapsed)}"
                bg = fg = None
            else:
                status = "reserve"
                bg = fg = None
            item.setText(3, status)
            for c in range(DATE_COL + 1):
                item.setBackground(c, QBrush(bg) if bg else QBrush())
                item.setForeground(c, QBrush(fg) if fg else QBrush())
        if n_due:
            self.header.setText(self.header.text() + f" · {n_due} due now")
        self.n_due = n_due
        self.dueChanged.emit(n_due)
        self._update_buttons()

    def _select_next(self) -> None:
        """Select the inject control most likely wants: the first due, else the next one."""
        s = self.session
        if s is None:
            return
        rows = [r for r in self.bridge.injects_due() if r["fired_at"] is None]
        rows.sort(key=lambda r: (not r["due"], r["at_minute"]))
        if rows:
            self.select_inject(rows[0]["id"])

    def selected_inject(self) -> str | None:
        item = self.tree.currentItem()
        return None if item is None else item.data(0, ID_ROLE)

    def select_inject(self, iid: str) -> bool:
        item = getattr(self, "_items", {}).get(iid)
        if item is None:
            return False
        self.tree.setCurrentItem(item)
        return True

    def _show_selected(self) -> None:
        s = self.session
        iid = self.selected_inject()
        if s is None or iid is None:
            self.detail.setText("Select an inject to see its synopsis." if s else "")
            self._update_buttons()
            return
        inj = s.scenario.inject_by_id[iid]
        e = lambda t: html.escape(str(t), quote=False)
        parts = [f"<p style='font-size:large'><b>{e(inj.title)}</b></p>", f"<p>{e(inj.synopsis)}</p>",
                 f"<p>Heard by: {e(who_hears(s, inj))}"]
        if inj.targets:
            parts.append(" · targets: " + e(", ".join(s.scenario.role_by_id[r].name
                                                      for r in inj.targets)))
        parts.append("</p>")
        if inj.expected_action:
            parts.append(f"<p><b>Expected action:</b> {e(inj.expected_action)}</p>")
        eff = [f"{s.scenario.variable_by_id[k].label} {v:+g}" for k, v in inj.effects.variables.items()]
        eff += [f"leverage of {s.scenario.role_by_id[k].name} {v:+g}"
                for k, v in inj.effects.leverage.items()]
        if inj.effects.acts():
            eff += acts_text(s.scenario, inj.effects.model_dump(), inj.effects.by)
        if eff:
            parts.append(f"<p><b>Effects:</b> {e('; '.join(eff))}</p>")
        self.detail.setText("".join(parts))
        self._update_buttons()

    def _fill_fired(self) -> None:
        s = self.session
        keep = self.fired_combo.currentData()
        self.fired_combo.blockSignals(True)
        self.fired_combo.clear()
        self.action_role_combo.clear()
        if s is not None:
            sc = s.scenario
            for seq in s.state.inject_events:  # scheduled, reserve and unscheduled alike
                body = s.events[seq - 1].body
                extra = "" if body.inject else " (unscheduled)"
                self.fired_combo.addItem(f"#{seq} {body.title}{extra}", seq)
            for r in sc.roles:
                self.action_role_combo.addItem(r.name, r.id)
        if self.fired_combo.count() == 0:
            self.fired_combo.addItem("No inject has been fired yet", None)
        if keep is not None:
            set_combo_data(self.fired_combo, keep)
        self.fired_combo.blockSignals(False)
        self._fired_changed()

    def _fired_changed(self) -> None:
        s = self.session
        seq = self.fired_combo.currentData()
        body = s.events[seq - 1].body if s is not None and seq is not None else None
        self.expected_label.setText((body.expected_action or "—") if body is not None else "")
        if body is not None and body.targets:
            set_combo_data(self.action_role_combo, body.targets[0])
        self._update_buttons()

    def _update_buttons(self) -> None:
        s = self.session
        writable = s is not None and not self.bridge.readonly
        iid = self.selected_inject()
        planned = getattr(self, "_schedule", {}).get(iid) if iid is not None else None
        fireable = writable and iid is not None and iid not in s.state.injects_fired and \
            not (planned is not None and planned["skipped_at"] is not None)
        self.fire_button.setEnabled(fireable)
        self.edit_button.setEnabled(fireable)
        movable = fireable and planned is not None and (
            s.state.phase_index is None or planned["phase_index"] >= s.state.phase_index)
        for b in (self.delay_button, self.reschedule_button, self.skip_button):
            b.setEnabled(movable)
        self.new_button.setEnabled(writable)
        self.record_button.setEnabled(writable and self.fired_combo.currentData() is not None
                                      and bool(self.action_edit.text().strip()))

    # ------------------------------------------------------------------ commands
    def fire_selected(self) -> list | None:
        iid = self.selected_inject()
        if iid is None:
            return None
        return self.bridge.execute(C.FireInject(id=iid), parent=self.window())

    def delay_selected(self, minutes: float = 0) -> list | None:
        iid = self.selected_inject()
        row = self._schedule.get(iid) if iid is not None else None
        if row is None:
            return None
        return self.bridge.execute(C.RescheduleInject(
            id=iid, phase=row["phase"], at_minute=row["at_minute"] + (minutes or DELAY_MINUTES),
            reason=f"delayed {minutes or DELAY_MINUTES:g} minutes"), parent=self.window())

    def skip_selected(self, reason: str = "") -> list | None:
        iid = self.selected_inject()
        if iid is None or iid not in self._schedule:
            return None
        return self.bridge.execute(C.SkipInject(id=iid, reason=reason), parent=self.window())

    def open_reschedule_dialog(self) -> RescheduleDialog | None:
        iid = self.selected_inject()
        s = self.session
        if s is None or iid is None or iid not in self._schedule:
            return None
        self.reschedule_dialog = RescheduleDialog(self, s, self._schedule[iid])
        self.reschedule_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.reschedule_dialog.open()
        return self.reschedule_dialog

    def open_edit_dialog(self) -> EditFireDialog | None:
        iid = self.selected_inject()
        s = self.session
        if s is None or iid is None:
            return None
        self.edit_dialog = EditFireDialog(self, s.scenario.inject_by_id[iid])
        self.edit_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.edit_dialog.open()
        return self.edit_dialog

    def open_inject_dialog(self) -> InjectDialog | None:
        if self.session is None:
            return None
        self.dialog = InjectDialog(self.bridge, self.window())
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.destroyed.connect(lambda *_a: setattr(self, "dialog", None))
        self.dialog.open()
        return self.dialog

    def record_action(self) -> list | None:
        seq = self.fired_combo.currentData()
        if seq is None:
            return None
        events = self.bridge.execute(
            C.RecordAction(inject_event=seq, role=self.action_role_combo.currentData(),
                           text=self.action_edit.text().strip()), parent=self.window())
        if events:
            self.action_edit.clear()
        return events


class RescheduleDialog(QDialog):
    """Move a scheduled inject to a minute of this phase or a later one."""

    def __init__(self, panel: MselPanel, session: Session, row: dict):
        super().__init__(panel.window())
        self.panel = panel
        self.iid = row["id"]
        self.setWindowTitle(f"Reschedule: {row['title']}")
        form = QFormLayout(self)
        self.phase_combo = QComboBox()
        first = session.state.phase_index or 0
        for k, ph in enumerate(session.scenario.phases):
            if k >= first:
                self.phase_combo.addItem(f"Phase {k + 1}: {ph.label}", ph.id)
        set_combo_data(self.phase_combo, row["phase"])
        form.addRow("Phase", self.phase_combo)
        # the in-game day it will happen on in the phase chosen (its own date, or the
        # phase's day nearest to it when that lies outside the phase's days)
        self.session = session
        self.date_label = QLabel()
        self.date_label.setWordWrap(True)
        self.phase_combo.currentIndexChanged.connect(lambda _i: self._show_date())
        self._show_date()
        form.addRow("In the story", self.date_label)
        self.minute_spin = QDoubleSpinBox()
        self.minute_spin.setDecimals(0)
        self.minute_spin.setRange(0, 24 * 60)
        self.minute_spin.setSuffix(" min into the phase")
        self.minute_spin.setValue(row["at_minute"])
        form.addRow("At", self.minute_spin)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("why (for the record; optional)")
        form.addRow("Reason", self.reason_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Reschedule")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _show_date(self) -> None:
        sc = self.session.scenario
        own = sc.inject_by_id[self.iid].date
        day = carried_date(sc, self.iid, self.phase_combo.currentData())
        if own is None:
            self.date_label.setText("not dated")
        elif day == own:
            self.date_label.setText(date_label(day))
        else:
            self.date_label.setText(f"{date_label(day)} — planned for {date_label(own)}, which "
                                    "is outside this phase's days")

    def accept(self) -> None:
        done = self.panel.bridge.execute(C.RescheduleInject(
            id=self.iid, phase=self.phase_combo.currentData(),
            at_minute=float(self.minute_spin.value()), reason=self.reason_edit.text().strip()),
            parent=self)
        if done is not None:
            super().accept()


class EditFireDialog(QDialog):
    """Fire a scheduled or reserve inject with its text edited for the room."""

    def __init__(self, panel: MselPanel, inj):
        super().__init__(panel.window())
        self.panel = panel
        self.iid = inj.id
        self.setWindowTitle(f"Edit and fire: {inj.title}")
        form = QFormLayout(self)
        self.title_edit = QLineEdit(inj.title)
        form.addRow("Title", self.title_edit)
        self.synopsis_edit = QPlainTextEdit(inj.synopsis)
        form.addRow("Synopsis", self.synopsis_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Fire")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        done = self.panel.bridge.execute(C.FireInject(
            id=self.iid, title=self.title_edit.text().strip() or None,
            synopsis=self.synopsis_edit.toPlainText().strip() or None), parent=self)
        if done is not None:
            super().accept()
