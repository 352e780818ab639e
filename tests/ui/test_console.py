"""The facilitator console, driven through its real widgets (offscreen)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox
from peacetable.domain.events import to_builtins
from peacetable.domain.views import describe_for_room
from peacetable.ui.undo import _short

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"


def started(window, new_session, tmp_path, name="river.peacetable"):
    """A river session created through the dialog, with phase 1 started by its button."""
    s = new_session(RIVER, tmp_path / name)
    window.console.phase_bar.advance_button.click()
    assert s.state.phase == "talks"
    return s


# --------------------------------------------------------------------------- sessions


def test_new_session_dialog_creates_the_session(window, new_session, tmp_path, messages):
    s = new_session(RIVER, tmp_path / "a.peacetable", seed=42, title="Seminar 3",
                    teams={"upland": "Team North", "lowland": "Team South"})
    assert s.seed == 42
    assert s.teams == {"upland": "Team North", "lowland": "Team South"}
    assert s.events[0].body.title == "Seminar 3"
    assert window.windowTitle() == "a.peacetable — River Accord — PeaceTable"
    assert window.pages.currentWidget() is window.console
    roles = window.console.move_entry.role_combo
    assert [roles.itemText(k) for k in range(roles.count())] == [
        "Upland — Team North", "Lowland — Team South", "Midland"]
    assert window.recent_files() == [str((tmp_path / "a.peacetable").resolve())]
    assert messages == []


def test_new_session_dialog_reports_a_bad_scenario_and_an_existing_file(window, qtbot, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('format = 1\n[scenario]\nid = "x"\n', encoding="utf-8")
    dlg = window.new_session(bad)
    assert dlg.loaded is None
    assert dlg.problem_label.isVisibleTo(dlg) and "bad.toml:" in dlg.problem_label.text()
    assert not dlg.create_button.isEnabled()
    existing = tmp_path / "taken.peacetable"
    existing.write_bytes(b"not mine")
    assert dlg.set_scenario(RIVER)
    dlg.session_edit.setText(str(existing))
    dlg.create_button.click()
    assert dlg.isVisible() and dlg.session is None
    assert "already exists" in dlg.problem_label.text()
    assert existing.read_bytes() == b"not mine"
    dlg.reject()
    assert window.session is None


def test_a_scenario_path_opens_the_new_session_dialog_prefilled(window, tmp_path):
    assert window.open_path(RIVER) is True
    dlg = window.new_dialog
    assert dlg.isVisible()
    assert dlg.loaded is not None and dlg.loaded.scenario.scenario.id == "river_accord"
    assert dlg.title_edit.text() == "River Accord"
    assert dlg.session_edit.text().endswith(".peacetable")
    assert set(dlg.team_edits) == {"upland", "lowland", "midland"}
    dlg.reject()


def test_close_and_reopen_restores_exactly(window, new_session, driver, tmp_path, messages):
    path = tmp_path / "r.peacetable"
    s = new_session(RIVER, path)
    for d in ({"cmd": "advance"},
              {"cmd": "move", "role": "lowland", "template": "mass_troops", "magnitude": 2,
               "label": "mt"},
              {"cmd": "adjudicate", "move": "@mt", "decision": "modify", "magnitude": 3,
               "reason": "the whole corps moves"},
              {"cmd": "move", "role": "upland", "template": "open_sluices", "channel": "private",
               "to": ["lowland"], "label": "sl"},
              {"cmd": "adjudicate", "move": "@sl", "decision": "accept"},
              {"cmd": "inject", "id": "flash_flood"}):
        driver.apply(d)
    before = s.view("control")
    n = len(s.events)
    window.close_action.trigger()
    assert window.session is None and window.pages.currentWidget() is window.welcome
    assert window.welcome.recent_paths[0] == str(path.resolve())
    window.welcome.recent_list.itemActivated.emit(window.welcome.recent_list.item(0))
    # closing paused the clock (one event more, recorded as such); nothing else changed
    assert window.session is not None and len(window.session.events) == n + 1
    assert type(window.session.events[-1].body).__name__ == "ClockPaused"
    assert window.session.view("control") == {**before, "event": n + 1}
    assert window.console.adjudication.queue.topLevelItemCount() == 0
    assert [m for m in messages if m["title"] != "Resume the clock?"] == []


def test_open_recent_menu_opens_the_file(window, new_session, tmp_path):
    path = tmp_path / "recent.peacetable"
    new_session(RIVER, path)
    window.close_session()
    window._fill_recent_menu()
    actions = [a for a in window.recent_menu.actions() if a.text().startswith("&1")]
    assert actions and actions[0].toolTip() == str(path.resolve())
    actions[0].trigger()
    assert window.session is not None and window.session.path == path
    window._fill_recent_menu()
    clear = next(a for a in window.recent_menu.actions() if a.text() == "Clear this list")
    clear.trigger()
    assert window.recent_files() == []


def test_drop_a_session_file_onto_the_window(window, qtbot, tmp_path):
    from peacetable.app.session import Session

    path = tmp_path / "dropped.peacetable"
    Session.create(RIVER, path, seed=3).close()
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(path))])
    ev = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    window.dropEvent(ev)
    qtbot.waitUntil(lambda: window.session is not None, timeout=3000)
    assert window.session.path == path
    other = QMimeData()
    other.setUrls([QUrl.fromLocalFile(str(tmp_path / "notes.txt"))])
    assert window._dropped_path(QDropEvent(QPointF(1, 1), Qt.DropAction.CopyAction, other,
                                           Qt.MouseButton.LeftButton,
                                           Qt.KeyboardModifier.NoModifier)) is None


# --------------------------------------------------------------------------- errors


def test_refused_move_shows_the_reason_and_writes_nothing(window, new_session, tmp_path, messages):
    s = started(window, new_session, tmp_path)
    me = window.console.move_entry
    me.role_combo.setCurrentIndex(me.role_combo.findData("upland"))
    me.template_combo.setCurrentIndex(me.template_combo.findData("propose"))
    me.set_package({"release": "high"})  # monitoring is a precondition of release
    n = len(s.events)
    rows = s.store.last_seq
    me.submit_button.click()
    assert len(messages) == 1
    assert messages[0]["icon"] == QMessageBox.Icon.Warning
    assert "needs 'Monitoring' settled first" in messages[0]["text"]
    assert "Nothing was recorded" in messages[0]["text"]
    assert len(s.events) == n and s.store.last_seq == rows
    from peacetable.app.session import Session

    s.close()  # the file on disk agrees
    window.bridge.set_session(None)
    check = Session.open(tmp_path / "river.peacetable", readonly=True)
    try:
        assert check.store.last_seq == rows
    finally:
        check.close()


def test_reject_needs_a_reason(window, new_session, tmp_path, driver, messages):
    s = started(window, new_session, tmp_path)
    driver.apply({"cmd": "move", "role": "lowland", "template": "mass_troops", "label": "m"})
    adj = window.console.adjudication
    assert adj.select_move(driver.labels["m"])
    adj.reason_edit.setText("   ")
    assert not adj.reject_button.isEnabled()
    n = len(s.events)
    adj.reject_move()  # called directly, as a shortcut would: the engine refuses
    assert len(s.events) == n
    assert "A rejection needs a reason" in messages[-1]["text"]


def test_opening_a_locked_session_opens_it_for_replay(window, tmp_path, messages):
    from peacetable.app.session import Session

    path = tmp_path / "busy.peacetable"
    holder = Session.create(RIVER, path, seed=1)  # holds the write lock
    try:
        # it opens for replay, read-only, and the window says why
        assert window.open_path(path) is True
        assert window.session is None and window.trainer.replaying
        assert "open for writing in another PeaceTable window" in window.trainer.page.banner.text()
        assert "[replay]" in window.windowTitle()
        assert not window.phase_actions.advance.isEnabled()
        window.phase_actions.do_advance()  # even if triggered, nothing is written
        assert holder.store.last_seq == 1
        assert [m["title"] for m in messages] == ["No session"]
    finally:
        window.close_session()
        holder.close()


@pytest.mark.parametrize("content,expected", [
    (b"", "is empty"),
    (b"SQLite format 3\x00" + b"\x00" * 50, "truncated"),
    (b"hello, this is not a session at all" * 10, "not a PeaceTable session"),
])
def test_damaged_or_foreign_files_show_an_error(window, tmp_path, messages, content, expected):
    path = tmp_path / "damaged.peacetable"
    path.write_bytes(content)
    assert window.open_path(path) is False
    assert messages[-1]["icon"] == QMessageBox.Icon.Critical
    assert expected in messages[-1]["text"]
    assert path.read_bytes() == content
    assert window.session is None and window.isVisible()


def test_unexpected_exceptions_are_logged_and_shown(window, monkeypatch, messages, tmp_path):
    import peacetable.logs
    from peacetable.ui.main import report_unexpected

    logged = []
    monkeypatch.setattr(peacetable.logs, "log_exception",
                        lambda exc: logged.append(exc) or tmp_path / "peacetable.log")
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError as exc:
        report_unexpected(type(exc), exc, exc.__traceback__)
    assert len(logged) == 1 and str(logged[0]) == "boom in a slot"
    assert messages[-1]["title"] == "Unexpected error"
    assert "RuntimeError: boom in a slot" in messages[-1]["text"]
    assert "every change was saved" in messages[-1]["text"]
    assert str(tmp_path / "peacetable.log") in messages[-1]["text"]


# --------------------------------------------------------------------------- phase bar


def test_phase_bar_shows_phase_objectives_and_clock(window, new_session, tmp_path, messages):
    s = new_session(RIVER, tmp_path / "p.peacetable")
    bar = window.console.phase_bar
    assert bar.phase_label.text() == "Not started"
    assert bar.advance_button.text() == "Start phase 1 ▸"
    assert not bar.clock_button.isEnabled()
    bar.advance_button.click()
    assert bar.phase_label.text() == "Phase 1 of 3 · Talks"
    assert "Put a package on the table" in bar.objectives.text()
    assert bar.badge.text() == "OPEN TURNS"
    assert bar.clock_label.text().endswith("/ 30:00")
    assert bar.clock_button.text() == "Pause clock"
    bar.clock_button.click()
    assert bar.clock_button.text() == "Resume clock"
    assert bar.clock_note.text() == "clock paused"
    frozen = bar.clock_label.text()
    time.sleep(1.1)
    bar.tick()
    assert bar.clock_label.text() == frozen
    bar.clock_button.click()
    assert bar.clock_note.text().endswith("left")
    assert [type(e.body).__name__ for e in s.events[-2:]] == ["ClockPaused", "ClockResumed"]
    assert messages == []


def test_sealed_phase_collects_moves_and_reveal_shows_them(window, new_session, driver, tmp_path,
                                                          messages):
    s = started(window, new_session, tmp_path)
    bar = window.console.phase_bar
    driver.do_advance({})  # answers "the flash flood has not fired": advance anyway
    assert bar.badge.text().startswith("SEALED MOVES")
    me = window.console.move_entry
    assert me.submit_button.text() == "Seal move"
    driver.apply({"cmd": "move", "role": "lowland", "template": "mass_troops", "label": "a"})
    driver.apply({"cmd": "move", "role": "upland", "template": "statement", "label": "b"})
    adj = window.console.adjudication
    assert [adj.queue.topLevelItem(k).text(5) for k in range(2)] == ["sealed", "sealed"]
    adj.select_move(driver.labels["a"])
    assert not adj.accept_button.isEnabled()
    assert not bar.advance_button.isEnabled()
    assert bar.reveal_button.text() == "Reveal 2 sealed moves"
    assert s.view("audience")["moves_open"] == []
    bar.reveal_button.click()
    assert [adj.queue.topLevelItem(k).text(5) for k in range(2)] == ["awaiting decision"] * 2
    assert window.console.top_tabs.currentWidget() is adj
    assert len(s.view("audience")["moves_open"]) == 2
    assert not bar.reveal_button.isEnabled()
    assert messages == []


# --------------------------------------------------------------------------- move entry


def test_templates_follow_role_and_phase(window, new_session, driver, tmp_path):
    started(window, new_session, tmp_path)
    me = window.console.move_entry

    def offered(role):
        me.role_combo.setCurrentIndex(me.role_combo.findData(role))
        return [me.template_combo.itemData(k) for k in range(me.template_combo.count())]

    assert offered("lowland") == ["propose", "accept", "reject", "statement", "mass_troops",
                                  "pull_back"]
    assert offered("upland") == ["propose", "accept", "reject", "statement", "open_sluices"]
    me.template_combo.setCurrentIndex(me.template_combo.findData("open_sluices"))
    assert me.magnitude_spin.maximum() == 1
    assert me.channel_combo.currentData() == "private"
    assert me.recipients_box.isVisibleTo(me)
    assert not me.recipient_checks["upland"].isEnabled()
    ce = me.condition_editor
    assert ce.isVisibleTo(me)
    assert ce.mode_combo.currentData() == "variable"  # prefilled from the template's default
    assert (ce.variable_combo.currentData(), ce.op_combo.currentData(), ce.value_spin.value()) \
        == ("troops", "<=", 2.0)
    assert ce.condition() is None  # unchanged: the engine records the template's own
    ce.value_spin.setValue(3)
    assert ce.condition() == {"variable": "troops", "op": "<=", "value": 3.0}
    me.role_combo.setCurrentIndex(me.role_combo.findData("lowland"))
    me.template_combo.setCurrentIndex(me.template_combo.findData("mass_troops"))
    assert me.magnitude_spin.maximum() == 3
    assert not me.package_box.isVisibleTo(me) and not me.condition_editor.isVisibleTo(me)
    driver.do_advance({})  # sealed round: no proposals
    assert offered("upland") == ["statement"]


def test_proposal_package_parties_condition_and_answers(window, new_session, driver, tmp_path,
                                                        messages):
    s = started(window, new_session, tmp_path)
    me = window.console.move_entry
    me.role_combo.setCurrentIndex(me.role_combo.findData("upland"))
    me.template_combo.setCurrentIndex(me.template_combo.findData("propose"))
    assert set(me.package_checks) == {"release", "monitoring"}
    assert not me.submit_button.isEnabled()  # an empty package
    assert [r for r, cb in me.party_checks.items() if cb.isChecked()] == ["lowland"]
    assert not me.party_checks["upland"].isEnabled()
    me.set_package({"monitoring": "joint", "release": "medium"})
    ce = me.condition_editor
    assert ce.mode_combo.currentData() == "none"
    ce.set_condition({"variable": "troops", "op": "<=", "value": 4})
    me.rationale_edit.setPlainText("a fair split")
    me.submit_button.click()
    prop = s.events[-1]
    assert prop.body.package == {"monitoring": "joint", "release": "medium"}
    assert prop.body.parties == ("lowland",)
    assert prop.body.condition == {"variable": "troops", "op": "<=", "value": 4.0}
    assert prop.body.rationale == "a fair split"
    # the new move is selected in the queue; table it
    adj = window.console.adjudication
    assert adj.selected_move() == prop.seq
    adj.accept_button.click()
    assert adj.in_play.topLevelItemCount() == 1
    # Lowland may answer it; Upland (its author) is offered nothing to answer
    me.role_combo.setCurrentIndex(me.role_combo.findData("upland"))
    me.template_combo.setCurrentIndex(me.template_combo.findData("accept"))
    assert me.target_combo.currentData() is None and not me.submit_button.isEnabled()
    driver.apply({"cmd": "move", "role": "lowland", "template": "accept", "target": prop.seq,
                  "label": "yes"})
    driver.apply({"cmd": "adjudicate", "move": "@yes", "decision": "accept"})
    view = s.view("control")
    assert [a["id"] for a in view["agreements"]] == [prop.seq]
    assert "Agreement reached: " in adj.result_label.text()
    assert not re.search(r"\b(move|proposal) #?\d", adj.result_label.text())
    issues = window.console.issues.issues
    assert [issues.cell(r, 1) for r in range(issues.rowCount())] == ["agreed", "agreed"]
    # agreed issues are closed in the package editor
    me.role_combo.setCurrentIndex(me.role_combo.findData("lowland"))
    me.template_combo.setCurrentIndex(me.template_combo.findData("propose"))
    assert not me.package_checks["release"].isEnabled()
    assert messages == []


def test_private_move_recipients_and_visibility(window, new_session, driver, tmp_path, messages):
    s = started(window, new_session, tmp_path)
    driver.apply({"cmd": "move", "role": "upland", "template": "statement", "channel": "private",
                  "to": ["midland"], "rationale": "just between us"})
    ev = s.events[-1]
    assert ev.body.channel == "private" and ev.body.recipients == ("midland",)
    log = window.console.event_log
    assert ev.seq in log.visible_seqs()
    assert log.set_viewer("audience")
    assert ev.seq not in log.visible_seqs()
    assert log.set_viewer("midland")
    assert ev.seq in log.visible_seqs()
    assert log.set_viewer("lowland")
    assert ev.seq not in log.visible_seqs()
    log.set_viewer("control")
    log.search_edit.setText("statement")
    assert log.visible_seqs() == [ev.seq]
    assert messages == []


# --------------------------------------------------------------------------- adjudication


def test_roll_records_and_shows_the_draw(window, new_session, driver, tmp_path, messages):
    s = started(window, new_session, tmp_path)
    driver.apply({"cmd": "move", "role": "lowland", "template": "mass_troops", "label": "m"})
    driver.apply({"cmd": "roll", "move": "@m", "odds": 60, "reason": "will the army obey?"})
    ev = s.events[-1]
    assert type(ev.body).__name__ == "DiceRolled"
    b = ev.body
    assert (b.odds, b.reason) == (60, "will the army obey?")
    from peacetable.domain.engine import roll_draw

    assert b.draw == roll_draw(s.seed, 0)
    text = window.console.adjudication.result_label.text()
    assert f"drew {b.draw} against 60%" in text
    assert ("SUCCESS: accepted" if b.success else "FAILURE: rejected") in text
    assert s.state.moves == {}
    assert messages == []


def test_withdraw_a_tabled_proposal(window, new_session, driver, tmp_path, messages):
    s = started(window, new_session, tmp_path)
    driver.apply({"cmd": "move", "role": "upland", "template": "propose",
                  "package": {"monitoring": "none"}, "label": "p"})
    driver.apply({"cmd": "adjudicate", "move": "@p", "decision": "accept"})
    driver.apply({"cmd": "withdraw", "move": "@p", "reason": "changed our mind"})
    assert s.state.moves == {}
    assert window.console.adjudication.in_play.topLevelItemCount() == 0
    assert messages == []


# --------------------------------------------------------------------------- MSEL


def test_msel_highlights_due_injects_and_fires_them(window, new_session, tmp_path, messages):
    from peacetable.domain import commands as C
    from peacetable.ui.style import DUE_COLOUR

    s = new_session(RIVER, tmp_path / "m.peacetable")
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11)).isoformat()
    s.execute(C.Advance(), ts=past)  # phase 1 started 11 minutes ago
    msel = window.console.msel
    msel.tick()
    item = msel._items["flash_flood"]
    assert item.text(3) == "DUE NOW"
    assert item.background(1).color().name() == DUE_COLOUR
    assert "1 due now" in msel.header.text()
    assert msel.selected_inject() == "flash_flood"  # the due one is selected
    assert "A storm fills the reservoir overnight." in msel.detail.text()
    reserve = msel._items["leak"]
    assert reserve.text(0) == "any time" and reserve.text(3) == "reserve"
    flow = s.state.variables["flow"]
    msel.fire_button.click()
    assert s.state.injects_fired["flash_flood"] == s.events[-1].seq
    assert s.state.variables["flow"] == flow + 10
    assert msel._items["flash_flood"].text(3).startswith("fired (event")
    assert not msel.fire_button.isEnabled()
    # a reserve inject can be fired too
    assert msel.select_inject("leak")
    msel.fire_button.click()
    assert "leak" in s.state.injects_fired
    assert messages == []


def test_unscheduled_inject_and_recorded_action(window, new_session, driver, tmp_path, messages):
    s = started(window, new_session, tmp_path)
    troops = s.state.variables["troops"]
    driver.apply({"cmd": "inject", "title": "Border shooting", "synopsis": "Shots at a post.",
                  "targets": ["lowland"], "visibility": "targets",
                  "expected_action": "Lowland decides whether to retaliate",
                  "effects": {"variables": {"troops": 1}}})
    ev = s.events[-1]
    assert ev.body.title == "Border shooting" and not ev.body.scheduled
    assert ev.visibility.describe() == "private: lowland"
    assert s.state.variables["troops"] == troops + 1
    msel = window.console.msel
    assert msel.fired_combo.currentData() == ev.seq
    assert msel.expected_label.text() == "Lowland decides whether to retaliate"
    assert msel.action_role_combo.currentData() == "lowland"
    driver.apply({"cmd": "record_action", "inject_event": ev.seq, "role": "lowland",
                  "text": "Lowland protested but held fire"})
    rec = s.events[-1]
    assert type(rec.body).__name__ == "ActionRecorded" and rec.body.inject_event == ev.seq
    assert msel.action_edit.text() == ""
    assert messages == []


def test_unscheduled_inject_refused_keeps_the_dialog_open(window, new_session, tmp_path, messages):
    s = started(window, new_session, tmp_path)
    msel = window.console.msel
    msel.new_button.click()
    dlg = msel.dialog
    dlg.title_edit.setText("Something")
    n = len(s.events)
    dlg.fire_button.click()  # no synopsis
    assert "needs a title and a synopsis" in messages[-1]["text"]
    assert dlg.isVisible() and len(s.events) == n
    dlg.reject()


# --------------------------------------------------------------------------- undo / redo


def test_undo_redo_through_the_edit_actions(window, new_session, driver, tmp_path, qtbot, messages):
    s = started(window, new_session, tmp_path)
    undo = window.undo
    driver.apply({"cmd": "move", "role": "lowland", "template": "mass_troops", "magnitude": 2,
                  "label": "m"})
    driver.apply({"cmd": "adjudicate", "move": "@m", "decision": "accept"})
    after = s.view("control")
    assert len(s.ledger.undo) == 3
    assert undo.undo_action.text().startswith(
        f"&Undo: Control accepted Lowland's escalation (#{driver.labels['m']}): Mass troops")
    undo.undo_action.trigger()
    assert list(s.state.moves) == [driver.labels["m"]]  # back to awaiting adjudication
    assert type(s.events[-1].body).__name__ == "Undone"
    undo.undo_action.trigger()
    assert s.state.moves == {}
    assert undo.redo_action.isEnabled()
    undo.redo_action.trigger()
    undo.redo_action.trigger()
    assert {**s.view("control"), "event": None} == {**after, "event": None}
    assert len(s.ledger.undo) == 3 and s.ledger.redo == []
    # the phase bar's Undo is the same undo, and its tooltip names what it will cancel
    bar = window.console.phase_bar
    assert bar.back_button.text() == "◂ Undo"
    assert bar.back_button.toolTip() == f"Undo: {s.describe(s.events[s.ledger.undo[-1] - 1])} (Ctrl+Z)"
    assert "accepted" in bar.back_button.toolTip()
    bar.back_button.click()
    assert len(s.ledger.undo) == 2 and undo.redo_action.isEnabled()
    # a new command drops what could be redone
    driver.apply({"cmd": "move", "role": "upland", "template": "statement"})
    assert not undo.redo_action.isEnabled() and s.ledger.redo == []
    # the keyboard shortcut reaches the action
    window.activateWindow()
    n = len(s.events)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(s.events) == n + 1 and type(s.events[-1].body).__name__ == "Undone"
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert type(s.events[-1].body).__name__ == "Redone"
    assert messages == []


def test_undo_follows_the_ledger_after_reopening(window, new_session, driver, tmp_path,
                                                       messages):
    path = tmp_path / "u.peacetable"
    s = started(window, new_session, tmp_path, name="u.peacetable")
    driver.apply({"cmd": "move", "role": "lowland", "template": "mass_troops", "label": "m"})
    driver.apply({"cmd": "adjudicate", "move": "@m", "decision": "accept"})
    window.undo.undo_action.trigger()  # leave something to redo
    ledger = (list(s.ledger.undo), list(s.ledger.redo))
    view = s.view("control")
    window.close_session()
    assert window.open_path(path)
    s = window.session
    undo = window.undo
    assert (s.ledger.undo, s.ledger.redo) == ledger
    # the menu names the event in words, cut to a menu's length (the tooltip has it whole)
    assert undo.redo_action.text() == "&Redo: " + _short(s.describe(s.events[ledger[1][-1] - 1]))
    assert s.view("control") == {**view, "event": view["event"] + 1}  # + the clock's pause
    undo.redo_action.trigger()
    assert s.state.moves == {}
    assert undo.undo_action.isEnabled()
    undo.undo_action.trigger()
    assert list(s.state.moves) == [driver.labels["m"]]
    undo.redo_action.trigger()
    assert s.state.moves == {}
    assert [m for m in messages if m["title"] != "Resume the clock?"] == []


def test_undo_of_a_phase_advance_goes_back_a_phase(window, new_session, driver, tmp_path,
                                                   messages):
    s = started(window, new_session, tmp_path)
    bar = window.console.phase_bar
    driver.do_advance({})
    assert bar.phase_label.text().startswith("Phase 2 of 3")
    bar.back_button.click()
    assert s.state.phase == "talks"
    assert bar.phase_label.text() == "Phase 1 of 3 · Talks"
    assert messages == []


# --------------------------------------------------------------------------- tables, views


def test_tables_show_the_control_view(window, new_session, driver, tmp_path):
    from peacetable.ui.style import STATUS_COLOURS

    s = started(window, new_session, tmp_path)
    driver.apply({"cmd": "move", "role": "lowland", "template": "mass_troops", "magnitude": 2,
                  "label": "m"})
    driver.apply({"cmd": "adjudicate", "move": "@m", "decision": "accept"})
    view = s.view("control")
    lev = window.console.leverage.leverage
    assert [lev.cell(r, 0) for r in range(lev.rowCount())] == ["Upland", "Lowland", "Midland"]
    assert lev.cell(1, 2) == f"{view['leverage']['lowland']:.0f}" and lev.cell(1, 3) == "+10"
    var = window.console.leverage.variables
    assert var.cell(0, 1) == f"{view['escalation']['variables']['troops']:g} battalions"
    issues = window.console.issues.issues
    assert issues.rowCount() == len(view["issues"])
    assert issues.cell(0, 0) == "Water release"
    assert issues.cell(0, 1) == "blocked"
    assert issues.cell(0, 4) == view["issues"]["release"]["reason"] != ""
    assert issues._rows[0]["bg"] == STATUS_COLOURS["blocked"]


def test_chart_network_and_projector_are_integrated(window, new_session, driver, tmp_path, qtbot,
                                                    messages):
    from peacetable.ui.audience import AudienceWindow
    from peacetable.ui.escalation_chart import EscalationChart
    from peacetable.ui.network_view import NetworkView

    s = started(window, new_session, tmp_path)
    window.ensure_visuals()
    assert window.visual_errors == {}
    tabs = window.console.bottom_tabs
    titles = [tabs.tabText(k) for k in range(tabs.count())]
    assert titles[:2] == ["Escalation chart", "Issue network"]
    assert isinstance(window.visuals["chart"], EscalationChart)
    assert isinstance(window.visuals["network"], NetworkView)
    followed = []
    monkey = window.visuals["chart"].on_change
    window.visuals["chart"].on_change = lambda ch: (followed.append(ch), monkey(ch))
    window.projector_action.trigger()
    proj = window.projector
    qtbot.addWidget(proj)
    assert isinstance(proj, AudienceWindow) and proj.isVisible()
    assert proj.session is s and window.visuals["chart"].session is s
    assert window.visuals["network"].session is s
    got = []
    original = proj.on_change
    proj.on_change = lambda ch: (got.append(ch), original(ch))
    driver.apply({"cmd": "move", "role": "upland", "template": "statement", "label": "x"})
    assert len(got) == 1 and got[0].events[-1].seq == driver.labels["x"]
    assert len(followed) == 1
    window.close_session()
    assert proj.session is None and window.visuals["chart"].session is None
    assert messages == []


def test_view_menu_and_help_items_work(window, new_session, tmp_path, qtbot):
    from peacetable.ui import style
    from peacetable.ui.dialogs import BriefingDialog

    started(window, new_session, tmp_path)
    window.ensure_visuals()
    titles = [a.text() for a in window.goto_actions]
    assert titles[:3] == ["Adjudication queue", "MSEL timeline", "Event log"]
    assert "Escalation chart" in titles and "Leverage and variables" in titles
    next(a for a in window.goto_actions if a.text() == "Event log").trigger()
    assert window.console.top_tabs.currentWidget() is window.console.event_log
    window.larger_action.trigger()
    assert style.text_scale() > 1.0
    window.normal_action.trigger()
    assert style.text_scale() == 1.0
    window.briefing_action.trigger()
    dlg = next(d for d in window.findChildren(BriefingDialog) if d.isVisible())
    assert "UPLAND-SECRET" in dlg.browser.toPlainText()  # control sees private briefs
    dlg.reject()


def test_note_dialog_adds_a_control_note(window, new_session, driver, tmp_path, messages):
    s = started(window, new_session, tmp_path)
    driver.apply({"cmd": "note", "text": "Lowland is stalling"})
    ev = s.events[-1]
    assert type(ev.body).__name__ == "Note" and ev.visibility.describe() == "control"
    assert messages == []


# --------------------------------------------------------------------------- the program


def test_peacetable_command_opens_a_window_and_reports_when_shown(tmp_path):
    """The real entry point: ``peacetable`` with no arguments shows the main window."""
    exe = Path(sys.executable).with_name("peacetable")
    env = {"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "PEACETABLE_BENCH_EXIT_ON_SHOW": "1"}
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("PEACETABLE_SHOWN ")


def test_publish_a_private_agreement(window, new_session, driver, tmp_path, messages):
    s = started(window, new_session, tmp_path)
    for d in ({"cmd": "move", "role": "upland", "template": "propose", "channel": "private",
               "to": ["lowland"], "package": {"monitoring": "joint"}, "label": "p"},
              {"cmd": "adjudicate", "move": "@p", "decision": "accept"},
              {"cmd": "move", "role": "lowland", "template": "accept", "target": "@p",
               "channel": "private", "to": ["upland"], "label": "yes"},
              {"cmd": "adjudicate", "move": "@yes", "decision": "accept"}):
        driver.apply(d)
    aid = driver.labels["p"]
    panel = window.console.issues
    assert s.view("audience")["agreements"] == []
    assert panel.select_agreement(aid)
    assert panel.agreements.cell(0, 5).startswith("private")
    assert panel.publish_button.isEnabled()
    driver.apply({"cmd": "publish", "agreement": aid, "reason": "announced at the summit"})
    assert [a["id"] for a in s.view("audience")["agreements"]] == [aid]
    assert panel.select_agreement(aid) and not panel.publish_button.isEnabled()
    assert messages == []


def test_ruling_note_stays_with_control(window, new_session, tmp_path, driver):
    s = started(window, new_session, tmp_path)
    driver.apply({"cmd": "move", "role": "lowland", "template": "mass_troops", "label": "m"})
    adj = window.console.adjudication
    assert adj.select_move(driver.labels["m"])
    adj.reason_edit.setText("The border stays calm")
    adj.note_edit.setText("watch Lowland next round")
    adj.accept_move()
    ev, note = s.events[-2], s.events[-1]
    assert ev.body.reason == "The border stays calm"
    assert ev.visibility.allows("audience") and "watch" not in str(to_builtins(ev.body))
    assert note.visibility.scope == "control" and note.body.text == "watch Lowland next round"
    assert "watch Lowland next round" in adj.result_label.text()
    assert "watch Lowland next round" in s.describe(note)
    for viewer in ("audience", *s.scenario.player_ids):  # no one else sees it, in any form
        assert "watch Lowland" not in str([to_builtins(e) for e in s.visible_events(viewer)])
    window.undo.undo_action.trigger()  # the note goes with its ruling: one undo takes it back
    assert driver.labels["m"] in s.state.moves
    room = describe_for_room(s.scenario, ev, {e.seq: e for e in s.events})
    assert "The border stays calm" in room and "watch Lowland" not in room
    assert adj.note_edit.text() == ""


def test_view_menu_chooses_what_the_room_sees(window, new_session, tmp_path, qtbot):
    from PySide6.QtCore import QSettings

    started(window, new_session, tmp_path)
    acts = window.room_actions
    assert not acts["analysis"].isChecked() and not acts["overlays"].isChecked()
    assert acts["network"].isChecked()
    window.projector_action.trigger()
    proj = window.projector
    qtbot.addWidget(proj)
    assert proj.room == {"network": True, "analysis": False, "overlays": False}
    acts["analysis"].trigger()
    acts["network"].trigger()
    assert proj.room["analysis"] and not proj.room["network"]
    assert not proj.network_pane.isVisible() and proj.network.show_analysis
    assert QSettings().value("projector/analysis", type=bool) is True
    assert QSettings().value("projector/network", type=bool) is False
