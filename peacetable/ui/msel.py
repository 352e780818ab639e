"""The MSEL timeline: the current phase's scheduled injects and the reserve.

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
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain import commands as C
from .dialogs import InjectDialog
from .move_entry import set_combo_data
from .style import DUE_COLOUR, mmss, set_cls

if TYPE_CHECKING:  # pragma: no cover
    from ..app.session import Session
    from ..domain.scenario import Inject
    from .bridge import SessionBridge

ID_ROLE = Qt.ItemDataRole.UserRole
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
        self.tree.setHeaderLabels(["Due", "Inject", "Who hears it", "Status"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        h = self.tree.header()
        h.setStretchLastSection(False)
        for c in (0, 2, 3):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
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
        if s is not None:
            sc = s.scenario
            if s.state.phase is not None:
                phase = sc.phase_by_id[s.state.phase]
                group = QTreeWidgetItem([f"Phase {s.state.phase_index + 1}", phase.label, "", ""])
            else:
                group = QTreeWidgetItem(["", "Scheduled injects start with phase 1", "", ""])
            self._group_font(group)
            self.tree.addTopLevelItem(group)
            for row in self.bridge.injects_due():
                inj = sc.inject_by_id[row["id"]]
                item = QTreeWidgetItem([mmss(inj.at_minute * 60), inj.title, who_hears(s, inj), ""])
                item.setData(0, ID_ROLE, inj.id)
                group.addChild(item)
                self._items[inj.id] = item
            reserve = [i for i in sc.injects if i.id not in sc.inject_phase]
            if reserve:
                rgroup = QTreeWidgetItem(["", "Reserve: fire when the game needs it", "", ""])
                self._group_font(rgroup)
                self.tree.addTopLevelItem(rgroup)
                for inj in reserve:
                    item = QTreeWidgetItem(["any time", inj.title, who_hears(s, inj), ""])
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
        for c in range(4):
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
            self.header.setText(f"MSEL · phase clock {mmss(elapsed)}"
                                + ("" if running else " (paused)"))
        due_rows = {r["id"]: r for r in self.bridge.injects_due()}
        n_due = 0
        for iid, item in self._items.items():
            fired = s.state.injects_fired.get(iid)
            row = due_rows.get(iid)
            if fired is not None:
                status = f"fired (event {fired})"
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
            for c in range(4):
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
        eff += [f"{s.scenario.issue_by_id[k].label}: {v}" for k, v in inj.effects.issues.items()]
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
        self.fire_button.setEnabled(writable and iid is not None
                                    and iid not in s.state.injects_fired)
        self.new_button.setEnabled(writable)
        self.record_button.setEnabled(writable and self.fired_combo.currentData() is not None
                                      and bool(self.action_edit.text().strip()))

    # ------------------------------------------------------------------ commands
    def fire_selected(self) -> list | None:
        iid = self.selected_inject()
        if iid is None:
            return None
        return self.bridge.execute(C.FireInject(id=iid), parent=self.window())

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
