"""Linkage analytics on large networks: same answers as the definitions, and a clear refusal
above the documented size (speed: bench/bench_loader.py)."""

from __future__ import annotations

import networkx as nx
import pytest
from generated_scenarios import ring_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from peacetable.app.analysis import analyze_path
from peacetable.domain.analytics.network import (
    MAX_BETWEENNESS_WORK,
    MAX_ISSUES,
    LinkageNetwork,
    NetworkLimitError,
)


def _reference_unlocks(net: LinkageNetwork, issue: str, agreed) -> dict[str, list[str]]:
    """What ``unlocks`` promises, computed from its definition with networkx calls."""
    g = net.precondition_graph()
    o = net.order
    groups = {m: sorted(c, key=o.__getitem__)
              for c in nx.strongly_connected_components(g) for m in c}
    before = set(agreed)
    package = groups[issue]
    after = before | set(package)
    directly = []
    seen: set[str] = set()
    for iid in net.issues:
        if iid in seen or iid in after:
            continue
        step = groups[iid]
        seen.update(step)
        outside = set().union(*(set(g.predecessors(m)) for m in step)) - set(step)
        if outside and outside <= after and not outside <= before:
            directly.extend(m for m in step if m not in after)
    down = set().union(*(nx.descendants(g, m) for m in package)) - set(package)
    return {"package": package, "directly": sorted(directly, key=o.__getitem__),
            "downstream": sorted(down, key=o.__getitem__)}


graphs = st.integers(2, 9).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.sampled_from(["precondition", "precondition", "trade_off", "blocks"]),
                       st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
    st.lists(st.integers(0, n - 1), max_size=3)))


@given(graphs)
@settings(max_examples=150, deadline=None)
def test_reach_and_unlocks_match_their_definitions(spec):
    n, edges, agreed_ix = spec
    issues = [f"i{k}" for k in range(n)]
    links = [(k, issues[a], issues[b]) for k, a, b in edges if a != b]
    net = LinkageNetwork.build(issues, links)
    g = net.precondition_graph()
    groups = {m: set(c) for c in nx.strongly_connected_components(g) for m in c}
    rows = {r["issue"]: r for r in net.keystones()}
    for iid in issues:
        assert rows[iid]["reach"] == len(nx.descendants(g, iid) - groups[iid])
    agreed = [issues[k] for k in agreed_ix]
    for iid in issues:
        assert net.unlocks(iid, agreed) == _reference_unlocks(net, iid, agreed)


def test_a_400_issue_precondition_cycle_is_one_package():
    n = 400
    issues = [f"i{k:03d}" for k in range(n)]
    net = LinkageNetwork.build(issues, [("precondition", issues[k], issues[(k + 1) % n])
                                        for k in range(n)])
    s = net.summary()
    assert s["deadlocks"]["cycles"] == [issues] and s["deadlocks"]["complete"]
    assert s["deadlocks"]["groups"] == [issues]
    assert s["phased_order"] == [[issues]]
    assert all(r["reach"] == 0 for r in s["keystones"])
    assert n * (n + n) <= MAX_BETWEENNESS_WORK  # betweenness still computed here
    assert all(r["betweenness"] is not None for r in s["keystones"])
    assert s["unlocks"]["i000"]["package"] == issues


def test_betweenness_is_left_out_above_its_work_bound_not_guessed():
    n = 1000
    issues = [f"i{k:04d}" for k in range(n)]
    net = LinkageNetwork.build(issues, [("precondition", issues[k], issues[k + 1])
                                        for k in range(n - 1)])
    rows = net.keystones()
    assert all(r["betweenness"] is None for r in rows)
    assert [r["reach"] for r in rows[:3]] == [999, 998, 997]  # a chain: by reach alone


def test_a_network_above_the_limit_is_refused_with_a_message(tmp_path):
    issues = [f"i{k}" for k in range(MAX_ISSUES + 1)]
    net = LinkageNetwork.build(issues, [])
    with pytest.raises(NetworkLimitError, match="2,001 issues"):
        net.summary()
    path = tmp_path / "ring.toml"
    path.write_text(ring_scenario(MAX_ISSUES + 1), encoding="utf-8")
    report, text = analyze_path(path)
    assert report["network"]["status"] == "refused"
    assert "limited to 2,000 issues" in report["network"]["reason"]
    # nor are the bargaining points (2^2001 packages), said in digits a person reads
    assert report["bargaining"]["status"] == "refused"
    assert "about 10^602" in report["bargaining"]["reason"]
    assert "Linkage network\n  Refused: the linkage network has 2,001 issues" in text
