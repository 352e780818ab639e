"""Linkage network: deadlock cycles, groups, phased order, keystones, unlocks."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peacetable.domain.analytics.network import LinkageNetwork, normalise_cycle
from peacetable.domain.loader import load_scenario

FRAMEWORK = Path(__file__).resolve().parents[2] / "scenarios" / "framework-agreement.toml"


def elementary_cycles(nodes: list[str], edges: list[tuple[str, str]]) -> set[tuple[str, ...]]:
    """Every elementary cycle by plain depth-first search (independent of networkx): each
    cycle is found from its alphabetically smallest node, visiting only larger nodes."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        succ[a].append(b)
    found: set[tuple[str, ...]] = set()

    def walk(start: str, path: list[str]) -> None:
        for nxt in succ[path[-1]]:
            if nxt == start:
                found.add(tuple(path))
            elif nxt > start and nxt not in path:
                walk(start, path + [nxt])

    for n in sorted(nodes):
        walk(n, [n])
    return found


# --------------------------------------------------------------------------- Framework


@pytest.fixture(scope="module")
def framework():
    return load_scenario(FRAMEWORK).scenario


def test_framework_cycles_exactly_as_authored(framework):
    net = LinkageNetwork.from_scenario(framework)
    cycles, complete = net.deadlock_cycles()
    edges = [(lk.source, lk.target) for lk in framework.linkages if lk.kind == "precondition"]
    expected = elementary_cycles([i.id for i in framework.issues], edges)
    assert complete
    assert {tuple(c) for c in cycles} == expected
    assert len(cycles) == len(expected)  # no duplicates
    assert ["ceasefire", "framework_signing"] in cycles


def test_framework_deadlock_is_settled_as_one_package(framework):
    net = LinkageNetwork.from_scenario(framework)
    group = next(g for g in net.deadlock_groups() if "ceasefire" in g)
    assert "framework_signing" in group
    stages = net.phased_order()
    steps = [step for stage in stages for step in stage]
    assert sorted(group) in [sorted(s) for s in steps]
    # every issue exactly once; every precondition between steps points to a later stage
    flat = [i for s in steps for i in s]
    assert sorted(flat) == sorted(i.id for i in framework.issues)
    stage_of = {i: k for k, stage in enumerate(stages) for s in stage for i in s}
    step_of = {i: tuple(s) for s in steps for i in s}
    for lk in framework.linkages:
        if lk.kind == "precondition" and step_of[lk.source] != step_of[lk.target]:
            assert stage_of[lk.source] < stage_of[lk.target], (lk.source, lk.target)
    # settling the framework package unlocks every issue that waits only for it
    un = net.unlocks("ceasefire")
    assert sorted(un["package"]) == sorted(group)
    waits_only_for_group = [i.id for i in framework.issues if i.id not in group
                            and framework.preconditions_of(i.id)
                            and set(framework.preconditions_of(i.id)) <= set(group)]
    assert waits_only_for_group and set(waits_only_for_group) <= set(un["directly"])


def test_framework_keystones_rank_by_reach(framework):
    net = LinkageNetwork.from_scenario(framework)
    ks = net.keystones()
    reaches = [k["reach"] for k in ks]
    assert reaches == sorted(reaches, reverse=True)
    assert ks[0]["issue"] in ("ceasefire", "framework_signing")


# --------------------------------------------------------------------------- hand-built


@pytest.fixture
def small() -> LinkageNetwork:
    """a -> b <-> c -> d; e -> f; a trade-off d -- e joins the two parts (undirected path
    a-b-c-d-e-f for betweenness)."""
    return LinkageNetwork.build("abcdef", [
        ("precondition", "a", "b"), ("precondition", "b", "c"), ("precondition", "c", "b"),
        ("precondition", "c", "d"), ("precondition", "e", "f"), ("trade_off", "d", "e")])


def test_small_network_by_hand(small):
    assert small.deadlock_cycles() == ([["b", "c"]], True)
    assert small.deadlock_groups() == [["b", "c"]]
    # condensation: a -> {b,c} -> d, e -> f
    assert small.phased_order() == [[["a"], ["e"]], [["b", "c"], ["f"]], [["d"]]]


def test_keystones_by_hand(small):
    """Reach (downstream, own group left out): a 3 (b, c, d); b 1 (d); c 1; e 1 (f); d, f 0.
    Betweenness on the path a-b-c-d-e-f, normalised by (n-1)(n-2)/2 = 10: b 4/10, c 6/10,
    d 6/10, e 4/10. Rank: reach, then betweenness, then file order."""
    ks = small.keystones()
    assert [(k["issue"], k["reach"], k["betweenness"]) for k in ks] == [
        ("a", 3, 0.0), ("c", 1, 0.6), ("b", 1, 0.4), ("e", 1, 0.4), ("d", 0, 0.6), ("f", 0, 0.0)]
    assert ks[0]["reaching_centrality"] == 0.6  # 3 of the 5 other issues


def test_unlocks_by_hand(small):
    assert small.unlocks("a") == {"package": ["a"], "directly": ["b", "c"],
                                  "downstream": ["b", "c", "d"]}
    assert small.unlocks("c") == {"package": ["b", "c"], "directly": ["d"], "downstream": ["d"]}
    assert small.unlocks("e") == {"package": ["e"], "directly": ["f"], "downstream": ["f"]}
    assert small.unlocks("d")["directly"] == []
    # with d's precondition already settled, settling a unlocks only the b/c package
    assert small.unlocks("a", agreed=["b", "c"])["directly"] == []
    # b/c were unlocked already by a, agreed before: settling e does not unlock them again
    assert small.unlocks("e", agreed=["a"])["directly"] == ["f"]
    with pytest.raises(ValueError, match="unknown issue 'z'"):
        small.unlocks("z")


def test_cycles_are_rotated_to_their_first_issue_in_edge_direction():
    net = LinkageNetwork.build(["p", "m", "k", "q"], [
        ("precondition", "p", "m"), ("precondition", "m", "k"), ("precondition", "k", "p"),
        ("precondition", "k", "q"), ("precondition", "q", "k")])
    cycles, _ = net.deadlock_cycles()
    assert cycles == [["k", "q"], ["k", "p", "m"]]
    assert normalise_cycle(["p", "m", "k"]) == ["k", "p", "m"]
    assert net.deadlock_groups() == [["p", "m", "k", "q"]]  # one group, file order
    assert net.phased_order() == [[["p", "m", "k", "q"]]]


def test_cycle_list_is_cut_visibly():
    """A complete precondition graph on 6 issues has 409 cycles; the cut is reported."""
    ids = list("abcdef")
    net = LinkageNetwork.build(ids, [("precondition", a, b) for a in ids for b in ids if a != b])
    cycles, complete = net.deadlock_cycles(limit=50)
    assert len(cycles) == 50 and not complete
    assert net.deadlock_cycles()[1] is True and len(net.deadlock_cycles()[0]) == 409


def test_river_has_no_deadlock(river):
    net = LinkageNetwork.from_scenario(river)
    assert net.deadlock_cycles() == ([], True)
    assert net.phased_order() == [[["monitoring"]], [["release"]]]
    assert net.unlocks("monitoring")["directly"] == ["release"]


def test_unknown_linkage_is_refused():
    with pytest.raises(ValueError, match="unknown issue 'zz'"):
        LinkageNetwork.build(["a"], [("precondition", "a", "zz")])
    with pytest.raises(ValueError) as info:
        LinkageNetwork.build(["a", "b"], [("causes", "a", "b")])
    assert str(info.value) == ("unknown linkage kind 'causes' (expected one of: precondition, "
                               "trade_off, reinforces, blocks)")


def _stages_by_definition(issues: list[str], edges: list[tuple[str, str]]) -> list[list[list[str]]]:
    """Phased order from its definition, without networkx: a step is a set of issues that
    reach each other; its stage is one more than the latest stage of a step it waits for;
    steps within a stage, and issues within a step, in file order."""
    reach = {a: {a} for a in issues}
    changed = True
    while changed:
        changed = False
        for a, b in edges:
            new = reach[b] - reach[a]
            if new:
                reach[a] |= new
                changed = True
    o = {iid: k for k, iid in enumerate(issues)}
    step = {a: tuple(sorted((b for b in issues if b in reach[a] and a in reach[b]),
                            key=o.__getitem__)) for a in issues}
    stage: dict[tuple[str, ...], int] = {}

    def stage_of(s: tuple[str, ...]) -> int:
        if s not in stage:
            before = [step[a] for a, b in edges if b in s and step[a] != s]
            stage[s] = 1 + max((stage_of(p) for p in before), default=-1)
        return stage[s]

    steps = sorted(set(step.values()), key=lambda s: o[s[0]])
    out: list[list[list[str]]] = [[] for _ in range(1 + max(stage_of(s) for s in steps))]
    for s in steps:
        out[stage_of(s)].append(list(s))
    return out


def test_stage_steps_are_in_file_order():
    """Steps of one stage are listed in file order, whatever the graph library's order."""
    net = LinkageNetwork.build(["z", "y", "x", "w"], [("precondition", "w", "z"),
                                                      ("precondition", "y", "x"),
                                                      ("precondition", "x", "y")])
    assert net.phased_order() == [[["y", "x"], ["w"]], [["z"]]]
    assert net.phased_order() == _stages_by_definition(["z", "y", "x", "w"],
                                                       [("w", "z"), ("y", "x"), ("x", "y")])


@given(st.permutations(list("abcdefg")),
       st.lists(st.tuples(st.sampled_from("abcdefg"), st.sampled_from("abcdefg")), max_size=12))
@settings(max_examples=150, deadline=None)
def test_phased_order_equals_its_definition(issues, pairs):
    edges = [(a, b) for a, b in dict.fromkeys(pairs) if a != b]
    net = LinkageNetwork.build(issues, [("precondition", a, b) for a, b in edges])
    assert net.phased_order() == _stages_by_definition(issues, edges)


def test_summary_by_hand(small):
    """Edges grouped by kind in file order (source, then target); with b and c agreed, the
    unlocks are those of the issues still open, computed with b and c settled."""
    net = LinkageNetwork.build("zyx", [("precondition", "x", "y"), ("precondition", "x", "z"),
                                       ("blocks", "y", "z"), ("precondition", "z", "y")])
    assert net.edges_by_kind() == {"precondition": [["z", "y"], ["x", "z"], ["x", "y"]],
                                   "trade_off": [], "reinforces": [], "blocks": [["y", "z"]]}
    s = small.summary(agreed=["c", "b", "nothing-of-ours"])
    assert sorted(s) == ["deadlocks", "edges", "keystones", "phased_order", "unlocks",
                         "variable_blocks"]
    assert s["variable_blocks"] == []
    assert s["edges"] == small.edges_by_kind()
    assert s["deadlocks"] == {"cycles": [["b", "c"]], "complete": True, "groups": [["b", "c"]]}
    assert s["phased_order"] == small.phased_order() and s["keystones"] == small.keystones()
    assert s["unlocks"] == {"a": {"package": ["a"], "directly": [], "downstream": ["b", "c", "d"]},
                            "d": small.unlocks("d", ["b", "c"]),
                            "e": {"package": ["e"], "directly": ["f"], "downstream": ["f"]},
                            "f": small.unlocks("f", ["b", "c"])}


def test_reaching_centrality_is_rounded_to_six_places_and_zero_alone():
    net = LinkageNetwork.build("pqrs", [("precondition", "p", "q")])
    ks = {k["issue"]: k for k in net.keystones()}
    assert ks["p"]["reach"] == 1 and ks["p"]["reaching_centrality"] == 0.333333  # 1 of 3
    alone = LinkageNetwork.build(["only"], [])
    [only] = alone.keystones()  # no other issue to reach: 0, not a division by zero
    assert (only["issue"], only["reach"], only["reaching_centrality"]) == ("only", 0, 0.0)


def test_keystone_rows_by_hand():
    """z must come before y and x (file order z, y, x); with two issues, reaching the other
    one is a centrality of 1."""
    net = LinkageNetwork.build("zyx", [("precondition", "z", "x"), ("precondition", "z", "y")])
    top = net.keystones()[0]
    assert top == {"issue": "z", "reach": 2, "reaching_centrality": 1.0, "direct": ["y", "x"],
                   "betweenness": 1.0}  # the middle of the path x - z - y
    two = LinkageNetwork.build("ab", [("precondition", "a", "b")]).keystones()
    assert [(k["issue"], k["reaching_centrality"], k["direct"]) for k in two] == [
        ("a", 1.0, ["b"]), ("b", 0.0, [])]


def test_betweenness_is_rounded_to_six_places():
    """On the path a - b - c - d, b lies on the shortest paths a-c and a-d: 2 of the 3 pairs
    without b."""
    net = LinkageNetwork.build("abcd", [("trade_off", "a", "b"), ("trade_off", "b", "c"),
                                        ("trade_off", "c", "d")])
    assert {k["issue"]: k["betweenness"] for k in net.keystones()} == {
        "a": 0.0, "b": 0.666667, "c": 0.666667, "d": 0.0}
