"""SessionStore.events(): every row read is checked against the chain and the numbering, on
records edited with the sqlite3 shell, with and without the chain recomputed after the edit.

The read takes a short way for an intact record and reads again row by row to name the
first problem; both must refuse what the other refuses, and return the same events."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.events import encode_body, encode_visibility
from peacetable.storage.session_file import (
    _APPEND_ONLY,
    GENESIS,
    SessionFileError,
    SessionStore,
    chain_hash,
)


@pytest.fixture()
def played(tmp_path, river_path) -> Path:
    p = tmp_path / "read.peacetable"
    s = Session.create(river_path, p, seed=3)
    s.execute(C.Advance())
    for k in range(5):
        mv = s.execute(C.SubmitMove(role="lowland", template="statement", rationale=f"said {k}"))
        s.execute(C.Adjudicate(move=mv[0].seq, decision="accept"))
    s.execute(C.AddNote(text="control only"))
    s.close()
    return p


def _edit(p: Path, sql: str, rechain: bool) -> None:
    """Edit the log around the append-only triggers (put back exactly); ``rechain``:
    recompute every hash after it, as a forger who knows the chain would."""
    conn = sqlite3.connect(p)
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("DROP TRIGGER events_append_only_delete")
    conn.execute(sql)
    if rechain:
        prev = GENESIS
        rows = conn.execute("SELECT seq, ts, type, actor, visibility, body FROM events "
                            "ORDER BY seq").fetchall()
        for row in rows:
            prev = chain_hash(prev, *row)
            conn.execute("UPDATE events SET hash = ? WHERE seq = ?", (prev, row[0]))
        conn.execute("UPDATE meta SET value = ? WHERE key = 'head'",
                      (f"{rows[-1][0]}:{prev.hex()}",))
    for trig in _APPEND_ONLY:
        conn.execute(trig)
    conn.commit()
    conn.close()


def _rows(events) -> list[tuple]:
    return [(e.seq, e.ts, encode_visibility(e.visibility), encode_body(e.body)) for e in events]


def test_intact_record_reads_the_same_whole_and_in_parts(played):
    store = SessionStore.open(played, readonly=True)
    try:
        whole = store.events()
        stored = store.conn.execute(
            "SELECT seq, ts, visibility, body FROM events ORDER BY seq").fetchall()
        assert _rows(whole) == [tuple(r) for r in stored]
        n = len(whole)
        assert n == store.last_seq > 10
        for after, upto in ((0, n), (3, None), (3, 7), (n - 1, None), (n, None)):
            assert _rows(store.events(after, upto)) == _rows(whole[after:upto])
    finally:
        store.close()


CASES = [
    # (edit, chain recomputed after it?, what the refusal says)
    ("UPDATE events SET body = replace(body, 'said 2', 'said 9')", False,
     "event 7 was changed after it was recorded"),
    ("UPDATE events SET ts = '2001-01-01' WHERE seq = 5", False,
     "event 5 was changed after it was recorded"),
    ("UPDATE events SET hash = zeroblob(32) WHERE seq = 6", False,
     "event 6 was changed after it was recorded"),
    ("DELETE FROM events WHERE seq = 6", False, "event 6 is missing"),
    # a row taken out and the chain made again: every hash matches, the numbering does not
    ("DELETE FROM events WHERE seq = 6", True, "event 6 is missing"),
    ("DELETE FROM events WHERE seq = 2", True, "event 2 is missing"),
    ("UPDATE events SET body = NULL WHERE seq = 4", True, "event 4 has no body"),
    ("UPDATE events SET visibility = NULL WHERE seq = 4", True, "event 4 has no visibility"),
    ("UPDATE events SET visibility = NULL WHERE seq = 1", True, "event 1 has no visibility"),
    ("UPDATE events SET visibility = NULL WHERE seq IN (3, 4)", True, "event 3 has no visibility"),
    ("UPDATE events SET body = '{\"type\":\"nonsense\"}' WHERE seq = 4", True,
     "an event cannot be read"),
    ("UPDATE events SET visibility = '{\"scope\":\"everyone\"}' WHERE seq = 4", True,
     "an event cannot be read"),
]


@pytest.mark.parametrize("sql,rechain,says", CASES)
def test_edited_record_is_refused_naming_the_first_problem(played, sql, rechain, says):
    _edit(played, sql, rechain)
    store = SessionStore.open(played, readonly=True)
    try:
        with pytest.raises(SessionFileError, match=says):
            store.events()
    finally:
        store.close()


def test_gap_is_refused_when_reading_from_a_later_event(played):
    """A row taken out with the chain made again, read from an event after the first one."""
    _edit(played, "DELETE FROM events WHERE seq = 8", True)
    store = SessionStore.open(played, readonly=True)
    try:
        assert [e.seq for e in store.events(2, 7)] == [3, 4, 5, 6, 7]
        with pytest.raises(SessionFileError, match="event 8 is missing"):
            store.events(5)
    finally:
        store.close()
