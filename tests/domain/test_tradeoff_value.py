"""A trade-off linkage may carry a value: each named role's bonus (or penalty) for a package
holding both of the linkage's options. Validated with its line; counted exactly by every
analysis, as the same role's interaction term would be (brute-force oracles of
test_analytics_bargaining.py)."""

from __future__ import annotations

import itertools
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from peacetable.domain.analytics.bargaining import (
    PackageSpace,
    analyze_bargaining,
    bargaining_points,
    coalition_space,
    count_zopa,
    settled,
    zopa_mask,
)
from peacetable.domain.loader import ScenarioError, parse_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_analytics_bargaining import brute_frontier, brute_ks, brute_nash  # noqa: E402

LINKAGE = '''[[linkages]]
kind = "precondition"
from = "monitoring"
to = "release"
note = "No release figure without a way to check it."'''

TRADE = '''
[[linkages]]
kind = "trade_off"
from = "monitoring"
from_option = "joint"
to = "release"
to_option = "medium"
value = { upland = 0.25, lowland = -0.125 }
note = "the extra water is paid for through the joint commission"'''

TERM = '''
[[roles.interactions]]
first = { issue = "release", option = "medium" }
second = { issue = "monitoring", option = "joint" }
value = 0.25
'''


def with_trade(river_path, trade: str = TRADE) -> str:
    text = river_path.read_text(encoding="utf-8")
    assert LINKAGE in text
    return text.replace(LINKAGE, LINKAGE + "\n" + trade)


def exact_utilities(sc, choices) -> list[list[Fraction]]:
    """Each player role's utility of each full package, from the scenario's numbers."""
    players = [r for r in sc.roles if r.is_player]
    out = []
    for row in choices:
        pkg = {i.id: i.options[int(c)].id for i, c in zip(sc.issues, row)}
        us = []
        for r in players:
            total = sum(Fraction(str(w)) for w in r.weights.values())
            u = sum(Fraction(str(r.weights[i])) / total * Fraction(str(r.preferences[i][o]))
                    for i, o in pkg.items())
            for lk in sc.linkages:
                if r.id in lk.value and pkg[lk.source] == lk.from_option \
                        and pkg[lk.target] == lk.to_option:
                    u += Fraction(str(lk.value[r.id]))
            us.append(u)
        out.append(us)
    return out


def test_a_trade_off_value_is_each_roles_interaction_term(river_path):
    text = river_path.read_text(encoding="utf-8")
    anchor = 'monitoring = { none = 1.0, joint = 0.5, international = 0.0 }\n'
    as_term = PackageSpace.from_scenario(parse_scenario(text.replace(anchor, anchor + TERM, 1)).scenario)
    as_link = PackageSpace.from_scenario(parse_scenario(with_trade(
        river_path, TRADE.replace(", lowland = -0.125", ""))).scenario)
    c1, u1 = as_term.enumerate()
    c2, u2 = as_link.enumerate()
    assert (c1 == c2).all() and (u1 == u2).all()
    plain = PackageSpace.from_scenario(parse_scenario(text).scenario)
    assert not (plain.enumerate()[1] == u2).all()  # the value changes something
    # only the package holding both options changes
    pkg = {"release": "medium", "monitoring": "joint"}
    assert as_link.value(pkg)["upland"] == round(plain.value(pkg)["upland"] + 0.25, 6)
    other = {"release": "medium", "monitoring": "none"}
    assert as_link.value(other) == plain.value(other)


def test_every_analysis_counts_the_value_exactly(river_path):
    sc = parse_scenario(with_trade(river_path)).scenario
    space = PackageSpace.from_scenario(sc)
    choices, u = space.enumerate()
    want = exact_utilities(sc, choices)
    for a in range(space.n_roles):
        assert [space.real(a, row[a]) for row in u] == [w[a] for w in want]
    r = space.batna_units
    dens = space.denominators
    b = analyze_bargaining(space)
    front = sorted(tuple(c) for c in choices[brute_frontier(u)].tolist())
    assert sorted(tuple(c) for c in b.frontier.choices.tolist()) == front
    assert count_zopa(space) == int(zopa_mask(u, r).sum())
    nash, ks = brute_nash(u, r, dens), brute_ks(u, r, dens)
    p = bargaining_points(space)
    for got in (b, p):
        assert got.package(got.nash) == space.package_of(choices[nash])
        assert got.package(got.ks) == space.package_of(choices[ks])
    # between two of the roles, by every way of settling or leaving open each issue
    idx = [0, 1]
    cs = coalition_space(space, [space.roles[a] for a in idx])
    cands = []
    for combo in itertools.product(*[[*o, None] for o in space.options]):
        pkg = {i: o for i, o in zip(space.issues, combo) if o is not None}
        g = space.value_units(pkg)[idx] - r[idx]
        if (g >= 0).all():
            cands.append((pkg, [int(x) for x in g]))
    best = max(int(np.prod(g, dtype=object)) for _, g in cands)
    cb = analyze_bargaining(cs, count=False)
    nash_pair = settled(cb.package(cb.nash))
    assert int(np.prod([int(x) for x in space.value_units(nash_pair)[idx] - r[idx]],
                       dtype=object)) == best


@pytest.mark.parametrize("value, words", [
    ("{ control = 0.1 }", "control role, which has no preferences"),
    ("{ upland = 2 }", "less than or equal to 1"),
])
def test_bad_values_are_named(river_path, value, words):
    with pytest.raises(ScenarioError, match=words):
        parse_scenario(with_trade(river_path, TRADE.replace(
            "{ upland = 0.25, lowland = -0.125 }", value)))
