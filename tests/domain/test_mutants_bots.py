"""What the bots say when they move: each reason in its words, and only those.

Written against a mutant that survived the broader tests (docs/testing.md): a bot's reason
could be changed without a test noticing.
"""

from __future__ import annotations

from pathlib import Path

from peacetable.app.autoplay import default_bots, knowledge_for
from peacetable.app.simulate import play_run
from peacetable.domain.events import MoveSubmitted
from peacetable.domain.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
REASONS = {"worth our aspiration", "worse for us than no deal", "answer to escalation",
           "answering a step in kind", "a package worth our aspiration",
           "offered on its condition", "a small step; we invite an answer",
           "winning back leverage"}


def test_the_bots_give_each_of_their_reasons_in_its_words():
    said: set[str] = set()
    for name in ("framework-agreement.toml", "peace-of-inches.toml"):
        loaded = load_scenario(SCENARIOS / name)
        sc = loaded.scenario
        for index in range(3):
            _row, session = play_run(loaded, knowledge_for(sc), default_bots(sc), 17, index)
            said |= {e.body.rationale for e in session.events
                     if isinstance(e.body, MoveSubmitted)}
    assert said == REASONS


def test_a_bot_withdraws_only_its_own_proposals_left_unanswered():
    from peacetable.domain.events import Withdrawn

    withdrawn = []
    for name in ("framework-agreement.toml", "peace-of-inches.toml"):
        loaded = load_scenario(SCENARIOS / name)
        sc = loaded.scenario
        for index in range(3):
            _row, session = play_run(loaded, knowledge_for(sc), default_bots(sc), 17, index)
            by_seq = {e.seq: e for e in session.events}
            for e in session.events:
                if isinstance(e.body, Withdrawn):
                    target = by_seq[e.body.move].body
                    withdrawn.append((target.kind, e.body.reason))
    assert withdrawn, "the bots withdrew nothing in these runs"
    assert set(withdrawn) == {("proposal", "no answer; we will table another")}
