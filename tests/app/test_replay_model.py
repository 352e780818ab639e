"""ReplayModel: the cursor's state, views, events and trace against the session's own."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from peacetable.app.replay import ReplayModel, viewer_trace
from peacetable.app.script import ScriptRunner, read_script
from peacetable.app.session import Session
from peacetable.domain.state import fold

ROOT = Path(__file__).resolve().parents[2]
SCRIPTED = ROOT / "scenarios" / "peace-of-inches.toml"


def _builtins(st):
    return msgspec.to_builtins(st)


@pytest.fixture
def played(tmp_path):
    s = Session.create(SCRIPTED, tmp_path / "p.peacetable", seed=3)
    moves = SCRIPTED.with_name("peace-of-inches.moves.jsonl")
    runner = ScriptRunner(s, str(moves))
    for line in read_script(moves):
        runner.apply(line)
    yield s
    s.close()


def _with_undos(river_session):
    from peacetable.domain import commands as C

    s = river_session
    s.execute(C.Advance())
    for k in range(6):
        s.execute(C.SubmitMove(role="upland", template="statement", rationale=f"r{k}"))
        if k % 2:
            s.execute(C.Undo())
    s.execute(C.Redo())
    s.execute(C.AddNote(text="n"))
    s.execute(C.Undo())
    s.execute(C.Undo())
    return s


@pytest.mark.parametrize("every", [1, 3, 64])
def test_state_at_every_cursor_equals_a_fold_of_the_prefix(river_session, every):
    s = _with_undos(river_session)
    m = ReplayModel(s, checkpoint_every=every)
    order = list(range(m.last + 1)) + list(range(m.last, -1, -1)) + [5, 0, m.last, 2, 9, 1]
    for n in order:
        m.seek(n)
        expect = fold(s.scenario, s.events[:n])
        assert _builtins(m.state) == _builtins(expect), n
        assert _builtins(m.state) == _builtins(s.state_at(n)), n
        assert m.view("upland") == s.view("upland", at=n)
        assert m.visible_events("lowland") == s.visible_events("lowland", upto=n)


def test_cancelled_as_it_stood_at_the_cursor(river_session):
    from peacetable.domain.state import cancelled_set

    s = _with_undos(river_session)
    m = ReplayModel(s)
    for n in range(m.last + 1):
        m.seek(n)
        assert m.cancelled() == cancelled_set(s.events[:n])


def test_steps_phases_and_bookmarks(played):
    m = ReplayModel(played)
    starts = [ev.seq for ev in played.events if ev.type == "phase_started"]
    assert [b.seq for b in m.bookmarks] == starts
    assert [b.phase_index for b in m.bookmarks] == list(range(len(starts)))
    assert m.bookmarks[0].label == played.scenario.phases[0].label
    assert m.cursor == m.last
    assert m.home() == 0
    assert m.step(-1) == 0  # clamped
    assert m.next_phase() == starts[0]
    assert m.next_phase() == starts[1]
    assert m.step(3) == starts[1] + 3
    assert m.prev_phase() == starts[1]  # to the start of the phase it is in
    assert m.prev_phase() == starts[0]
    assert m.bookmark_at().phase_index == 0
    assert m.end() == m.last
    assert m.step(1) == m.last


def test_viewer_trace_keeps_hidden_events_out(played):
    m = ReplayModel(played)
    full = played.trace()
    assert m.trace("control") == full
    for viewer in ("audience", *played.scenario.player_ids):
        rows = m.trace(viewer)
        seqs = {r[0] for r in rows}
        for k, r in enumerate(full):
            ev = played.events[r[0] - 1] if r[0] else None
            if r[0] in seqs or ev is None:
                continue
            # a dropped point: hidden from this viewer and changed nothing it can see
            assert not ev.visibility.allows(viewer)
        # every kept hidden point changed the picture
        last = None
        for r in rows:
            ev = played.events[r[0] - 1] if r[0] else None
            if last is not None and ev is not None and not ev.visibility.allows(viewer):
                assert (r[1], r[2], r[3]) != (last[1], last[2], last[3])
            last = r
    assert len(m.trace("audience")) < len(full)  # the script has private events


def test_viewer_trace_incremental_matches_whole():
    rows = [(0, -1, 0.0, {}), (1, 0, 0.0, {}), (2, 0, 0.0, {}), (3, 0, 5.0, {}), (4, 0, 5.0, {})]
    visible = {0: True, 1: True, 2: False, 3: False, 4: True}.__getitem__
    whole = viewer_trace(rows, visible, "audience")
    assert [r[0] for r in whole] == [0, 1, 3, 4]
    part = viewer_trace(rows[:2], visible, "audience")
    part += viewer_trace(rows[2:], visible, "audience", last=part[-1])
    assert part == whole
    assert viewer_trace(rows, visible, "control") == rows


def test_unknown_viewer_is_refused(river_session):
    m = ReplayModel(river_session)
    with pytest.raises(ValueError, match="unknown viewer"):
        m.trace("nobody")


@pytest.mark.parametrize("every", [1, 3, 64])
def test_one_fold_gives_checkpoints_and_the_trace(river_session, every, monkeypatch):
    """Opening a record with no undo for replay folds it once: the checkpoint fold also
    yields the escalation trace, equal to the session's own fold of the record."""
    from peacetable.app import session as session_module
    from peacetable.domain import commands as C

    s0 = river_session
    s0.execute(C.Advance())
    for k in range(70):
        s0.execute(C.SubmitMove(role="upland", template="propose",
                                package={"monitoring": ("none", "joint", "international")[k % 3]}))
    path = s0.path
    reference = Session.open(path, readonly=True)
    try:
        expected = reference.trace()
    finally:
        reference.close()
    s = Session.open(path, readonly=True)
    try:
        assert not s.has_trace()

        def no_fold(*a, **k):
            raise AssertionError("the trace was folded a second time")

        monkeypatch.setattr(session_module, "fold", no_fold)  # the session's own fold
        ReplayModel(s, checkpoint_every=every)
        assert s.trace() == expected
        assert len(expected) > 70
    finally:
        s.close()


def _random_record(path, n_events: int, seed: int):
    """A record played by the real engine with bursts of undos and redos (some reaching
    back over many events), adjudications, notes and phases."""
    import random

    from peacetable.domain import commands as C
    from peacetable.domain.engine import Refused

    s = Session.create(SCRIPTED, path, seed=seed)
    rng = random.Random(seed)
    sc = s.scenario
    templates = [t for t in sc.moves if t.kind not in ("proposal", "acceptance", "rejection")]
    s.execute(C.Advance())
    while s.store.last_seq < n_events:
        r = rng.random()
        try:
            if r < 0.01:
                s.execute(C.Advance())
            elif r < 0.1:
                for _ in range(rng.choice((1, 1, 2, 5, 12))):
                    s.execute(C.Undo())
                if rng.random() < 0.4:  # redo comes straight after undo, or not at all
                    for _ in range(rng.choice((1, 2, 4))):
                        s.execute(C.Redo())
            elif r < 0.16:
                s.execute(C.AddNote(text="n"))
            else:
                pending = [m.id for m in s.state.moves.values() if m.status == "pending"
                           and not m.sealed]
                if pending and rng.random() < 0.55:
                    s.execute(C.Adjudicate(move=rng.choice(pending),
                                           decision=rng.choice(["accept", "accept", "reject"]),
                                           reason="r"))
                else:
                    tpl = rng.choice(templates)
                    role = rng.choice(list(tpl.roles) or list(sc.player_ids))
                    s.execute(C.SubmitMove(role=role, template=tpl.id, rationale="m"))
        except Refused:
            continue
    return s


@pytest.mark.parametrize("every", [2, 7, 64])
def test_seek_equals_a_cold_fold_at_every_event_of_a_record_with_undos(tmp_path, every):
    """Checkpoints come from one fold of the record as it stands; each must be the state
    as it stood at its event (an undo recorded later does not reach back into it)."""
    import random

    from peacetable.domain.state import toggles

    from peacetable.domain.events import CONTROL, Undone
    from peacetable.domain.state import cancelled_set

    path = tmp_path / "undos.peacetable"
    played = _random_record(path, 400, seed=every)
    try:
        # undos naming events far back, as a file from elsewhere may hold: every event
        # folded after their targets stood differently then than the record stands now
        evs = played.events
        gone = cancelled_set(evs)
        far = [e.seq for e in evs[100:160] if e.type == "move_submitted" and e.seq not in gone]
        played.store.append([(Undone(target=far[0]), CONTROL), (Undone(target=far[-1]), CONTROL)])
    finally:
        played.close()
    s = Session.open(path, readonly=True)
    try:
        evs = s.events
        assert sum(1 for e in evs if e.type == "undone") > 20
        assert any(e.type == "redone" for e in evs)
        # some undo reaches back past more than a chunk of the smallest size
        assert max(e.seq - e.body.target for e in evs if e.type == "undone") > 2 * 2
        m = ReplayModel(s, checkpoint_every=every)
        expected_trace = Session.open(path, readonly=True)
        try:
            assert s.trace() == expected_trace.trace()  # the one fold gave the trace
        finally:
            expected_trace.close()
        # every checkpoint is the state as it stood at its event
        from peacetable.domain.state import decode_state

        for c in m._cp_seqs:
            assert _builtins(decode_state(m._checkpoints[c])) == \
                _builtins(fold(s.scenario, evs[:c])), c
        # and no stretch is left without a checkpoint for more than two chunks
        bounds = [0, *m._cp_seqs, m.last]
        assert max(b - a for a, b in zip(bounds, bounds[1:])) <= 2 * every
        order = list(range(m.last + 1))
        random.Random(every).shuffle(order)
        for n in order + list(range(m.last, -1, -1)):
            m.seek(n)
            assert _builtins(m.state) == _builtins(fold(s.scenario, evs[:n])), n
        assert toggles(evs)  # the record really has undos to get wrong
    finally:
        s.close()


def test_the_undone_state_follows_the_cursor_both_ways(river_session):
    """Seeks forth and back in any order: the undone state, brought from the last cursor by
    the undos and redos crossed, equals the one worked out from the record's prefix; the
    events named between two cursors include every one whose state differs."""
    import random

    from peacetable.domain.state import cancelled_set

    s = _with_undos(river_session)
    m = ReplayModel(s)
    rng = random.Random(5)
    order = [*range(m.last + 1), *range(m.last, -1, -1)]
    order += [rng.randint(0, m.last) for _ in range(200)] + [0, m.last, 1, m.last - 1]
    prev, prev_set = m.cursor, cancelled_set(s.events[:m.cursor])
    for n in order:
        m.seek(n)
        expect = cancelled_set(s.events[:n])
        assert m.cancelled() == expect, n
        assert [q for q in range(1, m.last + 1) if m.is_cancelled(q)] == sorted(expect), n
        assert expect ^ prev_set <= m.toggled_between(prev, n), (prev, n)
        assert m.marks_before() == sum(1 for e in s.events[:n] if e.type in ("undone", "redone"))
        prev, prev_set = n, expect
