"""Issue statuses are shared between views whose inputs are equal (state.issue_statuses
keeps them by IssueStatuses.inputs()): at every event of bot-played sessions, for every
viewer, the shared statuses must equal statuses worked out afresh from that viewer's view
of the state."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetable.app.autoplay import default_bots
from peacetable.app.script import ScriptRunner, read_script
from peacetable.app.session import Session
from peacetable.app.simulate import context, play_run
from peacetable.domain.state import IssueStatuses, fold, issue_statuses

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = [ROOT / "scenarios" / "framework-agreement.toml",
             ROOT / "tests" / "fixtures" / "highland-talks.toml"]


def _viewer_inputs(sc, st, viewer):
    """What view_state hands issue_statuses for ``viewer``."""
    agreements = [a for a in st.agreements.values() if a.visibility.allows(viewer)]
    moves = [m for m in st.moves.values() if m.visibility.allows(viewer)]
    tabled = [m for m in moves if m.kind == "proposal" and m.status == "accepted"]
    postures = [p for p in st.postures if p.visibility.allows(viewer)]
    return agreements, tabled, sc.linkages_for(viewer), postures


def _check_every_event(sc, events) -> tuple[int, int]:
    """Shared statuses against fresh ones after each event, for every viewer; (events with
    a block in force, events with an agreement)."""
    viewers = ["control", "audience", *sc.player_ids]
    seen = [0, 0]

    def check(ev, st) -> None:
        seen[0] += bool(st.holds)
        seen[1] += bool(st.agreements)
        for viewer in viewers:
            args = _viewer_inputs(sc, st, viewer)
            shared = issue_statuses(sc, st, *args, viewer=viewer)
            fresh = IssueStatuses(sc, st, *args, viewer=viewer).all()
            assert shared == fresh, (ev.seq, viewer)
            # a copy: changing what one view was given changes no other view
            shared[sc.issues[0].id]["blocked_options"].append("x")
            shared[sc.issues[0].id]["status"] = "changed"
            assert issue_statuses(sc, st, *args, viewer=viewer) == fresh
            # the same agreements, proposals, linkages and postures for every viewer: only
            # how each reads the blocks (who put them on, and with what) tells them apart
            same = _viewer_inputs(sc, st, "control")
            assert issue_statuses(sc, st, *same, viewer=viewer) == \
                IssueStatuses(sc, st, *same, viewer=viewer).all(), (ev.seq, viewer)

    fold(sc, events, on_event=check)  # after every event undo leaves standing
    return seen[0], seen[1]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shared_statuses_equal_fresh_ones_in_bot_sessions(path):
    loaded, knowledge = context(path.read_text(encoding="utf-8"), str(path))
    sc = loaded.scenario
    agreements = 0
    for index in range(2):
        _row, session = play_run(loaded, knowledge, default_bots(sc), seed=5, index=index)
        agreements += _check_every_event(sc, session.events)[1]
    assert agreements  # the sessions reached agreements: the statuses varied


def test_shared_statuses_equal_fresh_ones_with_blocks_and_postures(tmp_path):
    """The Highland Talks script: a control-only freeze, a veto on one option, a private
    and a sealed declaration (blocks and postures each viewer reads differently)."""
    toml = ROOT / "tests" / "fixtures" / "highland-talks.toml"
    script = toml.with_suffix("").with_suffix(".moves.jsonl")
    s = Session.create(toml, tmp_path / "h.peacetable", seed=3)
    ScriptRunner(s, str(script)).run(read_script(script))
    blocks, agreements = _check_every_event(s.scenario, s.events)
    s.close()
    assert blocks and agreements
