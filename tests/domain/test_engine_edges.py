"""Engine rules at their edges: answers to untabled proposals, the dice boundary, withdrawals,
rolls across snapshots, undo and redo keeping the visibility of what they undo."""

from __future__ import annotations

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.engine import Refused, roll_draw
from peacetable.domain.events import DiceRolled, Redone, Undone, Visibility


def move(s: Session, **kw) -> int:
    return s.execute(C.SubmitMove(**kw))[0].seq


def proposal(s: Session) -> int:
    return move(s, role="upland", template="propose",
                package={"monitoring": "joint", "release": "medium"})


# --------------------------------------------------------------------------- answers


def test_an_untabled_proposal_cannot_be_answered(river_session):
    s = river_session
    s.execute(C.Advance())
    p = proposal(s)
    before = s.store.last_seq
    for tpl in ("accept", "reject"):
        with pytest.raises(Refused, match=f"proposal {p} has not been tabled by control yet"):
            move(s, role="lowland", template=tpl, target=p)
    assert s.store.last_seq == before
    # control turns it down: it is gone
    s.execute(C.Adjudicate(move=p, decision="reject", reason="not now"))
    with pytest.raises(Refused, match=f"move {p} is not a proposal on the table"):
        move(s, role="lowland", template="accept", target=p)
    # a tabled one can be answered
    q = proposal(s)
    s.execute(C.Adjudicate(move=q, decision="accept"))
    a = move(s, role="lowland", template="accept", target=q)
    assert s.state.moves[a].target == q and s.state.moves[a].status == "pending"


def test_an_answer_names_a_proposal(river_session):
    s = river_session
    s.execute(C.Advance())
    st = move(s, role="upland", template="statement")
    s.execute(C.Adjudicate(move=st, decision="accept"))
    with pytest.raises(Refused, match=f"move {st} is not a proposal on the table"):
        move(s, role="lowland", template="accept", target=st)
    with pytest.raises(Refused, match="names the proposal it answers"):
        move(s, role="lowland", template="accept")


# --------------------------------------------------------------------------- dice


def _roll_first_move(tmp_path, river_path, seed: int, odds: int, name: str) -> DiceRolled:
    s = Session.create(river_path, tmp_path / name, seed=seed)
    try:
        s.execute(C.Advance())
        m = move(s, role="lowland", template="mass_troops")
        ev = s.execute(C.Roll(move=m, odds=odds))[0]
        # success applies the move (troops 4 + 2), failure drops it
        assert s.state.variables["troops"] == (6 if ev.body.success else 4)
        assert m not in s.state.moves
        return ev.body
    finally:
        s.close()


def test_a_draw_equal_to_the_odds_succeeds(tmp_path, river_path):
    """Success is ``draw <= odds``: a draw of exactly the odds succeeds, one above fails."""
    draw = roll_draw(7, 0)
    assert 2 <= draw <= 99  # this seed's first draw allows both sides of the boundary
    at = _roll_first_move(tmp_path, river_path, 7, draw, "at.peacetable")
    below = _roll_first_move(tmp_path, river_path, 7, draw - 1, "below.peacetable")
    assert (at.draw, at.odds, at.success) == (draw, draw, True)
    assert (below.draw, below.odds, below.success) == (draw, draw - 1, False)


def test_odds_are_a_percentage(river_session):
    s = river_session
    s.execute(C.Advance())
    m = move(s, role="lowland", template="mass_troops")
    for odds in (0, 100):
        with pytest.raises(Refused, match=f"between 1 and 99 percent, not {odds}"):
            s.execute(C.Roll(move=m, odds=odds))
    for odds in (1, 99):  # both ends are allowed
        n = move(s, role="lowland", template="mass_troops")
        assert s.execute(C.Roll(move=n, odds=odds))[0].body.odds == odds


def test_the_nth_roll_uses_the_nth_draw_across_snapshots_and_reopening(tmp_path, river_path):
    """The dice count survives a snapshot: after reopening from one taken between rolls,
    the next roll is the seed's next draw, not a repeat of an earlier one."""
    path = tmp_path / "dice.peacetable"
    s = Session.create(river_path, path, seed=3)
    s.snapshot_every = 2
    s.execute(C.Advance())
    draws = []
    for _ in range(3):
        m = move(s, role="lowland", template="mass_troops")
        draws.append(s.execute(C.Roll(move=m, odds=50))[0].body.draw)
    assert draws == [roll_draw(3, n) for n in range(3)]
    assert s.store.last_snapshot_seq == s.store.last_seq  # the newest state is a snapshot
    s.close()
    s = Session.open(path)
    try:
        assert s.store.snapshot_at_or_before(s.store.last_seq).rolls == 3
        assert s.state.rolls == 3
        m = move(s, role="lowland", template="mass_troops")
        assert s.execute(C.Roll(move=m, odds=50))[0].body.draw == roll_draw(3, 3)
    finally:
        s.close()


# --------------------------------------------------------------------------- withdraw


def test_a_pending_move_cannot_be_withdrawn(river_session):
    s = river_session
    s.execute(C.Advance())
    p = proposal(s)
    st = move(s, role="midland", template="statement")
    before = s.store.last_seq
    for mid in (p, st):
        with pytest.raises(Refused, match=f"move {mid} is awaiting adjudication: reject it"):
            s.execute(C.Withdraw(move=mid))
    assert s.store.last_seq == before
    # an accepted statement is no proposal on the table and no offer
    s.execute(C.Adjudicate(move=st, decision="accept"))
    with pytest.raises(Refused, match=f"move {st} is neither a tabled proposal"):
        s.execute(C.Withdraw(move=st))
    with pytest.raises(Refused, match="neither a tabled proposal nor a conditional offer"):
        s.execute(C.Withdraw(move=999))
    # once tabled, it can be withdrawn, and then it is off the table
    s.execute(C.Adjudicate(move=p, decision="accept"))
    ev = s.execute(C.Withdraw(move=p, reason="changed our mind"))[0]
    assert (ev.body.move, ev.body.reason) == (p, "changed our mind")
    assert ev.visibility == s.events[p - 1].visibility
    with pytest.raises(Refused):
        move(s, role="lowland", template="accept", target=p)


# --------------------------------------------------------------------------- undo / redo


def test_undo_and_redo_keep_the_visibility_of_their_target(tmp_path, river_path):
    """Undoing a private move tells only those who saw the move; so does redoing it, also
    after the file was closed and opened again."""
    path = tmp_path / "u.peacetable"
    s = Session.create(river_path, path, seed=1)
    s.execute(C.Advance())
    m = move(s, role="midland", template="statement", channel="private", to=["upland"])
    private = Visibility("roles", ("midland", "upland"))
    assert s.events[-1].visibility == private
    undo = s.execute(C.Undo())[0]
    assert isinstance(undo.body, Undone) and undo.body.target == m
    assert undo.visibility == private
    s.close()
    s = Session.open(path)
    try:
        redo = s.execute(C.Redo())[0]
        assert isinstance(redo.body, Redone) and redo.body.target == m
        assert redo.visibility == private
        again = s.execute(C.Undo())[0]
        assert again.visibility == private
        for viewer in ("audience", "lowland"):
            seen = {e.seq for e in s.visible_events(viewer)}
            assert not seen & {m, undo.seq, redo.seq, again.seq}, viewer
        for viewer in ("upland", "midland", "control"):
            seen = {e.seq for e in s.visible_events(viewer)}
            assert {m, undo.seq, redo.seq, again.seq} <= seen, viewer
        # a public event's undo is public
        s.execute(C.Advance())
        pub = s.execute(C.Undo())[0]
        assert pub.visibility == Visibility()
    finally:
        s.close()
