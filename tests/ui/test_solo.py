"""Solo play: a student plays a whole bundled exercise through the seat's widgets while
bots play the other roles and control; the seat never shows another role's private text;
the scorecard is computed without blocking the window and shows labels."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from test_seats import Secrets, all_texts, leaks  # noqa: E402

from peacetable.domain.events import MoveSubmitted  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK = ROOT / "scenarios" / "framework-agreement.toml"


class Student:
    """Plays the seat through its widgets: answers a proposal addressed to it with an
    acceptance, otherwise takes the first move the form can submit; ends the turn when
    the engine refuses."""

    def __init__(self, qtbot, window, messages):
        self.qtbot = qtbot
        self.w = window
        self.messages = messages
        self.moves = 0
        self.ended = 0

    def click(self, button) -> None:
        assert button.isEnabled(), button.text()
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def take_turn(self) -> None:
        me = self.w.seat.move_entry
        kinds = {me.template_combo.itemData(k): me.session.scenario.template_by_id[
            me.template_combo.itemData(k)].kind for k in range(me.template_combo.count())}
        order = [t for t, k in kinds.items() if k == "acceptance"] + \
            [t for t, k in kinds.items() if k in ("de_escalation", "statement", "concession")]
        for tid in order:
            me.template_combo.setCurrentIndex(me.template_combo.findData(tid))
            if not me.submit_button.isEnabled():
                continue  # e.g. no proposal awaits this role's answer
            me.rationale_edit.setPlainText("The student's move.")
            seen = len(self.messages)
            before = len(self.w.session.events)
            self.click(me.submit_button)
            if len(self.w.session.events) > before:
                self.moves += 1
                return
            assert len(self.messages) > seen  # refused: the reason was shown
            break
        self.ended += 1
        self.click(self.w.seat.hand_over_button)  # "End my turn"


def test_solo_plays_a_whole_exercise_through_the_seat(qtbot, tmp_path, messages, window):
    window.seats.solo_action.trigger()
    dlg = window.seats.solo_dialog
    dlg.scenario_combo.setCurrentIndex(dlg.scenario_combo.findData(str(FRAMEWORK.resolve())))
    dlg.role_combo.setCurrentIndex(dlg.role_combo.findData("ukraine"))
    assert set(dlg.bot_combos) == {"us", "russia", "europe", "china"}
    assert dlg.bot_combos["russia"].toolTip()  # each strategy is described
    dlg.pace_spin.setValue(0.0)
    dlg.seed_spin.setValue(3)
    dlg.session_edit.setText(str(tmp_path / "solo.peacetable"))
    qtbot.mouseClick(dlg.start_button, Qt.MouseButton.LeftButton)
    w = window.seats.solo_window
    assert w is not None and w.isVisible() and not window.isVisible()
    qtbot.addWidget(w)
    w.baseline_runs = 4
    s = w.session
    assert w.seat.role == "ukraine" and w.seat.move_entry.role_combo.count() == 1
    secrets = Secrets(s)
    student = Student(qtbot, w, messages)
    turns = 0
    while not w.is_over:
        qtbot.waitUntil(lambda: w.is_over or w.my_turn(), timeout=20000)
        if w.is_over:
            break
        turns += 1
        if turns % 5 == 1:  # look at the seat now and then during the game
            secrets.feed()
            assert not leaks(all_texts(w), secrets.of("ukraine"))
        student.take_turn()
    assert w.autoplay.refused == 0
    mine = [e for e in s.events if isinstance(e.body, MoveSubmitted) and e.body.role == "ukraine"]
    assert student.moves >= 3 and len(mine) == student.moves
    assert any(e.body.kind == "acceptance" for e in mine) or student.moves >= 5
    others = {e.body.role for e in s.events if isinstance(e.body, MoveSubmitted)} - {"ukraine"}
    assert len(others) >= 3  # the bots played
    assert s.state.phase_index == len(s.scenario.phases) - 1
    assert "The exercise is over" in w.status.text()
    secrets.feed()
    assert not leaks(all_texts(w), secrets.of("ukraine"))
    # closing the game brings the main window back
    dialog = w.scorecard_dialog
    qtbot.waitUntil(lambda: dialog is not None and dialog.done, timeout=120000)
    w.close()
    assert window.isVisible() and window.seats.solo_window is None


def test_pace_holds_the_bots(qtbot, tmp_path, river_path):
    from peacetable.app.session import Session
    from peacetable.ui.solo import SoloWindow

    s = Session.create(river_path, tmp_path / "p.peacetable", seed=2)
    # the student plays the role that moves last in the first round
    w = SoloWindow(s, "midland", {"upland": "conceder", "lowland": "hardliner"}, pace=30.0)
    qtbot.addWidget(w)
    n = len(s.events)
    qtbot.wait(300)
    assert len(s.events) == n  # the first bot action waits 30 seconds
    assert w.timer.isActive() and w.timer.interval() == 30000
    w.pace_spin.setValue(0.0)
    qtbot.waitUntil(lambda: len(s.events) > n, timeout=5000)
    w.pause_button.setChecked(True)
    m = len(s.events)
    qtbot.wait(200)
    assert len(s.events) == m and w.status.text() == "The bots are paused."
    w.close()


def test_scorecard_in_the_background_with_labels(qtbot, tmp_path, river_path):
    pytest.importorskip("peacetable.app.scorecard")
    from peacetable.app.autoplay import Autoplay
    from peacetable.app.session import Session
    from peacetable.ui.solo import ScorecardDialog

    s = Session.create(river_path, tmp_path / "sc.peacetable", seed=4)
    ap = Autoplay(s, {r: "conceder" for r in s.scenario.player_ids}, control=True, seed=4)
    ap.run()
    assert ap.finished
    d = ScorecardDialog(s, "upland", runs=6, seed=1)
    qtbot.addWidget(d)
    d.show()
    assert not d.done  # the window is back before the runs are over
    with qtbot.waitSignal(d.ready, timeout=120000):
        pass
    assert d.card is not None, d.error
    rows = [d.table.item(k, 0).text() for k in range(d.table.rowCount())]
    assert "Objectives met" in rows and "Escalation peak" in rows
    for k, m in enumerate(d.card["measures"]):
        better = m["percentile"] if m["higher_is_better"] else 100 - m["percentile"]
        assert d.table.item(k, 2).text() == f"{better:.0f}%"
        assert d.table.item(k, 0).text() == m["label"]
    text = d.details.toPlainText()
    sc = s.scenario
    agreed = {}
    for a in s.view("upland")["agreements"]:
        if a["status"] == "in_force":
            agreed.update(a["package"])
    assert agreed  # the bots agreed on something to show
    for iid, oid in agreed.items():  # labels, not ids
        assert f"{sc.issue_by_id[iid].label}: {sc.issue_by_id[iid].option(oid).label}" in text
        assert f"{iid}: {oid}" not in text
    s.close()


def test_a_solo_game_resumes_at_the_seat(qtbot, tmp_path, messages, window):
    window.seats.solo_action.trigger()
    dlg = window.seats.solo_dialog
    dlg.scenario_combo.setCurrentIndex(dlg.scenario_combo.findData(str(FRAMEWORK.resolve())))
    dlg.role_combo.setCurrentIndex(dlg.role_combo.findData("europe"))
    dlg.pace_spin.setValue(0.0)
    path = tmp_path / "resume.peacetable"
    dlg.session_edit.setText(str(path))
    qtbot.mouseClick(dlg.start_button, Qt.MouseButton.LeftButton)
    w = window.seats.solo_window
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.my_turn(), timeout=20000)
    n = len(w.session.events)
    w.close()  # the student stops half-way
    assert window.isVisible() and window.session is None
    assert window.open_path(path)
    w2 = window.seats.solo_window
    assert w2 is not None and w2 is not w and w2.isVisible() and not window.isVisible()
    qtbot.addWidget(w2)
    assert w2.role == "europe" and window.session is None  # the console does not hold it
    # closing paused the game's clock and opening it again resumed it; nothing else moved
    added = [e.type for e in w2.session.events[n:]]
    assert added == ["clock_paused", "clock_resumed"], added
    assert w2.session.clock().running
    n = len(w2.session.events)
    w2.pace_spin.setValue(0.0)
    qtbot.waitUntil(lambda: w2.my_turn(), timeout=20000)
    Student(qtbot, w2, messages).take_turn()
    qtbot.waitUntil(lambda: len(w2.session.events) > n + 2, timeout=20000)
    assert w2.autoplay.refused == 0
    w2.close()
    assert window.isVisible()
