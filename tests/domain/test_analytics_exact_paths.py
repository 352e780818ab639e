"""Every path of the bargaining analysis -- the frontier, the points found without it, the
bargaining among some parties (``--parties``) and each role's ideal -- against brute force
in exact fractions, on small generated scenarios with interaction terms, constraints and
tested red lines (tests/domain/generated_scenarios.py)."""

from __future__ import annotations

import itertools
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from peacetable.domain.analytics import bargaining as B
from peacetable.domain.analytics.bargaining import (
    PackageSpace,
    analyze_bargaining,
    bargaining_points,
    coalition_space,
    count_zopa,
    settled,
)
from peacetable.domain.analytics.report import coalition_section
from peacetable.domain.loader import parse_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generated_scenarios import random_scenario  # noqa: E402


def F(x) -> Fraction:
    return Fraction(str(x))


def holds(cond, pkg: dict[str, str | None]) -> bool:
    """A red-line test on a package whose unsettled issues are ``None`` (left open)."""
    if cond.all is not None:
        return all(holds(c, pkg) for c in cond.all)
    if cond.any is not None:
        return any(holds(c, pkg) for c in cond.any)
    if cond.option is not None:
        return pkg[cond.issue] == cond.option
    if cond.status is not None:
        return (pkg[cond.issue] is not None) if cond.status == "agreed" else \
            (pkg[cond.issue] is None and cond.status == "open")
    return False


def feasible(sc, pkg) -> bool:
    for c in sc.constraints:
        a = pkg[c.first.issue] == c.first.option
        b = pkg[c.second.issue] == c.second.option
        if (a and b) if c.kind == "incompatible" else (a and not b):
            return False
    return True


def value(role, sc, pkg) -> Fraction:
    """BATNA-equivalent rule: an open issue counts at the role's no-deal share of it."""
    total = sum(F(w) for w in role.weights.values())
    u = Fraction(0)
    for i in sc.issues:
        w = F(role.weights[i.id]) / total
        u += w * (F(role.preferences[i.id][pkg[i.id]]) if pkg[i.id] is not None else F(role.batna))
    for t in role.interactions:
        if pkg[t.first.issue] == t.first.option and pkg[t.second.issue] == t.second.option:
            u += F(t.value)
    return u


def brute(sc, parties=None, may_leave_open=False):
    """(packages in authored order, utilities of the parties, BATNAs) of every feasible
    package crossing none of the parties' red lines."""
    players = [r for r in sc.roles if r.is_player]
    bargainers = [r for r in players if parties is None or r.id in parties]
    choices = [[o.id for o in i.options] + ([None] if may_leave_open else []) for i in sc.issues]
    out = []
    for combo in itertools.product(*choices):
        pkg = dict(zip([i.id for i in sc.issues], combo))
        if not feasible(sc, pkg):
            continue
        if any(holds(t.crossed_if, pkg) for r in bargainers for t in r.red_line_tests):
            continue
        out.append((pkg, [value(r, sc, pkg) for r in bargainers]))
    return out, [F(r.batna) for r in bargainers]


def points(rows, batna):
    zopa = [(k, p, u) for k, (p, u) in enumerate(rows) if all(x >= b for x, b in zip(u, batna))]
    if not zopa:
        return None, None, [], []
    gains = {k: [x - b for x, b in zip(u, batna)] for k, _, u in zopa}

    def prod(g):
        out = Fraction(1)
        for x in g:
            out *= x
        return out

    nash = max(zopa, key=lambda z: (prod(gains[z[0]]), sum(gains[z[0]]), -z[0]))[1]
    top = [max(gains[k][a] for k, _, _ in zopa) for a in range(len(batna))]

    def shares(k):
        return sorted(g / t if t else Fraction(1) for g, t in zip(gains[k], top))

    ks = max(zopa, key=lambda z: (shares(z[0]), sum(gains[z[0]]), -z[0]))[1]
    best = [max(zopa, key=lambda z: (z[2][a], sum(gains[z[0]]), -z[0]))[1]
            for a in range(len(batna))]
    return nash, ks, best, zopa


def strip(pkg):
    return {k: v for k, v in pkg.items() if v is not None}


found: list[bool] = []


@pytest.mark.parametrize("seed", range(16))
def test_full_analysis_frontier_and_points_equal_brute_force(seed, monkeypatch):
    monkeypatch.setattr(B, "_CHUNK", 64)  # many runs, and an inner block of two issues
    monkeypatch.setattr(B, "_INNER", 9)
    sc = parse_scenario(random_scenario(seed, issues=4 + seed % 2)).scenario
    space = PackageSpace.from_scenario(sc)
    rows, batna = brute(sc)
    nash, ks, best, zopa = points(rows, batna)
    assert count_zopa(space) == len(zopa)
    found.append(nash is not None)
    fr = analyze_bargaining(space)
    pt = bargaining_points(space)
    for b in (fr, pt):
        assert (b.nash is None) == (nash is None)
        if nash is None:
            continue
        assert b.package(b.nash) == nash
        assert b.package(b.ks) == ks
        assert [b.package(b.best_in_zopa[r]) for r in space.roles] == best
    # each role's ideal: the first feasible package within every red line at its best
    players = [r for r in sc.roles if r.is_player]
    everything = [dict(zip([i.id for i in sc.issues], combo)) for combo in
                  itertools.product(*[[o.id for o in i.options] for i in sc.issues])]
    for a, rid in enumerate(space.roles):
        # the worst utility over every package (feasible or not), terms included
        worst = min(value(players[a], sc, p) for p in everything)
        assert space.real(a, space.worst_units(rid)) == worst
        if not rows:
            assert space.ideal(rid) == ({}, None)
            continue
        top = max(u[a] for _, u in rows)
        first = next(p for p, u in rows if u[a] == top)
        assert space.ideal(rid) == (first, round(float(top), 6))


@pytest.mark.parametrize("seed", range(16))
def test_bargaining_among_some_parties_equals_brute_force(seed, monkeypatch):
    monkeypatch.setattr(B, "_CHUNK", 64)
    monkeypatch.setattr(B, "_INNER", 16)
    sc = parse_scenario(random_scenario(100 + seed, issues=4, roles=3 + seed % 2)).scenario
    space = PackageSpace.from_scenario(sc)
    parties = list(space.roles[:2]) if seed % 3 else [space.roles[0], space.roles[-1]]
    rows, batna = brute(sc, parties, may_leave_open=True)
    nash, ks, best, zopa = points(rows, batna)
    cs = coalition_space(space, parties)
    for b in (analyze_bargaining(cs, count=False), bargaining_points(cs)):
        assert (b.nash is None) == (nash is None)
        if nash is None:
            continue
        assert settled(b.package(b.nash)) == strip(nash)
        assert settled(b.package(b.ks)) == strip(ks)
    sec = coalition_section(space, parties)
    assert sec["status"] == "ok"
    if nash is not None:
        # the red lines of the roles left out that the point crosses are named
        others = [r for r in sc.roles if r.is_player and r.id not in parties]
        want = [{"role": r.id, "red_line": t.red_line} for r in others
                for t in r.red_line_tests if holds(t.crossed_if, nash)]
        assert sec["nash"]["red_lines_crossed_for_others"] == want


def test_a_left_open_issue_neither_crosses_nor_keeps_a_red_line():
    """An option test on an issue the parties leave open does not hold; "agreed" holds only
    for an issue they settle."""
    from peacetable.domain.conditions import typed

    cols = {"x": (0, {"a": 0, "b": 1, B.OPEN: 2})}
    import numpy as np

    rows = np.array([[0], [1], [2]])
    assert B.OpenAware(typed({"issue": "x", "option": "a"})).mask(rows, cols).tolist() == \
        [True, False, False]
    assert B.OpenAware(typed({"issue": "x", "status": "agreed"})).mask(rows, cols).tolist() == \
        [True, True, False]
    assert B.OpenAware(typed({"issue": "x", "status": "open"})).mask(rows, cols).tolist() == \
        [False, False, True]


@pytest.mark.parametrize("seed", range(6))
def test_the_grid_filter_keeps_exactly_the_undominated_rows(seed):
    """The filter used for large inputs (cells of quantile bins) against the block filter
    and against the definition, on data with many survivors, ties and repeated rows."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n, d = 600 + 200 * seed, 2 + seed % 5
    u = (rng.dirichlet(np.ones(d), n) * 60).astype(np.int64) + rng.integers(0, 4, (n, d))
    u[::9] = u[::7][:len(u[::9])]  # repeated rows: kept, neither dominates the other
    got = B._pareto_grid(u, bins=2 + seed % 3, chunk=64)
    assert got.tolist() == B.pareto_filter(u).tolist()
    want = [i for i in range(n) if not ((u >= u[i]).all(axis=1) & (u != u[i]).any(axis=1)).any()]
    assert got.tolist() == want
