"""Play the first two phases of each bundled exercise through the console's widgets.

The moves come from the bundled ``scenarios/*.moves.jsonl``; the driver sets the combo
boxes, spin boxes and line edits and clicks the buttons a facilitator would. The state
reached must equal the state the same script reaches headless (``ScriptRunner``) with the
same seed, survive closing and reopening the window's session, and agree with a fresh
read-only open and with ``peacetable replay --json``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BUNDLED = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.toml"))
pytestmark = pytest.mark.skipif(not BUNDLED, reason="no bundled scenarios")

SEED = 20240611


def headless_view(scenario: Path, lines: list[dict], out: Path) -> dict:
    """The control view after the same lines, run headless. Check boxes give recipients
    and parties in the scenario's role order, so the script's lists are put in that order
    (the order is kept in the record, e.g. in a private move's visibility)."""
    from peacetable.app.script import ScriptLine, ScriptRunner
    from peacetable.app.session import Session

    order = {r: k for k, r in enumerate(_players(scenario))}
    lines = [{**d, **{f: sorted(d[f], key=order.__getitem__) for f in ("to", "parties") if f in d}}
             for d in lines]
    s = Session.create(scenario, out, seed=SEED)
    try:
        runner = ScriptRunner(s, "script")
        runner.run(ScriptLine(k, d) for k, d in enumerate(lines, start=1))
        return s.view("control")
    finally:
        s.close()


@pytest.mark.parametrize("scenario", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_play_first_two_phases_through_the_widgets(window, driver, new_session, script, messages,
                                                   tmp_path, scenario):
    lines = script(scenario, phases=2)
    path = tmp_path / "played.peacetable"
    session = new_session(scenario, path, seed=SEED,
                          teams={rid: f"Team {k + 1}" for k, rid in enumerate(_players(scenario))})
    for k, d in enumerate(lines, start=1):
        driver.apply(d)
        assert messages == [], f"line {k} {d}: {messages}"
    assert session.state.phase_index == 1
    played = session.view("control")
    assert played == headless_view(scenario, lines, tmp_path / "headless.peacetable")
    # what the console shows is that view
    c = window.console
    assert c.phase_bar.phase_label.text().startswith("Phase 2 of ")
    assert [c.issues.issues.cell(r, 1) for r in range(c.issues.issues.rowCount())] == \
        [rec["status"].replace("on_table", "on the table") for rec in played["issues"].values()]
    assert c.event_log.model.rowCount() == len(session.events)

    # close and reopen: the state is the fold of the log
    n_events = len(session.events)
    window.close_action.trigger()
    assert window.session is None
    assert window.open_path(path)
    # closing paused the clock: one event more, which changes nothing in the state
    assert len(window.session.events) == n_events + 1
    assert type(window.session.events[-1].body).__name__ == "ClockPaused"
    played = {**played, "event": n_events + 1}
    assert window.session.view("control") == played

    from peacetable.app.session import Session

    fresh = Session.open(path, readonly=True)
    try:
        assert fresh.view("control") == played
    finally:
        fresh.close()
    exe = Path(sys.executable).with_name("peacetable")
    proc = subprocess.run([str(exe), "replay", str(path), "--json"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == json.loads(json.dumps(played))
    assert [m for m in messages if m["title"] != "Resume the clock?"] == []


def _players(scenario: Path) -> list[str]:
    from peacetable.domain.loader import load_scenario

    return list(load_scenario(scenario).scenario.player_ids)


@pytest.mark.parametrize("scenario", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_play_the_whole_script_through_the_widgets(window, driver, new_session, script, messages,
                                                   tmp_path, scenario):
    """Every phase, including rolls, sealed rounds, reveals and undo, as a facilitator would."""
    lines = script(scenario)
    session = new_session(scenario, tmp_path / "whole.peacetable", seed=SEED)
    for k, d in enumerate(lines, start=1):
        driver.apply(d)
        assert messages == [], f"line {k} {d}: {messages}"
    assert session.state.phase_index == len(session.scenario.phases) - 1
    assert session.view("control") == headless_view(scenario, lines, tmp_path / "h.peacetable")
    assert window.undo.undo_action.isEnabled() == bool(session.ledger.undo)
