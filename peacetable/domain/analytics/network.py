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

A ``blocks`` linkage from a test on escalation variables (``while``) is not an edge between
issues: no package settles a variable, so it adds no deadlock, no stage of the phased order
and no reach. The summary lists such blocks apart (``variable_blocks``: the issue, and the
test in words), so a reader of the phased order sees which steps also wait for the
situation to calm.

A network is built for a viewer (:meth:`LinkageNetwork.from_scenario`): from the linkages
that viewer knows of, so that a linkage known to some roles only changes no deadlock, order
or keystone shown to anyone else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
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
"""Most precondition cycles listed; a report says when the list was cut (never silently).
Johnson's algorithm spends at most O(issues + linkages) between two cycles, so the listing
is bounded by this count times the size of the network."""

MAX_ISSUES = 2000
MAX_LINKAGES = 20_000
"""Largest network analysed (issues, linkages); above either, :class:`NetworkLimitError`."""

MAX_BETWEENNESS_WORK = 500_000
"""Betweenness (Brandes, O(issues x (issues + linkages))) is computed when issues x (issues +
linkages) is at most this (a 400-issue ring is 320,000: about two seconds); above it the
broker measure is reported as not computed and keystones are ranked by reach alone."""


class NetworkLimitError(ValueError):
    """The network is larger than the documented limits; the message says which."""

KINDS = ("precondition", "trade_off", "reinforces", "blocks")


@dataclass(frozen=True)
class LinkageNetwork:
    """Issues (in file order) and typed linkages ``(kind, source, target)``."""

    issues: tuple[str, ...]
    linkages: tuple[tuple[str, str, str], ...]
    #: blocks from a variable test: (issue, option or None, the test in words, variables)
    variable_blocks: tuple[tuple[str, str | None, str, tuple[str, ...]], ...] = ()

    @classmethod
    def from_scenario(cls, sc: Scenario, viewer: str = "control") -> LinkageNetwork:
        """The network of the linkages ``viewer`` knows of (control: all of them)."""
        links = sc.linkages_for(viewer)
        return cls(tuple(i.id for i in sc.issues),
                   tuple((lk.kind, lk.source, lk.target) for lk in links
                         if lk.source is not None),
                   tuple((lk.target, lk.to_option, lk.condition.typed().describe(sc),
                          tuple(sorted(lk.variables)))
                         for lk in links if lk.condition is not None))

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

    def check_size(self) -> None:
        """Raise :class:`NetworkLimitError` when the network exceeds the documented limits."""
        if len(self.issues) > MAX_ISSUES or len(self.linkages) > MAX_LINKAGES:
            raise NetworkLimitError(
                f"the linkage network has {len(self.issues):,} issues and "
                f"{len(self.linkages):,} linkages; its analysis is limited to {MAX_ISSUES:,} "
                f"issues and {MAX_LINKAGES:,} linkages")

    # ------------------------------------------------------------------ graphs
    @cached_property
    def order(self) -> dict[str, int]:
        return {iid: k for k, iid in enumerate(self.issues)}

    @cached_property
    def _steps(self) -> tuple[dict[str, int], list[list[str]], list[int], list[set[str]]]:
        """The condensation of the precondition graph, computed once: (issue -> step number,
        members of each step in file order, bitmask of the issues downstream of each step
        (bit k = k-th issue in file order), issues outside each step that precede it)."""
        nx = _nx()
        self.check_size()
        o = self.order
        cond = nx.condensation(self.precondition_graph())
        members = [sorted(cond.nodes[c]["members"], key=o.__getitem__) for c in range(len(cond))]
        step_of = {m: c for c in range(len(cond)) for m in members[c]}
        mask = [sum(1 << o[m] for m in members[c]) for c in range(len(cond))]
        down = [0] * len(cond)
        for c in reversed(list(nx.topological_sort(cond))):
            acc = 0
            for s in cond.successors(c):
                acc |= mask[s] | down[s]
            down[c] = acc
        outside: list[set[str]] = [set() for _ in members]
        for kind, a, b in self.linkages:
            if kind == "precondition" and step_of[a] != step_of[b]:
                outside[step_of[b]].add(a)
        return step_of, members, down, outside

    def _issues_in(self, bits: int) -> list[str]:
        """Issues of a bitmask, in file order."""
        out = []
        k = 0
        while bits:
            low = bits & -bits
            k = low.bit_length() - 1
            out.append(self.issues[k])
            bits ^= low
        return out

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

    # ------------------------------------------------------------------ deadlocks
    def deadlock_cycles(self, limit: int = MAX_CYCLES) -> tuple[list[list[str]], bool]:
        """(cycles, complete): every precondition cycle, rotated to start at its
        alphabetically first issue, sorted by length then names; ``complete`` is False when
        more than ``limit`` cycles exist and the list was cut."""
        self.check_size()
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
        groups = [list(m) for m in self._steps[1] if len(m) > 1]
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
        step_of, _, down, _ = self._steps
        whole = self.whole_graph()
        if n * (n + whole.number_of_edges()) <= MAX_BETWEENNESS_WORK:
            btw: dict[str, float] | None = nx.betweenness_centrality(whole, normalized=True)
        else:
            btw = None
        rows = []
        for iid in self.issues:
            reach = down[step_of[iid]].bit_count()
            rows.append({
                "issue": iid,
                "reach": reach,
                "reaching_centrality": round(reach / (n - 1), 6) if n > 1 else 0.0,
                "direct": sorted(g.successors(iid), key=o.__getitem__),
                "betweenness": None if btw is None else round(btw[iid], 6),
            })
        rows.sort(key=lambda r: (-r["reach"], -(r["betweenness"] or 0.0), o[r["issue"]]))
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
        o = self.order
        step_of, members, down, outside = self._steps
        before = set(agreed)
        package = members[step_of[issue]]
        after = before | set(package)
        directly: list[str] = []
        for c, step in enumerate(members):
            rest = [m for m in step if m not in after]
            if not rest:
                continue
            out = outside[c]
            if out and out <= after and not out <= before:
                directly.extend(rest)
        return {"package": list(package), "directly": sorted(directly, key=o.__getitem__),
                "downstream": self._issues_in(down[step_of[issue]])}

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
            "variable_blocks": [{"to": iid, "to_option": opt, "while": text,
                                 "variables": list(vs)}
                                for iid, opt, text, vs in self.variable_blocks],
        }


def normalise_cycle(cycle: Sequence[str]) -> list[str]:
    """Rotate a cycle (kept in edge direction) to start at its alphabetically first issue."""
    c = list(cycle)
    k = c.index(min(c))
    return c[k:] + c[:k]

