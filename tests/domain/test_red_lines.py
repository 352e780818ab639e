"""Red lines with a test: hard limits for the analysis, flagged in the debrief and report."""

from __future__ import annotations

import random

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.analytics.bargaining import (
    PackageSpace,
    analyze_bargaining,
    count_zopa,
    pareto_filter,
    pareto_frontier,
    zopa_mask,
)
from peacetable.domain.analytics.debrief import bargaining_debrief
from peacetable.domain.conditions import typed
from peacetable.domain.loader import ScenarioError, parse_scenario
from peacetable.domain.state import red_lines_crossed

ANCHOR = 'monitoring = { none = 1.0, joint = 0.5, international = 0.0 }\n'
TEST = '''
[[roles.red_line_tests]]
red_line = "No foreign monitors at the dam"
crossed_if = { issue = "monitoring", option = "international" }
'''


def text_with(river_path, test: str = TEST) -> str:
    return river_path.read_text(encoding="utf-8").replace(ANCHOR, ANCHOR + test, 1)


def test_the_analysis_never_offers_a_package_across_a_red_line(river_path):
    sc = parse_scenario(text_with(river_path)).scenario
    space = PackageSpace.from_scenario(sc)
    plain = PackageSpace.from_scenario(parse_scenario(river_path.read_text(encoding="utf-8")).scenario)
    choices, _ = space.enumerate()
    assert len(choices) == 6 and all(c[1] != 2 for c in choices.tolist())
    assert len(plain.enumerate()[0]) == 9
    b = analyze_bargaining(space)
    assert all(b.package(r)["monitoring"] != "international" for r in range(len(b.frontier)))
    assert space.crossed({"release": "low", "monitoring": "international"}) == [
        ("upland", "No foreign monitors at the dam")]
    assert space.crossed({"release": "low", "monitoring": "joint"}) == []


def test_debrief_and_report_flag_a_crossed_red_line(tmp_path, river_path):
    path = tmp_path / "lines.toml"
    path.write_text(text_with(river_path), encoding="utf-8")
    s = Session.create(path, tmp_path / "lines.peacetable", seed=7)
    s.execute(C.Advance())
    assert red_lines_crossed(s.scenario, s.state, "upland") == []
    p = s.execute(C.SubmitMove(role="lowland", template="propose",
                               package={"monitoring": "international"}))[0].seq
    s.execute(C.Adjudicate(move=p, decision="accept"))
    a = s.execute(C.SubmitMove(role="upland", template="accept", target=p))[0].seq
    s.execute(C.Adjudicate(move=a, decision="accept"))
    assert red_lines_crossed(s.scenario, s.state, "upland") == ["No foreign monitors at the dam"]
    assert red_lines_crossed(s.scenario, s.state, "lowland") == []
    # a viewer who sees no agreement sees no line crossed
    assert red_lines_crossed(s.scenario, s.state, "upland", {}) == []
    teams = bargaining_debrief(s.scenario, s.state)["teams"]
    assert teams["upland"]["red_lines_crossed"] == ["No foreign monitors at the dam"]
    assert teams["lowland"]["red_lines_crossed"] == []


def test_a_wrong_red_line_test_is_reported_with_its_line(river_path):
    bad = TEST.replace("No foreign monitors at the dam", "No monitors")
    text = text_with(river_path, bad)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "river.toml")
    (p,) = [p for p in info.value.problems if p.dotted == "roles[0].red_line_tests[0].red_line"]
    assert "'No monitors' is not one of this role's red_lines" in p.message
    assert text.splitlines()[p.line - 1].startswith("red_line =")
    text = text_with(river_path, TEST.replace('"international"', '"foreign"'))
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "river.toml")
    assert any("unknown option 'foreign' of issue 'monitoring'" in p.message
               for p in info.value.problems)


@pytest.mark.parametrize("seed", range(10))
def test_frontier_and_zopa_with_red_lines_are_exact(seed):
    rnd = random.Random(200 + seed)
    n_issues, n_roles = rnd.randint(3, 5), rnd.randint(2, 4)
    issues = {f"i{j}": [f"o{o}" for o in range(rnd.randint(2, 4))] for j in range(n_issues)}
    roles = [f"r{a}" for a in range(n_roles)]
    weights = {r: {i: rnd.randint(0, 5) for i in issues} for r in roles}
    values = {r: {i: {o: rnd.randint(0, 4) / 4 for o in opts} for i, opts in issues.items()}
              for r in roles}
    space = PackageSpace.build(roles, issues, weights, values, {r: 0.3 for r in roles})
    limits = []
    for _ in range(rnd.randint(1, 3)):
        picked = rnd.sample(list(issues), rnd.randint(1, 3))
        parts = [{"issue": i, "option": rnd.choice(issues[i])} for i in picked]
        cond = typed({rnd.choice(["all", "any"]): parts})
        limits.append((rnd.randrange(n_roles), "a line", tuple(sorted(int(i[1:]) for i in picked)), cond))
    ruled = space.with_limits(limits)
    choices, u = ruled.enumerate()
    assert len(choices) < space.size  # every line bites somewhere
    front = {tuple(c) for c in choices[pareto_filter(u)].tolist()} if len(choices) else set()
    assert {tuple(c) for c in pareto_frontier(ruled).choices.tolist()} == front
    assert count_zopa(ruled) == int(zopa_mask(u, ruled.batna_units).sum())
