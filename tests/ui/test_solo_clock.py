"""Solo play keeps the session's time as the console does: while the clock runs it writes
the heartbeat beside the record, so a game whose program is killed opens again with the
clock paused where it stood (the time it was down not counted) and carries on from there;
closing the game pauses its clock and opening it again resumes it."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from peacetable.app.clock import CRASHED, HEARTBEAT_KEY
from peacetable.app.seats import save_solo
from peacetable.app.session import Session
from peacetable.domain import commands as C

BOTS = {"upland": "conceder", "lowland": "hardliner"}


def _heartbeat(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (HEARTBEAT_KEY,)).fetchone()
        return row[0] if row else ""
    finally:
        conn.close()


def _copy(src: Path, dst: Path) -> None:
    """The file as it is on disk now (the write-ahead log included), as a killed program
    would leave it."""
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()


def test_a_killed_solo_game_opens_with_its_clock_where_it_stood(qtbot, tmp_path, river_path):
    from peacetable.ui.solo import SoloWindow

    path = tmp_path / "solo.peacetable"
    started = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=7)
    s = Session.create(river_path, path, seed=2)
    save_solo(s, "midland", BOTS, 2)
    s.execute(C.Advance(), ts=started.isoformat(timespec="milliseconds"))
    w = SoloWindow(s, "midland", BOTS, pace=30.0)  # the bots wait: the clock alone runs
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: _heartbeat(path) != "", timeout=5000)
    beat = dt.datetime.fromisoformat(_heartbeat(path))
    killed = tmp_path / "killed.peacetable"
    _copy(path, killed)
    w.close()

    again = Session.open(killed)
    last = again.events[-1]
    assert last.body.reason == CRASHED and dt.datetime.fromisoformat(last.ts) == beat
    stood = again.clock().phase
    assert abs(stood - (beat - started).total_seconds()) < 1
    w2 = SoloWindow(again, "midland", BOTS, pace=30.0)  # the game goes on: so does time
    qtbot.addWidget(w2)
    assert again.events[-1].type == "clock_resumed" and again.clock().running
    w2.close()  # closing the game pauses its clock (and closes the file)
    reopened = Session.open(killed, readonly=True)
    try:
        assert reopened.events[-1].body.reason == "closed"
    finally:
        reopened.close()
