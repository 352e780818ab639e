"""A refused session file says what is wrong in full: the words the broader tests only
look into (a changed table's columns, a changed scenario copy).

Written against mutants that survived the broader tests (docs/testing.md).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.storage.session_file import SessionFileError

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "river-accord.toml"


@pytest.fixture
def played(tmp_path) -> Path:
    p = tmp_path / "s.peacetable"
    s = Session.create(FIXTURE, p, seed=5)
    s.execute(C.Advance())
    s.close()
    return p


def _sql(p: Path, *statements: str) -> None:
    conn = sqlite3.connect(p)
    for st in statements:
        conn.execute(st)
    conn.commit()
    conn.close()


def _refusal(p: Path) -> str:
    with pytest.raises(SessionFileError) as exc:
        Session.open(p)
    return str(exc.value)


def test_a_table_with_another_column_is_refused_as_its_columns_changed(played):
    _sql(played, "ALTER TABLE events ADD COLUMN extra TEXT")
    said = _refusal(played)
    assert "the table 'events' differs from session schema " in said
    assert " (its columns changed); " in said, said


def test_a_trigger_rewritten_is_refused_as_its_definition_changed(played):
    _sql(played, "DROP TRIGGER events_append_only_update",
         "CREATE TRIGGER events_append_only_update AFTER INSERT ON events BEGIN "
         "SELECT 1; END")
    said = _refusal(played)
    assert "the trigger 'events_append_only_update' differs from session schema " in said
    assert " (its definition changed); " in said, said


def test_a_changed_scenario_copy_is_refused_in_full(played):
    _sql(played, "UPDATE scenario SET text = replace(text, 'River Accord', 'River Discord')")
    assert _refusal(played) == (
        f"{played}: its scenario copy was changed after the session was created (it does not "
        "match its sha256); the file was not changed")


def _unchained_file_with_a_snapshot(tmp_path) -> Path:
    """A session written before the chain (schema 2) with a snapshot after its first event,
    as the program of that time wrote it."""
    import sqlite_utils

    from peacetable.domain.events import PUBLIC, SessionStarted, encode_body, encode_visibility
    from peacetable.domain.state import FOLD_VERSION, encode_state
    from peacetable.storage.session_file import APPLICATION_ID, migrations, sha256_text

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
    s = Session.open_replay(p)  # changes nothing on disk
    try:
        raw = encode_state(s.state)
    finally:
        s.close()
    conn = sqlite3.connect(p)
    with conn:
        conn.execute("INSERT INTO snapshots (seq, fold_version, state) VALUES (1, ?, ?)",
                     (FOLD_VERSION, raw))
    conn.close()
    return p


def test_a_snapshot_of_a_file_without_a_chain_has_no_digest_and_proves_nothing(tmp_path):
    """Before schema 3 there is no chain hash to tie a snapshot to its events, so it has
    no digest, and showing it true leaves this computer's proof book as it was."""
    from peacetable.storage import proofs as proofs_mod
    from peacetable.storage.session_file import SessionStore

    p = _unchained_file_with_a_snapshot(tmp_path)
    book_path = tmp_path / "proofs" / proofs_mod.FILE_NAME
    book = proofs_mod.ProofBook(book_path)
    before, proofs_mod._book = proofs_mod._book, book
    try:
        store = SessionStore.open(p, readonly=True)
        try:
            assert store.schema_version == 2
            recs = list(store.snapshot_records(store.last_seq))
            assert [(r.seq, r.proven) for r in recs] == [(1, False)]
            assert recs[0].digest is None
            store.prove(recs)
        finally:
            store.close()
        assert not book._memory
        book.close()
        if book_path.exists():
            conn = sqlite3.connect(book_path)
            try:
                assert conn.execute("SELECT count(*) FROM proofs").fetchone() == (0,)
            finally:
                conn.close()
    finally:
        book.close()
        proofs_mod._book = before
