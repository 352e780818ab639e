"""The adjudication queue: moves awaiting the control cell's decision.

Select a move to see everything about it, then accept it, accept it at another magnitude
(modify), reject it with a reason the team will hear, or let chance decide with stated
odds (the draw is recorded and shown). Sealed moves wait here, greyed, until Reveal.
Below, what is in play: tabled proposals (and who has accepted them) and accepted
conditional offers, each of which its role may withdraw.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain import commands as C
from ..domain.events import DiceRolled, MoveAdjudicated, RulingNote
from ..domain.views import acts_text, condition_text, visibility_text
from ..domain.views import package_text as views_package_text
from .move_entry import KIND_LABELS
from .style import SEALED_COLOUR, set_cls

if TYPE_CHECKING:  # pragma: no cover
    from ..app.session import Session
    from ..domain.state import MoveRecord
    from .bridge import SessionBridge

ID_ROLE = Qt.ItemDataRole.UserRole


def move_title(s: Session, m: MoveRecord) -> str:
    tpl = s.scenario.template_by_id.get(m.template)
    return tpl.label if tpl else m.template


def package_text(s: Session, package: dict[str, str]) -> str:
    return views_package_text(s.scenario, package)


def role_name(s: Session, rid: str) -> str:
    r = s.scenario.role_by_id.get(rid)
    return r.name if r else rid


class AdjudicationPanel(QWidget):
    #: (moves awaiting a decision, sealed moves) after every refresh
    queueChanged = Signal(int, int)

    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        lay = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal)
        lay.addWidget(split)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.queue_label = QLabel("Awaiting adjudication")
        set_cls(self.queue_label, "h2")
        ll.addWidget(self.queue_label)
        self.queue = QTreeWidget()
        self.queue.setHeaderLabels(["#", "Role", "Move", "×", "Channel", "Status"])
        self.queue.setRootIsDecorated(False)
        self.queue.setAlternatingRowColors(True)
        self.queue.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.queue.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.queue.header().setStretchLastSection(False)
        self.queue.currentItemChanged.connect(lambda *_a: self._show_selected())
        ll.addWidget(self.queue, 3)
        play = QGroupBox("In play: tabled proposals and conditional offers")
        play.setFlat(True)
        pl = QVBoxLayout(play)
        self.in_play = QTreeWidget()
        self.in_play.setHeaderLabels(["#", "Role", "What", "Status"])
        self.in_play.setRootIsDecorated(False)
        self.in_play.setAlternatingRowColors(True)
        self.in_play.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.in_play.header().setStretchLastSection(False)
        self.in_play.currentItemChanged.connect(lambda *_a: self._update_buttons())
        pl.addWidget(self.in_play)
        row = QHBoxLayout()
        self.withdraw_reason = QLineEdit()
        self.withdraw_reason.setPlaceholderText("reason for withdrawing (optional)")
        self.withdraw_button = QPushButton("Withdraw")
        self.withdraw_button.clicked.connect(self.withdraw)
        row.addWidget(self.withdraw_reason, 1)
        row.addWidget(self.withdraw_button)
        pl.addLayout(row)
        ll.addWidget(play, 2)
        split.addWidget(left)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.detail = QLabel("Select a move in the queue.")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        detail_scroll = QScrollArea()
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        detail_scroll.setWidget(self.detail)
        rl.addWidget(detail_scroll, 1)

        box = QGroupBox("Decision")
        g = QGridLayout(box)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("what control tells the team (required to reject)")
        self.reason_edit.textChanged.connect(lambda _t: self._update_buttons())
        g.addWidget(QLabel("Ruling"), 0, 0)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("rulingNote")
        self.note_edit.setPlaceholderText("note for control only (never on the projector)")
        words = QHBoxLayout()
        words.addWidget(self.reason_edit, 3)
        words.addWidget(self.note_edit, 2)
        g.addLayout(words, 0, 1, 1, 3)
        self.accept_button = QPushButton("Accept")
        set_cls(self.accept_button, "primary")
        self.accept_button.clicked.connect(self.accept_move)
        self.reject_button = QPushButton("Reject")
        set_cls(self.reject_button, "danger")
        self.reject_button.clicked.connect(self.reject_move)
        g.addWidget(self.accept_button, 1, 1)
        g.addWidget(self.reject_button, 1, 2, 1, 2)
        self.modify_spin = QSpinBox()
        self.modify_spin.setPrefix("× ")
        self.modify_spin.setRange(1, 1)
        self.modify_button = QPushButton("Accept at this magnitude")
        self.modify_button.clicked.connect(self.modify_move)
        g.addWidget(QLabel("Modify"), 2, 0)
        g.addWidget(self.modify_spin, 2, 1)
        g.addWidget(self.modify_button, 2, 2, 1, 2)
        self.odds_spin = QSpinBox()
        self.odds_spin.setRange(1, 99)
        self.odds_spin.setValue(50)
        self.odds_spin.setSuffix(" % chance")
        self.odds_spin.setToolTip("Chance of success: the move is accepted if the draw (1–100) "
                                  "is at most this number, rejected otherwise")
        self.roll_button = QPushButton("Roll the dice")
        self.roll_button.clicked.connect(self.roll_move)
        g.addWidget(QLabel("Roll"), 3, 0)
        g.addWidget(self.odds_spin, 3, 1)
        g.addWidget(self.roll_button, 3, 2, 1, 2)
        g.setColumnStretch(1, 1)
        g.setColumnStretch(2, 1)
        rl.addWidget(box)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        set_cls(self.result_label, "result")
        self.result_label.hide()
        rl.addWidget(self.result_label)
        split.addWidget(right)
        split.setSizes([560, 440])


        bridge.sessionChanged.connect(lambda _s: self._session_changed())
        bridge.changed.connect(self._changed)
        self.refresh()

    # ------------------------------------------------------------------ data
    @property
    def session(self) -> Session | None:
        return self.bridge.session

    def selected_move(self) -> int | None:
        item = self.queue.currentItem()
        return None if item is None else item.data(0, ID_ROLE)

    def select_move(self, seq: int) -> bool:
        for k in range(self.queue.topLevelItemCount()):
            item = self.queue.topLevelItem(k)
            if item.data(0, ID_ROLE) == seq:
                self.queue.setCurrentItem(item)
                return True
        return False

    def select_in_play(self, seq: int) -> bool:
        for k in range(self.in_play.topLevelItemCount()):
            item = self.in_play.topLevelItem(k)
            if item.data(0, ID_ROLE) == seq:
                self.in_play.setCurrentItem(item)
                return True
        return False

    def counts(self) -> tuple[int, int]:
        """(moves awaiting a decision, sealed moves)."""
        return self._counts

    def _changed(self, change) -> None:
        if change.rebuilt:  # an undo or redo: the last result may no longer hold
            self.result_label.hide()
            self.result_label.setText("")
        self.refresh()

    def _session_changed(self) -> None:
        self.result_label.hide()
        self.refresh()

    def refresh(self) -> None:
        s = self.session
        keep = self.selected_move()
        self.queue.blockSignals(True)
        self.queue.clear()
        pending = []
        if s is not None:
            pending = sorted((m for m in s.state.moves.values() if m.status == "pending"),
                             key=lambda m: m.id)
            for m in pending:
                ch = m.channel + (f" → {', '.join(role_name(s, r) for r in m.recipients)}"
                                  if m.recipients else "")
                item = QTreeWidgetItem([str(m.id), role_name(s, m.role), move_title(s, m),
                                        str(m.magnitude), ch,
                                        "sealed" if m.sealed else "awaiting decision"])
                item.setData(0, ID_ROLE, m.id)
                item.setToolTip(2, KIND_LABELS.get(m.kind, m.kind))
                item.setToolTip(1, role_name(s, m.role))
                item.setToolTip(4, ch)
                if m.sealed:
                    for c in range(6):
                        item.setBackground(c, QBrush(QColor(SEALED_COLOUR)))
                self.queue.addTopLevelItem(item)
        for c in (0, 1, 3, 4, 5):
            self.queue.resizeColumnToContents(c)
        # a private move's channel names its recipients, and some roles have long names:
        # keep room for the move itself (the whole texts are in the tooltips)
        char = self.queue.fontMetrics().averageCharWidth()
        for col, chars in ((1, 14), (4, 12)):
            if self.queue.columnWidth(col) > char * chars:
                self.queue.setColumnWidth(col, char * chars)
        self.queue.blockSignals(False)
        n_open = sum(1 for m in pending if not m.sealed)
        n_sealed = len(pending) - n_open
        self.queue_label.setText(f"Awaiting adjudication: {n_open}"
                                 + (f" (+{n_sealed} sealed)" if n_sealed else ""))
        self._counts = (n_open, n_sealed)
        self.queueChanged.emit(n_open, n_sealed)
        if keep is None or not self.select_move(keep):
            first = next((m.id for m in pending if not m.sealed), None)
            if first is not None:
                self.select_move(first)
        self._show_selected()
        self._fill_in_play()

    def _fill_in_play(self) -> None:
        s = self.session
        keep = self.in_play.currentItem().data(0, ID_ROLE) if self.in_play.currentItem() else None
        self.in_play.blockSignals(True)
        self.in_play.clear()
        if s is not None:
            st = s.state
            rows = []
            for m in st.moves.values():
                if m.kind == "proposal" and m.status == "accepted":
                    acc = ", ".join(role_name(s, r) for r in m.acceptances) or "nobody yet"
                    what = f"{move_title(s, m)}: {package_text(s, m.package)}"
                    if m.condition:
                        what += f" — if {condition_text(m.condition, s.scenario)}"
                    rows.append((m.id, role_name(s, m.role), what,
                                 f"tabled; accepted by {acc} ({len(m.acceptances)}/"
                                 f"{len(m.parties)})"))
            for o in st.offers.values():
                rows.append((o.id, role_name(s, o.role),
                             f"{s.scenario.template_by_id[o.template].label} — if "
                             f"{condition_text(o.condition, s.scenario)}",
                             "in force" if o.status == "in_force" else "waiting for its condition"))
            for row in sorted(rows):
                item = QTreeWidgetItem([str(row[0]), row[1], row[2], row[3]])
                item.setData(0, ID_ROLE, row[0])
                item.setToolTip(2, row[2])
                self.in_play.addTopLevelItem(item)
        for c in (0, 1, 3):
            self.in_play.resizeColumnToContents(c)
        self.in_play.blockSignals(False)
        if keep is not None:
            self.select_in_play(keep)
        self._update_buttons()

    def _show_selected(self) -> None:
        s = self.session
        mid = self.selected_move()
        m = s.state.moves.get(mid) if s is not None and mid is not None else None
        if m is None:
            self.detail.setText("No move awaits adjudication." if s is not None else "")
            self._update_buttons()
            return
        self.detail.setText(self._detail_html(s, m))
        tpl = s.scenario.template_by_id[m.template]
        self.modify_spin.setRange(1, tpl.magnitude_max)
        self.modify_spin.setValue(m.magnitude)
        self._update_buttons()

    def _detail_html(self, s: Session, m: MoveRecord) -> str:
        e = lambda t: html.escape(str(t), quote=False)
        sc = s.scenario
        tpl = sc.template_by_id[m.template]
        role = sc.role_by_id[m.role]
        rows = [f"<p style='font-size:large'><b>#{m.id} "
                f"<span style='color:{role.colour}'>■</span> {e(role.name)}: {e(tpl.label)}</b> "
                f"<i>({e(KIND_LABELS.get(m.kind, m.kind))}, × {m.magnitude} of "
                f"{tpl.magnitude_max})</i></p>"]
        if m.sealed:
            rows.append("<p><b>Sealed:</b> reveal the sealed moves (F7) before deciding.</p>")
        ch = "public" if m.channel == "public" else "private to " + ", ".join(
            role_name(s, r) for r in m.recipients) if m.recipients else m.channel
        rows.append(f"<p>Channel: {e(ch)} · seen by: {e(visibility_text(sc, m.visibility))}</p>")
        if m.package:
            rows.append("<p><b>Package</b><br>" + "<br>".join(
                e(p) for p in package_text(s, m.package).split("; ")) + "</p>")
            rows.append(f"<p>Parties: {e(', '.join(role_name(s, r) for r in m.parties))}</p>")
        if m.target is not None:
            prop = s.state.moves.get(m.target)
            what = package_text(s, prop.package) if prop else "no longer on the table"
            rows.append(f"<p><b>Answers proposal #{m.target}</b>: {e(what)}</p>")
        if m.condition:
            rows.append(f"<p><b>Condition:</b> {e(condition_text(m.condition, s.scenario))}</p>")
        eff = []
        for k, v in tpl.effects.variables.items():
            eff.append(f"{sc.variable_by_id[k].label} {v * m.magnitude:+g}")
        for k, v in tpl.effects.leverage.items():
            eff.append(f"leverage of {role_name(s, k)} {v * m.magnitude:+g}")
        if tpl.effects.acts():
            eff += acts_text(sc, tpl.effects.model_dump(), m.role)
        if eff:
            rows.append(f"<p><b>If accepted:</b> {e('; '.join(eff))}</p>")
        if m.rationale:
            rows.append(f"<p><b>Rationale:</b> {e(m.rationale)}</p>")
        return "".join(rows)

    def _update_buttons(self) -> None:
        s = self.session
        mid = self.selected_move()
        m = s.state.moves.get(mid) if s is not None and mid is not None else None
        ok = m is not None and m.status == "pending" and not m.sealed and not self.bridge.readonly
        for w in (self.accept_button, self.modify_button, self.modify_spin, self.roll_button,
                  self.odds_spin, self.reason_edit, self.note_edit):
            w.setEnabled(ok)
        self.modify_button.setEnabled(ok and self.modify_spin.maximum() > 1)
        self.reject_button.setEnabled(ok and bool(self.reason_edit.text().strip()))
        self.withdraw_button.setEnabled(self.in_play.currentItem() is not None
                                        and not self.bridge.readonly)

    # ------------------------------------------------------------------ decisions
    def _decide(self, cmd: C.Command) -> list | None:
        s = self.session
        before = set(s.state.agreements) if s else set()
        events = self.bridge.execute(cmd, parent=self.window())
        if not events:
            return None
        self.reason_edit.clear()
        self.note_edit.clear()
        notes = [e.body.text for e in events if isinstance(e.body, RulingNote)]
        events = [e for e in events if not isinstance(e.body, RulingNote)]
        ev = events[-1]
        b = ev.body
        if isinstance(b, DiceRolled):
            verdict = "SUCCESS: accepted" if b.success else "FAILURE: rejected"
            text = f"{verdict}. {s.describe(ev)}"
            set_cls(self.result_label, "result", kind="success" if b.success else "failure")
        elif isinstance(b, MoveAdjudicated):
            text = s.describe(ev) + "".join(f"\nNote for control: {n}" for n in notes)
            set_cls(self.result_label, "result",
                    kind="success" if b.decision == "accepted" else "failure")
        else:
            text = s.describe(ev)
            set_cls(self.result_label, "result", kind="neutral")
        new = set(s.state.agreements) - before
        for aid in sorted(new):
            a = s.state.agreements[aid]
            who = ", ".join(s.scenario.role_by_id[r].name if r in s.scenario.role_by_id else r
                            for r in dict.fromkeys([a.proposer, *a.parties]))
            text += f"\nAgreement reached: {package_text(s, a.package)} ({who}) (#{aid})"
        self.result_label.setText(text)
        self.result_label.show()
        return events

    def accept_move(self) -> list | None:
        mid = self.selected_move()
        return None if mid is None else self._decide(
            C.Adjudicate(move=mid, decision="accept", reason=self.reason_edit.text().strip(),
                         note=self.note_edit.text().strip()))

    def modify_move(self) -> list | None:
        mid = self.selected_move()
        return None if mid is None else self._decide(
            C.Adjudicate(move=mid, decision="modify", magnitude=self.modify_spin.value(),
                         reason=self.reason_edit.text().strip(),
                         note=self.note_edit.text().strip()))

    def reject_move(self) -> list | None:
        mid = self.selected_move()
        return None if mid is None else self._decide(
            C.Adjudicate(move=mid, decision="reject", reason=self.reason_edit.text().strip(),
                         note=self.note_edit.text().strip()))

    def roll_move(self) -> list | None:
        mid = self.selected_move()
        return None if mid is None else self._decide(
            C.Roll(move=mid, odds=self.odds_spin.value(), reason=self.reason_edit.text().strip()))

    def withdraw(self) -> list | None:
        item = self.in_play.currentItem()
        if item is None:
            return None
        events = self.bridge.execute(C.Withdraw(move=item.data(0, ID_ROLE),
                                                reason=self.withdraw_reason.text().strip()),
                                     parent=self.window())
        if events:
            self.withdraw_reason.clear()
        return events
