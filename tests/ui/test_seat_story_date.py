"""A seat shows the day in the story as its own role knows it (read from the role's view):
none before the first phase, the phase's day after it starts, and a day moved on by an
inject only in the seats of the roles who hear that inject."""

from __future__ import annotations

from peacetable.domain import commands as C
from peacetable.ui.bridge import SessionBridge
from peacetable.ui.seats import SeatView


def test_each_seat_shows_the_day_its_role_knows(qtbot, river_session):
    s = river_session
    bridge = SessionBridge()
    bridge.set_session(s)
    seats = {r: SeatView(bridge, r) for r in ("upland", "lowland")}
    for v in seats.values():
        qtbot.addWidget(v)
    for v in seats.values():
        assert v.story_date.isHidden() and v.story_date.text() == ""
    bridge.execute(C.Advance())  # talks, 7 Apr 2031
    for v in seats.values():
        assert v.story_date.text() == "In the story: 7 Apr 2031"
        assert not v.story_date.isHidden()
    bridge.execute(C.Advance())  # the sealed round, 14 Apr
    bridge.execute(C.FireInject(id="leak"))  # 16 Apr, heard by Upland and control
    assert seats["upland"].story_date.text() == "In the story: 16 Apr 2031"
    assert seats["lowland"].story_date.text() == "In the story: 14 Apr 2031"
    for r, v in seats.items():
        assert v.story_date.text().endswith(s.view(r)["game_date_label"])
