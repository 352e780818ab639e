"""Scorecard: a role's measures at the end, placed against bot-only runs (percentiles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetable.app.scorecard import MEASURES, percentile, row_outcome, scorecard
from peacetable.app.session import Session
from peacetable.app.simulate import simulate
from peacetable.domain.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"


def test_percentile_counts_ties_half():
    assert percentile(5, [1, 2, 3, 4]) == 100.0
    assert percentile(0, [1, 2, 3, 4]) == 0.0
    assert percentile(2, [1, 2, 2, 3]) == 50.0
    assert percentile(3, []) == 50.0


def test_a_session_file_scores_as_its_simulation_row(tmp_path):
    loaded = load_scenario(RIVER)
    sc = loaded.scenario
    result = simulate(loaded, 30, seed=8, out=tmp_path / "runs",
                      bots={"upland": "hardliner", "lowland": "conceder"})
    rows = result.rows
    s = Session.open(tmp_path / "runs" / "run-00004.peacetable", readonly=True)
    try:
        for role in sc.player_ids:
            card = scorecard(s, role, baseline=rows)
            mine = {m["id"]: m["value"] for m in card["measures"]}
            # the session's measures, read from the role's view, are those of its row
            assert mine == row_outcome(sc, role, rows[3])
            assert [m["id"] for m in card["measures"]] == [k for k, _l, _h in MEASURES]
            assert card["runs"] == 30 and card["role_name"] == sc.role_by_id[role].name
            for m in card["measures"]:
                sample = [row_outcome(sc, role, r)[m["id"]] for r in rows]
                below = sum(x < m["value"] for x in sample)
                equal = sum(x == m["value"] for x in sample)
                assert m["percentile"] == round(100 * (below + equal / 2) / 30, 1)
                assert m["better_than"] == (m["percentile"] if m["higher_is_better"]
                                            else round(100 - m["percentile"], 1))
                assert m["baseline"]["min"] <= m["value"] <= m["baseline"]["max"]
        card = scorecard(s, "lowland", baseline=rows)
        util = next(m for m in card["measures"] if m["id"] == "utility")
        gain = next(m for m in card["measures"] if m["id"] == "gain_over_batna")
        assert gain["value"] == pytest.approx(util["value"] - 0.3)
        assert card["objectives"] == ["Restore the flow"] and card["red_lines"] == ["Flow below 40%"]
        with pytest.raises(ValueError, match="not a player role"):
            scorecard(s, "control", baseline=rows)
    finally:
        s.close()


def test_scorecard_simulates_its_baseline_when_none_is_given(tmp_path):
    s = Session.create(RIVER, tmp_path / "solo.peacetable", seed=2)
    try:
        from peacetable.app.autoplay import Autoplay, default_bots

        Autoplay(s, default_bots(s.scenario), seed=2).run()
        seen = []
        card = scorecard(s, "upland", runs=12, seed=1, progress=lambda d, n: seen.append((d, n)))
        assert card["runs"] == 12 and seen[-1] == (12, 12)
        again = scorecard(s, "upland", runs=12, seed=1)  # the baseline is kept, not replayed
        assert again == card
        other = scorecard(s, "upland", baseline=[{**r, "escalation_final": 0.0}
                                                  for r in simulate(s.loaded, 12, seed=1).rows])
        final = {c["id"]: c for c in other["measures"]}["escalation_final"]
        assert final["percentile"] == (100.0 if s.state.index > 0 else 50.0)
    finally:
        s.close()
