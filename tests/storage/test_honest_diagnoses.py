"""Honest diagnoses: locked is "locked", unwritable opens for replay with a note, and a
session opened for replay changes no byte of its file until an annotation is written.

Permissions are made real, not simulated: as an ordinary user the file and folder are
chmod-ed read-only; as root (whom permissions do not stop) the folder is bind-mounted
read-only, or made immutable with chattr — the same checks the kernel applies to every
process. Where neither is possible the test is skipped and says why.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import sqlite_utils
from readonly_support import read_only_view

from peacetable.app.session import Session
from peacetable.cli import main
from peacetable.domain import commands as C
from peacetable.domain.events import PUBLIC, SessionStarted, encode_body, encode_visibility
from peacetable.storage.session_file import (
    APPLICATION_ID,
    SessionFileError,
    SessionLocked,
    SessionNotWritable,
    migrations,
    sha256_text,
)

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "river-accord.toml"


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def played(tmp_path) -> Path:
    p = tmp_path / "work" / "s.peacetable"
    p.parent.mkdir()
    s = Session.create(FIXTURE, p, seed=3)
    s.execute(C.Advance())
    s.execute(C.SubmitMove(role="upland", template="statement", rationale="hello"))
    s.close()
    return p


@pytest.fixture
def read_only_copy(played, tmp_path):
    """``played`` in a folder this process may not write (nor the file in it)."""
    with read_only_view(played, tmp_path) as p:
        yield p


def test_a_file_you_cannot_write_opens_for_replay_with_a_note(read_only_copy, capsys):
    p = read_only_copy
    sha = _sha(p)
    with pytest.raises(SessionNotWritable, match="may not write"):
        Session.open(p)
    s = Session.open_replay(p)
    try:
        assert s.replay_note and "may not write" in s.replay_note
        assert s.state.seq == 3 and s.verify_record().intact
        with pytest.raises(SessionFileError, match="may not write"):
            s.store.annotate(2, "a remark")
    finally:
        s.close()
    script = p.parent / "x.jsonl"
    assert main(["play", str(p), "/dev/null"]) == 1
    assert "may not write" in capsys.readouterr().err
    assert main(["replay", str(p)]) == 0
    assert _sha(p) == sha and not script.exists()


def test_a_file_locked_by_another_program_says_locked_not_damaged(played):
    sha = _sha(played)
    other = sqlite3.connect(played, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # e.g. the sqlite3 shell in the middle of a change
    try:
        for readonly in (True, False):
            with pytest.raises(SessionLocked) as exc:
                Session.open(played, readonly=readonly)
            assert "locked by another program" in str(exc.value)
            assert "damaged" not in str(exc.value)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _sha(played) == sha


def test_open_replay_writes_nothing_until_an_annotation(played):
    sha = _sha(played)
    s = Session.open_replay(played)
    try:
        assert s.replay_note is None
        s.view("audience")
        s.state_at(2)
        s.verify_record()
        assert s.fingerprint
        with pytest.raises(SessionFileError, match="read-only"):
            s.execute(C.AddNote(text="not recorded"))
        assert _sha(played) == sha
        # another window may open it for writing meanwhile: replay took no lock
        w = Session.open(played)
        w.close()
        sha = _sha(played)
        s.store.annotate(2, "a trainer's remark")
        assert [a["text"] for a in s.store.annotations()] == ["a trainer's remark"]
    finally:
        s.close()
    assert _sha(played) != sha
    assert sorted(x.name for x in played.parent.iterdir()) == [played.name]
    again = Session.open(played, readonly=True)
    assert again.verify_record().intact and again.store.last_seq == 3
    again.close()


def test_open_replay_notes_a_window_that_has_it_open_for_writing(played):
    w = Session.open(played)
    try:
        s = Session.open_replay(played)
        try:
            assert "another PeaceTable window" in (s.replay_note or "")
            with pytest.raises(SessionFileError, match="another PeaceTable window"):
                s.store.annotate(1, "x")
        finally:
            s.close()
    finally:
        w.close()


def _schema2_file(tmp_path) -> Path:
    """A session written before the chain (schema 2), by the migrations of that time."""
    p = tmp_path / "old.peacetable"
    conn = sqlite3.connect(p)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db = sqlite_utils.Database(conn)
    migrations.apply(db, stop_before="m003_hash_chain")
    text = FIXTURE.read_text()
    sha = sha256_text(text)
    db["meta"].upsert({"key": "format", "value": "peacetable-session"}, pk="key")
    db["scenario"].insert({"id": 1, "source": "river-accord.toml", "sha256": sha, "text": text})
    body = SessionStarted(scenario_id="river_accord", scenario_sha256=sha, seed=1)
    conn.execute("INSERT INTO events VALUES (1, '2025-01-01T00:00:00', 'session_started', "
                 "'control', ?, ?)", (encode_visibility(PUBLIC), encode_body(body)))
    conn.commit()
    conn.close()
    return p


def test_an_older_file_replays_with_a_computed_fingerprint_and_migrates_when_written(tmp_path):
    p = _schema2_file(tmp_path)
    sha = _sha(p)
    s = Session.open_replay(p)
    try:
        assert "older session schema" in (s.replay_note or "")
        check = s.verify_record()
        assert check.intact
        computed = s.fingerprint
        assert computed == check.fingerprint and computed != "0" * 64
    finally:
        s.close()
    assert _sha(p) == sha
    w = Session.open(p)
    try:
        assert w.store.schema_version == 3
        assert w.fingerprint == computed  # the migration stores the same chain
        w.execute(C.Advance())
        assert w.verify_record().intact
    finally:
        w.close()


def test_internal_errors_are_not_how_a_bad_record_is_described(played, tmp_path, capsys):
    """A missing table, a NULL body and an unknown template are described, not exit 70."""
    from peacetable.storage.session_file import _APPEND_ONLY

    cases = {}
    for name, sql in (("missing-table", "DROP TABLE snapshots"),
                      ("null-body", "UPDATE events SET body = NULL WHERE seq = 3"),
                      ("unknown-template", "UPDATE events SET body = replace(body, "
                                           "'\"statement\"', '\"nope\"') WHERE seq = 3")):
        p = tmp_path / f"{name}.peacetable"
        shutil.copyfile(played, p)
        conn = sqlite3.connect(p)
        conn.execute("DROP TRIGGER events_append_only_update")
        conn.execute(sql)
        conn.execute(_APPEND_ONLY[0])
        conn.commit()
        conn.close()
        cases[name] = p
    for name, p in cases.items():
        for args in (["info", str(p)], ["replay", str(p)], ["play", str(p), "/dev/null"]):
            rc = main(args)
            err = capsys.readouterr().err
            assert rc == 1, (name, args, err)
            assert "internal error" not in err and str(p) in err, (name, args, err)
