"""Package values, ZOPA, Pareto frontier, Nash and Kalai-Smorodinsky points.

Hand-computed cases first (utilities written out in the comments), then properties checked
with hypothesis against brute-force definitions.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peacetable.domain.analytics.bargaining import (
    MAX_FRONTIER,
    SCALE,
    AnalyticsLimitError,
    PackageSpace,
    analyze_bargaining,
    count_zopa,
    kalai_smorodinsky_point,
    nash_point,
    pareto_filter,
    pareto_frontier,
    zopa_mask,
)
from peacetable.domain.loader import load_scenario

FRAMEWORK = Path(__file__).resolve().parents[2] / "scenarios" / "framework-agreement.toml"


def pkgs(b, rows) -> list[dict[str, str]]:
    return [b.package(int(r)) for r in rows]


# --------------------------------------------------------------------------- hand cases


@pytest.fixture
def two_by_two() -> PackageSpace:
    """2 roles x 2 issues (3 options each), equal weights, BATNA 0.2 each.

    Utilities (A, B) of (x, y):
        (a,a) .5 .6   (a,b) .4 .8   (a,c) .8 .4
        (b,a) .2 .6   (b,b) .1 .8   (b,c) .5 .4
        (c,a) .1 .4   (c,b) .0 .6   (c,c) .4 .2
    Frontier: (a,a), (a,b), (a,c). ZOPA (both >= .2): aa ab ac ba bc cc (6).
    Nash products: aa .3*.4, ab .2*.6, ac .6*.2 -- an exact three-way tie at .12 (which
    floating point would break at random: .3*.4 = 0.12000000000000001 > .2*.6 = 0.12).
    Tie-break: larger total gain (aa .7 < ab .8 = ac .8), then the first in file order: ab.
    KS: best gains in the ZOPA .6 (A, at ac) and .6 (B, at ab); min shares aa .5, ab 1/3,
    ac 1/3 -> aa.
    """
    return PackageSpace.build(
        roles=["A", "B"],
        issues={"x": ["a", "b", "c"], "y": ["a", "b", "c"]},
        weights={"A": {"x": 0.5, "y": 0.5}, "B": {"x": 0.5, "y": 0.5}},
        values={"A": {"x": {"a": 0.8, "b": 0.2, "c": 0.0}, "y": {"a": 0.2, "b": 0.0, "c": 0.8}},
                "B": {"x": {"a": 0.6, "b": 0.6, "c": 0.2}, "y": {"a": 0.6, "b": 1.0, "c": 0.2}}},
        batna={"A": 0.2, "B": 0.2},
    )


def test_two_by_two_by_hand(two_by_two):
    sp = two_by_two
    b = analyze_bargaining(sp)
    assert sp.value({"x": "a", "y": "b"}) == {"A": 0.4, "B": 0.8}
    assert sp.value({"x": "c", "y": "c"}) == {"A": 0.4, "B": 0.2}
    assert pkgs(b, range(len(b.frontier))) == [
        {"x": "a", "y": "a"}, {"x": "a", "y": "b"}, {"x": "a", "y": "c"}]
    assert b.zopa_count == 6
    assert b.package(b.nash) == {"x": "a", "y": "b"}
    assert b.package(b.ks) == {"x": "a", "y": "a"}
    assert b.describe(b.nash)["nash_product"] == 0.12
    assert b.describe(b.ks)["ks_shares"] == {"A": 0.5, "B": 0.666667}
    assert b.package(b.best_in_zopa["A"]) == {"x": "a", "y": "c"}
    assert b.package(b.best_in_zopa["B"]) == {"x": "a", "y": "b"}


@pytest.fixture
def three_by_three() -> PackageSpace:
    """3 roles x 3 issues (2 options each).

    A: weights x .5 y .3 z .2; values x0 .5 x1 0, y0 .5 y1 1, z0 1 z1 .5; BATNA .2
    B: weights x .5 y .3 z .2; values x0 .5 x1 1, y0 0 y1 0, z0 .5 z1 .5; BATNA .3
    C: weights x .4 y .4 z .2; values x0 0 x1 .5, y0 .5 y1 1, z0 0 z1 1;   BATNA .4
    Utilities (A, B, C):
        000 .60 .35 .20   001 .50 .35 .40   010 .75 .35 .40   011 .65 .35 .60
        100 .35 .60 .40   101 .25 .60 .60   110 .50 .60 .60   111 .40 .60 .80
    Frontier: 010, 011, 110, 111. ZOPA: all but 000 (7).
    Nash products (gains over .2/.3/.4): 010 0, 011 .45*.05*.2 = .0045, 110 .3*.3*.2 = .018,
    111 .2*.3*.4 = .024 -> 111.
    KS: best gains .55 (A), .3 (B), .4 (C); min shares 010 0, 011 .05/.3, 110 min(.3/.55, 1,
    .5) = .5, 111 min(.2/.55, 1, 1) = .364 -> 110.
    """
    return PackageSpace.build(
        roles=["A", "B", "C"],
        issues={"x": ["x0", "x1"], "y": ["y0", "y1"], "z": ["z0", "z1"]},
        weights={"A": {"x": 0.5, "y": 0.3, "z": 0.2}, "B": {"x": 0.5, "y": 0.3, "z": 0.2},
                 "C": {"x": 0.4, "y": 0.4, "z": 0.2}},
        values={
            "A": {"x": {"x0": 0.5, "x1": 0.0}, "y": {"y0": 0.5, "y1": 1.0},
                  "z": {"z0": 1.0, "z1": 0.5}},
            "B": {"x": {"x0": 0.5, "x1": 1.0}, "y": {"y0": 0.0, "y1": 0.0},
                  "z": {"z0": 0.5, "z1": 0.5}},
            "C": {"x": {"x0": 0.0, "x1": 0.5}, "y": {"y0": 0.5, "y1": 1.0},
                  "z": {"z0": 0.0, "z1": 1.0}},
        },
        batna={"A": 0.2, "B": 0.3, "C": 0.4},
    )


def test_three_by_three_by_hand(three_by_three):
    sp = three_by_three
    b = analyze_bargaining(sp)
    p = lambda x, y, z: {"x": f"x{x}", "y": f"y{y}", "z": f"z{z}"}  # noqa: E731
    assert sp.value(p(1, 0, 1)) == {"A": 0.25, "B": 0.6, "C": 0.6}
    assert pkgs(b, range(len(b.frontier))) == [p(0, 1, 0), p(0, 1, 1), p(1, 1, 0), p(1, 1, 1)]
    assert b.zopa_count == 7
    assert b.package(b.nash) == p(1, 1, 1)
    assert b.describe(b.nash)["nash_product"] == 0.024
    assert b.package(b.ks) == p(1, 1, 0)
    assert b.describe(b.ks)["ks_shares"] == {"A": 0.545455, "B": 1.0, "C": 0.5}


def test_river_accord_by_hand(river):
    """3 roles x 2 issues (3 options) from tests/fixtures/river-accord.toml.

    Utilities (upland, lowland, midland) of (release, monitoring):
      low:    none 1 0 .2     joint .8 .18 .6    international .6 .3 .45
      medium: none .76 .42 .6 joint .56 .6 1     international .36 .72 .85
      high:   none .4 .7 .4   joint .2 .88 .8    international 0 1 .65
    BATNAs .4 / .3 / .2. (low, international) is dominated by (medium, none): frontier = the
    other 8. ZOPA: (low,intl), (medium,none), (medium,joint), (high,none) = 4.
    Nash: (medium,joint) .16*.3*.8 = .0384 beats (medium,none) .36*.12*.4 = .01728 and
    (high,none) 0. KS: best gains .36/.4/.8; (medium,joint) min share .16/.36 = .444 -> same.
    """
    sp = PackageSpace.from_scenario(river)
    b = analyze_bargaining(sp)
    assert sp.roles == ("upland", "lowland", "midland")  # the control cell is no player
    assert len(b.frontier) == 8
    assert {"release": "low", "monitoring": "international"} not in pkgs(b, range(len(b.frontier)))
    assert b.zopa_count == 4
    assert sorted(map(str, pkgs(b, b.zopa_rows))) == sorted(map(str, [
        {"release": "medium", "monitoring": "none"}, {"release": "medium", "monitoring": "joint"},
        {"release": "high", "monitoring": "none"}]))  # the 4th ZOPA package is dominated
    assert b.package(b.nash) == {"release": "medium", "monitoring": "joint"}
    assert b.package(b.ks) == {"release": "medium", "monitoring": "joint"}
    assert b.describe(b.nash)["utilities"] == {"upland": 0.56, "lowland": 0.6, "midland": 1.0}


# --------------------------------------------------------------------------- partial packages


def test_partial_packages_use_the_batna_equivalent_rule(river):
    sp = PackageSpace.from_scenario(river)
    # nothing settled: exactly each role's no-deal value
    assert sp.value({}) == {"upland": 0.4, "lowland": 0.3, "midland": 0.2}
    # release=medium settled, monitoring at no-deal level: upland .6*.6 + .4*.4 = .52,
    # lowland .7*.6 + .3*.3 = .51, midland .5*1 + .5*.2 = .6
    assert sp.value({"release": "medium"}) == {"upland": 0.52, "lowland": 0.51, "midland": 0.6}
    ev = sp.evaluate({"release": "medium"})
    assert ev["upland"]["worst_completion"] == 0.36  # monitoring = international
    assert ev["upland"]["best_completion"] == 0.76   # monitoring = none


def test_worse_than_no_deal_flag(river):
    sp = PackageSpace.from_scenario(river)
    ev = sp.evaluate({"monitoring": "none"})
    # lowland: .3*0 + .7*.3 = .21 < .3; midland: .5*.2 + .5*.2 = .2, equal: not worse
    assert ev["lowland"]["worse_than_batna"] is True
    assert ev["lowland"]["gain"] == -0.09
    assert ev["midland"]["utility"] == 0.2 and ev["midland"]["worse_than_batna"] is False
    assert ev["upland"]["worse_than_batna"] is False
    full = sp.evaluate({"release": "high", "monitoring": "international"})
    assert [r for r, v in full.items() if v["worse_than_batna"]] == ["upland"]


def test_unknown_ids_are_named(river):
    sp = PackageSpace.from_scenario(river)
    with pytest.raises(ValueError, match="unknown issue 'dams'"):
        sp.value({"dams": "x"})
    with pytest.raises(ValueError, match="'huge' is not an option of issue 'release'"):
        sp.value({"release": "huge"})


def test_linkages_do_not_change_values(river):
    """The default model is purely additive: dropping every linkage changes no utility."""
    bare = river.model_copy(update={"linkages": ()})
    a, b = PackageSpace.from_scenario(river), PackageSpace.from_scenario(bare)
    assert river.linkages and not bare.linkages
    assert all(np.array_equal(x, y) for x, y in zip(a.tables, b.tables))
    ca, ua = a.enumerate()
    assert np.array_equal(ua, b.enumerate()[1])


def test_weights_are_normalised_and_shares_add_up_exactly():
    sp = PackageSpace.build(["A"], {"x": ["p", "q"], "y": ["p", "q"], "z": ["p", "q"]},
                            {"A": {"x": 1, "y": 1, "z": 1}},
                            {"A": {i: {"p": 1.0, "q": 0.0} for i in "xyz"}}, {"A": 0.7})
    assert sp.value({}) == {"A": 0.7}  # thirds do not add up in floating point; shares do
    assert sp.real(0, sp.batna_shares.sum()) == Fraction(7, 10)
    assert [sp.real(0, x) for x in sp.batna_shares[0]] == [Fraction(7, 30)] * 3
    assert sp.value({"x": "p", "y": "p", "z": "p"}) == {"A": 1.0}


# --------------------------------------------------------------------------- limits


def _antichain_space(k: int) -> PackageSpace:
    """2 roles with opposite values and weights 2^j: all 2^k packages are on the frontier."""
    issues = {f"i{j}": ["lo", "hi"] for j in range(k)}
    w = {r: {f"i{j}": 2.0 ** j for j in range(k)} for r in "AB"}
    return PackageSpace.build(["A", "B"], issues, w,
                              {"A": {i: {"lo": 0.0, "hi": 1.0} for i in issues},
                               "B": {i: {"lo": 1.0, "hi": 0.0} for i in issues}},
                              {"A": 0.2, "B": 0.2})


def test_frontier_above_the_limit_is_refused_not_sampled():
    sp = _antichain_space(14)  # 16,384 packages, all undominated
    assert sp.size > MAX_FRONTIER
    with pytest.raises(AnalyticsLimitError, match="more than 10,000 packages.*refused"):
        analyze_bargaining(sp)
    assert len(pareto_frontier(_antichain_space(8))) == 256


def test_zopa_count_limit_and_streaming():
    sp = _antichain_space(16)  # 65,536 packages: streamed in blocks, not in one piece
    _, u = sp.enumerate()
    assert count_zopa(sp) == int(zopa_mask(u, sp.batna_units).sum())
    assert count_zopa(sp, limit=1000) is None


def test_framework_space_is_analysed_exactly_not_enumerated():
    sc = load_scenario(FRAMEWORK).scenario
    sp = PackageSpace.from_scenario(sc)
    b = analyze_bargaining(sp)
    u = b.frontier.utilities
    # every frontier package is undominated among the frontier, lies in the space,
    # and Nash/KS are in the ZOPA
    assert np.array_equal(pareto_filter(u), np.arange(len(u)))
    assert np.array_equal(u, sp.utilities(b.frontier.choices))
    if b.nash is not None:
        assert (u[b.nash] >= sp.batna_units).all() and (u[b.ks] >= sp.batna_units).all()
        assert b.zopa_count > 0
    else:
        assert b.zopa_count == 0


# --------------------------------------------------------------------------- brute force


def brute_frontier(u: np.ndarray) -> list[int]:
    return [i for i in range(len(u))
            if not any((u[j] >= u[i]).all() and (u[j] > u[i]).any() for j in range(len(u)))]


def _real_total(g: list[int], dens) -> Fraction:
    """The total gain across roles in real utility (each role's units are 1/dens[a])."""
    return sum((Fraction(x, d) for x, d in zip(g, dens or [1] * len(g))), Fraction(0))


def brute_nash(u: np.ndarray, r: np.ndarray, dens=None) -> int | None:
    best = None
    for i in range(len(u)):
        g = [int(x) for x in u[i] - r]
        if min(g) < 0:
            continue
        key = (int(np.prod([int(x) for x in g], dtype=object)), _real_total(g, dens), -i)
        if best is None or key > best[0]:
            best = (key, i)
    return None if best is None else best[1]


def brute_ks(u: np.ndarray, r: np.ndarray, dens=None) -> int | None:
    """Kalai-Smorodinsky by its definition, in exact fractions over every row: maximise the
    sorted shares (u_i - r_i) / (u_i* - r_i) (share 1 for a role that can gain nothing in
    the ZOPA), then the total gain, then the lower row."""
    rows = [[int(x) for x in row] for row in u]
    rr = [int(x) for x in r]
    zopa = [i for i, row in enumerate(rows) if all(x >= b for x, b in zip(row, rr))]
    if not zopa:
        return None
    top = [max(rows[i][a] - rr[a] for i in zopa) for a in range(len(rr))]
    best = None
    for i in zopa:
        g = [x - b for x, b in zip(rows[i], rr)]
        shares = sorted(Fraction(x, t) if t else Fraction(1) for x, t in zip(g, top))
        key = (shares, _real_total(g, dens), -i)
        if best is None or key > best[0]:
            best = (key, i)
    return best[1]


matrices = st.integers(1, 4).flatmap(lambda d: st.tuples(
    st.lists(st.lists(st.integers(0, 6), min_size=d, max_size=d), min_size=1, max_size=30),
    st.lists(st.integers(0, 4), min_size=d, max_size=d)))


def as_arrays(data) -> tuple[np.ndarray, np.ndarray]:
    rows, r = data
    step = SCALE // 6
    return np.array(rows, dtype=np.int64) * step, np.array(r, dtype=np.int64) * step


@given(matrices, st.integers(1, 8))
@settings(max_examples=300, deadline=None)
def test_no_frontier_point_is_dominated(data, block):
    u, _ = as_arrays(data)
    f = pareto_filter(u, block=block)
    assert f.tolist() == brute_frontier(u)
    for i in f:  # and directly: nothing dominates a frontier row
        assert not any((u[j] >= u[i]).all() and (u[j] > u[i]).any() for j in range(len(u)))


@given(matrices)
@settings(max_examples=300, deadline=None)
def test_nash_and_ks_lie_on_the_frontier_and_in_the_zopa(data):
    u, r = as_arrays(data)
    zopa = zopa_mask(u, r)
    n, k = nash_point(u, r), kalai_smorodinsky_point(u, r)
    if not zopa.any():
        assert n is None and k is None
        return
    front = set(pareto_filter(u).tolist())
    assert n in front and zopa[n]
    assert k in front and zopa[k]
    assert n == brute_nash(u, r)
    assert k == brute_ks(u, r)


@given(matrices, st.data())
@settings(max_examples=300, deadline=None)
def test_adding_a_dominated_package_changes_nothing(data, draw):
    u, r = as_arrays(data)
    i = draw.draw(st.integers(0, len(u) - 1))
    worse = u[i].copy()
    col = draw.draw(st.integers(0, u.shape[1] - 1))
    if worse[col] == 0:
        return
    worse[col] -= draw.draw(st.integers(1, int(worse[col])))
    for c in range(u.shape[1]):
        if c != col:
            worse[c] -= draw.draw(st.integers(0, int(worse[c])))
    at = draw.draw(st.integers(0, len(u)))  # insert anywhere; map old rows to new rows
    u2 = np.insert(u, at, worse, axis=0)
    new = lambda row: None if row is None else (row if row < at else row + 1)  # noqa: E731
    assert pareto_filter(u2).tolist() == [new(x) for x in pareto_filter(u).tolist()]
    assert nash_point(u2, r) == new(nash_point(u, r))
    assert kalai_smorodinsky_point(u2, r) == new(kalai_smorodinsky_point(u, r)) \
        == new(brute_ks(u, r))


spaces = st.integers(1, 4).flatmap(lambda n_roles: st.integers(1, 4).flatmap(
    lambda n_issues: st.tuples(
        st.just(n_roles),
        st.lists(st.integers(1, 4), min_size=n_issues, max_size=n_issues),
        st.lists(st.integers(0, 4), min_size=n_roles * n_issues, max_size=n_roles * n_issues),
        st.lists(st.integers(0, 4), min_size=n_roles * n_issues * 4,
                 max_size=n_roles * n_issues * 4),
        st.lists(st.integers(0, 8), min_size=n_roles, max_size=n_roles))))


def build(spec) -> PackageSpace:
    n_roles, n_opts, ws, vs, bs = spec
    roles = [f"r{a}" for a in range(n_roles)]
    issues = {f"i{k}": [f"o{o}" for o in range(m)] for k, m in enumerate(n_opts)}
    weights = {r: {f"i{k}": float(ws[a * len(n_opts) + k]) for k in range(len(n_opts))}
               for a, r in enumerate(roles)}
    values = {r: {f"i{k}": {f"o{o}": vs[(a * len(n_opts) + k) * 4 + o] / 4 for o in range(m)}
                  for k, m in enumerate(n_opts)} for a, r in enumerate(roles)}
    return PackageSpace.build(roles, issues, weights, values,
                              {r: bs[a] / 8 for a, r in enumerate(roles)})


@given(spaces)
@settings(max_examples=200, deadline=None)
def test_dynamic_programme_equals_exhaustive_enumeration(spec):
    sp = build(spec)
    choices, u = sp.enumerate()
    assert len(choices) == sp.size
    r = sp.batna_units
    b = analyze_bargaining(sp)
    ref = brute_frontier(u)
    assert b.frontier.choices.tolist() == choices[ref].tolist()
    assert b.zopa_count == int(zopa_mask(u, r).sum())
    n, k = brute_nash(u, r, sp.denominators), brute_ks(u, r, sp.denominators)
    assert (b.nash is None) == (n is None) and (b.ks is None) == (k is None)
    if n is not None:
        assert b.frontier.choices[b.nash].tolist() == choices[n].tolist()
        assert b.frontier.choices[b.ks].tolist() == choices[k].tolist()
        for a, rid in enumerate(sp.roles):  # u_i* over the whole ZOPA
            assert b.frontier.utilities[b.best_in_zopa[rid], a] == u[zopa_mask(u, r), a].max()


@given(spaces, st.data())
@settings(max_examples=100, deadline=None)
def test_partial_value_matches_its_definition(spec, draw):
    sp = build(spec)
    pkg = {}
    for iid, opts in zip(sp.issues, sp.options):
        if draw.draw(st.booleans()):
            pkg[iid] = draw.draw(st.sampled_from(opts))
    u = sp.value_units(pkg)
    lo, hi = sp.bounds_units(pkg)
    choices, all_u = sp.enumerate()
    ch = sp.choices_of(pkg)
    ext = np.all([choices[:, j] == o for j, o in ch.items()], axis=0) if ch else \
        np.ones(len(choices), bool)
    assert (lo == all_u[ext].min(axis=0)).all() and (hi == all_u[ext].max(axis=0)).all()
    if len(pkg) == len(sp.issues):
        assert (u == lo).all()
    if not pkg:
        assert (u == sp.batna_units).all()
    # settling one more issue at an option worth at least the role's no-deal level never
    # lowers its value
    for j, (iid, t) in enumerate(zip(sp.issues, sp.tables)):
        if iid in pkg:
            continue
        for o, oid in enumerate(sp.options[j]):
            u2 = sp.value_units({**pkg, iid: oid})
            grew = t[:, o] >= sp.batna_shares[:, j]
            assert (u2[grew] >= u[grew]).all()


def test_a_role_that_can_gain_nothing_does_not_constrain_ks():
    """B values both options at its no-deal level: its KS share is 1 everywhere, so the KS
    point is A's best package, and B's share is reported as 1 (not 0, not a division by 0).
    Utilities (A, B): p (.8, .5), q (.4, .5); BATNA (.2, .5); best gains .6 and 0."""
    sp = PackageSpace.build(["A", "B"], {"x": ["q", "p"]},
                            {"A": {"x": 1}, "B": {"x": 1}},
                            {"A": {"x": {"q": 0.4, "p": 0.8}}, "B": {"x": {"q": 0.5, "p": 0.5}}},
                            {"A": 0.2, "B": 0.5})
    u = sp.utilities(np.array([[0], [1]]))
    assert kalai_smorodinsky_point(u, sp.batna_units) == 1 == brute_ks(u, sp.batna_units)
    b = analyze_bargaining(sp)
    assert b.package(b.ks) == {"x": "p"}
    assert b.describe(b.ks)["ks_shares"] == {"A": 1.0, "B": 1.0}
    # three roles: the two that can gain are traded off as if the third were absent
    u3 = np.array([[6, 1, 5], [3, 3, 5], [1, 6, 5]], dtype=np.int64) * (SCALE // 6)
    r3 = np.array([0, 0, 5], dtype=np.int64) * (SCALE // 6)
    assert kalai_smorodinsky_point(u3, r3) == 1 == brute_ks(u3, r3)


def test_dp_handles_exact_duplicates():
    """Two options worth the same to everyone: both packages stay on the frontier."""
    sp = PackageSpace.build(["A", "B"], {"x": ["p", "q", "s"]},
                            {"A": {"x": 1}, "B": {"x": 1}},
                            {"A": {"x": {"p": 0.5, "q": 0.5, "s": 0.1}},
                             "B": {"x": {"p": 0.5, "q": 0.5, "s": 0.4}}}, {"A": 0, "B": 0})
    b = analyze_bargaining(sp)
    assert pkgs(b, range(len(b.frontier))) == [{"x": "p"}, {"x": "q"}]
    assert b.package(b.nash) == {"x": "p"} and b.package(b.ks) == {"x": "p"}  # first in file order


def test_itertools_order_is_the_package_order(two_by_two):
    choices, _ = two_by_two.enumerate()
    assert choices.tolist() == [list(p) for p in itertools.product(range(3), range(3))]
