"""Seats on one laptop: each team sees its own seat and nothing of any other.

A seat shows one role's public and private brief, objectives, red lines and no-deal
alternative, the public picture (phase, escalation), the proposals, offers and agreements
it may see, its own sealed moves, its messages and the events it may see — all read from
``session.view(role)`` and ``session.visible_events(role)``. The team takes moves (through
the engine, which checks them) and sends private messages.

Between teams the laptop shows a blank hand-over screen ("Pass the laptop to …") with an
optional PIN per seat; the control console is behind its own PIN. A seat's widgets are
destroyed when it is handed over, so nothing of it stays behind the hand-over screen.
"""

from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain import commands as C
from ..domain.events import Event, MessageSent, MovesRevealed, MoveSubmitted, Redone, Undone
from ..domain.views import known_move, move_name
from . import messages, style
from .move_entry import MoveEntry, role_icon
from .style import set_cls
from .widgets_common import option_label, role_name

if TYPE_CHECKING:  # pragma: no cover
    from ..app.seats import SeatPlan
    from ..app.session import Session
    from .bridge import SessionBridge

CONTROL = "control"
MAX_TRIES = 5  # wrong PINs in a row before the hand-over screen waits
LOCKOUT = 30  # seconds
FEED_LIMIT = 400
LIST_STYLE = "QListWidget::item { padding: 4px 2px; border-bottom: 1px solid #dde3ea; }"


def team_label(session: Session, role: str) -> str:
    """"Team Blue (Russia)" when a team name was given, else the role's name."""
    if role == CONTROL:
        return "Control"
    name = role_name(session.scenario, role)
    team = session.teams.get(role)
    return f"{team} ({name})" if team else name


def package_text(session: Session, package: dict[str, str]) -> str:
    sc = session.scenario
    return "; ".join(f"{sc.issue_by_id[i].label if i in sc.issue_by_id else i}: "
                     f"{option_label(sc, i, o)}" for i, o in package.items())


def template_label(session: Session, tid: str) -> str:
    tpl = session.scenario.template_by_id.get(tid)
    return tpl.label if tpl else tid


def event_line(session: Session, ev: Event, viewer: str) -> str:
    """One line for an event the seat of ``viewer`` may see, with labels (not ids) for
    moves; a move the seat may not see is not described."""
    b = ev.body
    sc = session.scenario
    if isinstance(b, MoveSubmitted):
        text = f"{role_name(sc, b.role)}: {template_label(session, b.template)}"
        if b.magnitude != 1:
            text += f" ×{b.magnitude}"
        if b.package:
            text += f" — {package_text(session, b.package)}"
        if b.target is not None:
            tgt = known_move(session.events_by_seq(), b.target, viewer, ev.seq)
            if tgt is not None:
                text += f" (answering {move_name(sc, tgt, viewer=viewer)})"
        if b.channel == "private" or b.recipients:
            text += " — private to " + ", ".join(role_name(sc, r) for r in b.recipients)
        if b.sealed:
            text += " — sealed until the reveal"
        if b.rationale:
            text += f"\n“{b.rationale}”"
        return text
    if isinstance(b, MovesRevealed) and b.revealed:
        parts = []
        for r in b.revealed:
            t = f"{role_name(sc, r.role)}: {template_label(session, r.template)}"
            if r.magnitude != 1:
                t += f" ×{r.magnitude}"
            if r.package:
                t += f" — {package_text(session, r.package)}"
            parts.append(t)
        return "Revealed: " + "; ".join(parts)
    if isinstance(b, MessageSent):
        return message_line(session, b)
    return session.describe(ev, viewer)


def message_line(session: Session, b: MessageSent) -> str:
    sc = session.scenario
    sender = "Control" if b.sender == CONTROL else role_name(sc, b.sender)
    return f"From {sender} to {', '.join(role_name(sc, r) for r in b.to)}:\n{b.text}"


# --------------------------------------------------------------------------- move entry


class SeatMoveEntry(MoveEntry):
    """The move form for one role: that role only, issue statuses and proposals to answer
    from that role's view."""

    def __init__(self, bridge: SessionBridge, role: str, parent: QWidget | None = None):
        self.seat_role = role
        self._view_key: tuple | None = None
        self._view: dict[str, Any] | None = None
        super().__init__(bridge, parent)
        self.role_combo.setEnabled(False)

    def role(self) -> str | None:
        return self.seat_role if self.session is not None else None

    @property
    def viewer(self) -> str:
        return self.seat_role

    def set_session(self, session) -> None:
        super().set_session(session)
        self.role_combo.blockSignals(True)
        self.role_combo.clear()
        if session is not None:
            r = session.scenario.role_by_id[self.seat_role]
            self.role_combo.addItem(role_icon(r.colour), team_label(session, self.seat_role),
                                    self.seat_role)
        self.role_combo.blockSignals(False)
        self._role_changed()

    def seat_view(self) -> dict[str, Any]:
        s = self.session
        assert s is not None
        key = (id(s), id(s.state))
        if self._view_key != key:
            self._view = s.view(self.seat_role)
            self._view_key = key
        return self._view  # type: ignore[return-value]

    def issue_statuses(self) -> dict[str, dict[str, Any]]:
        return self.seat_view()["issues"]


# --------------------------------------------------------------------------- seat view


class SeatView(QWidget):
    """Everything one role may see, and what it can do: moves and messages."""

    handOver = Signal()

    def __init__(self, bridge: SessionBridge, role: str, parent: QWidget | None = None,
                 hand_over_text: str = "Done — hand the laptop on"):
        super().__init__(parent)
        self.bridge = bridge
        self.role = role
        self.recipient_checks: dict[str, QCheckBox] = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)

        head = QHBoxLayout()
        col = QVBoxLayout()
        self.title = QLabel()
        set_cls(self.title, "h1")
        self.phase_label = QLabel()
        set_cls(self.phase_label, "h2")
        self.story_date = QLabel()  # the day in the story, as this role knows it
        self.story_date.setObjectName("seatStoryDate")
        col.addWidget(self.title)
        col.addWidget(self.phase_label)
        col.addWidget(self.story_date)
        head.addLayout(col, 1)
        self.escalation_label = QLabel()
        self.escalation_label.setAlignment(Qt.AlignmentFlag.AlignRight
                                           | Qt.AlignmentFlag.AlignVCenter)
        set_cls(self.escalation_label, "h2")
        head.addWidget(self.escalation_label)
        self.hand_over_button = QPushButton(hand_over_text)
        set_cls(self.hand_over_button, "primary")
        self.hand_over_button.clicked.connect(self.handOver.emit)
        head.addSpacing(16)
        head.addWidget(self.hand_over_button)
        lay.addLayout(head)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.brief = QTextBrowser()
        self.brief.setOpenLinks(False)
        split.addWidget(self.brief)
        self.tabs = QTabWidget()
        self.move_entry = SeatMoveEntry(bridge, role)
        self.tabs.addTab(self.move_entry, "Take a move")
        self.tabs.addTab(self._messages_page(), "Messages")
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["What", "Status", "Worth to you"])
        self.table.setWordWrap(True)
        h = self.table.header()
        h.setStretchLastSection(False)
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.tabs.addTab(self.table, "On the table")
        self.feed = QListWidget()
        self.feed.setWordWrap(True)
        self.feed.setStyleSheet(LIST_STYLE)
        self.tabs.addTab(self.feed, "What happened")
        split.addWidget(self.tabs)
        split.setSizes([520, 900])
        lay.addWidget(split, 1)

        self._n_messages = 0
        bridge.changed.connect(self._changed)
        self.refresh()

    # ------------------------------------------------------------------ messages page
    def _messages_page(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        self.message_list = QListWidget()
        self.message_list.setWordWrap(True)
        self.message_list.setStyleSheet(LIST_STYLE)
        v.addWidget(self.message_list, 1)
        box = QGroupBox("Send a private message")
        bl = QVBoxLayout(box)
        self.recipients_grid = QGridLayout()
        bl.addLayout(self.recipients_grid)
        self.message_edit = QPlainTextEdit()
        self.message_edit.setPlaceholderText("Only the teams you tick (and control) will read it.")
        self.message_edit.setFixedHeight(90)
        bl.addWidget(self.message_edit)
        row = QHBoxLayout()
        self.message_feedback = QLabel()
        set_cls(self.message_feedback, "muted")
        row.addWidget(self.message_feedback, 1)
        self.send_button = QPushButton("Send message")
        self.send_button.clicked.connect(self.send_message)
        row.addWidget(self.send_button)
        bl.addLayout(row)
        v.addWidget(box)
        s = self.bridge.session
        if s is not None:
            others = [r for r in s.scenario.player_ids if r != self.role]
            for k, rid in enumerate(others):
                cb = QCheckBox(team_label(s, rid))
                self.recipient_checks[rid] = cb
                self.recipients_grid.addWidget(cb, k // 2, k % 2)
        return page

    def send_message(self) -> bool:
        to = tuple(r for r, cb in self.recipient_checks.items() if cb.isChecked())
        cmd = C.SendMessage(sender=self.role, to=to, text=self.message_edit.toPlainText())
        events = self.bridge.execute(cmd, parent=self.window())
        if not events:
            return False
        self.message_edit.clear()
        self.message_feedback.setText("Sent.")
        return True

    # ------------------------------------------------------------------ refresh
    def _changed(self, _change) -> None:
        self.refresh()

    def refresh(self) -> None:
        s = self.bridge.session
        if s is None:
            return
        view = s.view(self.role)
        events = s.visible_events(self.role)
        self._show_header(s, view)
        self.brief.setHtml(self._brief_html(s, view))
        self._show_table(s, view)
        self._show_feed(s, events)
        self._show_messages(s, events)

    def _show_header(self, s: Session, view: dict) -> None:
        self.title.setText(team_label(s, self.role))
        ph = view.get("phase")
        if ph is None:
            self.phase_label.setText("Before the first phase")
        else:
            seq = "sealed moves: nobody sees them until the reveal" \
                if ph["sequencing"] == "sealed" else "open moves"
            label = ph["label"]
            if not label.lower().startswith(("phase", "round", "week", "step", "stage")):
                label = f"Phase {ph['index'] + 1} of {ph['of']}: {label}"
            self.phase_label.setText(f"{label} · {seq}")
        day = view.get("game_date_label") or ""
        self.story_date.setText(f"In the story: {day}" if day else "")
        self.story_date.setVisible(bool(day))
        e = view["escalation"]
        self.escalation_label.setText(f"Escalation {e['index']:.1f} of {e['scale']:g}\n"
                                      f"{e['rung_label']}")

    @staticmethod
    def _brief_html(s: Session, view: dict) -> str:
        r = view["role"]
        e = html.escape

        def items(xs) -> str:
            return "<ul>" + "".join(f"<li>{e(x)}</li>" for x in xs) + "</ul>" if xs else "<p>—</p>"

        def para(text: str) -> str:
            return f"<p>{e(text).replace(chr(10), '<br>')}</p>" if text.strip() else "<p>—</p>"

        leverage = view["leverage"].get(r["id"])
        parts = ["<h3>Public brief</h3>", para(r["public_brief"]),
                 "<h3 style='color:#8e1b10'>Private brief — your team only</h3>",
                 para(r["private_brief"]),
                 "<h3>Objectives</h3>", items(r["objectives"]),
                 "<h3>Red lines</h3>", items(r["red_lines"]),
                 "<h3>If there is no deal</h3>",
                 para((f"Worth {r['batna']:.2f} to you. " if r["batna"] is not None else "")
                      + r["batna_description"])]
        if leverage is not None:
            parts.append(f"<p>Your leverage now: {leverage:.0f} of 100.</p>")
        return "\n".join(parts)

    def _show_table(self, s: Session, view: dict) -> None:
        sc = s.scenario
        self.table.clear()
        me = self.role

        space = self._space(s)

        def group(title: str, rows: list[tuple]) -> None:
            top = QTreeWidgetItem([f"{title} ({len(rows)})", "", ""])
            f = top.font(0)
            f.setBold(True)
            top.setFont(0, f)
            for what, status, *pkg in rows:
                item = QTreeWidgetItem([what, status, ""])
                item.setToolTip(0, what)
                if pkg and pkg[0]:
                    v = space.evaluate(pkg[0])[me]
                    item.setText(2, f"{v['utility']:.2f} ({v['gain']:+.2f} on no deal)")
                    item.setToolTip(2, "What this package is worth to you (open issues at "
                                       "their no-deal value), and the gain over no deal.")
                    if v["worse_than_batna"]:
                        item.setForeground(2, QColor(style.DANGER))
                        item.setText(2, item.text(2) + " — worse than no deal")
                top.addChild(item)
            if not rows:
                top.addChild(QTreeWidgetItem(["—", "", ""]))
            self.table.addTopLevelItem(top)
            top.setExpanded(True)

        def move_text(m: dict) -> str:
            t = f"{role_name(sc, m['role'])}: {template_label(s, m['template'])}"
            if m["magnitude"] != 1:
                t += f" ×{m['magnitude']}"
            if m["package"]:
                t += f" — {package_text(s, m['package'])}"
            tgt = known_move(s.events_by_seq(), m["target"], me) if m["target"] else None
            if tgt is not None:
                t += f" (answering {move_name(sc, tgt, viewer=me)})"
            return t

        moves = view["moves_open"]
        tabled = [m for m in moves if m["kind"] == "proposal" and m["status"] == "tabled"]
        rows = []
        for m in tabled:
            waiting = [role_name(sc, p) for p in m["parties"] if p not in m["acceptances"]]
            status = "waiting for " + ", ".join(waiting) if waiting else "accepted by all"
            if me in m["parties"] and me not in m["acceptances"]:
                status = "waiting for your answer"
            rows.append((move_text(m), status, m["package"]))
        group("Proposals on the table", rows)
        mine = [m for m in moves if m["role"] == me and m["status"] != "tabled"]
        group("Your moves awaiting control",
              [(move_text(m), "sealed until the reveal" if m["status"] == "sealed"
                else "awaiting control", m["package"]) for m in mine])
        others = [m for m in moves if m["role"] != me and m["status"] != "tabled"]
        group("Other moves awaiting control",
              [(move_text(m), "awaiting control", m["package"]) for m in others])
        group("Agreements", [
            (f"{package_text(s, a['package'])} — "
             f"{', '.join(role_name(sc, r) for r in dict.fromkeys([a['proposer'], *a['parties']]))}",
             a["status"].replace("_", " ") + ("" if a["visibility"] == "public" else ", private"),
             a["package"])
            for a in view["agreements"]])
        group("Conditional offers", [
            (f"{role_name(sc, o['role'])}: {template_label(s, o['template'])}",
             o["status"].replace("_", " ")) for o in view["offers"]])
        issues = []
        for iid, rec in view["issues"].items():
            st = style.STATUS_LABELS.get(rec["status"], rec["status"])
            if rec["status"] == "agreed" and rec.get("option"):
                st += f": {option_label(sc, iid, rec['option'])}"
            issues.append((sc.issue_by_id[iid].label, st))
        group("Issues", issues)

    def _space(self, s: Session):
        """The scenario's package space as this role may see it (its own valuation counts
        only the linkages it knows of), built once per session and role."""
        if getattr(self, "_space_for", None) != (s, self.role):
            from ..domain.analytics.bargaining import PackageSpace

            self._space_obj = PackageSpace.from_scenario(s.scenario, self.role)
            self._space_for = (s, self.role)
        return self._space_obj

    def _show_feed(self, s: Session, events: list[Event]) -> None:
        self.feed.clear()
        shown = [ev for ev in events if not isinstance(ev.body, (Undone, Redone))
                 and ev.type != "session_started"]
        for ev in reversed(shown[-FEED_LIMIT:]):
            self.feed.addItem(QListWidgetItem(f"{ev.seq}  {event_line(s, ev, self.role)}"))

    def _show_messages(self, s: Session, events: list[Event]) -> None:
        msgs = [ev for ev in events if isinstance(ev.body, MessageSent)]
        self.message_list.clear()
        for ev in msgs:
            item = QListWidgetItem(message_line(s, ev.body))
            if ev.body.sender == self.role:
                item.setForeground(Qt.GlobalColor.darkBlue)
            self.message_list.addItem(item)
        if msgs:
            self.message_list.scrollToBottom()
        n = len(msgs)
        k = self.tabs.indexOf(self.message_list.parentWidget())
        if k >= 0:
            self.tabs.setTabText(k, f"Messages ({n})" if n else "Messages")


# --------------------------------------------------------------------------- hand-over


class PrivacyScreen(QWidget):
    """The blank screen between two teams: who should take the laptop, and a PIN."""

    unlock = Signal(str, str)  # who (role id or "control"), PIN

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        self.headline = QLabel()
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.headline.setWordWrap(True)
        set_cls(self.headline, "h1")
        outer.addWidget(self.headline)
        self.subline = QLabel()
        self.subline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subline.setWordWrap(True)
        set_cls(self.subline, "muted")
        outer.addWidget(self.subline)
        outer.addSpacing(24)
        form_box = QWidget()
        form_box.setMaximumWidth(520)
        form = QFormLayout(form_box)
        self.who_combo = QComboBox()
        self.who_combo.currentIndexChanged.connect(self._who_changed)
        form.addRow("Who is at the keyboard?", self.who_combo)
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.returnPressed.connect(self._open)
        self.pin_label = QLabel("PIN")
        form.addRow(self.pin_label, self.pin_edit)
        self.open_button = QPushButton()
        set_cls(self.open_button, "primary")
        self.open_button.clicked.connect(self._open)
        form.addRow("", self.open_button)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {style.DANGER}; font-weight: 600;")
        form.addRow("", self.error)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(form_box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(3)
        self._pins: set[str] = set()
        self._names: dict[str, str] = {}

    def prepare(self, session: Session, plan: SeatPlan, next_seat: str | None,
                control: bool = True) -> None:
        """Show the screen for handing over to ``next_seat``."""
        self._pins = set(plan.pins)
        self._names = {r: team_label(session, r) for r in plan.seats}
        self.who_combo.blockSignals(True)
        self.who_combo.clear()
        for r in plan.seats:
            self.who_combo.addItem(self._names[r], r)
        if control:
            self.who_combo.addItem("Control (the facilitator's console)", CONTROL)
            self._names[CONTROL] = "control"
        self.who_combo.blockSignals(False)
        k = self.who_combo.findData(next_seat)
        self.who_combo.setCurrentIndex(max(0, k))
        target = self._names.get(next_seat, "the next team") if next_seat else "the next team"
        self.headline.setText(f"Pass the laptop to {target}")
        self.subline.setText("This screen shows nothing of any team. Only the team named "
                             "should look at the screen once its seat is open.")
        self.error.clear()
        self._who_changed()

    def _who_changed(self, *_a) -> None:
        who = self.who_combo.currentData()
        needs = who in self._pins
        self.pin_edit.clear()
        self.pin_edit.setVisible(needs)
        self.pin_label.setVisible(needs)
        name = self._names.get(who, "")
        self.open_button.setText("Open the control console" if who == CONTROL
                                 else f"Open the seat of {name}")
        if needs:
            self.pin_edit.setFocus()

    def _open(self) -> None:
        who = self.who_combo.currentData()
        if who is not None:
            self.unlock.emit(who, self.pin_edit.text())

    def locked(self, seconds: int) -> None:
        self.error.setText(f"Too many wrong PINs. Nothing was opened; try again in {seconds} "
                           "seconds.")
        self.pin_edit.clear()

    def refuse(self, who: str) -> None:
        name = "the control console" if who == CONTROL else f"the seat of {self._names.get(who, who)}"
        self.error.setText(f"That PIN does not open {name}. Nothing was opened; try again.")
        self.pin_edit.clear()
        self.pin_edit.setFocus()


class SeatWindow(QMainWindow):
    """The students' window: the hand-over screen, or one team's seat at a time."""

    #: control unlocked the console (with its PIN)
    controlRequested = Signal()
    closed = Signal()

    def __init__(self, bridge: SessionBridge, plan: SeatPlan, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.plan = plan
        self.current: str | None = None
        self.last: str | None = None
        self.seat: SeatView | None = None
        self._wrong = 0
        self._locked_until = 0.0
        self.setWindowIcon(style.app_icon())
        self.stack = QStackedWidget()
        self.privacy = PrivacyScreen()
        self.privacy.unlock.connect(self.try_open)
        self.stack.addWidget(self.privacy)
        self.setCentralWidget(self.stack)
        self.show_privacy(plan.seats[0] if plan.seats else None)

    @property
    def session(self) -> Session | None:
        return self.bridge.session

    def _title(self) -> None:
        s = self.session
        base = f"{s.scenario.scenario.title} — PeaceTable" if s else "PeaceTable"
        self.setWindowTitle(f"{team_label(s, self.current)} — {base}"
                            if s and self.current else base)

    def show_privacy(self, next_seat: str | None = None) -> None:
        """Close the open seat (its widgets are destroyed) and show the hand-over screen."""
        if self.seat is not None:
            self.last = self.current
            self.stack.removeWidget(self.seat)
            self.seat.hide()
            self.seat.setParent(None)
            self.seat.deleteLater()
            self.seat = None
        self.current = None
        if next_seat is None:
            next_seat = self.plan.next_seat(self.last)
        if self.session is not None:
            self.privacy.prepare(self.session, self.plan, next_seat)
        self.stack.setCurrentWidget(self.privacy)
        self._title()

    def try_open(self, who: str, pin: str) -> bool:
        """Open ``who``'s seat (or the console) if ``pin`` is right; else say so. After
        :data:`MAX_TRIES` wrong PINs in a row, nothing opens for :data:`LOCKOUT` seconds
        (guessing a PIN at the keyboard takes long)."""
        now = time.monotonic()
        if now < self._locked_until:
            self.privacy.locked(int(self._locked_until - now) + 1)
            return False
        if not self.plan.check(who, pin):
            self._wrong += 1
            if self._wrong >= MAX_TRIES:
                self._wrong = 0
                self._locked_until = now + LOCKOUT
                self.privacy.locked(LOCKOUT)
            else:
                self.privacy.refuse(who)
            return False
        self._wrong = 0
        if who == CONTROL:
            self.controlRequested.emit()
            return True
        self.open_seat(who)
        return True

    def open_seat(self, role: str) -> SeatView:
        self.show_privacy(role)
        self.seat = SeatView(self.bridge, role)
        self.seat.handOver.connect(lambda: self.show_privacy())
        self.stack.addWidget(self.seat)
        self.stack.setCurrentWidget(self.seat)
        self.current = role
        self._title()
        return self.seat

    def closeEvent(self, event) -> None:
        self.closed.emit()
        super().closeEvent(event)


# --------------------------------------------------------------------------- dialogs


class SeatSetupDialog(QDialog):
    """Control chooses the roles played at this laptop and sets the PINs."""

    def __init__(self, session: Session, plan: SeatPlan, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.plan = plan
        self.result_plan: SeatPlan | None = None
        self.hand_over_now = False
        self.setWindowTitle("Seats on this laptop")
        lay = QVBoxLayout(self)
        intro = QLabel("Tick the teams that play at this laptop (in the order they take turns). "
                       "Each seat shows only its own team's material. A PIN is optional; it keeps "
                       "the next team out of a seat that is not theirs.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        grid = QGridLayout()
        grid.addWidget(QLabel("<b>Seat</b>"), 0, 0)
        grid.addWidget(QLabel("<b>PIN</b>"), 0, 1)
        grid.addWidget(QLabel("<b>Remove PIN</b>"), 0, 2)
        self.seat_checks: dict[str, QCheckBox] = {}
        self.pin_edits: dict[str, QLineEdit] = {}
        self.remove_checks: dict[str, QCheckBox] = {}
        who = [*session.scenario.player_ids, CONTROL]
        for k, rid in enumerate(who, start=1):
            if rid == CONTROL:
                lab = QLabel("Control console")
                grid.addWidget(lab, k, 0)
            else:
                cb = QCheckBox(team_label(session, rid))
                cb.setChecked(rid in plan.seats or not plan.seats)
                self.seat_checks[rid] = cb
                grid.addWidget(cb, k, 0)
            edit = QLineEdit()
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setPlaceholderText("PIN set — type to change" if plan.has_pin(rid)
                                    else "no PIN")
            self.pin_edits[rid] = edit
            grid.addWidget(edit, k, 1)
            rm = QCheckBox()
            rm.setEnabled(plan.has_pin(rid))
            self.remove_checks[rid] = rm
            grid.addWidget(rm, k, 2)
        lay.addLayout(grid)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {style.DANGER};")
        lay.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.hand_button = self.buttons.addButton("Save and hand the laptop over",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        set_cls(self.hand_button, "primary")
        self.save_button.clicked.connect(lambda: self._save(False))
        self.hand_button.clicked.connect(lambda: self._save(True))
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

    def set_pin(self, who: str, pin: str) -> None:
        self.pin_edits[who].setText(pin)

    def _save(self, hand_over: bool) -> None:
        from ..app.seats import SeatsError, configure, save_plan

        seats = [r for r, cb in self.seat_checks.items() if cb.isChecked()]
        new_pins: dict[str, str | None] = {}
        for who, edit in self.pin_edits.items():
            if self.remove_checks[who].isChecked():
                new_pins[who] = None
            elif edit.text():
                new_pins[who] = edit.text()
        try:
            if not seats:
                raise SeatsError("tick at least one seat")
            plan = configure(self.plan, seats, new_pins)
            plan = type(plan)(seats=plan.seats, pins=plan.pins, handed_over=hand_over)
            save_plan(self.session, plan)
        except SeatsError as exc:
            self.problem.setText(f"Not saved: {exc}.")
            return
        except Exception as exc:  # storage failure: say so, keep the dialog open
            self.problem.setText(f"Not saved: {exc}")
            return
        self.result_plan = plan
        self.hand_over_now = hand_over
        self.accept()


class MessageDialog(QDialog):
    """Control sends a private message (as control, or typed in for a team)."""

    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        s = bridge.session
        assert s is not None
        self.setWindowTitle("Send a private message")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.sender_combo = QComboBox()
        self.sender_combo.addItem("Control", CONTROL)
        for rid in s.scenario.player_ids:
            self.sender_combo.addItem(team_label(s, rid), rid)
        self.sender_combo.currentIndexChanged.connect(self._sender_changed)
        form.addRow("From", self.sender_combo)
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.recipient_checks: dict[str, QCheckBox] = {}
        for k, rid in enumerate(s.scenario.player_ids):
            cb = QCheckBox(team_label(s, rid))
            self.recipient_checks[rid] = cb
            grid.addWidget(cb, k // 2, k % 2)
        form.addRow("To", box)
        lay.addLayout(form)
        self.text_edit = QPlainTextEdit()
        self.text_edit.setPlaceholderText("Only the recipients (and control) will read it.")
        lay.addWidget(self.text_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = buttons.addButton("Send", QDialogButtonBox.ButtonRole.AcceptRole)
        set_cls(self.send_button, "primary")
        self.send_button.clicked.connect(self.send)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(520, 360)

    def _sender_changed(self, *_a) -> None:
        sender = self.sender_combo.currentData()
        for rid, cb in self.recipient_checks.items():
            cb.setEnabled(rid != sender)
            if rid == sender:
                cb.setChecked(False)

    def send(self) -> None:
        cmd = C.SendMessage(sender=self.sender_combo.currentData(),
                            to=tuple(r for r, cb in self.recipient_checks.items()
                                     if cb.isChecked()),
                            text=self.text_edit.toPlainText())
        if self.bridge.execute(cmd, parent=self):
            self.accept()
