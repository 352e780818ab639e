"""The session file on real SQLite files: schema, append-only log, bad files, locking."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
import sqlite_utils

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.events import Note, PUBLIC
from peacetable.storage.session_file import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    SessionFileError,
    SessionLocked,
    SessionStore,
    migrations,
    sha256_text,
)


def test_file_is_readable_with_plain_sqlite(river_session):
    s = river_session
    s.execute(C.Advance())
    s.execute(C.SubmitMove(role="upland", template="statement", rationale="hello"))
    path = s.path
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = conn.execute("SELECT seq, type, actor FROM events ORDER BY seq").fetchall()
    assert rows == [(1, "session_started", "control"), (2, "phase_started", "control"),
                    (3, "move_submitted", "upland")]
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    text, = conn.execute("SELECT text FROM scenario").fetchone()
    assert "River Accord" in text
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert meta["schema_version"] == str(SCHEMA_VERSION) and meta["scenario_id"] == "river_accord"
    conn.close()


def test_event_log_is_append_only_in_sqlite_itself(river_session):
    conn = sqlite3.connect(river_session.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE events SET body = '{}' WHERE seq = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM events")
    conn.close()


def test_event_is_durable_when_append_returns(river_session):
    """Another connection sees the event as soon as the call returns (it is committed)."""
    river_session.execute(C.Advance())
    conn = sqlite3.connect(f"file:{river_session.path}?mode=ro", uri=True)
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 2
    conn.close()


def test_create_never_overwrites(tmp_path, river_path):
    target = tmp_path / "keep.peacetable"
    target.write_bytes(b"precious")
    with pytest.raises(SessionFileError, match="already exists"):
        Session.create(river_path, target)
    assert target.read_bytes() == b"precious"


def test_second_writer_is_refused_with_clear_message(river_session):
    with pytest.raises(SessionLocked, match="open for writing in another"):
        SessionStore.open(river_session.path)
    # a reader may still look
    ro = Session.open(river_session.path, readonly=True)
    assert ro.state.seq == river_session.state.seq
    ro.close()


def test_lock_is_released_on_close(tmp_path, river_path):
    s = Session.create(river_path, tmp_path / "a.peacetable")
    s.close()
    s2 = Session.open(tmp_path / "a.peacetable")
    s2.close()


def test_lock_holds_across_processes(river_session):
    code = ("import sys; from peacetable.storage.session_file import SessionStore, SessionLocked\n"
            "try:\n SessionStore.open(sys.argv[1])\nexcept SessionLocked as e:\n print(e); sys.exit(3)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(river_session.path)],
                          capture_output=True, text=True)
    assert proc.returncode == 3, proc.stderr
    assert str(river_session.path) in proc.stdout


@pytest.mark.parametrize("content,expected", [
    (b"", "is empty"),
    (b"format = 1\n[scenario]\n", "not a PeaceTable session"),
    (b"\x00\x01\x02garbage" * 50, "not a PeaceTable session"),
    (b"SQLite format 3\x00" + b"\x00" * 20, "truncated"),
])
def test_non_session_files_are_refused_and_untouched(tmp_path, content, expected):
    p = tmp_path / "bad.peacetable"
    p.write_bytes(content)
    with pytest.raises(SessionFileError, match=expected) as exc:
        Session.open(p)
    assert str(p) in str(exc.value)
    assert p.read_bytes() == content
    assert sorted(x.name for x in tmp_path.iterdir()) == ["bad.peacetable"]


def test_truncated_session_is_refused_and_untouched(tmp_path, river_session):
    river_session.execute(C.Advance())
    for k in range(30):
        river_session.execute(C.AddNote(text="x" * 500 + str(k)))
    conn = sqlite3.connect(river_session.path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = river_session.path.read_bytes()
    p = tmp_path / "cut.peacetable"
    p.write_bytes(data[: len(data) // 2])
    before = p.read_bytes()
    with pytest.raises(SessionFileError, match="cut.peacetable"):
        Session.open(p)
    assert p.read_bytes() == before


def test_foreign_sqlite_database_is_refused(tmp_path):
    p = tmp_path / "other.db"
    db = sqlite_utils.Database(p)
    db["things"].insert({"a": 1})
    db.close()
    before = p.read_bytes()
    with pytest.raises(SessionFileError, match="not a PeaceTable session"):
        Session.open(p)
    assert p.read_bytes() == before


def test_newer_schema_is_refused(tmp_path, river_path):
    p = tmp_path / "new.peacetable"
    Session.create(river_path, p).close()
    conn = sqlite3.connect(p)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(SessionFileError, match="newer PeaceTable"):
        Session.open(p)


def test_older_schema_is_migrated_on_open(tmp_path, river_path):
    """A file from schema 1 (before annotations) opens and gains the new table."""
    p = tmp_path / "old.peacetable"
    conn = sqlite3.connect(p)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db = sqlite_utils.Database(conn)
    migrations.apply(db, stop_before="m002_annotations")
    text = river_path.read_text()
    db["meta"].upsert({"key": "format", "value": "peacetable-session"}, pk="key")
    sha = sha256_text(text)
    db["scenario"].insert({"id": 1, "source": "river-accord.toml", "sha256": sha, "text": text})
    conn.commit()
    conn.close()
    store = SessionStore.open(p)
    from peacetable.domain.events import SessionStarted

    store.append([(SessionStarted(scenario_id="river_accord", scenario_sha256=sha, seed=1), PUBLIC)])
    store.close()
    s = Session.open(p)
    assert s.store.meta()["schema_version"] == str(SCHEMA_VERSION) == "3"
    assert s.verify_record().intact
    s.store.annotate(1, "a trainer's remark")
    assert [a["text"] for a in s.store.annotations()] == ["a trainer's remark"]
    s.close()


def test_readonly_store_refuses_writes(river_session):
    ro = SessionStore.open(river_session.path, readonly=True)
    with pytest.raises(SessionFileError, match="read-only"):
        ro.append([(Note(text="x"), PUBLIC)])
    ro.close()


def test_damaged_event_body_gives_clear_error(tmp_path, river_path):
    from peacetable.storage.session_file import _APPEND_ONLY

    p = tmp_path / "d.peacetable"
    Session.create(river_path, p).close()
    conn = sqlite3.connect(p)
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("UPDATE events SET body = '{\"type\": \"nonsense\"}' WHERE seq = 1")
    conn.execute(_APPEND_ONLY[0])  # the schema is put back exactly: only the body differs
    conn.commit()
    conn.close()
    with pytest.raises(SessionFileError, match="breaks at event 1: its type column says .session_started. but its body is .nonsense."):
        Session.open(p)
    with pytest.raises(SessionFileError, match="an event cannot be read"):
        Session.open(p, readonly=True)


def test_each_event_is_chained_by_the_documented_formula(river_session):
    """hash = SHA-256(previous hash ‖ JSON [seq, ts, type, actor, visibility, body]), the
    first previous hash 32 zero bytes; the fingerprint is the newest hash (docs/architecture.md)."""
    import hashlib
    import json

    s = river_session
    s.execute(C.Advance())
    s.execute(C.SubmitMove(role="upland", template="statement", rationale="über — ok"))
    conn = sqlite3.connect(f"file:{s.path}?mode=ro", uri=True)
    prev = bytes(32)
    for seq, ts, typ, actor, vis, body, h in conn.execute(
            "SELECT seq, ts, type, actor, visibility, body, hash FROM events ORDER BY seq"):
        canon = json.dumps([seq, ts, typ, actor, vis, body], separators=(",", ":"),
                           ensure_ascii=False).encode()
        prev = hashlib.sha256(prev + canon).digest()
        assert h == prev, seq
    conn.close()
    assert s.fingerprint == prev.hex() == s.verify_record().fingerprint
    before = s.fingerprint
    s.execute(C.AddNote(text="one more"))
    assert s.fingerprint != before and s.verify_record().intact


def test_write_rows_refuses_a_gap_and_writes_nothing(river_session):
    store = river_session.store
    row = {"seq": store.last_seq + 2, "ts": "t", "type": "note", "actor": "control",
           "visibility": '{"scope":"control"}', "body": '{"text":"x","type":"note"}'}
    fp = store.fingerprint()
    with pytest.raises(SessionFileError, match="cannot follow"):
        store._write_rows([row])
    assert store.fingerprint() == fp and river_session.verify_record().intact


def test_replay_past_the_end_is_an_error(river_session, capsys):
    from peacetable.cli import main

    river_session.close()
    assert main(["replay", str(river_session.path), "--at", "2"]) == 1
    assert "out of range" in capsys.readouterr().err
    assert main(["replay", str(river_session.path), "--at", "1"]) == 0
