"""Snapshots of an older fold version are never used; opening such a file for writing
replaces them with fresh ones (the events untouched, byte for byte), and opening it for
replay changes nothing on disk."""

from __future__ import annotations

import hashlib
import sqlite3

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.state import FOLD_VERSION, fold


def _old_file(tmp_path, river_path):
    p = tmp_path / "old.peacetable"
    s = Session.create(river_path, p, seed=3)
    s.snapshot_every = 5
    s.execute(C.Advance())
    for k in range(10):
        mv = s.execute(C.SubmitMove(role="upland", template="statement", rationale=f"n{k}"))
        s.execute(C.Adjudicate(move=mv[0].seq, decision="accept"))
        if k == 6:
            s.execute(C.Undo())
    s.close()
    conn = sqlite3.connect(p)
    with conn:  # as written by the fold before this one
        conn.execute("UPDATE snapshots SET fold_version = ?", (FOLD_VERSION - 1,))
    seqs = [r[0] for r in conn.execute("SELECT seq FROM snapshots ORDER BY seq")]
    conn.close()
    assert len(seqs) >= 3
    return p, seqs


def _events_bytes(p):
    conn = sqlite3.connect(p)
    try:
        return conn.execute("SELECT quote(seq), quote(ts), quote(type), quote(actor), "
                            "quote(visibility), quote(body), quote(hash) FROM events "
                            "ORDER BY rowid").fetchall()
    finally:
        conn.close()


def _snapshots(p):
    conn = sqlite3.connect(p)
    try:
        return conn.execute("SELECT seq, fold_version FROM snapshots ORDER BY seq").fetchall()
    finally:
        conn.close()


def test_replay_of_an_old_file_changes_nothing(tmp_path, river_path):
    p, seqs = _old_file(tmp_path, river_path)
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    s = Session.open_replay(p)
    try:
        assert s.state == fold(s.scenario, s.events)
        assert s.store.snapshot_at_or_before(s.store.last_seq) is None
    finally:
        s.close()
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before
    assert not (tmp_path / "old.peacetable-wal").exists()


def test_opening_for_writing_writes_fresh_snapshots(tmp_path, river_path):
    p, seqs = _old_file(tmp_path, river_path)
    events = _events_bytes(p)
    s = Session.open(p)
    try:
        assert s.state == fold(s.scenario, s.events)
    finally:
        s.close()
    assert _events_bytes(p) == events  # the record is never touched
    assert _snapshots(p) == [(q, FOLD_VERSION) for q in seqs]
    s = Session.open(p, readonly=True)
    try:
        for q in seqs:  # each is the state as it stood at its event (the undo included)
            snap = s.store.snapshot_at_or_before(q)
            assert snap is not None and snap.seq == q
            assert snap == fold(s.scenario, s.events[:q])
        assert not s.warnings
    finally:
        s.close()
