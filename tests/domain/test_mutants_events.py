"""Event visibility and encoding, case by case.

Written against mutants that survived the broader tests (docs/testing.md).
"""

from __future__ import annotations

import datetime as dt

import pytest

from peacetable.domain.events import (CONTROL, PUBLIC, MessageSent, Visibility, body_type,
                                      decode_body, decode_visibility, encode_body,
                                      encode_visibility, event_time, private_to)

VIEWERS = ("control", "audience", "upland", "lowland", "midland")


@pytest.mark.parametrize("vis,seen_by", [
    (PUBLIC, {"control", "audience", "upland", "lowland", "midland"}),
    (CONTROL, {"control"}),
    (private_to("upland", "lowland"), {"control", "upland", "lowland"}),
    (Visibility("roles", ()), {"control"}),
    (Visibility("roles", ("audience",)), {"control"}),
])
def test_who_may_see_an_event(vis, seen_by):
    assert {v for v in VIEWERS if vis.allows(v)} == seen_by


def test_visibility_reads_as_its_scope_or_its_roles():
    assert PUBLIC.describe() == "public"
    assert CONTROL.describe() == "control"
    assert private_to("upland", "lowland").describe() == "private: upland, lowland"


def test_private_to_keeps_the_first_of_each_role_in_order():
    assert private_to("lowland", "upland", "lowland").roles == ("lowland", "upland")
    assert private_to("upland").scope == "roles"


def test_encoding_is_sorted_json_that_decodes_to_the_same():
    body = MessageSent(sender="upland", to=("lowland",), text="hello")
    raw = encode_body(body)
    assert raw == '{"sender":"upland","text":"hello","to":["lowland"],"type":"message_sent"}'
    assert decode_body(raw) == body
    assert body_type(body) == "message_sent"
    assert encode_visibility(PUBLIC) == "{}"
    assert encode_visibility(private_to("b", "a")) == '{"roles":["b","a"],"scope":"roles"}'
    assert decode_visibility('{"scope":"control"}') == CONTROL


def test_event_time_reads_iso_text_as_utc_unless_zoned():
    assert event_time("2026-11-30T10:00:00") == dt.datetime(2026, 11, 30, 10, tzinfo=dt.timezone.utc)
    zoned = event_time("2026-11-30T10:00:00+02:00")
    assert zoned.utcoffset() == dt.timedelta(hours=2)
    assert event_time("yesterday") is None
    assert event_time(None) is None
