"""The whole Pareto frontier with interaction terms, constraints and tested red lines, as
the dynamic programme builds it (issues in their elimination order, partial packages
compared within their group and, with margins, across groups), against brute-force
enumeration in exact fractions on small generated scenarios."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peacetable.domain.analytics import bargaining as B
from peacetable.domain.analytics.bargaining import PackageSpace, analyze_bargaining
from peacetable.domain.loader import parse_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generated_scenarios import random_scenario  # noqa: E402
from test_analytics_exact_paths import brute, points  # noqa: E402


def brute_frontier(rows: list[tuple[dict, list[Fraction]]]) -> list[dict]:
    """Feasible packages no other feasible package weakly improves for every role and
    strictly for one (packages worth the same are all kept), in authored order."""
    out = []
    for pkg, u in rows:
        if not any(all(x >= y for x, y in zip(v, u)) and v != u for _, v in rows):
            out.append(pkg)
    return out


def check(seed: int, issues: int, roles: int, interactions: int, constraints: int,
          red_lines: int) -> None:
    sc = parse_scenario(random_scenario(seed, issues=issues, roles=roles,
                                        interactions=interactions, constraints=constraints,
                                        red_lines=red_lines)).scenario
    space = PackageSpace.from_scenario(sc)
    rows, batna = brute(sc)
    b = analyze_bargaining(space, count=False, max_frontier=space.size)
    got = [b.package(r) for r in range(len(b.frontier))]
    assert got == brute_frontier(rows)
    # the utilities kept with each package are its own, terms included
    assert b.frontier.utilities.tolist() == space.utilities(b.frontier.choices).tolist()
    nash, ks, best, _ = points(rows, batna)
    assert (b.nash is None) == (nash is None)
    if nash is not None:
        assert b.package(b.nash) == nash
        assert b.package(b.ks) == ks
        assert [b.package(b.best_in_zopa[r]) for r in space.roles] == best


@pytest.fixture
def margins_everywhere(monkeypatch):
    """Compare across groups at every step, and filter large sets with the grid, whatever
    their size (the defaults keep both for large sets)."""
    monkeypatch.setattr(B, "_MARGIN_FROM", 0)
    monkeypatch.setattr(B, "_GRID_FROM", 8)


@pytest.mark.parametrize("seed", range(12))
def test_frontier_with_terms_constraints_and_red_lines_equals_brute_force(seed,
                                                                           margins_everywhere):
    check(seed, issues=4 + seed % 3, roles=2 + seed % 3, interactions=2 + seed % 4,
          constraints=seed % 4, red_lines=seed % 3)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10 ** 6), issues=st.integers(3, 5), roles=st.integers(2, 4),
       interactions=st.integers(0, 6), constraints=st.integers(0, 3),
       red_lines=st.integers(0, 3))
def test_frontier_property_against_brute_force(margins_everywhere, seed, issues, roles,
                                               interactions, constraints, red_lines):
    check(seed, issues, roles, interactions, constraints, red_lines)


def test_elimination_order_completes_a_block_before_the_next_and_leaves_free_issues_last():
    # issues 0-1-2 a chain, 3-4 a pair, 5 tied to nothing
    sp = PackageSpace.build(
        roles=["a", "b"], issues={f"i{k}": ["x", "y"] for k in range(6)},
        weights={r: {f"i{k}": 1 for k in range(6)} for r in "ab"},
        values={r: {f"i{k}": {"x": 0.2, "y": 0.8} for k in range(6)} for r in "ab"},
        batna={"a": 0.1, "b": 0.1},
        interactions={"a": [("i0", "x", "i1", "y", 0.1), ("i1", "x", "i2", "y", 0.1)],
                      "b": [("i3", "y", "i4", "y", -0.1)]})
    order = B._elimination_order(sp, B._issue_links(sp))
    assert sorted(order) == list(range(6))
    assert order[-1] == 5
    blocks = [{0, 1, 2}, {3, 4}]
    first = next(blk for blk in blocks if order[0] in blk)
    assert set(order[:len(first)]) == first


def test_margins_bound_what_the_issues_not_yet_added_can_do():
    """A partial package on issue 0 of a space whose only term ties issue 0 to issue 1: the
    least and most the term can still add, by the option held on issue 0."""
    sp = PackageSpace.build(
        roles=["a", "b"], issues={"i0": ["x", "y"], "i1": ["x", "y"]},
        weights={r: {"i0": 1, "i1": 1} for r in "ab"},
        values={r: {"i0": {"x": 0, "y": 1}, "i1": {"x": 0, "y": 1}} for r in "ab"},
        batna={"a": 0, "b": 0},
        interactions={"a": [("i0", "x", "i1", "y", 0.5)]})
    ch = np.array([[0, 0], [1, 0]], dtype=np.int16)  # i0 = x, i0 = y; i1 not yet added
    lo, hi, extra = B._margins(sp, ch, [0], {0})
    unit = sp.denominators[0] // 2  # 0.5 in role a's units
    assert lo.tolist() == [[0, 0], [0, 0]]
    assert hi.tolist() == [[unit, 0], [0, 0]]
    assert extra.shape == (2, 0)


@pytest.mark.parametrize("incompatible", [False, True])
def test_a_partial_package_that_rules_out_a_completion_does_not_stand_for_one_that_allows_it(
        margins_everywhere, incompatible):
    """Issue x is added first; the rule names x second. ``x = 1`` is better than ``x = 0``
    on x alone, but rules out ``y = 1`` (it requires ``x = 0``, or is incompatible with
    ``x = 1``), so ``x = 0`` must stay to make ``(x = 0, y = 1)``, worth as much."""
    sp = PackageSpace.build(
        roles=["a", "b"], issues={"x": ["0", "1"], "y": ["0", "1"]},
        weights={r: {"x": 1, "y": 1} for r in "ab"},
        values={r: {"x": {"0": 0, "1": 1}, "y": {"0": 0, "1": 1}} for r in "ab"},
        batna={"a": 0, "b": 0})
    rule = (1, 1, 0, 1, True) if incompatible else (1, 1, 0, 0, False)
    sp = sp.with_constraints([rule])
    assert B._elimination_order(sp, B._issue_links(sp)) == [0, 1]
    b = analyze_bargaining(sp, count=False)
    assert [b.package(r) for r in range(len(b.frontier))] == \
        [{"x": "0", "y": "1"}, {"x": "1", "y": "0"}]


@pytest.mark.parametrize("seed", range(6))
def test_the_grid_with_margins_drops_exactly_what_the_relation_says(seed):
    """The cell filter's general form against its definition: ``p`` drops ``q`` when
    ``low[p] >= high[q]`` in every column and ``low[p]`` has the larger total over the
    roles, or both are in one group and ``high[p] >= high[q]`` with the larger total; the
    relation is transitive, so the rows kept are those nothing drops."""
    rng = np.random.default_rng(seed)
    n, d = 300 + 100 * seed, 2 + seed % 4
    high = rng.integers(0, 12, (n, d)).astype(np.int64)
    margin = rng.integers(0, 3, (8, d))  # by group: what the issues to come can add
    group = rng.integers(0, 8, n)
    extra = rng.integers(-1, 1, (8, 1))[group]  # a column that must compare
    low = high - margin[group]
    hi_x = np.concatenate([high, extra], axis=1)
    lo_x = np.concatenate([low, extra], axis=1)
    got = B._pareto_grid(hi_x, bins=2 + seed % 3, chunk=32, low=lo_x, group=group, real=d)
    hs, ls = high.sum(axis=1), low.sum(axis=1)
    want = []
    for q in range(n):
        robust = (lo_x >= hi_x[q]).all(axis=1) & (ls > hs[q])
        mine = (group == group[q]) & (high >= high[q]).all(axis=1) & (hs > hs[q])
        if not (robust | mine).any():
            want.append(q)
    assert got.tolist() == want
