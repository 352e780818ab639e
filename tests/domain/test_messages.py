"""Private messages between roles: checked by the engine, in the record, seen only by the
sender, the recipients and control — at every event, for every viewer."""

from __future__ import annotations

import pytest

from peacetable.app.script import ScriptLine, ScriptRunner
from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.engine import Refused
from peacetable.domain.events import MessageSent


def test_message_is_recorded_with_per_recipient_visibility(river_session):
    s = river_session
    ev = s.execute(C.SendMessage(sender="upland", to=("lowland",), text="  Meet at the dam.  "))
    assert len(ev) == 1 and isinstance(ev[0].body, MessageSent)
    assert ev[0].body.text == "Meet at the dam."
    assert ev[0].body.to == ("lowland",)
    seen = {v: [e.seq for e in s.visible_events(v) if isinstance(e.body, MessageSent)]
            for v in ("control", "audience", "upland", "lowland", "midland")}
    assert seen == {"control": [2], "audience": [], "upland": [2], "lowland": [2], "midland": []}
    assert s.describe(ev[0]) == "message from Upland to Lowland: Meet at the dam."


def test_control_sends_to_several_roles(river_session):
    s = river_session
    s.execute(C.SendMessage(sender="control", to=("upland", "midland", "upland"), text="Recess"))
    ev = s.events[-1]
    assert ev.body.to == ("upland", "midland")
    assert [v for v in ("audience", "upland", "lowland", "midland", "control")
            if ev.visibility.allows(v)] == ["upland", "midland", "control"]
    assert s.describe(ev) == "message from Control to Upland, Midland: Recess"


def test_message_does_not_change_the_state_and_is_not_undone(river_session):
    s = river_session
    s.execute(C.Advance())
    before = s.state
    s.execute(C.SendMessage(sender="lowland", to=("midland",), text="Stay out of it"))
    assert s.state.phase == before.phase and s.state.variables == before.variables
    # undo passes over the message to the last decision (the advance)
    s.execute(C.Undo())
    assert s.state.phase is None
    assert any(isinstance(e.body, MessageSent) for e in s.effective_events())


@pytest.mark.parametrize("cmd, reason", [
    (C.SendMessage(sender="upland", to=("lowland",), text="   "), "the message is empty"),
    (C.SendMessage(sender="upland", to=(), text="hello"), "at least one recipient"),
    (C.SendMessage(sender="upland", to=("upland",), text="hello"), "to itself"),
    (C.SendMessage(sender="upland", to=("atlantis",), text="hi"), "'atlantis' is not a player"),
    (C.SendMessage(sender="upland", to=("control",), text="hi"), "'control' is not a player"),
    (C.SendMessage(sender="atlantis", to=("upland",), text="hi"), "'atlantis' cannot send"),
    (C.SendMessage(sender="upland", to=("lowland",), text="x" * 4001), "the limit is 4000"),
])
def test_bad_messages_are_refused_and_nothing_is_written(river_session, cmd, reason):
    before = river_session.store.last_seq
    with pytest.raises(Refused, match=reason):
        river_session.execute(cmd)
    assert river_session.store.last_seq == before


def test_script_line_sends_a_message(tmp_path, river_path):
    s = Session.create(river_path, tmp_path / "m.peacetable", seed=1)
    try:
        ScriptRunner(s).apply(ScriptLine(1, {"cmd": "message", "sender": "midland",
                                             "to": ["upland", "lowland"], "text": "Truce?"}))
        assert s.describe(s.events[-1]) == "message from Midland to Upland, Lowland: Truce?"
    finally:
        s.close()
    # and it survives reopening the file
    s = Session.open(tmp_path / "m.peacetable")
    try:
        assert isinstance(s.events[-1].body, MessageSent)
        assert not s.events[-1].visibility.allows("audience")
    finally:
        s.close()
