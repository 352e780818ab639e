"""A session whose snapshot was forged opens with the snapshot ignored, and the window says so
(live and in replay) without blocking."""

from __future__ import annotations

import sqlite3

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.state import decode_state, encode_state


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
