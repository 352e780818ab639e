"""A bot reckons with what its own role knows: a trade-off linkage hidden from its role
carries no value in the analytics it decides by, nor in its role's scorecard."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetable.app.autoplay import Autoplay, default_bots, knowledge_for
from peacetable.app.scorecard import outcome
from peacetable.app.session import Session
from peacetable.domain.analytics.bargaining import PackageSpace

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "scenarios").glob("*.toml")) + [ROOT / "tests/fixtures/highland-talks.toml"]


def _valued(sc):
    return [lk for lk in sc.linkages if lk.kind == "trade_off" and lk.value]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_bot_values_packages_as_its_role_knows_them(tmp_path, path):
    s = Session.create(path, tmp_path / "s.peacetable", seed=5)
    sc = s.scenario
    ap = Autoplay(s, default_bots(sc), seed=5)
    for role, bot in ap.bots.items():
        mine = PackageSpace.from_scenario(sc, role)
        for lk in _valued(sc):
            both = {lk.source: lk.from_option, lk.target: lk.to_option}
            assert bot.k.space.value(both) == mine.value(both), (role, lk.source)
    s.close()


def test_peace_of_inches_quiet_channel_is_valued_only_by_those_in_it(tmp_path):
    # the bundled quiet channel is known to the US and Russia only, and carries a value for
    # the others too: their bots and scorecards must not count it
    s = Session.create(ROOT / "scenarios/peace-of-inches.toml", tmp_path / "p.peacetable", seed=5)
    sc = s.scenario
    (lk,) = [lk for lk in _valued(sc) if lk.visible_to]
    both = {lk.source: lk.from_option, lk.target: lk.to_option}
    full = knowledge_for(sc).space.value(both)
    ap = Autoplay(s, default_bots(sc), seed=5)
    outsiders = [r for r in ap.bots if r not in lk.visible_to and lk.value.get(r)]
    assert outsiders
    for role in outsiders:
        assert ap.bots[role].k.space.value(both)[role] != full[role]
        assert (outcome(sc, role, both, 0.0, 0.0)["utility"]
                == pytest.approx(PackageSpace.from_scenario(sc, role).value(both)[role]))
    for role in lk.visible_to:
        assert ap.bots[role].k.space.value(both) == full
    s.close()
