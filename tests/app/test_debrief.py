"""Debrief analytics on a small river session with known timestamps and values."""

from __future__ import annotations

import datetime as dt

import pytest

from peacetable.app.debrief import debrief_at
from peacetable.domain import commands as C
from peacetable.domain.analytics.bargaining import PackageSpace


@pytest.fixture
def played(river_session):
    s = river_session
    start = dt.datetime.fromisoformat(s.events[0].ts)
    minute = iter(range(1, 60))

    def ex(cmd):  # event k + 1 is k minutes after the session started
        t = start + dt.timedelta(minutes=next(minute))
        return s.execute(cmd, ts=t.isoformat(timespec="milliseconds"))

    ex(C.Advance())                                                               # 2
    p = ex(C.SubmitMove(role="lowland", template="propose",
                        package={"release": "high", "monitoring": "joint"}))[0].seq  # 3
    ex(C.Adjudicate(move=p, decision="accept"))                                  # 4
    a = ex(C.SubmitMove(role="upland", template="accept", target=p))[0].seq     # 5
    ex(C.Adjudicate(move=a, decision="accept"))                                  # 6
    m = ex(C.SubmitMove(role="lowland", template="mass_troops", magnitude=3))[0].seq  # 7
    ex(C.Adjudicate(move=m, decision="accept"))                                  # 8
    ex(C.AddNote(text="control keeps time"))                                     # 9
    return s


def test_agreement_against_values_batna_and_ruled_out_options(played, river):
    d = debrief_at(played)
    b = d["bargaining"]
    assert b["status"] == "ok"
    assert b["agreed"] == {"monitoring": "joint", "release": "high"}
    up = b["teams"]["upland"]
    # upland: 0.6 * 0.0 (high release) + 0.4 * 0.5 (joint) = 0.2 against a BATNA of 0.4
    assert up["value"] == pytest.approx(0.2) and up["gain_over_batna"] == pytest.approx(-0.2)
    assert up["worse_than_batna"] and up["ruled_out"] == ["Water release: High release"]
    assert b["teams"]["lowland"]["ruled_out"] == []
    assert [f["worse_for"] for f in b["worse_than_no_deal"]] == [["Upland"]]
    space = PackageSpace.from_scenario(river)
    joint = sum(b["teams"][r]["gain_over_batna"] for r in space.roles)
    assert b["joint_gain"] == pytest.approx(joint)
    assert b["nash"]["left_on_table"] == pytest.approx(b["nash"]["joint_gain"] - joint)
    assert [h["change"] for h in d["agreement_history"]] == ["made"]
    assert d["agreement_history"][0]["parties"] == ["Lowland", "Upland"]


def test_escalation_peak_rungs_and_turning_points(played):
    d = debrief_at(played)
    e = d["escalation"]
    assert sum(r["events"] for r in e["rungs"]) == played.store.last_seq
    assert sum(r["minutes"] for r in e["rungs"]) == pytest.approx(8.0)  # events 1 to 9
    rung_at_8 = e["now"]["rung"]
    assert next(r for r in e["rungs"] if r["rung"] == rung_at_8)["minutes"] == pytest.approx(1.0)
    top = max(e["turning_points"], key=lambda t: abs(t["change"]))
    assert top["event"] == 8 and top["change"] > 0
    assert top["cause"] == "Lowland: Mass troops at the border ×3, accepted by control"
    assert e["peak"]["event"] == 8 and e["peak"]["index"] == e["now"]["index"]


def test_the_cursor_and_the_viewer(played):
    before = debrief_at(played, at=5)
    assert before["bargaining"]["agreed"] == {} and before["agreement_history"] == []
    assert debrief_at(played, at=0)["escalation"]["turning_points"] == []
    team = debrief_at(played, viewer="upland")
    assert team["bargaining"]["status"] == "own values only"
    assert team["bargaining"]["team"]["ruled_out"] == ["Water release: High release"]
    assert set(team["red_lines"]) == {"Upland"}
    aud = debrief_at(played, viewer="audience")
    assert aud["bargaining"]["status"] == "control only" and aud["red_lines"] == {}
    with pytest.raises(ValueError, match="unknown viewer"):
        debrief_at(played, viewer="nobody")
    with pytest.raises(ValueError, match="out of range"):
        debrief_at(played, at=played.store.last_seq + 1)
