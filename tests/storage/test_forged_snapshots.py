"""Two consecutive snapshots forged consistently with plain sqlite3 (the events and their
chain untouched, the second snapshot the fold of the events from the first) must not be
believed by any path that shows a state: replay, info, opening for writing (the window: tests/ui/test_open_warnings.py).

Snapshots are trusted only once this computer has shown them to be the fold of the events
(see peacetable/storage/proofs.py). The file here is made "from elsewhere" by giving each
test an empty proof book, as on the computer of a trainer who received it."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3

import pytest

from peacetable.app.session import Session
from peacetable.cli import main
from peacetable.domain import commands as C
from peacetable.domain.state import decode_state, encode_state, escalation_index, fold, rung_for
from peacetable.storage import proofs as proofs_mod
from peacetable.storage.session_file import SessionStore


@pytest.fixture
def stranger(tmp_path, monkeypatch):
    """An empty proof book for this test: nothing in the file was shown true here."""
    book = proofs_mod.ProofBook(tmp_path / "proofs" / proofs_mod.FILE_NAME)
    monkeypatch.setattr(proofs_mod, "_book", book)
    yield book
    book.close()


def _play(path, river_path, snapshot_every=6):
    s = Session.create(river_path, path, seed=5)
    s.snapshot_every = snapshot_every
    s.execute(C.Advance())
    for k in range(12):
        mv = s.execute(C.SubmitMove(role="lowland", template="statement", rationale=f"said {k}"))
        s.execute(C.Adjudicate(move=mv[0].seq, decision="accept"))
    s.close()


def _forge_two(path, river_path):
    """Forge the two newest snapshots consistently: the older one claims a higher escalation,
    the newer one is the fold of the events from it. Returns their events."""
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT seq, state FROM snapshots ORDER BY seq DESC LIMIT 2").fetchall()
    (b_seq, _b_raw), (a_seq, a_raw) = rows
    conn.close()
    s = Session.open(path, readonly=True)
    sc, events = s.scenario, list(s.events)
    s.close()
    a = decode_state(a_raw)
    var = next(iter(a.base))
    a.base[var] += 25.0
    a.variables[var] += 25.0
    a.index = escalation_index(sc, a.variables)
    a.rung = rung_for(sc, a.index, None, a.variables)
    a.accepted_moves += 40
    role = next(iter(a.base_leverage))
    a.base_leverage[role] += 3.0
    a.leverage[role] += 3.0
    b = fold(sc, events[a_seq:b_seq], start=a)
    assert b.seq == b_seq
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE snapshots SET state = ? WHERE seq = ?", (encode_state(a), a_seq))
        conn.execute("UPDATE snapshots SET state = ? WHERE seq = ?", (encode_state(b), b_seq))
    conn.close()
    return a_seq, b_seq


@pytest.fixture
def files(tmp_path, river_path, stranger):
    honest = tmp_path / "honest.peacetable"
    _play(honest, river_path)
    forged = tmp_path / "forged.peacetable"
    shutil.copyfile(honest, forged)
    a_seq, b_seq = _forge_two(forged, river_path)
    # a fresh proof book: the honest file's snapshots were proven when they were written
    fresh = proofs_mod.ProofBook(tmp_path / "proofs2" / proofs_mod.FILE_NAME)
    proofs_mod._book = fresh
    yield honest, forged, a_seq, b_seq
    fresh.close()


def _events_rows(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT * FROM events ORDER BY seq").fetchall()
    finally:
        conn.close()


def test_the_forgery_is_consistent_and_the_record_intact(files):
    honest, forged, a_seq, b_seq = files
    assert _events_rows(honest) == _events_rows(forged)
    conn = sqlite3.connect(forged)
    raw = dict(conn.execute("SELECT seq, state FROM snapshots"))
    chains = dict(conn.execute("SELECT seq, chain FROM snapshots"))
    hashes = dict(conn.execute("SELECT seq, hash FROM events"))
    conn.close()
    st_a, st_b = decode_state(raw[a_seq]), decode_state(raw[b_seq])
    s = Session.open(forged, readonly=True)
    try:
        assert s.verify_record().intact
        assert chains[a_seq] == hashes[a_seq] and chains[b_seq] == hashes[b_seq]
        # the newer forged snapshot is exactly the fold of the events from the older one
        assert st_b == fold(s.scenario, s.events[a_seq:b_seq], start=st_a)
        assert st_a != fold(s.scenario, s.events[:a_seq])  # and both are false
        assert st_b != fold(s.scenario, s.events[:b_seq])
    finally:
        s.close()


def test_replay_session_shows_the_events_state(files):
    honest, forged, a_seq, b_seq = files
    h = Session.open(honest, readonly=True)
    want = {n: h.view("control", at=n) for n in (a_seq, b_seq, h.store.last_seq)}
    h.close()
    s = Session.open(forged, readonly=True)
    try:
        assert s.view("control") == want[s.store.last_seq]
        assert s.view("control", at=b_seq) == want[b_seq]
        assert s.view("control", at=a_seq) == want[a_seq]
        assert s.state == fold(s.scenario, s.events)
        assert any(f"snapshot at event {a_seq} is ignored" in w for w in s.warnings)
        assert any(f"snapshot at event {b_seq} is ignored" in w for w in s.warnings)
    finally:
        s.close()


def test_opening_for_writing_decides_on_the_events_state(files):
    _honest, forged, a_seq, b_seq = files
    s = Session.open(forged)
    try:
        assert s.state == fold(s.scenario, s.events)
        assert s.state_at(b_seq) == fold(s.scenario, s.events[:b_seq])
        assert any(f"snapshot at event {b_seq} is ignored" in w for w in s.warnings)
    finally:
        s.close()


def test_cli_replay_prints_the_events_state(files, capsys):
    honest, forged, a_seq, b_seq = files
    for at in ([], ["--at", str(b_seq)]):
        assert main(["replay", str(honest), "--json", *at]) == 0
        want = json.loads(capsys.readouterr().out)
        assert main(["replay", str(forged), "--json", *at]) == 0
        cap = capsys.readouterr()
        assert json.loads(cap.out) == want
        assert f"snapshot at event {b_seq} is ignored" in cap.err or at


def test_cli_info_names_the_false_snapshot(files, capsys):
    honest, forged, a_seq, b_seq = files
    assert main(["info", str(honest)]) == 0
    good = capsys.readouterr().out
    assert re.search(r"snapshots: \d+ checked: each holds the state", good), good
    rc = main(["info", str(forged)])
    out = capsys.readouterr().out
    assert rc == 1
    assert "record:    record intact" in out
    assert f"snapshots: the one at event {a_seq} (and 1 more) is false" in out
    # what info shows of the state is what the events say
    shown = [ln for ln in out.splitlines() if ln.startswith(("phase:", "agreements", "escalation"))]
    assert shown == [ln for ln in good.splitlines()
                     if ln.startswith(("phase:", "agreements", "escalation"))]


def test_a_file_from_elsewhere_is_checked_once_then_fast(tmp_path, river_path, stranger):
    p = tmp_path / "s.peacetable"
    _play(p, river_path)
    fresh = proofs_mod.ProofBook(tmp_path / "other" / proofs_mod.FILE_NAME)
    proofs_mod._book = fresh
    try:
        with SessionStore.open(p, readonly=True) as store:
            recs = list(store.snapshot_records(store.last_seq))
        assert recs and not any(r.proven for r in recs)  # nothing shown true here yet
        s = Session.open(p, readonly=True)
        assert s.state == fold(s.scenario, s.events) and not s.warnings
        s.close()
        # the newest was compared with the events: proven from now on, in the book's file
        fresh.close()
        s = Session.open(p, readonly=True)
        assert next(s.store.snapshot_records(s.store.last_seq)).proven
        s.close()
    finally:
        fresh.close()


def test_snapshots_written_here_are_proven(tmp_path, river_path, stranger):
    p = tmp_path / "s.peacetable"
    _play(p, river_path)
    s = Session.open(p, readonly=True)
    try:
        assert all(r.proven for r in s.store.snapshot_records(s.store.last_seq))
    finally:
        s.close()
