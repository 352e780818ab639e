"""Interaction terms: a role's bonus or penalty for two options held together, written in
the scenario, validated with its line, and counted exactly by the bargaining analysis."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from peacetable.domain.analytics.bargaining import (
    PackageSpace,
    analyze_bargaining,
    count_zopa,
    pareto_filter,
    pareto_frontier,
    zopa_mask,
)
from peacetable.domain.loader import ScenarioError, parse_scenario

# Upland gains from a medium release only if a joint commission watches it (it is paid
# through the commission): a trade worth something only whole.
TERM = '''
[[roles.interactions]]
first = { issue = "release", option = "medium" }
second = { issue = "monitoring", option = "joint" }
value = 0.25
note = "paid through the commission"
'''


def with_term(river_path, term: str = TERM) -> str:
    text = river_path.read_text(encoding="utf-8")
    anchor = 'monitoring = { none = 1.0, joint = 0.5, international = 0.0 }\n'
    assert text.count(anchor) >= 1
    return text.replace(anchor, anchor + term, 1)


def test_a_term_changes_the_value_of_the_whole_package_only(river_path):
    sc = parse_scenario(with_term(river_path)).scenario
    plain = parse_scenario(river_path.read_text(encoding="utf-8")).scenario
    space, before = PackageSpace.from_scenario(sc), PackageSpace.from_scenario(plain)
    a = space.roles.index("upland")
    both = {"release": "medium", "monitoring": "joint"}
    # 0.6 * 0.6 + 0.4 * 0.5 = 0.56 without the term, 0.81 with it
    assert space.real(a, space.value_units(both)[a]) == Fraction(81, 100)
    assert before.real(a, before.value_units(both)[a]) == Fraction(56, 100)
    half = {"release": "medium", "monitoring": "none"}
    assert space.real(a, space.value_units(half)[a]) == Fraction(76, 100)
    lo, hi = space.bounds_units({"release": "medium"})
    assert space.real(a, lo[a]) == Fraction(36, 100)
    # joint with the bonus (0.4 * 0.5 + 0.25 = 0.45) beats none (0.4)
    assert space.real(a, hi[a]) == Fraction(81, 100)
    lo, hi = space.bounds_units({"monitoring": "joint"})
    # medium with the bonus (0.36 + 0.2 + 0.25) beats low (0.6 + 0.2)
    assert space.real(a, hi[a]) == Fraction(81, 100)
    assert space.real(a, lo[a]) == Fraction(2, 10)
    others = [r for r in range(space.n_roles) if r != a]
    assert all(space.value_units(both)[r] == before.value_units(both)[r] for r in others)
    b = analyze_bargaining(space)
    rows = {tuple(sorted(b.package(r).items())) for r in range(len(b.frontier))}
    assert (("monitoring", "joint"), ("release", "medium")) in rows


def test_a_wrong_term_is_reported_with_its_line(river_path):
    bad = TERM.replace('option = "joint"', 'option = "jointly"')
    text = with_term(river_path, bad)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "river.toml")
    (p,) = [p for p in info.value.problems if p.dotted == "roles[0].interactions[0].second.option"]
    assert "unknown option 'jointly' of issue 'monitoring'" in p.message
    assert text.splitlines()[p.line - 1].startswith("second =")
    same = TERM.replace('issue = "monitoring", option = "joint"', 'issue = "release", option = "high"')
    with pytest.raises(ScenarioError) as info:
        parse_scenario(with_term(river_path, same), "river.toml")
    assert any(p.dotted == "roles[0].interactions[0].second.issue"
               and "an interaction must join two different issues" in p.message
               for p in info.value.problems)


@pytest.mark.parametrize("seed", range(12))
def test_frontier_and_zopa_with_terms_and_rules_are_exact(seed):
    rnd = random.Random(100 + seed)
    n_issues, n_roles = rnd.randint(3, 5), rnd.randint(2, 4)
    issues = {f"i{j}": [f"o{o}" for o in range(rnd.randint(2, 4))] for j in range(n_issues)}
    roles = [f"r{a}" for a in range(n_roles)]
    weights = {r: {i: rnd.randint(0, 5) for i in issues} for r in roles}
    values = {r: {i: {o: rnd.randint(0, 4) / 4 for o in opts} for i, opts in issues.items()}
              for r in roles}
    terms = {}
    for r in roles:
        terms[r] = []
        for _ in range(rnd.randint(0, 3)):
            i1, i2 = rnd.sample(list(issues), 2)
            terms[r].append((i1, rnd.choice(issues[i1]), i2, rnd.choice(issues[i2]),
                             rnd.choice([-0.5, -0.2, 0.1, 0.3, 0.6])))
    space = PackageSpace.build(roles, issues, weights, values, {r: 0.3 for r in roles}, terms)
    if seed % 2:
        j1, j2 = rnd.sample(range(n_issues), 2)
        space = space.with_constraints([(j1, 0, j2, 0, True)])
    # brute force: every feasible package, each utility summed term by term
    choices, u = space.enumerate()
    for row, c in zip(u, choices.tolist()):
        pkg = space.package_of(c)
        for a, r in enumerate(roles):
            want = sum(Fraction(weights[r][i]) / max(1, sum(weights[r].values()))
                       * Fraction(str(values[r][i][pkg[i]])) for i in issues) \
                if sum(weights[r].values()) else sum(Fraction(str(values[r][i][pkg[i]])) for i in issues) / n_issues
            want += sum(Fraction(str(v)) for i1, o1, i2, o2, v in terms[r] if pkg[i1] == o1 and pkg[i2] == o2)
            assert space.real(a, row[a]) == want
    front = {tuple(c) for c in choices[pareto_filter(u)].tolist()}
    assert {tuple(c) for c in pareto_frontier(space).choices.tolist()} == front
    assert count_zopa(space) == int(zopa_mask(u, space.batna_units).sum())


def test_points_and_some_parties_count_the_terms(river_path):
    """The points found without the frontier and the bargaining among some parties count
    interaction terms as the frontier does (brute force on generated scenarios:
    test_analytics_exact_paths.py)."""
    from peacetable.domain.analytics.bargaining import (
        bargaining_points,
        coalition_space,
        settled,
    )

    sc = parse_scenario(with_term(river_path)).scenario
    space = PackageSpace.from_scenario(sc)
    b, p = analyze_bargaining(space), bargaining_points(space)
    assert b.package(b.nash) == p.package(p.nash) and b.package(b.ks) == p.package(p.ks)
    with pytest.raises(ValueError, match="kremlin"):  # bad ids are still named
        coalition_space(space, ["upland", "kremlin"])
    cs = coalition_space(space, ["upland", "lowland"])
    assert [int(t[4][0]) for t in cs.interactions] == [int(t[4][0]) for t in space.interactions]
    cb = analyze_bargaining(cs, count=False)
    # the pair's Nash point, valued by the full space (terms included), as the report says
    pkg = settled(cb.package(cb.nash))
    assert space.value_units(pkg)[0] == cs.value_units(cb.package(cb.nash))[0]

