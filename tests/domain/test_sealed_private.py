"""Sealed means sealed; private stays private (on real session files)."""

from __future__ import annotations

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.engine import Refused
from peacetable.domain.loader import ScenarioError, load_scenario


def _variant(tmp_path, river_path, old: str, new: str):
    text = river_path.read_text()
    assert old in text
    p = tmp_path / "variant.toml"
    p.write_text(text.replace(old, new, 1))
    return p


def test_a_sealed_private_move_is_hidden_from_its_recipient_until_the_reveal(tmp_path, river_path):
    # a private, addressed move in the sealed round
    p = _variant(tmp_path, river_path, 'id = "pull_back"', 'id = "pull_back"\nchannel = "private"')
    s = Session.create(p, tmp_path / "s.peacetable", seed=1)
    try:
        s.execute(C.Advance())
        s.execute(C.Advance())
        m = s.execute(C.SubmitMove(role="lowland", template="pull_back", to=("upland",),
                                   rationale="only after the reveal"))[0].seq
        for viewer in ("upland", "midland", "audience"):
            assert m not in [e.seq for e in s.visible_events(viewer)]
            assert m not in [x["id"] for x in s.view(viewer)["moves_open"]]
        assert m in [x["id"] for x in s.view("lowland")["moves_open"]]
        reveal = s.execute(C.Reveal())
        assert [e.visibility.roles for e in reveal] == [("lowland", "upland")]
        assert m in [x["id"] for x in s.view("upland")["moves_open"]]
        assert m not in [x["id"] for x in s.view("midland")["moves_open"]]
    finally:
        s.close()


def test_a_template_locked_to_the_private_channel_refuses_the_public_one(tmp_path, river_path):
    p = _variant(tmp_path, river_path, 'channel = "private"',
                 'channel = "private"\nchannel_locked = true')
    s = Session.create(p, tmp_path / "s.peacetable", seed=1)
    try:
        s.execute(C.Advance())
        with pytest.raises(Refused, match="only on the private channel"):
            s.execute(C.SubmitMove(role="upland", template="open_sluices", channel="public"))
        assert s.store.last_seq == 2
        s.execute(C.SubmitMove(role="upland", template="open_sluices", to=("lowland",)))
        assert s.events[-1].visibility.scope == "roles"
    finally:
        s.close()


def test_only_a_private_template_can_be_locked(tmp_path, river_path):
    p = _variant(tmp_path, river_path, 'id = "statement"', 'id = "statement"\nchannel_locked = true')
    with pytest.raises(ScenarioError, match="channel_locked"):
        load_scenario(p)


def test_a_public_answer_to_a_private_proposal_tells_the_room_nothing(river_session):
    s = river_session
    s.execute(C.Advance())
    prop = s.execute(C.SubmitMove(role="upland", template="propose", channel="private",
                                  package={"monitoring": "joint"}))[0]
    s.execute(C.Adjudicate(move=prop.seq, decision="accept"))
    answer = s.execute(C.SubmitMove(role="lowland", template="accept", channel="public",
                                    target=prop.seq))[0]
    assert set(answer.visibility.roles) == set(prop.visibility.roles) == {"upland", "lowland"}
    ruling = s.execute(C.Adjudicate(move=answer.seq, decision="accept"))[0]
    assert ruling.visibility == answer.visibility
    for viewer in ("audience", "midland"):
        seen = {e.seq for e in s.visible_events(viewer)}
        assert not seen & {prop.seq, answer.seq, ruling.seq}
        assert s.view(viewer)["agreements"] == []
    assert [a["id"] for a in s.view("lowland")["agreements"]] == [prop.seq]
