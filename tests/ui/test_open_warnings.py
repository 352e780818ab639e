"""A session whose snapshot was forged opens with the snapshot ignored, and the window says so
(live and in replay) without blocking."""

from __future__ import annotations

import sqlite3

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.state import decode_state, encode_state, fold
from peacetable.storage import proofs


def _forged(tmp_path, river_path):
    p = tmp_path / "forged.peacetable"
    s = Session.create(river_path, p, seed=5)
    s.snapshot_every = 4
    s.execute(C.Advance())
    for k in range(5):
        mv = s.execute(C.SubmitMove(role="lowland", template="statement", rationale=f"said {k}"))
        s.execute(C.Adjudicate(move=mv[0].seq, decision="accept"))
    s.close()
    conn = sqlite3.connect(p)
    seq, raw = conn.execute("SELECT seq, state FROM snapshots ORDER BY seq DESC").fetchone()
    st = decode_state(raw)
    st.accepted_moves += 40  # claims more than the events say
    conn.execute("UPDATE snapshots SET state = ? WHERE seq = ?", (encode_state(st), seq))
    conn.commit()
    conn.close()
    return p, seq


def test_live_open_shows_the_ignored_snapshot(window, qtbot, tmp_path, river_path):
    p, seq = _forged(tmp_path, river_path)
    assert window.open_session(p)
    box = window.warning_box
    assert box is not None and box.isVisible()
    assert f"snapshot at event {seq}" in box.text() and "ignored" in box.text()
    assert window.session.state.accepted_moves == 5  # the events decide, not the snapshot


def test_replay_open_shows_the_ignored_snapshot(window, qtbot, tmp_path, river_path):
    p, seq = _forged(tmp_path, river_path)
    assert window.trainer.open_replay(p)
    box = window.warning_box
    assert box is not None and f"snapshot at event {seq}" in box.text()


def test_an_honest_file_opens_without_a_warning(window, qtbot, tmp_path, river_path):
    p = tmp_path / "honest.peacetable"
    Session.create(river_path, p, seed=5).close()
    assert window.open_session(p)
    assert window.warning_box is None


def _forged_two(tmp_path, river_path, monkeypatch):
    """The two newest snapshots forged consistently (the newer is the fold of the events
    from the older), opened where nothing in the file was shown true before."""
    p, _seq = _forged(tmp_path, river_path)
    conn = sqlite3.connect(p)
    (b_seq, _), (a_seq, a_raw) = conn.execute(
        "SELECT seq, state FROM snapshots ORDER BY seq DESC LIMIT 2").fetchall()
    conn.close()
    s = Session.open(p, readonly=True)
    sc, events = s.scenario, list(s.events)
    s.close()
    a = decode_state(a_raw)
    a.accepted_moves += 40
    b = fold(sc, events[a_seq:b_seq], start=a)
    conn = sqlite3.connect(p)
    with conn:
        conn.execute("UPDATE snapshots SET state = ? WHERE seq = ?", (encode_state(a), a_seq))
        conn.execute("UPDATE snapshots SET state = ? WHERE seq = ?", (encode_state(b), b_seq))
    conn.close()
    monkeypatch.setattr(proofs, "_book", proofs.ProofBook(tmp_path / "proofs.sqlite"))
    return p, a_seq, b_seq


def test_two_consistent_forged_snapshots_are_not_believed_live(window, qtbot, tmp_path,
                                                               river_path, monkeypatch):
    p, a_seq, b_seq = _forged_two(tmp_path, river_path, monkeypatch)
    assert window.open_session(p)
    box = window.warning_box
    assert box is not None and f"snapshot at event {b_seq}" in box.text()
    assert window.session.state.accepted_moves == 5
    assert window.session.state_at(b_seq) == fold(window.session.scenario,
                                                  window.session.events[:b_seq])


def test_two_consistent_forged_snapshots_are_not_believed_in_replay(window, qtbot, tmp_path,
                                                                    river_path, monkeypatch):
    p, a_seq, b_seq = _forged_two(tmp_path, river_path, monkeypatch)
    assert window.trainer.open_replay(p)
    box = window.warning_box
    assert box is not None and f"snapshot at event {b_seq}" in box.text()
    session = window.trainer.replay_session
    assert session.state.accepted_moves == 5
    assert window.trainer.model.state.accepted_moves == 5
