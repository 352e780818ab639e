"""Control's MSEL decisions, recorded through the engine: delay/reschedule (minute or phase),
edit the text before firing, skip; each refused when it makes no sense, each undoable."""

from __future__ import annotations

import pytest

from peacetable.app.session import Refused, Session
from peacetable.domain import commands as C
from peacetable.domain.events import InjectFired


@pytest.fixture
def s(tmp_path, river_path):
    session = Session.create(river_path, tmp_path / "s.peacetable", seed=1)
    session.execute(C.Advance())
    yield session
    session.close()


def due_ids(s: Session) -> list[str]:
    return [r["id"] for r in s.injects_due() if r["due"]]


def test_delay_moves_the_due_minute_and_undo_restores_it(s):
    s.execute(C.CorrectClock(seconds=11 * 60))
    assert due_ids(s) == ["flash_flood"]
    s.execute(C.RescheduleInject(id="flash_flood", at_minute=15, reason="room busy"))
    assert due_ids(s) == [] and s.injects_due()[0]["at_minute"] == 15
    assert "rescheduled: Flash flood to minute 15 of Talks (room busy)" in s.describe(s.events[-1])
    s.execute(C.Undo())
    assert due_ids(s) == ["flash_flood"]


def test_reschedule_to_a_later_phase_moves_it_on_the_whole_timeline(s):
    s.execute(C.RescheduleInject(id="flash_flood", phase="summit", at_minute=2))
    assert s.injects_due() == []
    row = next(r for r in s.inject_schedule() if r["id"] == "flash_flood")
    assert (row["phase"], row["at_minute"], row["planned_phase"]) == ("summit", 2.0, "talks")
    s.execute(C.Advance())
    s.execute(C.Advance())
    assert [r["id"] for r in s.injects_due()] == ["flash_flood"]


def test_skip_takes_it_off_and_firing_a_skipped_inject_is_refused(s):
    s.execute(C.SkipInject(id="flash_flood", reason="overtaken"))
    assert s.injects_due() == []
    with pytest.raises(Refused, match="skipped"):
        s.execute(C.FireInject(id="flash_flood"))
    s.execute(C.Undo())
    s.execute(C.FireInject(id="flash_flood"))


def test_edited_text_is_what_fires(s):
    s.execute(C.FireInject(id="flash_flood", title="Storm surge", synopsis="The dam spills."))
    fired = [ev.body for ev in s.events if isinstance(ev.body, InjectFired)]
    assert (fired[0].inject, fired[0].title, fired[0].synopsis) == \
        ("flash_flood", "Storm surge", "The dam spills.")


@pytest.mark.parametrize("cmd, message", [
    (C.RescheduleInject(id="nope", at_minute=1), "unknown inject"),
    (C.RescheduleInject(id="leak", at_minute=1), "reserve inject"),
    (C.RescheduleInject(id="flash_flood", at_minute=999), "outside phase"),
    (C.RescheduleInject(id="flash_flood", phase="nowhere", at_minute=1), "unknown phase"),
    (C.SkipInject(id="leak"), "reserve inject"),
])
def test_refusals_name_the_problem(s, cmd, message):
    with pytest.raises(Refused, match=message):
        s.execute(cmd)


def test_a_fired_or_past_phase_inject_cannot_be_moved(s):
    s.execute(C.FireInject(id="flash_flood"))
    with pytest.raises(Refused, match="already fired"):
        s.execute(C.RescheduleInject(id="flash_flood", at_minute=3))
    s.execute(C.Undo())
    s.execute(C.Advance())
    with pytest.raises(Refused, match="is over"):
        s.execute(C.RescheduleInject(id="flash_flood", phase="talks", at_minute=3))
