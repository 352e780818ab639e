"""A scenario whose injects fire by themselves: the open window's clock tick fires a due
inject (recorded, shown in the MSEL as fired); a manual scenario's waits for control."""

from __future__ import annotations

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.events import InjectFired


@pytest.mark.parametrize("mode, fires", [("automatic", True), ("manual", False)])
def test_clock_tick_fires_a_due_inject_when_the_scenario_says_so(window, qtbot, tmp_path,
                                                                 river_path, mode, fires):
    text = river_path.read_text(encoding="utf-8").replace(
        'id = "river_accord"\n', f'id = "river_accord"\ninjects = "{mode}"\n', 1)
    toml = tmp_path / "river.toml"
    toml.write_text(text, encoding="utf-8")
    path = tmp_path / "s.peacetable"
    Session.create(toml, path, seed=1).close()
    assert window.open_path(path)
    window.phase_actions.advance.trigger()
    window.bridge.execute(C.CorrectClock(seconds=11 * 60, reason="the phase ran 11 minutes"))
    window.timer.timeout.emit()
    session = window.session
    got = [ev for ev in session.events if isinstance(ev.body, InjectFired)]
    assert [ev.body.inject for ev in got] == (["flash_flood"] if fires else [])
    msel = window.console.msel
    rows = [msel.tree.topLevelItem(0).child(k) for k in range(msel.tree.topLevelItem(0).childCount())]
    status = {r.text(1): r.text(3) for r in rows}
    assert status["Flash flood"].startswith("fired") == fires
