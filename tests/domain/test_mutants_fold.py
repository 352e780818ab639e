"""The fold kept open (bot runs in memory) equals the fold of the whole log, whatever the
chunks it is fed in; it refuses undo and redo by name.

Written against mutants that survived the broader tests (docs/testing.md, "Mutation
testing"): a pass over a note that stopped the chunk, the event number not kept.
"""

from __future__ import annotations

import pytest

from peacetable.domain import commands as C
from peacetable.domain.events import Event, Redone, Undone
from peacetable.domain.state import IncrementalFold, encode_state, fold


@pytest.fixture
def record(river_session) -> list[Event]:
    s = river_session
    s.execute(C.Advance())
    s.execute(C.AddNote(text="before the flood"))  # changes no state: passed over
    s.execute(C.FireInject(id="flash_flood"))
    s.execute(C.AddNote(text="after the flood"))
    m = s.execute(C.SubmitMove(role="lowland", template="mass_troops"))[0].seq
    s.execute(C.Adjudicate(move=m, decision="accept"))
    s.execute(C.AddNote(text="the end"))
    return list(s.events)


@pytest.mark.parametrize("size", [1, 2, 3, 100])
def test_chunks_fold_to_the_whole_log(river, record, size):
    inc = IncrementalFold(river)
    for k in range(0, len(record), size):
        st = inc.apply(record[k:k + size])
        assert st is inc.state and st.seq == record[min(k + size, len(record)) - 1].seq
    whole = fold(river, record)
    assert encode_state(inc.state) == encode_state(whole)
    assert inc.state.variables["flow"] == 70 and inc.state.seq == record[-1].seq


def test_a_note_does_not_stop_the_chunk(river, record):
    inc = IncrementalFold(river)
    inc.apply(record)
    assert encode_state(inc.state) == encode_state(fold(river, record))
    assert inc.state.accepted_moves == 1


@pytest.mark.parametrize("body", [Undone(target=2), Redone(target=2)])
def test_undo_and_redo_are_refused(river, record, body):
    inc = IncrementalFold(river)
    undo = Event(seq=record[-1].seq + 1, ts=record[-1].ts, visibility=record[-1].visibility,
                 body=body)
    with pytest.raises(ValueError) as info:
        inc.apply([*record, undo])
    assert str(info.value) == "an incremental fold does not take undo or redo events"
