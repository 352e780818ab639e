"""Fork: the child holds the parent's record up to the fork point and continues live."""

from __future__ import annotations

import pytest
from trainer_support import SCRIPTS, events_dump, file_sha, play_bundled

from peacetable.app.fork import fork_origin, fork_session, record_fingerprint
from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.events import Redone, Undone
from peacetable.domain.state import encode_state
from peacetable.storage.session_file import SessionFileError


@pytest.fixture(scope="module", params=SCRIPTS, ids=lambda p: p.stem)
def played(request, tmp_path_factory):
    return play_bundled(tmp_path_factory.mktemp("fork"), request.param)


def _fork_points(session: Session) -> list[int]:
    last = session.store.last_seq
    pts = {1, 2, last - 1, last, *range(5, last, 17)}
    for ev in session.events:  # around every undo and redo: before, the target, the marker
        if isinstance(ev.body, (Undone, Redone)):
            pts.update({ev.body.target - 1, ev.body.target, ev.seq - 1, ev.seq})
    return sorted(p for p in pts if 1 <= p <= last)


def test_fork_round_trip_every_viewer(played, tmp_path):
    sha = file_sha(played)
    parent = Session.open(played, readonly=True)
    try:
        viewers = ["control", "audience", *(r.id for r in parent.scenario.roles)]
        fp = record_fingerprint(parent)
        points = _fork_points(parent)
        assert any(isinstance(parent.events[p].body, Undone) for p in range(len(parent.events))
                   if p + 1 in points)
        for at in points:
            out = fork_session(played, at, tmp_path / f"child-{at}.peacetable")
            child = Session.open(out, readonly=True)
            try:
                assert child.store.last_seq == at
                assert encode_state(child.state) == encode_state(parent.state_at(at))
                for v in viewers:
                    assert child.view(v) == parent.view(v, at=at), (at, v)
                    assert [e.seq for e in child.visible_events(v)] == \
                        [e.seq for e in parent.visible_events(v, upto=at)]
                assert child.events == parent.events[:at]
                assert child.fingerprint == parent.store.chain_at(at).hex()
                assert child.verify_record().intact
                assert fork_origin(child.store.meta()) == {
                    "path": str(played.resolve()), "fingerprint": fp, "at": at}
            finally:
                child.close()
    finally:
        parent.close()
    assert file_sha(played) == sha


def test_child_continues_live_and_parent_is_untouched(played, tmp_path):
    before = events_dump(played)
    sha = file_sha(played)
    out = fork_session(played, 3, tmp_path / "live.peacetable")
    child = Session.open(out)
    try:
        new = child.execute(C.AddNote(text="what if we had waited?"))
        assert [e.seq for e in new] == [4]
        child.execute(C.Undo())
    finally:
        child.close()
    assert file_sha(played) == sha and events_dump(played) == before
    reopened = Session.open(out, readonly=True)
    try:
        assert reopened.store.last_seq == 5
    finally:
        reopened.close()


def test_fork_refuses_existing_output_and_out_of_range(played, tmp_path):
    taken = tmp_path / "taken.peacetable"
    taken.write_bytes(b"keep me")
    with pytest.raises(SessionFileError, match="already exists"):
        fork_session(played, 2, taken)
    assert taken.read_bytes() == b"keep me"
    with pytest.raises(SessionFileError, match="already exists"):
        fork_session(played, 2, played)
    s = Session.open(played, readonly=True)
    last = s.store.last_seq
    s.close()
    for at in (0, -3, last + 1):
        with pytest.raises(SessionFileError, match="cannot fork at event"):
            fork_session(played, at, tmp_path / f"bad{at}.peacetable")
        assert not (tmp_path / f"bad{at}.peacetable").exists()


def test_fork_of_a_file_that_is_not_a_session(tmp_path):
    bad = tmp_path / "notes.peacetable"
    bad.write_text("just text\n" * 20)
    with pytest.raises(SessionFileError, match="not a PeaceTable session"):
        fork_session(bad, 1, tmp_path / "child.peacetable")
    assert not (tmp_path / "child.peacetable").exists()
