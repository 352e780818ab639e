"""Linkage network analytics with networkx: deadlocks, keystones, a phased order, unlocks.

Issues are nodes; the scenario's linkages are typed edges ``source -> target``:
``precondition`` (source must be settled before target), ``trade_off``, ``reinforces`` and
``blocks``. The models (see ``docs/analytics.md``):

* **Deadlocks** are cycles of the precondition subgraph (``networkx.simple_cycles``), each
  named issue by issue and written starting from its alphabetically first issue, in edge
  direction (``[a, b, c]`` means a -> b -> c -> a). Strongly connected components group them:
  every component of more than one issue must be settled *as one package* (the engine lets
  a proposal settle an issue together with its preconditions) -- the role of a framework
  agreement.
* **Phased order**: the condensation of the precondition graph (each component contracted to
  one node) is acyclic; its topological generations are the stages. Stage 1 holds the steps
  with no unsettled precondition, stage k the steps whose preconditions all lie in earlier
  stages. Within a stage, steps are listed in file order (deterministic).
* **Keystones**: ranked by *reach* -- the number of issues downstream of an issue in the
  precondition graph (outside its own deadlock group), i.e. what its settlement (with its
  package) eventually unlocks. This is the local reaching centrality of Mones, Vicsek &
  Vicsek (2012) scaled by ``n - 1``, with the issue's own group left out. We use it
  rather than betweenness because the exercise question is "what does settling X make
  possible", a directed, precondition-only property; betweenness centrality on the whole
  (undirected, all-kinds) network is reported alongside as a "broker" measure and breaks ties.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx

    from ..scenario import Scenario


def _nx() -> Any:
    """networkx, imported on first use (it takes a few tenths of a second to import, and
    the console imports this module while it starts)."""
    import networkx

    return networkx

MAX_CYCLES = 1000
"""Most precondition cycles listed; a report says when the list was cut (never silently)."""

KINDS = ("precondition", "trade_off", "reinforces", "blocks")


@dataclass(frozen=True)
class LinkageNetwork:
    """Issues (in file order) and typed linkages ``(kind, source, target)``."""

    issues: tuple[str, ...]
    linkages: tuple[tuple[str, str, str], ...]

    @classmethod
    def from_scenario(cls, sc: Scenario) -> LinkageNetwork:
        return cls(tuple(i.id for i in sc.issues),
                   tuple((lk.kind, lk.source, lk.target) for lk in sc.linkages))

    @classmethod
    def build(cls, issues: Sequence[str],
              linkages: Iterable[tuple[str, str, str]]) -> LinkageNetwork:
        issues = tuple(issues)
        links = tuple(linkages)
        known = set(issues)
        for kind, a, b in links:
            if kind not in KINDS:
                raise ValueError(f"unknown linkage kind '{kind}' (expected one of: "
                                 f"{', '.join(KINDS)})")
            for x in (a, b):
                if x not in known:
                    raise ValueError(f"linkage names unknown issue '{x}'")
        return cls(issues, links)

    # ------------------------------------------------------------------ graphs
    @property
    def order(self) -> dict[str, int]:
        return {iid: k for k, iid in enumerate(self.issues)}

    def precondition_graph(self) -> networkx.DiGraph:
        """Directed graph of the precondition edges over all issues."""
        g = _nx().DiGraph()
        g.add_nodes_from(self.issues)
        g.add_edges_from((a, b) for kind, a, b in self.linkages if kind == "precondition")
        return g

    def whole_graph(self) -> networkx.Graph:
        """Undirected simple graph of all linkages (any kind)."""
        g = _nx().Graph()
        g.add_nodes_from(self.issues)
        g.add_edges_from((a, b) for _, a, b in self.linkages)
        return g

    def preconditions_of(self, issue: str) -> list[str]:
        return sorted({a for kind, a, b in self.linkages if kind == "precondition" and b == issue},
                      key=self.order.__getitem__)

    # ------------------------------------------------------------------ deadlocks
    def deadlock_cycles(self, limit: int = MAX_CYCLES) -> tuple[list[list[str]], bool]:
        """(cycles, complete): every precondition cycle, rotated to start at its
        alphabetically first issue, sorted by length then names; ``complete`` is False when
        more than ``limit`` cycles exist and the list was cut."""
        out: list[list[str]] = []
        complete = True
        for cyc in _nx().simple_cycles(self.precondition_graph()):
            if len(out) >= limit:
                complete = False
                break
            out.append(normalise_cycle(cyc))
        out.sort(key=lambda c: (len(c), c))
        return out, complete

    def deadlock_groups(self) -> list[list[str]]:
        """Strongly connected components with more than one issue (members in file order),
        ordered by their first member's position in the file."""
        o = self.order
        sccs = _nx().strongly_connected_components(self.precondition_graph())
        groups = [sorted(c, key=o.__getitem__) for c in sccs if len(c) > 1]
        return sorted(groups, key=lambda g: o[g[0]])

    # ------------------------------------------------------------------ phased order
    def phased_order(self) -> list[list[list[str]]]:
        """Stages of steps; a step is one issue or a deadlock group settled as a package.

        Topological generations of the condensation of the precondition graph."""
        nx = _nx()
        g = self.precondition_graph()
        o = self.order
        cond = nx.condensation(g)
        members = {n: sorted(cond.nodes[n]["members"], key=o.__getitem__) for n in cond.nodes}
        stages = []
        for gen in nx.topological_generations(cond):
            steps = sorted((members[n] for n in gen), key=lambda m: o[m[0]])
            stages.append(steps)
        return stages

    # ------------------------------------------------------------------ keystones
    def keystones(self) -> list[dict[str, Any]]:
        """Every issue with its reach (issues downstream in the precondition graph, not
        counting the rest of its own deadlock group, which is settled with it), reaching
        centrality (reach / (n - 1)), direct dependants and betweenness on the whole network;
        ranked by reach, then betweenness, then file order."""
        nx = _nx()
        g = self.precondition_graph()
        o = self.order
        n = len(self.issues)
        btw = nx.betweenness_centrality(self.whole_graph(), normalized=True)
        rows = []
        group = {m: set(grp) for grp in self.deadlock_groups() for m in grp}
        for iid in self.issues:
            down = nx.descendants(g, iid) - group.get(iid, set())
            rows.append({
                "issue": iid,
                "reach": len(down),
                "reaching_centrality": round(len(down) / (n - 1), 6) if n > 1 else 0.0,
                "direct": sorted(g.successors(iid), key=o.__getitem__),
                "betweenness": round(btw[iid], 6),
            })
        rows.sort(key=lambda r: (-r["reach"], -r["betweenness"], o[r["issue"]]))
        return rows

    # ------------------------------------------------------------------ unlocks
    def unlocks(self, issue: str, agreed: Iterable[str] = ()) -> dict[str, list[str]]:
        """What settling ``issue`` -- with the rest of its deadlock group, which must be settled
        in the same package -- unlocks, given the issues already ``agreed``.

        ``package``: the issues settled together. ``directly``: the issues of every step (an
        issue, or a deadlock group as one package) not yet agreed whose preconditions from
        outside the step were not all settled before and all are after. ``downstream``: every
        issue downstream of the package in the precondition graph."""
        if issue not in self.order:
            raise ValueError(f"unknown issue '{issue}'")
        nx = _nx()
        g = self.precondition_graph()
        o = self.order
        before = set(agreed)
        groups = {m: grp for grp in self.deadlock_groups() for m in grp}
        package = groups.get(issue, [issue])
        after = before | set(package)
        directly: list[str] = []
        seen: set[str] = set()
        for iid in self.issues:
            if iid in seen or iid in after:
                continue
            step = groups.get(iid, [iid])
            seen.update(step)
            outside = set().union(*(set(g.predecessors(m)) for m in step)) - set(step)
            if outside and outside <= after and not outside <= before:
                directly.extend(m for m in step if m not in after)
        down = set().union(*(nx.descendants(g, m) for m in package)) - set(package)
        return {"package": list(package), "directly": sorted(directly, key=o.__getitem__),
                "downstream": sorted(down, key=o.__getitem__)}

    def edges_by_kind(self) -> dict[str, list[list[str]]]:
        o = self.order
        out: dict[str, list[list[str]]] = {k: [] for k in KINDS}
        for kind, a, b in self.linkages:
            out[kind].append([a, b])
        for k in out:
            out[k].sort(key=lambda e: (o[e[0]], o[e[1]]))
        return out

    def summary(self, agreed: Iterable[str] = ()) -> dict[str, Any]:
        """A JSON-ready summary (stable order)."""
        cycles, complete = self.deadlock_cycles()
        agreed_list = [i for i in self.issues if i in set(agreed)]
        return {
            "edges": self.edges_by_kind(),
            "deadlocks": {"cycles": cycles, "complete": complete,
                          "groups": self.deadlock_groups()},
            "phased_order": self.phased_order(),
            "keystones": self.keystones(),
            "unlocks": {iid: self.unlocks(iid, agreed_list) for iid in self.issues
                        if iid not in set(agreed_list)},
        }


def normalise_cycle(cycle: Sequence[str]) -> list[str]:
    """Rotate a cycle (kept in edge direction) to start at its alphabetically first issue."""
    c = list(cycle)
    k = c.index(min(c))
    return c[k:] + c[:k]

