"""The fold's effective values, index and rung after every event, against a plain
recomputation from the state's base values and the offers in force (the fold caches them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetable.app.simulate import context, play_run
from peacetable.domain.loader import load_scenario
from peacetable.domain.state import escalation_index, fold

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scenarios").glob("*.toml"))
NAMES = ("hardliner", "conceder", "reciprocator", "leverage")


def _plain(sc, st):
    var = dict(st.base)
    lev = dict(st.base_leverage)
    for o in st.offers.values():
        if o.status != "in_force":
            continue
        for k, d in o.variables.items():
            var[k] = var[k] + d
        for k, d in o.leverage.items():
            if k in lev:
                lev[k] = lev[k] + d
    bounds = {v.id: (v.min, v.max) for v in sc.escalation.variables}
    return ({k: min(bounds[k][1], max(bounds[k][0], x)) for k, x in var.items()},
            {k: min(100.0, max(0.0, x)) for k, x in lev.items()})


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_values_index_and_rung_after_every_event(path):
    loaded = load_scenario(path)
    sc = loaded.scenario
    _, knowledge = context(loaded.text, str(loaded.source))
    toggles = checked = 0
    for i in range(12):
        mix = {r: NAMES[(k + i) % 4] for k, r in enumerate(sc.player_ids)}
        _row, session = play_run(loaded, knowledge, mix, 21, i)
        seen: dict[int, str] = {}

        def check(ev, st):
            nonlocal toggles, checked
            var, lev = _plain(sc, st)
            assert st.variables == var and st.leverage == lev, ev.seq
            assert st.index == escalation_index(sc, st.variables), ev.seq
            for o in st.offers.values():
                toggles += seen.get(o.id, o.status) != o.status
                seen[o.id] = o.status
            checked += 1

        final = fold(sc, session.events, on_event=check)
        assert final.rung == session.state.rung and final.index == session.state.index
    assert checked > 1000
    assert toggles > 0  # offers went in and out of force: the cached deltas were rebuilt
