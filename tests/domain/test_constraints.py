"""Constraints across issues: validated with their line, refused by the engine, and kept
exactly by the bargaining analysis."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.analytics.bargaining import (
    PackageSpace,
    analyze_bargaining,
    count_zopa,
    feasibility_rules,
    pareto_filter,
    pareto_frontier,
    zopa_mask,
)
from peacetable.domain.engine import Refused
from peacetable.domain.loader import ScenarioError, parse_scenario

RULES = '''
[[constraints]]
kind = "incompatible"
first = { issue = "release", option = "low" }
second = { issue = "monitoring", option = "international" }
note = "international monitors will not come to watch a trickle"

[[constraints]]
kind = "requires"
first = { issue = "monitoring", option = "joint" }
second = { issue = "release", option = "medium" }
'''


@pytest.fixture
def ruled(tmp_path, river_path):
    path = tmp_path / "ruled.toml"
    path.write_text(river_path.read_text(encoding="utf-8") + RULES, encoding="utf-8")
    s = Session.create(path, tmp_path / "ruled.peacetable", seed=7)
    s.execute(C.Advance())
    return s


def why(s: Session, package: dict[str, str]) -> str:
    before = s.store.last_seq
    with pytest.raises(Refused) as info:
        s.execute(C.SubmitMove(role="upland", template="propose", package=package))
    assert s.store.last_seq == before
    return str(info.value)


def test_the_engine_refuses_a_package_that_breaks_a_constraint(ruled):
    s = ruled
    assert why(s, {"release": "low", "monitoring": "international"}) == (
        "'Water release: Low release' cannot go with 'Monitoring: International monitors', "
        "in this package (international monitors will not come to watch a trickle)")
    assert why(s, {"monitoring": "joint"}) == (
        "'Monitoring: Joint commission' needs 'Water release: Medium release' "
        "agreed first or in the same package")
    assert why(s, {"release": "high", "monitoring": "joint"}) == (
        "'Monitoring: Joint commission' needs 'Water release: Medium release', "
        "but Water release is settled otherwise in this package")
    # packages that keep both rules are tabled
    for package in ({"release": "medium", "monitoring": "joint"},
                    {"release": "high", "monitoring": "international"}):
        s.execute(C.SubmitMove(role="upland", template="propose", package=package))


def test_what_is_already_agreed_counts(ruled):
    s = ruled
    p = s.execute(C.SubmitMove(role="upland", template="propose",
                               package={"monitoring": "international"}))[0].seq
    s.execute(C.Adjudicate(move=p, decision="accept"))
    a = s.execute(C.SubmitMove(role="lowland", template="accept", target=p))[0].seq
    s.execute(C.Adjudicate(move=a, decision="accept"))
    assert s.view()["issues"]["monitoring"]["status"] == "agreed"
    assert why(s, {"release": "low"}) == (
        "'Water release: Low release' cannot go with 'Monitoring: International monitors', "
        "already agreed (international monitors will not come to watch a trickle)")
    s.execute(C.SubmitMove(role="upland", template="propose", package={"release": "high"}))


def test_the_analysis_drops_infeasible_packages(tmp_path, river_path):
    sc = parse_scenario(river_path.read_text(encoding="utf-8") + RULES).scenario
    space = PackageSpace.from_scenario(sc)
    assert space.constraints == feasibility_rules(sc) == ((0, 0, 1, 2, True), (1, 1, 0, 1, False))
    choices, _ = space.enumerate()
    packages = {tuple(c) for c in choices.tolist()}
    assert not packages & {(0, 2), (0, 1), (2, 1)}
    assert len(packages) == 9 - 3
    b = analyze_bargaining(space)
    for row in range(len(b.frontier)):
        pkg = b.package(row)
        assert not (pkg["release"] == "low" and pkg["monitoring"] == "international")
        assert not (pkg["monitoring"] == "joint" and pkg["release"] != "medium")


def _brute(space: PackageSpace) -> tuple[set, int]:
    choices, u = space.enumerate()
    keep = pareto_filter(u)
    return ({tuple(c) for c in choices[keep].tolist()},
            int(zopa_mask(u, space.batna_units).sum()))


@pytest.mark.parametrize("seed", range(12))
def test_constrained_frontier_and_zopa_count_are_exact(seed):
    rnd = random.Random(seed)
    n_issues, n_roles = rnd.randint(3, 5), rnd.randint(2, 4)
    issues = {f"i{j}": [f"o{o}" for o in range(rnd.randint(2, 4))] for j in range(n_issues)}
    roles = [f"r{a}" for a in range(n_roles)]
    weights = {r: {i: rnd.randint(0, 5) for i in issues} for r in roles}
    values = {r: {i: {o: rnd.randint(0, 4) / 4 for o in opts} for i, opts in issues.items()}
              for r in roles}
    space = PackageSpace.build(roles, issues, weights, values, {r: rnd.choice([0.2, 0.4]) for r in roles})
    rules = []
    for _ in range(rnd.randint(1, 5)):
        j1, j2 = rnd.sample(range(n_issues), 2)
        rules.append((j1, rnd.randrange(len(space.options[j1])), j2,
                      rnd.randrange(len(space.options[j2])), rnd.random() < 0.5))
    ruled = space.with_constraints(rules)
    front, zopa = _brute(ruled)
    got = pareto_frontier(ruled)
    assert {tuple(c) for c in got.choices.tolist()} == front
    assert count_zopa(ruled) == zopa
    # every feasible package is kept by the brute force, and the rules really bite
    all_packages = set(itertools.product(*[range(len(o)) for o in space.options]))
    feasible = {tuple(c) for c in ruled.enumerate()[0].tolist()}
    assert feasible < all_packages
    assert front <= feasible
    assert np.array_equal(ruled.tables[0], space.tables[0])


BAD = {
    "unknown option": ('first = { issue = "release", option = "torrent" }',
                       "constraints[0].first.option", "unknown option 'torrent' of issue 'release'"),
    "same issue": ('second = { issue = "release", option = "high" }',
                   "constraints[0].second.issue", "two different issues"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_wrong_constraint_is_reported_with_its_line(river_path, case):
    text = river_path.read_text(encoding="utf-8")
    rules = RULES.split("[[constraints]]")[1]
    line, field, words = BAD[case]
    key = line.split(" =")[0]
    rules = "\n".join(line if x.startswith(key + " =") else x for x in rules.splitlines())
    full = text + "\n[[constraints]]" + rules
    with pytest.raises(ScenarioError) as info:
        parse_scenario(full, "ruled.toml")
    problems = [p for p in info.value.problems if p.dotted == field]
    assert len(problems) == 1 and words in problems[0].message
    assert full.splitlines()[problems[0].line - 1].startswith(key + " =")
