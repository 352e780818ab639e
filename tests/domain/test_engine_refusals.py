"""Every refusal says, in full, why -- the facilitator reads these words in a dialog or on
the command line -- and a refused command writes nothing."""

from __future__ import annotations

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.engine import MESSAGE_MAX, Refused
from peacetable.domain.events import ActionRecorded, MessageSent, Visibility


def why(s: Session, cmd: C.Command) -> str:
    before = s.store.last_seq
    with pytest.raises(Refused) as info:
        s.execute(cmd)
    assert s.store.last_seq == before  # nothing written
    return str(info.value)


@pytest.fixture
def talks(river_session) -> Session:
    river_session.execute(C.Advance())
    return river_session


# --------------------------------------------------------------------------- messages


def test_message_refusals(talks):
    s = talks
    assert why(s, C.SendMessage(sender="nobody", to=("upland",), text="hi")) == (
        "'nobody' cannot send messages (expected control or one of: upland, lowland, midland)")
    assert why(s, C.SendMessage(sender="upland", to=(), text="hi")) == (
        "a message needs at least one recipient")
    assert why(s, C.SendMessage(sender="upland", to=("lowland", "upland"), text="hi")) == (
        "a role cannot send a message to itself")
    assert why(s, C.SendMessage(sender="upland", to=("control",), text="hi")) == (
        "recipient 'control' is not a player role (expected one of: lowland, midland)")
    assert why(s, C.SendMessage(sender="upland", to=("lowland",), text=" \n ")) == (
        "the message is empty")
    long = "x" * (MESSAGE_MAX + 1)
    assert why(s, C.SendMessage(sender="upland", to=("lowland",), text=long)) == (
        f"the message is {MESSAGE_MAX + 1} characters long; the limit is {MESSAGE_MAX}")


def test_a_message_of_exactly_the_limit_is_sent(talks):
    ev = talks.execute(C.SendMessage(sender="upland", to=("lowland",), text="y" * MESSAGE_MAX))[0]
    assert isinstance(ev.body, MessageSent) and len(ev.body.text) == MESSAGE_MAX


def test_who_sees_a_message(talks):
    s = talks
    ev = s.execute(C.SendMessage(sender="upland", to=("lowland", "lowland"), text=" hello "))[0]
    assert ev.body == MessageSent(sender="upland", to=("lowland",), text="hello")
    assert ev.visibility == Visibility("roles", ("upland", "lowland"))
    ev = s.execute(C.SendMessage(sender="control", to=("midland",), text="a word"))[0]
    assert ev.visibility == Visibility("roles", ("midland",))  # control sees everything anyway
    assert [e.seq for e in s.visible_events("midland")][-1] == ev.seq
    assert ev.seq not in {e.seq for e in s.visible_events("upland")}


# --------------------------------------------------------------------------- injects


def test_recorded_action_refusals(talks):
    s = talks
    inj = s.execute(C.FireInject(id="flash_flood"))[0].seq
    assert why(s, C.RecordAction(inject_event=inj, role="nobody", text="x")) == (
        "unknown role 'nobody'")
    assert why(s, C.RecordAction(inject_event=inj, role="upland", text="  ")) == (
        "the recorded action is empty")
    assert why(s, C.RecordAction(inject_event=inj - 1, role="upland", text="x")) == (
        f"event {inj - 1} is not a fired inject")
    ev = s.execute(C.RecordAction(inject_event=inj, role="upland", text=" sandbags "))[0]
    assert ev.body == ActionRecorded(inject_event=inj, role="upland", text="sandbags")
    assert ev.visibility == Visibility("control")


# --------------------------------------------------------------------------- conditions


def test_condition_refusals_name_the_field(talks):
    s = talks

    def offer(cond: dict) -> str:
        return why(s, C.SubmitMove(role="upland", template="open_sluices", to=("lowland",),
                                   condition=cond))

    assert offer({"all": [{"variable": "troops", "op": "<"}]}) == (
        "condition all.0: Value error, a variable test needs all of variable, op and value")
    assert offer({"variable": "troops", "op": "<", "value": 1, "zzz": 1}) == (
        "condition zzz: Extra inputs are not permitted")
    # an error about the condition as a whole names no field inside it
    assert offer({"variable": "troops"}) == (
        "condition condition: Value error, a variable test needs all of variable, op and value")
    # a valid condition is recorded as given, nothing added
    ev = s.execute(C.SubmitMove(role="upland", template="open_sluices", to=("lowland",),
                                condition={"variable": "troops", "op": "<", "value": 5}))[0]
    assert ev.body.condition == {"variable": "troops", "op": "<", "value": 5.0}
    assert offer({"variable": "rain", "op": "<", "value": 1}) == (
        "condition names unknown variable 'rain' (expected one of: troops, flow)")


# --------------------------------------------------------------------------- withdraw


def test_a_conditional_offer_in_play_is_withdrawn_to_those_who_saw_it(talks):
    s = talks
    o = s.execute(C.SubmitMove(role="upland", template="open_sluices", to=("lowland",)))[0]
    s.execute(C.Adjudicate(move=o.seq, decision="accept"))
    assert o.seq in s.state.offers and o.seq not in s.state.moves
    ev = s.execute(C.Withdraw(move=o.seq, reason="the flood passed"))[0]
    assert (ev.body.move, ev.body.reason) == (o.seq, "the flood passed")
    assert ev.visibility == o.visibility == Visibility("roles", ("upland", "lowland"))
    assert o.seq not in s.state.offers
    assert why(s, C.Withdraw(move=o.seq)) == (
        f"move {o.seq} is neither a tabled proposal nor a conditional offer in play")


# --------------------------------------------------------------------------- publish


def test_publishing_records_the_reason_for_everyone(talks):
    s = talks
    p = s.execute(C.SubmitMove(role="upland", template="propose", channel="private",
                               package={"monitoring": "joint"}))[0].seq
    s.execute(C.Adjudicate(move=p, decision="accept"))
    a = s.execute(C.SubmitMove(role="lowland", template="accept", target=p))[0].seq
    s.execute(C.Adjudicate(move=a, decision="accept"))
    assert why(s, C.Publish(agreement=p + 100)) == f"{p + 100} is not an agreement in the record"
    ev = s.execute(C.Publish(agreement=p, reason="announced at the press conference"))[0]
    assert (ev.body.agreement, ev.body.reason) == (p, "announced at the press conference")
    assert ev.visibility == Visibility()
    assert why(s, C.Publish(agreement=p)) == f"agreement {p} is already public"


def test_nothing_sealed_nothing_to_reveal(talks):
    assert why(talks, C.Reveal()) == "there are no sealed moves to reveal"
