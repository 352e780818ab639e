"""A facilitator's run through the real console: the clock across a break, loose ends when
advancing, tempo in seminar play, what Undo names, labels a person reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QApplication

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.events import ClockCorrected, ClockPaused, ClockResumed

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _ts(minutes_ago: float) -> str:
    return (_now() - dt.timedelta(minutes=minutes_ago)).isoformat()


def _started(window, new_session, tmp_path, name="river.peacetable"):
    s = new_session(RIVER, tmp_path / name)
    window.console.phase_bar.advance_button.click()
    assert s.state.phase == "talks"
    return s


# --------------------------------------------------------------------------- the clock


def test_closing_the_window_pauses_the_clock_and_reopening_offers_to_resume(
        window, new_session, tmp_path, qtbot, messages):
    path = tmp_path / "break.peacetable"
    s = _started(window, new_session, tmp_path, name=path.name)
    assert s.clock().running
    window.close_session()
    # closing recorded the pause; the record says why
    with _Open(path) as ro:
        last = ro.events[-1]
        assert isinstance(last.body, ClockPaused) and last.body.reason == "closed"
        later = _now() + dt.timedelta(minutes=60)
        r = ro.clock(later)
        assert not r.running and r.phase < 60  # an hour away did not count
        assert [x["id"] for x in ro.injects_due(later) if x["due"]] == []
    messages.answer = "Keep it paused"
    assert window.open_path(path)
    qtbot.waitUntil(lambda: len(messages) == 1)
    assert messages[0]["title"] == "Resume the clock?"
    s = window.session
    assert not s.clock().running
    bar = window.console.phase_bar
    bar.tick()
    assert bar.clock_note.text() == "clock paused (session closed)"
    assert window.phase_actions.clock.text() == "Resume clock"


class _Open:
    """Session.open(path) as a context manager that closes the file."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.s = Session.open(self.path)
        return self.s

    def __exit__(self, *exc):
        self.s.close()


def test_a_session_reopened_after_an_hour_shows_the_time_before_the_break(
        window, tmp_path, qtbot, messages):
    """25 minutes of talks, the window closed for an hour, then reopened: the phase shows
    25:00 and the flash flood (minute 10) is due, the phase is not over time."""
    path = tmp_path / "lunch.peacetable"
    s = Session.create(RIVER, path, seed=3)
    s.execute(C.Advance(), ts=_ts(85))
    s.execute(C.PauseClock(reason="closed"), ts=_ts(60))  # what closing wrote an hour ago
    s.close()
    messages.answer = "Resume the clock"
    assert window.open_path(path)
    qtbot.waitUntil(lambda: isinstance(window.session.events[-1].body, ClockResumed))
    s = window.session
    r = s.clock()
    assert r.running and 25 * 60 <= r.phase < 26 * 60
    bar = window.console.phase_bar
    bar.tick()
    assert bar.clock_label.text().startswith("25:0") and bar.clock_label.text().endswith("/ 30:00")
    assert "over time" not in bar.clock_note.text() and bar.clock_note.text().endswith("left")
    assert bar.exercise_label.text().startswith("Exercise 25:0")
    assert "of 1:30:00" in bar.exercise_label.text()
    due = [x["id"] for x in window.bridge.injects_due() if x["due"]]
    assert due == ["flash_flood"]


def test_control_corrects_the_clock_as_a_recorded_event(window, new_session, tmp_path, qtbot,
                                                        messages):
    s = _started(window, new_session, tmp_path)
    dlg = window.phase_actions.do_correct_clock()
    assert dlg is not None and dlg.isVisible()
    dlg.minutes_spin.setValue(12)
    dlg.seconds_spin.setValue(30)
    dlg.reason_edit.setText("the clock was started late")
    dlg.set_button.click()
    assert not dlg.isVisible()
    ev = s.events[-1]
    assert isinstance(ev.body, ClockCorrected) and ev.body.reason == "the clock was started late"
    assert ev.visibility.scope == "control"
    r = s.clock()
    assert 750 <= r.phase < 752 and 750 <= r.exercise < 752
    # the flash flood (minute 10) is now due; the correction is not undoable (a fact of time)
    assert [x["id"] for x in window.bridge.injects_due() if x["due"]] == ["flash_flood"]
    assert ev.seq not in s.ledger.undo
    assert "clock corrected by +12:" in s.describe(ev)
    assert messages == []


def test_exercise_clock_counts_across_phases_against_the_planned_length(
        window, tmp_path, qtbot, messages):
    path = tmp_path / "ex.peacetable"
    s = Session.create(RIVER, path, seed=3)
    s.execute(C.Advance(), ts=_ts(40))
    s.execute(C.Advance(), ts=_ts(10))
    s.close()
    assert window.open_path(path)
    s = window.session
    r = s.clock()
    assert 10 * 60 <= r.phase < 10 * 60 + 5 and 40 * 60 <= r.exercise < 40 * 60 + 5
    assert r.exercise_planned == 90 * 60
    bar = window.console.phase_bar
    bar.tick()
    assert bar.exercise_label.text().startswith("Exercise 40:0")
    assert "of 1:30:00 · 49:" in bar.exercise_label.text() or "· 50:00 left" in \
        bar.exercise_label.text()
    # undoing the advance into phase 2 puts the phase clock back on phase 1's start
    window.undo.undo_action.trigger()
    assert s.state.phase_index == 0 and 40 * 60 <= s.clock().phase < 40 * 60 + 5
    assert messages == []


def test_planned_length_is_the_sum_of_the_phases_unless_the_scenario_states_one(tmp_path):
    from peacetable.app.clock import planned_minutes
    from peacetable.domain.loader import parse_scenario

    text = RIVER.read_text(encoding="utf-8")
    assert planned_minutes(parse_scenario(text, "river").scenario) == 90
    stated = text.replace("duration_minutes = 90\n", "duration_minutes = 100\n", 1)
    assert planned_minutes(parse_scenario(stated, "river").scenario) == 100
    unstated = text.replace("duration_minutes = 90\n", "", 1).replace(
        "duration_minutes = 30\n", "duration_minutes = 20\n", 1)
    assert planned_minutes(parse_scenario(unstated, "river").scenario) == 80


def test_projector_countdown_only_when_control_turns_it_on(window, new_session, tmp_path,
                                                          messages):
    _started(window, new_session, tmp_path)
    projector = window.show_projector()
    window._tick()
    assert not projector.countdown_label.isVisible()
    assert not any("left in this phase" in t for t in projector.all_texts())
    window.countdown_action.trigger()
    assert projector.countdown_label.isVisible()
    assert "left in this phase" in projector.countdown_label.text()
    assert "1:" in projector.countdown_label.text() and "left in the exercise" in \
        projector.countdown_label.text()
    window.countdown_action.trigger()
    assert not projector.countdown_label.isVisible()
    QApplication.processEvents()


# --------------------------------------------------------------------------- loose ends


def _move(driver, **d):
    driver.apply({"cmd": "move", **d})
    return driver.last_move


def test_advancing_with_undecided_moves_asks_and_records_the_answer(
        window, new_session, driver, tmp_path, messages):
    s = _started(window, new_session, tmp_path)
    driver.apply({"cmd": "inject", "id": "flash_flood"})  # nothing left unfired
    m = _move(driver, role="lowland", template="mass_troops")
    bar = window.console.phase_bar
    # cancel: nothing happens
    n = len(s.events)
    bar.advance_button.click()
    assert messages[-1]["title"] == "Moves not decided"
    assert f"move {m}: Lowland — Mass troops at the border" in messages[-1]["text"]
    assert len(s.events) == n and s.state.phase == "talks"
    # withdraw: recorded before the new phase starts, the queue is empty
    messages.answer = "Withdraw them"
    bar.advance_button.click()
    assert s.state.phase == "sealed_round" and m not in s.state.moves
    kinds = [e.type for e in s.events[n:]]
    assert kinds == ["withdrawn", "phase_started"]
    assert "not decided when 'Talks' ended" in s.describe(s.events[n])
    assert window.console.adjudication.counts() == (0, 0)
    # one Undo takes back the whole advance, the move waits again
    assert "(and 1 more event)" in bar.back_button.toolTip()
    bar.back_button.click()
    assert s.state.phase == "talks" and s.state.moves[m].status == "pending"
    # carry over: recorded for control, the move still waits in the next phase
    messages.answer = "Carry them over"
    bar.advance_button.click()
    assert s.state.phase == "sealed_round" and s.state.moves[m].status == "pending"
    last = s.events[-1]
    assert last.type == "carried_over" and last.body.moves == (m,)
    assert last.visibility.scope == "control"
    assert "1 undecided move carried over into Sealed round" in s.describe(last)


def test_advancing_asks_when_this_phases_injects_have_not_fired(
        window, new_session, tmp_path, messages):
    s = _started(window, new_session, tmp_path)
    bar = window.console.phase_bar
    bar.advance_button.click()
    assert messages[-1]["title"] == "Injects not fired"
    assert "Flash flood (minute 10)" in messages[-1]["text"]
    assert s.state.phase == "talks"
    messages.answer = "Advance anyway"
    bar.advance_button.click()
    assert s.state.phase == "sealed_round"


def test_a_private_move_needs_a_recipient_and_ticks_reset_between_moves(
        window, new_session, driver, tmp_path, messages):
    s = _started(window, new_session, tmp_path)
    me = window.console.move_entry
    driver.pick(me.role_combo, "upland")
    driver.pick(me.template_combo, "statement")
    driver.pick(me.channel_combo, "private")
    for cb in me.recipient_checks.values():
        cb.setChecked(False)
    n = len(s.events)
    me.submit_button.click()
    assert messages[-1]["title"] == "Not allowed"
    assert "addressed to at least one other role" in messages[-1]["text"]
    assert len(s.events) == n
    me.recipient_checks["midland"].setChecked(True)
    me.submit_button.click()
    assert s.events[-1].body.recipients == ("midland",)
    # the next move starts with no recipient ticked
    assert not any(cb.isChecked() for cb in me.recipient_checks.values())


def test_no_stale_line_after_undo(window, new_session, driver, tmp_path, messages):
    s = _started(window, new_session, tmp_path)
    me = window.console.move_entry
    adj = window.console.adjudication
    m = _move(driver, role="lowland", template="mass_troops")
    assert me.feedback.text() == (f"Recorded: Lowland's escalation (#{m}): Mass troops at the "
                                  "border — awaiting adjudication.")
    driver.apply({"cmd": "roll", "move": m, "odds": 50})
    assert me.feedback.text() == ""  # no longer awaiting: the line went
    assert adj.result_label.isVisibleTo(adj) and "Roll for Lowland's" in adj.result_label.text()
    window.undo.undo_action.trigger()
    assert not adj.result_label.isVisibleTo(adj) and adj.result_label.text() == ""
    m2 = _move(driver, role="upland", template="statement")
    assert me.feedback.text().startswith(f"Recorded: Upland's statement (#{m2})")
    window.undo.undo_action.trigger()
    assert me.feedback.text() == ""


# --------------------------------------------------------------------------- tempo


def test_record_as_accepted_in_one_step(window, new_session, driver, tmp_path, messages):
    s = _started(window, new_session, tmp_path)
    me = window.console.move_entry
    driver.pick(me.role_combo, "lowland")
    driver.pick(me.template_combo, "mass_troops")
    troops = s.state.variables["troops"]
    assert me.accept_button.isVisible() and me.accept_button.isEnabled()
    me.accept_button.click()
    sub, adj = s.events[-2], s.events[-1]
    assert sub.type == "move_submitted" and adj.type == "move_adjudicated"
    assert adj.body.move == sub.seq and adj.body.decision == "accepted"
    assert s.state.variables["troops"] > troops and sub.seq not in s.state.moves
    assert me.feedback.text() == (f"Recorded: Lowland's escalation (#{sub.seq}): Mass troops "
                                  "at the border — accepted.")
    assert messages == []


def test_a_sealed_round_shows_who_has_moved_not_what(window, new_session, driver, tmp_path,
                                                     messages):
    s = _started(window, new_session, tmp_path)
    driver.do_advance({})
    assert s.state.phase == "sealed_round"
    me = window.console.move_entry
    bar = window.console.phase_bar
    assert not me.accept_button.isVisibleTo(me)  # sealed moves wait for the reveal
    assert bar.sealed_roles.text() == "No sealed move yet."
    _move(driver, role="lowland", template="pull_back", rationale="SEALED-SECRET")
    assert bar.sealed_roles.text() == "Sealed a move: Lowland · not yet: Upland, Midland"
    projector = window.show_projector()
    assert "from Lowland" in projector.sealed_label.text()
    texts = " ".join(projector.all_texts())
    assert "SEALED-SECRET" not in texts and "Pull back" not in texts


# --------------------------------------------------------------------------- labels


def test_conditions_read_with_labels_in_the_console(window, new_session, driver, tmp_path,
                                                    messages):
    s = _started(window, new_session, tmp_path)
    o = _move(driver, role="upland", template="open_sluices", channel="private",
              to=["lowland"], condition={"variable": "troops", "op": "<=", "value": 4})
    from peacetable.ui.widgets_common import visible_texts

    adj = window.console.adjudication
    assert adj.select_move(o)
    texts = " ".join(visible_texts(adj))
    assert "Troops at the border ≤ 4 battalions" in texts
    assert "troops <=" not in texts
    assert "Troops at the border ≤ 4 battalions" in s.describe(s.events[o - 1])
