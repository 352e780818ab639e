"""Session files from strangers: hostile edits made with the sqlite3 shell.

Each case edits a copy of a played session the way someone with the sqlite3 shell could, then
checks that opening it for writing and `peacetable play` refuse it with a message naming
what is wrong, that neither changes a byte of the file nor leaves a -wal/-shm/-journal
beside it, and that `replay` and `info` either refuse with a clear message or replay
honestly — never an internal error.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from peacetable.app.session import Session
from peacetable.cli import main
from peacetable.domain import commands as C
from peacetable.storage.session_file import (
    _APPEND_ONLY,
    APPLICATION_ID,
    GENESIS,
    SessionFileError,
    chain_hash,
)

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "river-accord.toml"


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    """A played session: public, private and sealed moves, a snapshot, a note."""
    p = tmp_path_factory.mktemp("hostile") / "orig.peacetable"
    s = Session.create(FIXTURE, p, seed=5)
    s.snapshot_every = 8
    s.execute(C.Advance())
    m = s.execute(C.SubmitMove(role="upland", template="open_sluices", to=("lowland",),
                               rationale="UPLAND private offer"))[0].seq
    s.execute(C.Adjudicate(move=m, decision="accept"))
    for k in range(6):
        mv = s.execute(C.SubmitMove(role="lowland", template="statement", rationale=f"said {k}"))
        s.execute(C.Adjudicate(move=mv[0].seq, decision="accept"))
    s.execute(C.AddNote(text="control only"))
    s.close()
    return p


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _sql(p: Path, *statements: str, params=()) -> None:
    conn = sqlite3.connect(p)
    for st in statements:
        conn.execute(st, params) if params and "?" in st else conn.execute(st)
    conn.commit()
    conn.close()


def _edit_event(p: Path, sql: str, params=(), rechain: bool = False) -> None:
    """Edit the event log around the append-only trigger, put the trigger back exactly, and
    (``rechain``) recompute every hash, as a forger who knows the chain would."""
    conn = sqlite3.connect(p)
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("DROP TRIGGER events_append_only_delete")
    conn.execute(sql, params)
    if rechain:
        prev = GENESIS
        rows = conn.execute("SELECT seq, ts, type, actor, visibility, body FROM events "
                            "ORDER BY seq").fetchall()
        for row in rows:
            prev = chain_hash(prev, *row)
            conn.execute("UPDATE events SET hash = ? WHERE seq = ?", (prev, row[0]))
        conn.execute("UPDATE meta SET value = ? WHERE key = 'head'", (f"{rows[-1][0]}:{prev.hex()}",))
        conn.execute("UPDATE snapshots SET chain = (SELECT hash FROM events e WHERE e.seq = snapshots.seq)")
    for trig in _APPEND_ONLY:
        conn.execute(trig)
    conn.commit()
    conn.close()


EVIL_TRIGGER = ("CREATE TRIGGER leak AFTER INSERT ON events BEGIN INSERT INTO meta(key, value) "
                "VALUES ('leak' || NEW.seq, NEW.body); END")

# (id, edit, what the refusal says)
CASES = [
    ("extra-trigger", lambda p: _sql(p, EVIL_TRIGGER), "extra trigger 'leak'"),
    ("visibility-rewriting-trigger", lambda p: _sql(
        p, "DROP TRIGGER events_append_only_update",
        "CREATE TRIGGER events_append_only_update AFTER INSERT ON events BEGIN "
        "UPDATE events SET visibility = '{}' WHERE seq = NEW.seq; END"),
     "trigger 'events_append_only_update' differs"),
    ("extra-view", lambda p: _sql(p, "CREATE VIEW v AS SELECT * FROM events"), "extra view 'v'"),
    ("extra-table", lambda p: _sql(p, "CREATE TABLE spy (x)"), "extra table 'spy'"),
    ("extra-index", lambda p: _sql(p, "CREATE INDEX ix ON events(actor)"), "extra index 'ix'"),
    ("dropped-update-trigger", lambda p: _sql(p, "DROP TRIGGER events_append_only_update"),
     "lacks the trigger 'events_append_only_update'"),
    ("dropped-delete-trigger", lambda p: _sql(p, "DROP TRIGGER events_append_only_delete"),
     "lacks the trigger 'events_append_only_delete'"),
    ("dropped-index", lambda p: _sql(p, "DROP INDEX idx_events_type"),
     "lacks the index 'idx_events_type'"),
    ("dropped-table", lambda p: _sql(p, "DROP TABLE annotations"), "lacks the table 'annotations'"),
    ("added-column", lambda p: _sql(p, "ALTER TABLE events ADD COLUMN extra TEXT"),
     "table 'events' differs"),
    ("renamed-column", lambda p: _sql(p, "ALTER TABLE events RENAME COLUMN actor TO who"),
     "table 'events' differs"),
    ("wrong-application-id", lambda p: _sql(p, "PRAGMA application_id = 7"),
     "not a PeaceTable session"),
    ("newer-schema", lambda p: _sql(p, "UPDATE meta SET value = '99' WHERE key = 'schema_version'"),
     "newer PeaceTable"),
    ("older-schema-claimed", lambda p: _sql(p, "UPDATE meta SET value = '2' WHERE key = 'schema_version'"),
     "schema 2"),
    ("migration-history", lambda p: _sql(p, "DELETE FROM _sqlite_migrations WHERE name = 'm002_annotations'"),
     "migration history"),
    ("edited-body", lambda p: _edit_event(
        p, "UPDATE events SET body = replace(body, 'UPLAND private offer', 'forged') WHERE seq = 3"),
     "breaks at event 3: it was changed after it was recorded"),
    ("edited-visibility", lambda p: _edit_event(
        p, "UPDATE events SET visibility = '{}' WHERE seq = 3"),
     "breaks at event 3: it was changed"),
    ("edited-magnitude", lambda p: _edit_event(
        p, "UPDATE events SET body = '{\"magnitude\":3,' || substr(body, 2) WHERE seq = 4"),
     "breaks at event 4"),
    ("deleted-row", lambda p: _edit_event(p, "DELETE FROM events WHERE seq = 5"),
     "event 5 is missing"),
    ("deleted-last-rows", lambda p: _edit_event(p, "DELETE FROM events WHERE seq > 14"),
     "events were removed from its end"),
    ("inserted-non-positive", lambda p: _sql(
        p, "INSERT INTO events (seq, ts, type, actor, visibility, body, hash) "
           "SELECT -1, ts, type, actor, visibility, body, hash FROM events WHERE seq = 2"),
     "numbered -1"),
    ("appended-without-chain", lambda p: _sql(
        p, "INSERT INTO events (seq, ts, type, actor, visibility, body) SELECT MAX(seq) + 1, "
           "'2030-01-01', 'note', 'control', '{\"scope\":\"control\"}', "
           "'{\"type\":\"note\",\"text\":\"slipped in\"}' FROM events"),
     "no chain hash"),
    ("null-body", lambda p: _edit_event(p, "UPDATE events SET body = NULL WHERE seq = 6",
                                        rechain=True), "no body"),
    ("unknown-template", lambda p: _edit_event(
        p, "UPDATE events SET body = replace(body, '\"statement\"', '\"sabotage\"') WHERE seq = 7",
        rechain=True), "template 'sabotage'"),
    ("dangling-reference", lambda p: _edit_event(
        p, "UPDATE events SET body = replace(body, '\"move\":5', '\"move\":60') WHERE seq = 6",
        rechain=True), "refers to event 60"),
    ("inject-effects-unknown-option", lambda p: _edit_event(
        p, "UPDATE events SET type = 'inject_fired', body = '{\"type\":\"inject_fired\","
           "\"inject\":null,\"title\":\"x\",\"synopsis\":\"x\",\"scheduled\":false,"
           "\"effects\":{\"declare\":{\"release\":\"flood\"},\"by\":\"upland\"}}' "
           "WHERE seq = (SELECT MAX(seq) FROM events)", rechain=True),
     "unknown option 'flood' of issue 'release'"),
    ("inject-effects-not-effects", lambda p: _edit_event(
        p, "UPDATE events SET type = 'inject_fired', body = '{\"type\":\"inject_fired\","
           "\"inject\":null,\"title\":\"x\",\"synopsis\":\"x\",\"scheduled\":false,"
           "\"effects\":{\"options\":{\"release\":\"shut\"}}}' "
           "WHERE seq = (SELECT MAX(seq) FROM events)", rechain=True),
     "its effects are not valid"),
    ("forged-scenario-copy", lambda p: _sql(
        p, "UPDATE scenario SET text = replace(text, 'River Accord', 'River Discord')"),
     "scenario copy was changed"),
    ("forged-scenario-copy-and-sha", lambda p: _forge_scenario(p), "not the scenario the session"),
]


def _forge_scenario(p: Path) -> None:
    conn = sqlite3.connect(p)
    text = conn.execute("SELECT text FROM scenario").fetchone()[0].replace("River Accord", "Rigged")
    conn.execute("UPDATE scenario SET text = ?, sha256 = ?",
                 (text, hashlib.sha256(text.encode()).hexdigest()))
    conn.commit()
    conn.close()


@pytest.fixture(params=CASES, ids=[c[0] for c in CASES])
def hostile(request, original, tmp_path):
    name, edit, expected = request.param
    p = tmp_path / f"{name}.peacetable"
    shutil.copyfile(original, p)
    edit(p)
    assert sorted(x.name for x in tmp_path.iterdir()) == [p.name]
    return p, expected


def _untouched(p: Path, sha: str) -> None:
    assert _sha(p) == sha, "the file was changed"
    assert sorted(x.name for x in p.parent.iterdir()) == [p.name], "a side file was left"


def test_hostile_file_is_refused_for_writing_without_a_byte_changed(hostile):
    p, expected = hostile
    sha = _sha(p)
    with pytest.raises(SessionFileError) as exc:
        Session.open(p)
    assert expected in str(exc.value) and str(p) in str(exc.value)
    _untouched(p, sha)


def test_play_refuses_a_hostile_file_without_a_byte_changed(hostile, tmp_path, capsys):
    p, expected = hostile
    script = tmp_path.parent / f"{p.stem}.jsonl"
    script.write_text('{"cmd": "note", "text": "more"}\n')
    sha = _sha(p)
    rc = main(["play", str(p), str(script)])
    err = capsys.readouterr().err
    assert rc == 1 and expected in err, err
    _untouched(p, sha)


def test_replay_and_info_never_fail_internally(hostile, capsys):
    p, expected = hostile
    sha = _sha(p)
    for args in (["replay", str(p)], ["replay", str(p), "--viewer", "audience", "--json"],
                 ["info", str(p)]):
        rc = main(args)
        cap = capsys.readouterr()
        assert rc in (0, 1), cap.err
        assert "internal error" not in cap.err and "Traceback" not in cap.err
        if args[0] == "info" and rc == 1 and "breaks at" in expected:
            assert expected in cap.out + cap.err
    _untouched(p, sha)


def test_connections_run_no_sql_with_side_effects_from_the_file(original, tmp_path):
    """trusted_schema=OFF: even a view the check let through could not call functions with
    side effects; here, the pragma is on for every connection PeaceTable opens."""
    p = tmp_path / "s.peacetable"
    shutil.copyfile(original, p)
    for s in (Session.open(p, readonly=True), Session.open(p)):
        try:
            assert s.store.conn.execute("PRAGMA trusted_schema").fetchone()[0] == 0
        finally:
            s.close()


def test_forged_snapshot_is_ignored_with_a_warning(original, tmp_path, capsys):
    p = tmp_path / "snap.peacetable"
    shutil.copyfile(original, p)
    conn = sqlite3.connect(p)
    seq, raw = conn.execute("SELECT seq, state FROM snapshots ORDER BY seq DESC").fetchone()
    conn.close()
    from peacetable.domain.state import decode_state, encode_state

    honest = Session.open(p, readonly=True)
    want = honest.view("control")
    honest.close()
    st = decode_state(raw)
    st.accepted_moves += 40  # claims more than the events say
    st.index = 99.0
    _sql(p, "UPDATE snapshots SET state = ? WHERE seq = ?", params=(encode_state(st), seq))
    assert APPLICATION_ID  # the file is otherwise PeaceTable's own
    s = Session.open(p, readonly=True)
    try:
        assert s.view("control") == want
        assert any(f"snapshot at event {seq}" in w and "does not fold" in w for w in s.warnings)
    finally:
        s.close()
    rc = main(["replay", str(p), "--json"])
    cap = capsys.readouterr()
    assert rc == 0 and f"snapshot at event {seq} is ignored" in cap.err


def test_snapshot_not_matching_the_chain_is_ignored(original, tmp_path):
    p = tmp_path / "snap.peacetable"
    shutil.copyfile(original, p)
    _sql(p, "UPDATE snapshots SET chain = zeroblob(32)")
    s = Session.open(p, readonly=True)
    try:
        assert any("does not match the record's chain" in w for w in s.warnings)
        assert s.state.seq == s.store.last_seq
    finally:
        s.close()


def test_a_tampered_record_cannot_be_forked_into_a_clean_chain(original, tmp_path):
    from peacetable.app.fork import fork_session

    p = tmp_path / "t.peacetable"
    shutil.copyfile(original, p)
    _edit_event(p, "UPDATE events SET body = replace(body, 'said 1', 'said 9') WHERE seq = 7")
    with pytest.raises(SessionFileError, match="cannot be forked: the record breaks at event 7"):
        fork_session(p, 10, tmp_path / "child.peacetable")
    assert not (tmp_path / "child.peacetable").exists()
