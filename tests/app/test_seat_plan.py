"""The seat plan: PINs as salted hashes, kept beside the record, damaged plans refused."""

from __future__ import annotations

import json

import pytest

from peacetable.app import seats as S
from peacetable.app.session import Session
from peacetable.storage.session_file import SessionFileError


def test_pin_hash_is_salted_and_checked():
    a, b = S.hash_pin("2468"), S.hash_pin("2468")
    assert a["salt"] != b["salt"] and a["hash"] != b["hash"]
    assert "2468" not in json.dumps(a)
    assert S.pin_matches(a, "2468") and S.pin_matches(b, "2468")
    assert not S.pin_matches(a, "2469") and not S.pin_matches(a, "")
    assert S.pin_matches(None, "")  # no PIN set: nothing to type
    # a tampered record never matches (and never raises)
    assert not S.pin_matches({**a, "salt": "zz"}, "2468")
    assert not S.pin_matches({**a, "alg": "md5"}, "2468")
    assert not S.pin_matches({**a, "n": 2**30}, "2468")
    assert not S.pin_matches({"hash": a["hash"]}, "2468")


@pytest.mark.parametrize("pin, reason", [("123", "at least 4"), ("x" * 65, "at most 64"),
                                         (" 1234", "begin or end with a space")])
def test_bad_pins_are_refused(pin, reason):
    with pytest.raises(S.SeatsError, match=reason):
        S.configure(S.SeatPlan(), ["upland"], {"upland": pin})


def test_plan_round_trip_outside_the_record(river_session):
    s = river_session
    plan = S.configure(S.SeatPlan(), ["lowland", "upland"], {"lowland": "2468", "control": "9999"})
    S.save_plan(s, plan)
    assert s.store.last_seq == 1  # no event: the record is untouched
    got = S.load_plan(s)
    assert got.seats == ("lowland", "upland") and not got.handed_over
    assert got.check("lowland", "2468") and not got.check("lowland", "9999")
    assert got.check("upland", "")  # no PIN for this seat
    assert not got.check("midland", "")  # not a seat here
    assert got.check("control", "9999") and not got.check("control", "")
    assert got.next_seat("lowland") == "upland" and got.next_seat("upland") == "lowland"
    # changing: keep one PIN, remove another, drop a seat (its PIN goes with it)
    again = S.configure(got, ["upland"], {"control": None})
    assert again.seats == ("upland",) and again.pins == {}
    S.hand_over(s, again, True)
    assert S.load_plan(s).handed_over


def test_read_only_session_cannot_change_the_plan(tmp_path, river_path):
    s = Session.create(river_path, tmp_path / "r.peacetable", seed=1)
    s.close()
    ro = Session.open(tmp_path / "r.peacetable", readonly=True)
    try:
        with pytest.raises(SessionFileError, match="read-only"):
            S.save_plan(ro, S.configure(S.SeatPlan(), ["upland"], {}))
    finally:
        ro.close()


@pytest.mark.parametrize("raw, reason", [
    ("{not json", "not valid JSON"),
    ('{"version": 2}', "unknown format"),
    ('{"version": 1, "seats": "upland", "pins": {}}', "seats: expected a list"),
    ('{"version": 1, "seats": ["atlantis"], "pins": {}}', "'atlantis' is not a player role"),
    ('{"version": 1, "seats": ["upland"], "pins": []}', "pins: expected an object"),
])
def test_damaged_plan_is_refused_with_a_reason(river_session, raw, reason):
    river_session.store.set_meta(S.META_KEY, raw)
    with pytest.raises(S.SeatsError, match=reason):
        S.load_plan(river_session)
    assert str(river_session.path) in str(pytest.raises(S.SeatsError, S.load_plan,
                                                         river_session).value)


def test_save_refuses_unknown_seats_and_empty_hand_over(river_session):
    with pytest.raises(S.SeatsError, match="not a player role"):
        S.save_plan(river_session, S.SeatPlan(seats=("control",)))
    with pytest.raises(S.SeatsError, match="at least one seat"):
        S.save_plan(river_session, S.SeatPlan(handed_over=True))
    assert S.META_KEY not in river_session.store.meta()


def test_solo_settings_round_trip_and_damage(river_session):
    s = river_session
    assert S.load_solo(s) is None
    S.save_solo(s, "upland", {"lowland": "conceder", "midland": "hardliner"}, 3)
    assert S.load_solo(s) == ("upland", {"lowland": "conceder", "midland": "hardliner"}, 3)
    assert s.store.last_seq == 1
    for raw, reason in [
        ("[", "not valid JSON"),
        ('{"version": 1, "role": "atlantis", "bots": {}, "seed": 1}', "not a player role"),
        ('{"version": 1, "role": "upland", "bots": {"lowland": "genius"}, "seed": 1}',
         "unknown strategy 'genius'"),
        ('{"version": 1, "role": "upland", "bots": {"upland": "conceder"}, "seed": 1}',
         "bots or seed are damaged"),
    ]:
        s.store.set_meta(S.SOLO_KEY, raw)
        with pytest.raises(S.SeatsError, match=reason):
            S.load_solo(s)
