"""The fold's counts of rulings equal the rulings in the record (control's and the dice's):
every accepted and every rejected move counted once, whichever path of the fold applied the ruling (the common cases
are applied in the fold's own loop, the rest by the general path)."""

from __future__ import annotations

import pytest
from trainer_support import SCRIPTS, play_bundled

from peacetable.app.session import Session
from peacetable.domain.events import DiceRolled, MoveAdjudicated, MoveSubmitted
from peacetable.domain.state import cancelled_set, fold


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_accepted_and_rejected_counts_follow_the_record(tmp_path, script):
    s = Session.open(play_bundled(tmp_path, script), readonly=True)
    try:
        events = s.events
        off = cancelled_set(events)
        submitted = {e.seq for e in events if isinstance(e.body, MoveSubmitted)
                     and e.seq not in off}
        # a ruling by control, or a roll of the dice deciding the move
        rulings = [e.body for e in events if isinstance(e.body, (MoveAdjudicated, DiceRolled))
                   and e.seq not in off and e.body.move in submitted]
        won = [b.decision == "accepted" if isinstance(b, MoveAdjudicated) else b.success
               for b in rulings]
        accepted, rejected = sum(won), len(won) - sum(won)
        assert accepted and rejected  # the scripts rule both ways: the check is not empty
        st = fold(s.scenario, events)
        assert (st.accepted_moves, st.rejected_moves) == (accepted, rejected)
    finally:
        s.close()
