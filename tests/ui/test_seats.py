"""Seats on one laptop: every seat shows its own role's material and nothing of any other
role — at every phase boundary and after every private event of both bundled exercises,
with private messages between every pair of seats — the hand-over screen shows nothing of
any seat, wrong PINs open nothing, and teams act only through the engine.

Every text of every widget of a seat is collected (labels, buttons, combo items, list and
tree items, text documents as plain text and HTML, tooltips, placeholder texts, graphics
items, and every cell of every item model) and searched for the private material of the
other roles: their private briefs (whole and in overlapping runs of words), objectives,
red lines and no-deal notes, and the rationale, reason, text and synopsis of every event
the seat's role may not see, with that event's description.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QEvent, QModelIndex, Qt  # noqa: E402
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QPlainTextEdit  # noqa: E402

from peacetable.app import seats as S  # noqa: E402
from peacetable.app.script import ScriptLine, ScriptRunner, read_script  # noqa: E402
from peacetable.app.session import Session  # noqa: E402
from peacetable.domain import commands as C  # noqa: E402
from peacetable.domain.events import MessageSent, MoveSubmitted, PhaseStarted  # noqa: E402
from peacetable.ui.bridge import SessionBridge  # noqa: E402
from peacetable.ui.seats import SeatView, SeatWindow  # noqa: E402
from peacetable.ui.widgets_common import visible_texts  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scenarios").glob("*.toml"))
RUN = 8  # words per overlapping run of a private brief
FIELDS = ("rationale", "reason", "text", "synopsis")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _runs(text: str, n: int = RUN) -> set[str]:
    words = _norm(text).split(" ")
    if len(words) <= n:
        return {" ".join(words)} if words != [""] else set()
    return {" ".join(words[k:k + n]) for k in range(len(words) - n + 1)}


def all_texts(root) -> str:
    """Every text the widget tree holds (see the module docstring), one blob."""
    out = visible_texts(root)
    for w in [root, *root.findChildren(QLineEdit), *root.findChildren(QPlainTextEdit)]:
        if isinstance(w, QLineEdit):
            out += [w.text(), w.placeholderText()]
        elif isinstance(w, QPlainTextEdit):
            out += [w.toPlainText(), w.placeholderText()]
    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        stack = [QModelIndex()]
        while stack:
            p = stack.pop()
            try:
                columns = model.columnCount(p)
            except TypeError:  # list models hide columnCount: one column
                columns = 1
            for r in range(model.rowCount(p)):
                for c in range(columns):
                    ix = model.index(r, c, p)
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        v = model.data(ix, role)
                        if isinstance(v, str):
                            out.append(v)
                    if c == 0 and columns > 1 or c == 0 and model.rowCount(ix) > 0:
                        stack.append(ix)
        for c in range(columns if model.rowCount() else 0):
            v = model.headerData(c, Qt.Orientation.Horizontal)
            if isinstance(v, str):
                out.append(v)
    blob = "\n".join(_norm(t) for t in out if t)
    return _blob(blob + "\n" + html.unescape(blob))


class Blob(str):
    """All texts of a widget tree, one per line, with every run of RUN words as a set
    (looking up thousands of brief runs one by one in the text would be slow)."""

    runs: frozenset[str] = frozenset()


def _blob(text: str) -> Blob:
    b = Blob(text)
    runs: set[str] = set()
    for line in text.split("\n"):
        words = line.split(" ")
        runs.update(" ".join(words[k:k + RUN]) for k in range(max(1, len(words) - RUN + 1)))
    b.runs = frozenset(runs)
    return b


class Secrets:
    """Per role: the texts that role must never see, kept up to date event by event."""

    def __init__(self, session: Session):
        self.s = session
        sc = session.scenario
        self.roles = list(sc.player_ids)
        own: dict[str, set[str]] = {}
        for r in sc.roles:
            texts = {_norm(r.private_brief)} | _runs(r.private_brief)
            texts |= {_norm(t) for t in (*r.objectives, *r.red_lines, r.batna_description)
                      if len(t.strip()) >= 12}
            own[r.id] = {t for t in texts if t}
        self.own = own
        public = set()
        for r in sc.roles:
            public |= _runs(r.public_brief) | {_norm(r.public_brief)}
        self.forbidden: dict[str, set[str]] = {}
        for me in self.roles:
            # what the role may read anyway: its own material and every public brief (a
            # phrase of another role's brief that is also in these is no leak)
            mine = "\n".join(own[me] | public)
            self.forbidden[me] = {t for r, ts in own.items() if r != me for t in ts
                                  if t not in mine}
        self.seen_lines: dict[str, set[str]] = {me: set() for me in self.roles}
        self.hidden_lines: dict[str, set[str]] = {me: set() for me in self.roles}
        #: texts of events the role may see ("Accepted." may be said in public and in private)
        self.seen_values: dict[str, set[str]] = {me: set() for me in self.roles}
        self.n = 0

    def feed(self) -> None:
        """Take in the events appended since the last call."""
        events = self.s.events[self.n:]
        self.n = len(self.s.events)
        for ev in events:
            b = ev.body
            line = _norm(self.s.describe(ev))
            for me in self.roles:
                if getattr(b, "expected_action", ""):
                    self.forbidden[me].add(_norm(b.expected_action))  # control's guidance
                if ev.visibility.allows(me):
                    self.seen_lines[me].add(line)
                    self.seen_values[me] |= {_norm(getattr(b, f, "") or "") for f in FIELDS}
                    continue
                for field in FIELDS:
                    value = getattr(b, field, "") or ""
                    if len(value.strip()) >= 8:
                        self.forbidden[me].add(_norm(value))
                self.hidden_lines[me].add(line)

    def of(self, me: str) -> set[str]:
        return (self.forbidden[me] - self.seen_values[me]) | \
            (self.hidden_lines[me] - self.seen_lines[me])


def leaks(blob: Blob, forbidden: set[str]) -> list[str]:
    found = [f for f in forbidden if f and (f in blob.runs if f.count(" ") == RUN - 1
                                            else f in blob)]
    return [f"{f!r} in …{blob[max(0, blob.index(f) - 60): blob.index(f) + len(f) + 40]}…"
            if f in blob else f"{f!r}" for f in sorted(found)]


def messages_round(s: Session, phase: int) -> list[C.SendMessage]:
    """Each seat writes privately to the next, and control to the first seat."""
    ids = list(s.scenario.player_ids)
    out = [C.SendMessage(sender=a, to=(b,),
                         text=f"MESSAGE-{a.upper()}-TO-{b.upper()}-{phase}: meet before the vote")
           for a, b in zip(ids, ids[1:] + ids[:1])]
    out.append(C.SendMessage(sender="control", to=(ids[0],),
                             text=f"CONTROL-MESSAGE-{phase}: your envoy is late"))
    return out


@pytest.mark.parametrize("toml", BUNDLED, ids=lambda p: p.stem)
def test_every_seat_shows_nothing_of_any_other_role(qtbot, tmp_path, toml):
    moves = toml.with_name(toml.stem + ".moves.jsonl")
    s = Session.create(toml, tmp_path / "seats.peacetable", seed=5)
    bridge = SessionBridge()
    try:
        bridge.set_session(s)
        views = {}
        for r in s.scenario.player_ids:
            v = SeatView(bridge, r)
            qtbot.addWidget(v)
            views[r] = v
        secrets = Secrets(s)
        checks = 0

        def check(where: str) -> None:
            nonlocal checks
            secrets.feed()
            for r, v in views.items():
                found = leaks(all_texts(v), secrets.of(r))
                assert not found, f"seat {r} after {where}: {found[:3]}"
            checks += 1

        runner = ScriptRunner(s, str(moves))
        phase = 0
        # Checked after every run of lines with private events (what a private event
        # shows stays in the feed and the lists), before every reveal and advance (sealed
        # moves and phase-bound texts change there) and after every phase's messages.
        pending = False
        for sl in read_script(moves):
            if pending and sl.data.get("cmd") in ("reveal", "advance", "undo"):
                check(f"line {sl.line - 1}")
                pending = False
            new = runner.apply(sl)
            private = any(ev.visibility.scope != "public" for ev in new)
            if any(isinstance(ev.body, PhaseStarted) for ev in new):
                phase += 1
                for cmd in messages_round(s, phase):
                    s.execute(cmd)
                check(f"the messages of phase {phase}")
                private = False
            if private:
                pending = True
            elif pending:
                check(f"line {sl.line}")
                pending = False
        check("the end")
        assert checks >= 20
        # the check can see: every seat shows its own private brief and its messages …
        for r, v in views.items():
            blob = all_texts(v)
            brief = s.scenario.role_by_id[r].private_brief
            if brief.strip():
                assert _norm(brief) in blob
            assert f"MESSAGE-{r.upper()}-TO-" in blob
            # … and there was something to hide from it: other briefs, others' messages
            assert any(t.startswith("MESSAGE-") and not t.startswith(f"MESSAGE-{r.upper()}")
                       for t in secrets.of(r))
        assert sum(isinstance(ev.body, MessageSent) for ev in s.events) >= 5 * phase
    finally:
        bridge.set_session(None)
        s.close()


def test_the_check_finds_planted_private_text(qtbot, river_session):
    s = river_session
    bridge = SessionBridge()
    bridge.set_session(s)
    s.execute(C.Advance())
    s.execute(C.SendMessage(sender="lowland", to=("midland",), text="PLANTED-BACKCHANNEL: yes"))
    v = SeatView(bridge, "upland")
    qtbot.addWidget(v)
    secrets = Secrets(s)
    secrets.feed()
    forbidden = secrets.of("upland")
    assert not leaks(all_texts(v), forbidden)
    lowland = s.scenario.role_by_id["lowland"].private_brief
    midland = s.scenario.role_by_id["midland"].private_brief
    plants = [
        lambda: v.phase_label.setText(" ".join(lowland.split()[1:12])),
        lambda: v.feed.addItem("PLANTED-BACKCHANNEL: yes"),
        lambda: v.message_edit.setPlaceholderText(" ".join(midland.split()[:9])),
        lambda: v.move_entry.template_info.setToolTip(s.scenario.role_by_id["lowland"]
                                                      .red_lines[0]),
    ]
    found = 0
    for plant in plants:
        plant()
        now = len(leaks(all_texts(v), forbidden))
        assert now > found
        found = now
    bridge.set_session(None)


# --------------------------------------------------------------------------- hand-over


@pytest.fixture
def seated(window, qtbot, new_session, tmp_path):
    """A session through File > New with seats and PINs set up in the dialogs, handed over."""
    river = ROOT / "tests" / "fixtures" / "river-accord.toml"
    s = new_session(river, tmp_path / "class.peacetable", teams={"lowland": "Team Red"})
    window.seats.setup_action.trigger()
    dlg = window.seats.setup_dialog
    dlg.seat_checks["midland"].setChecked(False)
    dlg.set_pin("lowland", "2468")
    dlg.set_pin("control", "13579")
    qtbot.mouseClick(dlg.hand_button, Qt.MouseButton.LeftButton)
    sw = window.seats.seat_window
    assert sw is not None and sw.isVisible() and not window.isVisible()
    qtbot.addWidget(sw)
    return s, sw


def test_seats_are_set_up_and_kept_outside_the_record(seated):
    s, sw = seated
    plan = S.load_plan(s)
    assert plan.seats == ("upland", "lowland") and plan.handed_over
    assert set(plan.pins) == {"lowland", "control"}
    raw = s.store.meta()["seats"]
    assert "2468" not in raw and "13579" not in raw  # only salted hashes are stored
    assert s.store.last_seq == 1  # the record holds only the start of the session


def test_wrong_pin_opens_nothing(seated, qtbot, messages):
    s, sw = seated
    p = sw.privacy
    assert p.headline.text() == "Pass the laptop to Upland"
    p.who_combo.setCurrentIndex(p.who_combo.findData("lowland"))
    assert p.pin_edit.isVisibleTo(sw)
    before = (s.store.last_seq, s.store.meta()["seats"])
    p.pin_edit.setText("1111")
    qtbot.mouseClick(p.open_button, Qt.MouseButton.LeftButton)
    assert sw.seat is None and sw.stack.currentWidget() is p
    assert p.error.text() == ("That PIN does not open the seat of Team Red (Lowland). "
                              "Nothing was opened; try again.")
    assert p.pin_edit.text() == ""
    # the control console: wrong PIN refused, the console stays hidden
    p.who_combo.setCurrentIndex(p.who_combo.findData("control"))
    p.pin_edit.setText("2468")  # a seat's PIN is not the console's
    qtbot.mouseClick(p.open_button, Qt.MouseButton.LeftButton)
    assert "does not open the control console" in p.error.text()
    assert not sw.window().isHidden() and sw.seat is None
    assert (s.store.last_seq, s.store.meta()["seats"]) == before
    # the right PIN opens the seat
    p.who_combo.setCurrentIndex(p.who_combo.findData("lowland"))
    p.pin_edit.setText("2468")
    qtbot.mouseClick(p.open_button, Qt.MouseButton.LeftButton)
    assert sw.seat is not None and sw.seat.role == "lowland"
    assert "Team Red (Lowland)" in sw.windowTitle()


def test_seat_without_pin_and_the_console_pin(seated, qtbot, window):
    s, sw = seated
    p = sw.privacy
    assert not p.pin_edit.isVisibleTo(sw)  # Upland has no PIN
    qtbot.mouseClick(p.open_button, Qt.MouseButton.LeftButton)
    assert sw.seat.role == "upland"
    qtbot.mouseClick(sw.seat.hand_over_button, Qt.MouseButton.LeftButton)
    assert sw.seat is None and p.headline.text() == "Pass the laptop to Team Red (Lowland)"
    p.who_combo.setCurrentIndex(p.who_combo.findData("control"))
    p.pin_edit.setText("13579")
    qtbot.mouseClick(p.open_button, Qt.MouseButton.LeftButton)
    assert window.isVisible() and window.seats.seat_window is None
    assert not S.load_plan(s).handed_over


def test_hand_over_screen_shows_nothing_of_either_seat(seated, qtbot):
    s, sw = seated
    s.execute(C.Advance())
    s.execute(C.SendMessage(sender="upland", to=("lowland",), text="UPLAND-TO-LOWLAND: dam deal"))
    s.execute(C.SubmitMove(role="upland", template="statement", channel="private",
                           to=("midland",), rationale="UPLAND-PRIVATE-RATIONALE: canal"))
    sw.privacy.who_combo.setCurrentIndex(0)
    qtbot.mouseClick(sw.privacy.open_button, Qt.MouseButton.LeftButton)
    assert "UPLAND-TO-LOWLAND" in all_texts(sw)  # the seat showed it …
    qtbot.mouseClick(sw.seat.hand_over_button, Qt.MouseButton.LeftButton)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    blob = all_texts(sw)
    sc = s.scenario
    private = ["UPLAND-TO-LOWLAND", "UPLAND-PRIVATE-RATIONALE", "Public statement"]
    for r in sc.roles:
        private += [_norm(r.private_brief), _norm(r.public_brief), *r.objectives, *r.red_lines]
        private += [m for m in re.findall(r"\b[A-Z]+-SECRET\b", r.private_brief)]
    assert not [t for t in private if t and _norm(t) in blob]
    assert not sw.findChildren(SeatView)


def test_reopened_session_goes_back_to_the_hand_over_screen(seated, window, qtbot):
    s, sw = seated
    path = s.path
    window.seats.seat_window.close()  # closing the students' window closes PeaceTable
    assert window.session is None
    from peacetable.ui.main_window import MainWindow

    w2 = MainWindow()
    qtbot.addWidget(w2)
    w2.show()
    assert w2.open_path(path)
    sw2 = w2.seats.seat_window
    assert sw2 is not None and sw2.isVisible() and not w2.isVisible()
    qtbot.addWidget(sw2)
    assert sw2.seat is None
    w2.seats.back_to_console()
    w2.close()


def test_seat_takes_moves_and_sends_messages_through_the_engine(seated, qtbot, messages):
    s, sw = seated
    s.execute(C.Advance())
    qtbot.mouseClick(sw.privacy.open_button, Qt.MouseButton.LeftButton)
    seat = sw.seat
    me = seat.move_entry
    # the form offers this role's moves only
    assert me.role() == "upland" and me.role_combo.count() == 1
    offered = {me.template_combo.itemData(k) for k in range(me.template_combo.count())}
    assert "open_sluices" in offered and "mass_troops" not in offered
    me.template_combo.setCurrentIndex(me.template_combo.findData("statement"))
    me.rationale_edit.setPlainText("We keep the water flowing.")
    qtbot.mouseClick(me.submit_button, Qt.MouseButton.LeftButton)
    ev = s.events[-1]
    assert isinstance(ev.body, MoveSubmitted) and ev.body.role == "upland"
    assert any("Upland: Public statement" in seat.feed.item(k).text()
               for k in range(seat.feed.count()))
    # a message: refused when empty (nothing written), sent otherwise
    n = s.store.last_seq
    seat.recipient_checks["lowland"].setChecked(True)
    qtbot.mouseClick(seat.send_button, Qt.MouseButton.LeftButton)
    assert messages and messages[-1]["title"] == "Not allowed"
    assert "The message is empty" in messages[-1]["text"] and s.store.last_seq == n
    seat.message_edit.setPlainText("Shall we talk about the dam?")
    qtbot.mouseClick(seat.send_button, Qt.MouseButton.LeftButton)
    ev = s.events[-1]
    assert isinstance(ev.body, MessageSent) and ev.body.sender == "upland"
    assert ev.body.to == ("lowland",)
    assert seat.message_list.count() == 1
    assert seat.tabs.tabText(1) == "Messages (1)"


def test_console_sends_a_message(window, qtbot, new_session, tmp_path):
    river = ROOT / "tests" / "fixtures" / "river-accord.toml"
    s = new_session(river, tmp_path / "c.peacetable")
    dlg = window.seats.send_message()
    dlg.recipient_checks["midland"].setChecked(True)
    dlg.text_edit.setPlainText("Control: the summit moves to noon.")
    qtbot.mouseClick(dlg.send_button, Qt.MouseButton.LeftButton)
    ev = s.events[-1]
    assert isinstance(ev.body, MessageSent) and ev.body.sender == "control"
    assert ev.visibility.allows("midland") and not ev.visibility.allows("upland")


def test_seat_window_standalone_refuses_unknown_seat(qtbot, river_session):
    bridge = SessionBridge()
    bridge.set_session(river_session)
    plan = S.configure(S.SeatPlan(), ["upland"], {})
    w = SeatWindow(bridge, plan)
    qtbot.addWidget(w)
    assert not w.try_open("lowland", "")  # not a seat at this laptop
    assert w.seat is None
    bridge.set_session(None)


def test_private_agreement_stays_off_a_third_seat(qtbot, river_session):
    """An agreement reached privately by two roles shows as agreed in their seats only: a
    third seat's issue list and move form still offer the issue as open."""
    from peacetable.app.script import ScriptLine

    s = river_session
    bridge = SessionBridge()
    bridge.set_session(s)
    seats = {r: SeatView(bridge, r) for r in ("upland", "lowland", "midland")}
    for v in seats.values():
        qtbot.addWidget(v)
    runner = ScriptRunner(s)
    for k, d in enumerate([
        {"cmd": "advance"},
        {"cmd": "move", "role": "lowland", "template": "propose", "channel": "private",
         "to": ["upland"], "package": {"monitoring": "international"}, "label": "pp",
         "parties": ["upland"]},
        {"cmd": "adjudicate", "move": "@pp", "decision": "accept"},
        {"cmd": "move", "role": "upland", "template": "accept", "target": "@pp",
         "channel": "private", "to": ["lowland"]},
        {"cmd": "adjudicate", "move": "last", "decision": "accept"},
    ], start=1):
        runner.apply(ScriptLine(k, d))
    assert s.view("control")["issues"]["monitoring"]["status"] == "agreed"

    def monitoring(v: SeatView) -> str:
        issues = next(v.table.topLevelItem(k) for k in range(v.table.topLevelItemCount())
                      if v.table.topLevelItem(k).text(0).startswith("Issues"))
        row = next(issues.child(k) for k in range(issues.childCount())
                   if issues.child(k).text(0) == "Monitoring")
        return row.text(1)

    assert monitoring(seats["upland"]).startswith("agreed")
    assert monitoring(seats["lowland"]).startswith("agreed")
    assert monitoring(seats["midland"]) == "open"
    # what the agreement is worth, to the seat's own role only
    from peacetable.domain.analytics.bargaining import PackageSpace

    worth = PackageSpace.from_scenario(s.scenario).evaluate({"monitoring": "international"})
    agreements = next(seats["upland"].table.topLevelItem(k)
                      for k in range(seats["upland"].table.topLevelItemCount())
                      if seats["upland"].table.topLevelItem(k).text(0).startswith("Agreements"))
    assert agreements.child(0).text(2).startswith(f"{worth['upland']['utility']:.2f} (")
    me = seats["midland"].move_entry
    me.template_combo.setCurrentIndex(me.template_combo.findData("propose"))
    cb = me.package_checks["monitoring"]
    assert cb.isEnabled() and "agreed" not in cb.toolTip()
    assert "Monitoring: International monitors" in all_texts(seats["upland"])
    assert "Monitoring: International monitors" not in all_texts(seats["midland"])
    bridge.set_session(None)


def test_seats_chosen_when_the_session_is_created(window, qtbot, tmp_path):
    window.new_action.trigger()
    dlg = window.new_dialog
    dlg.scenario_edit.setText(str(ROOT / "tests" / "fixtures" / "river-accord.toml"))
    dlg.scenario_edit.editingFinished.emit()
    dlg.session_edit.setText(str(tmp_path / "new.peacetable"))
    dlg.seats_check.setChecked(True)
    qtbot.mouseClick(dlg.create_button, Qt.MouseButton.LeftButton)
    setup = window.seats.setup_dialog
    assert setup.isVisible()
    # a PIN that is too short: said so, nothing saved
    setup.set_pin("upland", "12")
    qtbot.mouseClick(setup.save_button, Qt.MouseButton.LeftButton)
    assert setup.problem.text() == "Not saved: PIN for upland: a PIN needs at least 4 characters."
    assert "seats" not in window.session.store.meta()
    setup.set_pin("upland", "1234")
    setup.seat_checks["midland"].setChecked(False)
    qtbot.mouseClick(setup.save_button, Qt.MouseButton.LeftButton)
    plan = S.load_plan(window.session)
    assert plan.seats == ("upland", "lowland") and not plan.handed_over
    assert window.isVisible()  # saved without handing over: the console stays


def test_repeated_wrong_pins_lock_the_screen_for_a_while(seated, qtbot, monkeypatch):
    import peacetable.ui.seats as seats_ui

    s, sw = seated
    p = sw.privacy
    clock = [1000.0]
    monkeypatch.setattr(seats_ui.time, "monotonic", lambda: clock[0])
    p.who_combo.setCurrentIndex(p.who_combo.findData("control"))
    for _ in range(seats_ui.MAX_TRIES):
        assert not sw.try_open("control", "0000")
    assert p.error.text() == ("Too many wrong PINs. Nothing was opened; try again in "
                              f"{seats_ui.LOCKOUT} seconds.")
    assert not sw.try_open("control", "13579")  # even the right PIN waits
    assert sw.seat is None and S.load_plan(s).handed_over
    clock[0] += seats_ui.LOCKOUT + 1
    assert sw.try_open("lowland", "2468") and sw.seat.role == "lowland"
