"""Turning points name their causes as the viewer reads the event log: event numbers of
moves are control's, never in a team's debrief or report."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetable.app.debrief import debrief_at
from peacetable.domain.analytics.debrief import cause_label
from peacetable.app.report import build_report
from peacetable.app.script import ScriptRunner, read_script
from peacetable.app.session import Session
from peacetable.domain import commands as C

ROOT = Path(__file__).resolve().parents[2]
INCHES = ROOT / "scenarios" / "peace-of-inches.toml"


@pytest.fixture(scope="module")
def undone(tmp_path_factory):
    # the whole script, then control takes back its last rulings: undos that move the index
    s = Session.create(INCHES, tmp_path_factory.mktemp("d") / "u.peacetable", seed=3)
    moves = INCHES.with_name("peace-of-inches.moves.jsonl")
    runner = ScriptRunner(s, str(moves))
    for line in read_script(moves):
        runner.apply(line)
    for _ in range(6):
        s.execute(C.Undo())
    yield s
    s.close()


def _causes(session, viewer):
    by_seq = {e.seq: e for e in session.events}
    return [cause_label(session.scenario, e, by_seq, viewer) for e in session.events
            if e.visibility.allows(viewer)]


def test_control_reads_numbers_in_an_undo_cause(undone):
    causes = _causes(undone, "control")
    assert any(c.startswith("Undo") and "(#" in c for c in causes), causes
    turning = debrief_at(undone, viewer="control")["escalation"]["turning_points"]
    assert turning and all(t["cause"] for t in turning)


@pytest.mark.parametrize("viewer", ["audience", "ukraine", "russia", "us", "europe"])
def test_a_team_reads_no_event_numbers(undone, viewer):
    causes = _causes(undone, viewer)
    assert any(c.startswith("Undo") for c in causes), causes
    assert not [c for c in causes if "(#" in c]
    text = repr(build_report(undone, viewer=viewer))
    assert "(#" not in text
