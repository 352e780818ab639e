"""Injects that fire by themselves: the scenario's choice ([scenario] injects, per inject
`auto`), fired by the session once due while the clock runs, once only, recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.events import InjectFired


def scenario_with(tmp_path: Path, river_path: Path, scenario_line: str = "",
                  inject_line: str = "") -> Path:
    text = river_path.read_text(encoding="utf-8")
    if scenario_line:
        text = text.replace('id = "river_accord"\n', f'id = "river_accord"\n{scenario_line}\n', 1)
    if inject_line:
        text = text.replace('at_minute = 10\n', f'at_minute = 10\n{inject_line}\n', 1)
    p = tmp_path / "river.toml"
    p.write_text(text, encoding="utf-8")
    return p


def fired(session: Session) -> list[str | None]:
    return [ev.body.inject for ev in session.events if isinstance(ev.body, InjectFired)]


@pytest.mark.parametrize("scenario_line, inject_line, expected", [
    ("", "", []),                                   # the default: control fires
    ('injects = "manual"', "", []),
    ('injects = "automatic"', "", ["flash_flood"]),
    ("", "auto = true", ["flash_flood"]),
    ('injects = "automatic"', "auto = false", []),  # the inject's own setting wins
])
def test_a_due_inject_fires_by_itself_only_when_the_scenario_says_so(
        tmp_path, river_path, scenario_line, inject_line, expected):
    toml = scenario_with(tmp_path, river_path, scenario_line, inject_line)
    s = Session.create(toml, tmp_path / "s.peacetable", seed=1)
    s.execute(C.Advance())
    assert s.fire_due_injects() == []  # minute 0: not due yet
    s.execute(C.CorrectClock(seconds=11 * 60, reason="test: the phase ran 11 minutes"))
    events = s.fire_due_injects()
    assert fired(s) == expected and len(events) == len(expected)
    assert s.fire_due_injects() == []  # never twice
    s.close()


def test_paused_clock_fires_nothing_and_an_undone_firing_waits_for_control(tmp_path, river_path):
    toml = scenario_with(tmp_path, river_path, 'injects = "automatic"')
    s = Session.create(toml, tmp_path / "s.peacetable", seed=1)
    s.execute(C.Advance())
    s.execute(C.CorrectClock(seconds=11 * 60))
    s.execute(C.PauseClock(reason="break"))
    assert s.fire_due_injects() == []
    s.execute(C.ResumeClock())
    assert len(s.fire_due_injects()) == 1
    s.execute(C.Undo())
    assert s.state.injects_fired.get("flash_flood") is None
    assert s.fire_due_injects() == []  # control undid it: it waits for control now
    s.close()
