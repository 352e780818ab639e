"""A session file edited by someone who recomputed its hash chain so that it starts a phase
the scenario does not have: the window refuses to replay it, saying where the record
breaks, before any view reads it (no view fails half-drawn)."""

from __future__ import annotations

import hashlib

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.events import PhaseStarted, Visibility
from peacetable.storage.session_file import SessionStore


def test_the_window_names_where_a_forged_record_breaks(window, messages, tmp_path, river_path):
    p = tmp_path / "forged.peacetable"
    s = Session.create(river_path, p, seed=1)
    s.execute(C.Advance())
    s.close()
    store = SessionStore.open(p)
    try:  # through the store's own append: the chain recomputed, as a forger would
        store.append([(PhaseStarted(phase="ghost", index=7), Visibility())])
    finally:
        store.close()
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    assert window.trainer.open_replay(p) is False
    assert [m["title"] for m in messages] == ["Cannot open the session"]
    text = messages[0]["text"]
    assert str(p) in text and "the record breaks at event 3" in text and "'ghost'" in text
    assert window.trainer.replay_session is None
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before
