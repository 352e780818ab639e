"""The clock as a read-only view (replay, `peacetable info`, a window that could not take
the write lock) reads it: time counts only while a program keeps the session's time. A
session no program is writing stands where its writer left it — at its last heartbeat when
it was stopped without closing the session — however long after it is replayed; while
another program writes it, its clock is live."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from peacetable.app.clock import CRASHED
from peacetable.app.session import Session
from peacetable.domain import commands as C

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="milliseconds")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def test_replaying_a_killed_session_counts_no_time_after_its_last_heartbeat(tmp_path):
    path = tmp_path / "killed.peacetable"
    now = _now()
    s = Session.create(RIVER, path, seed=3)
    s.execute(C.Advance(), ts=_iso(now - dt.timedelta(minutes=100)))
    assert s.keep_time(now=now - dt.timedelta(minutes=90))
    s.store.close()  # killed: no pause recorded, the heartbeat left behind
    before = path.read_bytes()

    r = Session.open(path, readonly=True)
    try:
        got = r.clock()
        # ten minutes of talks; not the 100 minutes since the phase began
        assert abs(got.phase - 600) < 1 and abs(got.exercise - 600) < 1, got
        assert not got.running and got.pause_reason == CRASHED
        assert r.clock(now + dt.timedelta(hours=3)).phase == got.phase  # it stands still
        assert abs(r.clock(now - dt.timedelta(minutes=95)).phase - 300) < 1  # before: it ran
    finally:
        r.close()
    assert path.read_bytes() == before  # a read-only view writes nothing


def test_a_session_no_program_writes_stands_at_its_last_event(tmp_path):
    """Played from a script (`peacetable play` keeps no time): the clock stands at the
    last event, not at the moment of replay."""
    path = tmp_path / "played.peacetable"
    now = _now()
    s = Session.create(RIVER, path, seed=3)
    s.execute(C.Advance(), ts=_iso(now - dt.timedelta(days=2, minutes=30)))
    s.execute(C.AddNote(text="last"), ts=_iso(now - dt.timedelta(days=2, minutes=10)))
    s.close()
    r = Session.open(path, readonly=True)
    try:
        got = r.clock()
        assert abs(got.phase - 1200) < 1 and not got.running and got.pause_reason == ""
    finally:
        r.close()


def test_while_a_program_writes_the_session_a_read_only_view_reads_a_live_clock(tmp_path):
    path = tmp_path / "live.peacetable"
    now = _now()
    w = Session.create(RIVER, path, seed=3)
    try:
        w.execute(C.Advance(), ts=_iso(now - dt.timedelta(minutes=30)))
        assert w.keep_time(now=now - dt.timedelta(minutes=29))
        r = Session.open(path, readonly=True)
        try:
            got = r.clock(now)
            assert got.running and abs(got.phase - 1800) < 1, got
        finally:
            r.close()
    finally:
        w.close()
