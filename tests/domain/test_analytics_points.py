"""Nash and Kalai-Smorodinsky points found by streamed enumeration of the ZOPA, without the
frontier (:func:`bargaining_points`): the same packages as brute force and as the frontier."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from peacetable.domain.analytics import bargaining as B
from peacetable.domain.analytics import report as R
from peacetable.domain.analytics.bargaining import (
    PackageSpace,
    analyze_bargaining,
    bargaining_points,
    feasible_mask,
    kalai_smorodinsky_point,
    nash_point,
)
from peacetable.domain.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def random_space(seed: int, issues: int = 6, options: int = 3, roles: int = 4,
                 batna: float = 0.4) -> PackageSpace:
    rng = np.random.default_rng(seed)
    iss = {f"i{k}": [f"o{o}" for o in range(options)] for k in range(issues)}
    rs = [f"r{a}" for a in range(roles)]
    return PackageSpace.build(
        roles=rs, issues=iss,
        weights={r: {i: round(float(rng.random()), 2) for i in iss} for r in rs},
        # coarse values make exact ties common, so the tie-breaks are exercised
        values={r: {i: {o: round(float(rng.integers(0, 5)) / 4, 2) for o in opts}
                    for i, opts in iss.items()} for r in rs},
        batna={r: batna for r in rs})


def brute(space: PackageSpace):
    choices, u = space.enumerate()
    if space.constraints:
        ok = feasible_mask(space.constraints, choices)
        choices, u = choices[ok], u[ok]
    n = nash_point(u, space.batna_units, space.denominators)
    k = kalai_smorodinsky_point(u, space.batna_units, space.denominators)
    pk = (lambda row: None if row is None else space.package_of(choices[row]))
    return pk(n), pk(k)


@pytest.mark.parametrize("seed", range(12))
def test_points_equal_brute_force(seed, monkeypatch):
    monkeypatch.setattr(B, "_CHUNK", 64)  # many chunks, and an inner block of 3 issues
    monkeypatch.setattr(B, "_INNER", 27)
    space = random_space(seed, batna=0.3 + 0.05 * (seed % 4))
    if seed % 3 == 0:  # with constraints: incompatible and requires pairs
        space = space.with_constraints([(0, 0, 1, 1, True), (2, 1, 4, 0, False)])
    if seed % 4 == 1:
        monkeypatch.setattr(B, "_KEEP_ZOPA", 10)  # the second pass streams the space again
    nash, ks = brute(space)
    p = bargaining_points(space)
    got_n = None if p.nash is None else p.package(p.nash)
    got_k = None if p.ks is None else p.package(p.ks)
    assert (got_n, got_k) == (nash, ks)


def test_points_equal_the_frontier_analysis_on_the_bundled_scenarios():
    for name in ("peace-of-inches.toml", "framework-agreement.toml"):
        space = PackageSpace.from_scenario(load_scenario(ROOT / "scenarios" / name).scenario)
        full = analyze_bargaining(space, count=False)
        p = bargaining_points(space)
        assert p.describe(p.nash) == full.describe(full.nash)
        assert p.describe(p.ks) == full.describe(full.ks)  # KS shares need each role's best
        for rid in space.roles:
            assert p.package(p.best_in_zopa[rid]) == full.package(full.best_in_zopa[rid])


def test_empty_zopa_gives_no_points():
    p = bargaining_points(random_space(3, batna=1.0))
    assert p.nash is None and p.ks is None


def test_report_above_the_frontier_limit_still_gives_the_exact_points(monkeypatch):
    sc = load_scenario(ROOT / "scenarios" / "framework-agreement.toml").scenario
    full = R.scenario_report(sc)["bargaining"]
    monkeypatch.setattr(R, "MAX_FRONTIER", 50)
    small = R.scenario_report(sc)["bargaining"]
    assert small["status"] == "points" and "--frontier" in small["reason"]
    assert small["nash"] == full["nash"]
    assert small["kalai_smorodinsky"] == full["kalai_smorodinsky"]
    assert small["best_in_zopa"] == full["best_in_zopa"]
    lifted = R.scenario_report(sc, frontier=True)["bargaining"]
    assert lifted["status"] == "ok" and lifted["frontier"]["size"] == full["frontier"]["size"]


def test_exact_ties_are_broken_as_documented():
    """The hand case of test_analytics_bargaining: Nash products of (a,a), (a,b), (a,c) tie
    exactly at .12 (floats would not); the larger total gain, then file order, give (a,b);
    KS gives (a,a). Packages with the same gains in mirrored order tie on every key but the
    row: the first in file order wins."""
    sp = PackageSpace.build(
        roles=["A", "B"],
        issues={"x": ["a", "b", "c"], "y": ["a", "b", "c"]},
        weights={"A": {"x": 0.5, "y": 0.5}, "B": {"x": 0.5, "y": 0.5}},
        values={"A": {"x": {"a": 0.8, "b": 0.2, "c": 0.0}, "y": {"a": 0.2, "b": 0.0, "c": 0.8}},
                "B": {"x": {"a": 0.6, "b": 0.6, "c": 0.2}, "y": {"a": 0.6, "b": 1.0, "c": 0.2}}},
        batna={"A": 0.2, "B": 0.2})
    p = bargaining_points(sp)
    assert p.package(p.nash) == {"x": "a", "y": "b"}
    assert p.package(p.ks) == {"x": "a", "y": "a"}
    twin = PackageSpace.build(
        roles=["A", "B"], issues={"x": ["p", "q"], "y": ["p", "q"]},
        weights={"A": {"x": 1, "y": 1}, "B": {"x": 1, "y": 1}},
        values={"A": {"x": {"p": 1, "q": 0}, "y": {"p": 0, "q": 1}},
                "B": {"x": {"p": 0, "q": 1}, "y": {"p": 1, "q": 0}}},
        batna={"A": 0, "B": 0})
    p = bargaining_points(twin)
    assert p.package(p.nash) == {"x": "p", "y": "p"}
    assert p.package(p.ks) == {"x": "p", "y": "p"}


def test_large_spaces_get_the_points_without_a_frontier_attempt(monkeypatch):
    sc = load_scenario(ROOT / "scenarios" / "peace-of-inches.toml").scenario
    full = R.scenario_report(sc)["bargaining"]
    monkeypatch.setattr(R, "FRONTIER_BY_DEFAULT", 1000)
    b = R.scenario_report(sc)["bargaining"]
    assert b["status"] == "points" and "not built by default above 1,000" in b["reason"]
    assert b["nash"] == full["nash"]
    assert R.scenario_report(sc, frontier=True)["bargaining"]["status"] == "ok"


@pytest.mark.parametrize("seed", range(6))
def test_the_points_count_the_zopa_they_stream(seed, monkeypatch):
    monkeypatch.setattr(B, "_CHUNK", 64)
    monkeypatch.setattr(B, "_INNER", 27)
    space = random_space(seed, batna=0.3 + 0.05 * (seed % 4))
    if seed % 2:
        space = space.with_constraints([(0, 0, 1, 1, True), (2, 1, 4, 0, False)])
    assert bargaining_points(space).zopa_count == B.count_zopa(space)
    monkeypatch.setattr(B, "MAX_COUNTED", space.size - 1)
    assert bargaining_points(space).zopa_count is None


def test_a_large_space_reports_the_zopa_count_of_the_points_pass(monkeypatch):
    sc = load_scenario(ROOT / "scenarios" / "peace-of-inches.toml").scenario
    full = R.scenario_report(sc)["bargaining"]
    monkeypatch.setattr(R, "FRONTIER_BY_DEFAULT", 1000)
    b = R.scenario_report(sc)["bargaining"]
    assert b["status"] == "points"
    assert b["zopa"]["count"] == full["zopa"]["count"] > 0
