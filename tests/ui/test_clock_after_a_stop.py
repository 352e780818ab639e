"""The clock after PeaceTable was stopped without closing the session (killed, a crash, a
power cut): the time it was down is not exercise time, and reopening offers to resume.

While the clock runs, the window writes a heartbeat beside the record (``meta``, never an
event). Opening a session whose heartbeat is still there records the pause the stopped
program could not record, dated at its last sign of life."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from peacetable.app.clock import CRASHED, HEARTBEAT_KEY, HEARTBEAT_SECONDS
from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.events import ClockPaused, ClockResumed
from peacetable.domain.views import describe_event

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="milliseconds")


def _rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.execute("SELECT seq, ts, type, body, hash FROM events ORDER BY seq"))
    finally:
        conn.close()


def _heartbeat(path: Path) -> str | None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (HEARTBEAT_KEY,)).fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def _killed_while_running(path: Path, started: dt.datetime, beat: dt.datetime) -> None:
    """The file as a program killed while the clock ran leaves it: phase 1 started at
    ``started``, the last heartbeat at ``beat``, no pause recorded, the heartbeat left."""
    s = Session.create(RIVER, path, seed=3)
    s.execute(C.Advance(), ts=_iso(started))
    assert s.keep_time(now=beat)
    s.store.close()  # no close(): nothing more reaches the file


def test_reopening_after_a_kill_pauses_the_clock_at_the_last_heartbeat(tmp_path):
    path = tmp_path / "killed.peacetable"
    now = _now()
    beat = now - dt.timedelta(minutes=90)
    _killed_while_running(path, now - dt.timedelta(minutes=100), beat)
    before = _rows(path)

    s = Session.open(path)
    try:
        # the record before is untouched; one pause is added, dated at the heartbeat
        assert _rows(path)[:len(before)] == before
        last = s.events[-1]
        assert len(s.events) == len(before) + 1
        assert isinstance(last.body, ClockPaused) and last.body.reason == CRASHED
        assert last.ts == _iso(beat) and s.stopped_at == last.ts
        # ten minutes of talks counted; the 90 minutes the program was down did not, now
        # or an hour from now
        r = s.clock()
        assert not r.running and r.paused_on_close and r.pause_reason == CRASHED
        assert abs(r.phase - 600) < 1
        assert s.clock(now + dt.timedelta(hours=1)).phase == r.phase
        assert describe_event(s.scenario, last).endswith(
            "(PeaceTable stopped without closing the session)")
        assert _heartbeat(path) == ""  # recovered once
    finally:
        s.close()
    # opened again: nothing more to recover
    n = len(_rows(path))
    Session.open(path).close()
    assert len(_rows(path)) == n


def test_a_heartbeat_older_than_the_last_event_pauses_at_the_last_event(tmp_path):
    path = tmp_path / "late.peacetable"
    now = _now()
    s = Session.create(RIVER, path, seed=3)
    s.execute(C.Advance(), ts=_iso(now - dt.timedelta(minutes=50)))
    assert s.keep_time(now=now - dt.timedelta(minutes=45))
    s.execute(C.AddNote(text="after the heartbeat"), ts=_iso(now - dt.timedelta(minutes=40)))
    s.store.close()  # killed before the next heartbeat
    s = Session.open(path)
    try:
        last = s.events[-1]
        assert isinstance(last.body, ClockPaused) and last.ts == s.events[-2].ts
        assert abs(s.clock().phase - 600) < 1
    finally:
        s.close()


def test_a_heartbeat_that_is_not_a_time_pauses_at_the_last_event(tmp_path):
    path = tmp_path / "garbled.peacetable"
    now = _now()
    s = Session.create(RIVER, path, seed=3)
    s.execute(C.Advance(), ts=_iso(now - dt.timedelta(minutes=30)))
    s.execute(C.AddNote(text="last"), ts=_iso(now - dt.timedelta(minutes=20)))
    s.store.set_meta(HEARTBEAT_KEY, "not a time")
    s.store.close()
    s = Session.open(path)
    try:
        assert s.events[-1].body.reason == CRASHED
        assert s.events[-1].ts == s.events[-2].ts
        assert abs(s.clock().phase - 600) < 1
    finally:
        s.close()


def test_a_clean_close_or_a_paused_clock_leaves_nothing_to_recover(tmp_path):
    path = tmp_path / "clean.peacetable"
    now = _now()
    s = Session.create(RIVER, path, seed=3)
    s.execute(C.Advance(), ts=_iso(now - dt.timedelta(minutes=30)))
    assert s.keep_time(now=now - dt.timedelta(minutes=20))
    assert not s.keep_time(now=now - dt.timedelta(minutes=20, seconds=-1))  # too soon
    s.close(pause_clock=True)
    assert _heartbeat(path) == ""
    s = Session.open(path)
    assert s.events[-1].body.reason == "closed" and not s.stopped_at
    s.execute(C.ResumeClock())
    assert s.keep_time()
    s.execute(C.PauseClock(reason="lunch"))
    assert not s.keep_time(now=_now() + dt.timedelta(seconds=2 * HEARTBEAT_SECONDS))
    n = len(s.events)
    s.store.close()  # killed while control had paused the clock: nothing was lost
    s = Session.open(path)
    try:
        assert len(s.events) == n and s.events[-1].body.reason == "lunch"
        assert _heartbeat(path) == ""
    finally:
        s.close()


def test_a_window_killed_with_sigkill_does_not_count_the_time_it_was_down(
        tmp_path, window, qtbot, messages):
    """The real program: the console runs a session with the clock running and is killed
    (SIGKILL); the session reopened in a window shows the clock paused where the program
    stopped, says why, and offers to resume."""
    path = tmp_path / "sigkill.peacetable"
    s = Session.create(RIVER, path, seed=3)
    s.execute(C.Advance(), ts=_iso(_now() - dt.timedelta(minutes=5)))
    s.close()  # the clock runs: closed by a script, not by the window
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen([sys.executable, "-m", "peacetable.cli", str(path)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not _heartbeat(path) and time.monotonic() < deadline:
            assert proc.poll() is None, "the window exited before the session was open"
            time.sleep(0.2)
        beat = _heartbeat(path)
        assert beat, "the window wrote no heartbeat within 120 s"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    n = len(_rows(path))

    messages.answer = "Resume the clock"
    assert window.open_path(path)
    qtbot.waitUntil(lambda: len(messages) == 1)
    assert messages[0]["title"] == "Resume the clock?"
    assert "PeaceTable stopped without closing this session" in messages[0]["text"]
    assert "the time since was not counted" in messages[0]["text"]
    s = window.session
    paused = s.events[n]
    assert isinstance(paused.body, ClockPaused) and paused.body.reason == CRASHED
    assert paused.ts == beat
    qtbot.waitUntil(lambda: isinstance(s.events[-1].body, ClockResumed))
    # counted: the five minutes before the window and the seconds it ran, not the time
    # between the kill and the resume
    resumed = s.events[-1]
    down = (dt.datetime.fromisoformat(resumed.ts) - dt.datetime.fromisoformat(beat))
    r = s.clock(dt.datetime.fromisoformat(resumed.ts))
    started = dt.datetime.fromisoformat(s.events[1].ts)
    assert abs(r.phase - ((dt.datetime.fromisoformat(resumed.ts) - started) - down)
               .total_seconds()) < 0.01
