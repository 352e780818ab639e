"""The first replay of a file from elsewhere folds its record once.

Opened for replay in the window (``Session.open_replay(defer_state=True)`` and then the replay
model), the snapshots this computer has not shown true yet are compared with the replay
model's own fold of the record, instead of the session folding the record a first time to
prove them. A forged snapshot is still caught, and a snapshot the fold cannot speak for (an
undo recorded later reaches back past it) is neither believed nor blamed."""

from __future__ import annotations

import sqlite3

import pytest

from peacetable.app import replay as replay_mod
from peacetable.app import session as session_mod
from peacetable.app.replay import ReplayModel
from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.state import decode_state, encode_state, fold
from peacetable.storage import proofs as proofs_mod


@pytest.fixture
def stranger(tmp_path, monkeypatch):
    """Call after playing: an empty proof book from then on, as on the computer of a trainer
    who received the file (playing proves the snapshots the session writes)."""
    books = []

    def forget():
        book = proofs_mod.ProofBook(tmp_path / f"proofs{len(books)}" / proofs_mod.FILE_NAME)
        books.append(book)
        monkeypatch.setattr(proofs_mod, "_book", book)

    yield forget
    for book in books:
        book.close()


def _play(path, river_path, undos=0):
    s = Session.create(river_path, path, seed=11)
    s.snapshot_every = 5
    s.execute(C.Advance())
    for k in range(14):
        mv = s.execute(C.SubmitMove(role="lowland", template="statement", rationale=f"said {k}"))
        s.execute(C.Adjudicate(move=mv[0].seq, decision="accept"))
    for _ in range(undos):
        s.execute(C.Undo())
    s.close()


def _counting(monkeypatch):
    """Count the events folded by the session and by the replay model."""
    folded = [0]

    def counted(sc, events, *args, **kw):
        events = list(events)
        folded[0] += len(events)
        return fold(sc, events, *args, **kw)

    monkeypatch.setattr(session_mod, "fold", counted)
    monkeypatch.setattr(replay_mod, "fold", counted)
    return folded


def _snapshot_seqs(path):
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT seq FROM snapshots ORDER BY seq")]
    finally:
        conn.close()


def test_a_file_from_elsewhere_is_folded_once_and_its_snapshots_shown_true(
        tmp_path, river_path, stranger, monkeypatch):
    p = tmp_path / "sent.peacetable"
    _play(p, river_path)
    assert len(_snapshot_seqs(p)) >= 4
    stranger()
    s = Session.open_replay(p, defer_state=True)
    try:
        assert len(s.pending_snapshots()) >= 4
    finally:
        s.close()
    folded = _counting(monkeypatch)
    s = Session.open_replay(p, defer_state=True)
    try:
        model = ReplayModel(s)
        n = len(s.events)
        # one fold of the record, plus at most one checkpoint's stretch to set the cursor
        assert folded[0] <= n + model.checkpoint_every
        assert s.store.warnings == []
        assert s.pending_snapshots() == {}
        assert s.state == fold(s.scenario, s.events)
        assert model.state == s.state
    finally:
        s.close()
    # the proofs are kept: the next opening believes the snapshots without folding for them
    s = Session.open_replay(p)
    try:
        assert s.pending_snapshots() == {}
    finally:
        s.close()


def test_a_forged_snapshot_is_still_caught(tmp_path, river_path, stranger):
    p = tmp_path / "forged.peacetable"
    _play(p, river_path)
    stranger()
    seq = _snapshot_seqs(p)[1]
    conn = sqlite3.connect(p)
    with conn:
        raw = conn.execute("SELECT state FROM snapshots WHERE seq = ?", (seq,)).fetchone()[0]
        st = decode_state(raw)
        st.accepted_moves += 7
        conn.execute("UPDATE snapshots SET state = ? WHERE seq = ?", (encode_state(st), seq))
    conn.close()
    s = Session.open_replay(p, defer_state=True)
    try:
        model = ReplayModel(s)
        assert list(s.store.distrusted) == [seq]
        assert any(f"snapshot at event {seq} is ignored" in w for w in s.store.warnings)
        assert seq not in s.pending_snapshots()  # ignored, not left to be believed later
        truth = fold(s.scenario, s.events[:seq])
        assert s.state_at(seq) == truth
        model.seek(seq)
        assert model.state == truth
    finally:
        s.close()


def test_a_snapshot_an_undo_reaches_back_past_is_neither_believed_nor_blamed(
        tmp_path, river_path, stranger):
    p = tmp_path / "undone.peacetable"
    _play(p, river_path, undos=6)
    stranger()
    s = Session.open_replay(p, defer_state=True)
    try:
        ReplayModel(s)
        assert s.store.distrusted == {}
        assert s.store.warnings == []
        still = s.pending_snapshots()
        # some snapshots lie under undone moves: the fold as the record stands differs from
        # the state as it stood there, so those are left for state_at to show true
        assert still
        for seq in still:
            assert s.state_at(seq) == fold(s.scenario, s.events[:seq])
        assert s.pending_snapshots() == {}
        assert s.store.distrusted == {}
    finally:
        s.close()
