"""The issue network's layout, edge routes and deadlock facts, shared by the console's
network view and the report's network figure (no Qt).

Layout (:func:`layered_layout`) is deterministic and reads left to right as a phased order:
an issue sits in a column after the issues it waits for (precondition linkages first, then
"reinforces" and "blocks" where they add no cycle), so every precondition arrow points
right; the issues of one deadlock group share a column; issues tied only by trade-offs sit
next to their partners. Rows within a column are ordered by a few barycentre sweeps, so
related issues line up. :func:`route_edges` routes every linkage between the nodes placed
(ports spread along a node's side, the gaps between a column's nodes, brackets within a
column) and :func:`edge_head` gives its arrowhead or bar.

:func:`deadlock_facts` gives the deadlock cycles and groups of a viewer's network from
:class:`peacetable.domain.analytics.network.LinkageNetwork`; where the precondition linkages
hold no cycle at all (the standard library's topological sorter finds an order), there is
no deadlock and the analysis (networkx, a few tenths of a second to import) is not loaded.
"""

from __future__ import annotations

import graphlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..domain.analytics.network import LinkageNetwork
from ..domain.scenario import Linkage, Scenario

__all__ = ["COL_GAP", "NODE_W", "ROW_GAP", "VARIABLE_PREFIX", "DeadlockFacts", "EdgeRoute",
           "deadlock_facts", "edge_head", "layered_layout", "route_edges"]

NODE_W = 250.0
COL_GAP = 400.0
ROW_GAP = 42.0
VARIABLE_PREFIX = "variable:"
"""Node ids of escalation variables (issue ids never hold a colon)."""


@dataclass(frozen=True)
class DeadlockFacts:
    """The deadlocks of a network: precondition cycles and the groups to settle together."""

    #: each a list of issue ids in edge order (precondition linkages)
    cycles: list[list[str]] = field(default_factory=list)
    #: strongly connected precondition groups of more than one issue
    groups: list[list[str]] = field(default_factory=list)
    #: False when the listing of cycles was cut at the analysis' limit
    complete: bool = True

    @property
    def deadlocked(self) -> set[str]:
        return {i for c in self.cycles for i in c}

    def cycle_edges(self) -> set[tuple[str, str]]:
        return {(a, b) for c in self.cycles for a, b in zip(c, c[1:] + c[:1])}


def deadlock_facts(net: LinkageNetwork) -> DeadlockFacts:
    """The deadlock cycles and groups of ``net`` (raises the analysis'
    :class:`~peacetable.domain.analytics.network.NetworkLimitError` for a network over its
    limits). A network whose precondition linkages have a topological order has none, and
    the analysis is not run."""
    net.check_size()
    preds: dict[str, set[str]] = {i: set() for i in net.issues}
    for kind, a, b in net.linkages:
        if kind == "precondition":
            preds[b].add(a)
    try:
        graphlib.TopologicalSorter(preds).prepare()
    except graphlib.CycleError:
        cycles, complete = net.deadlock_cycles()
        return DeadlockFacts(cycles, net.deadlock_groups(), complete)
    return DeadlockFacts()


def layered_layout(sc: Scenario, facts: Any,
                   linkages: Sequence[Linkage] | None = None) -> dict[str, tuple[int, int]]:
    """issue id -> (column, row): a deterministic layered layout (see the module doc) of
    ``linkages`` (a viewer's, from the session; default: all of the scenario's). Linkages
    from a variable test are not placed here (their variables get a column of their own).
    ``facts``: anything with the deadlock ``groups`` (lists of issue ids), e.g.
    :class:`DeadlockFacts` or the console's ``NetworkFacts``."""
    issue_links = [lk for lk in (sc.linkages if linkages is None else linkages)
                   if lk.source is not None]
    order = {i.id: k for k, i in enumerate(sc.issues)}
    group_of: dict[str, int] = {}
    for k, grp in enumerate(facts.groups):
        for i in grp:
            group_of[i] = k
    # unit = a deadlock group or a single issue
    unit_of = {i.id: (f"g{group_of[i.id]}" if i.id in group_of else i.id) for i in sc.issues}
    # the directed edges kept: each in turn, unless it closes a cycle (the standard
    # library's topological sorter says so)
    dag: dict[str, set[str]] = {u: set() for u in sorted(set(unit_of.values()))}  # -> preds
    succ: dict[str, set[str]] = {u: set() for u in dag}
    rank = {"precondition": 0, "blocks": 1, "reinforces": 2}
    for lk in sorted(issue_links, key=lambda lk: rank.get(lk.kind, 9)):
        if lk.kind not in rank:
            continue
        a, b = unit_of.get(lk.source), unit_of.get(lk.target)
        if a is None or b is None or a == b or a in dag[b]:
            continue
        dag[b].add(a)
        try:
            graphlib.TopologicalSorter(dag).prepare()
        except graphlib.CycleError:
            dag[b].discard(a)
        else:
            succ[a].add(b)
    col: dict[str, int] = {}
    for u in graphlib.TopologicalSorter(dag).static_order():
        preds = dag[u]
        col[u] = 1 + max(col[p] for p in preds) if preds else 0
    # units with no directed edge at all follow their trade-off partners
    loose = {u for u in dag if not dag[u] and not succ[u]}
    neigh: dict[str, set[str]] = {u: set() for u in dag}
    for lk in issue_links:
        a, b = unit_of.get(lk.source), unit_of.get(lk.target)
        if a and b and a != b:
            neigh[a].add(b)
            neigh[b].add(a)
    placed = {u: c for u, c in col.items() if u not in loose}
    for _ in range(len(loose) + 1):
        for u in sorted(loose - placed.keys(), key=lambda u: min(
                order[i] for i in sc.issue_by_id if unit_of[i] == u)):
            cols = sorted(placed[n] for n in neigh[u] if n in placed)
            if cols:
                placed[u] = cols[(len(cols) - 1) // 2]
    for u in loose - placed.keys():
        placed[u] = 0
    # rows: barycentre sweeps, units kept together
    members = {u: sorted((i for i in unit_of if unit_of[i] == u), key=order.__getitem__)
               for u in dag}
    ncols = max(placed.values()) + 1
    columns: list[list[str]] = [[] for _ in range(ncols)]
    for u in sorted(dag, key=lambda u: order[members[u][0]]):
        columns[placed[u]].append(u)

    def pos_of() -> dict[str, float]:
        out = {}
        for units in columns:
            total = sum(len(members[u]) for u in units)
            r = 0
            for u in units:
                for _ in members[u]:
                    r += 1
                out[u] = (r - len(members[u]) / 2 - total / 2)
        return out

    for sweep in range(6):
        p = pos_of()
        seq = range(ncols) if sweep % 2 == 0 else range(ncols - 1, -1, -1)
        for c in seq:
            def bary(u: str, p: dict[str, float] = p, c: int = c) -> tuple[float, int]:
                ns = [p[n] for n in neigh[u] if placed[n] != c]
                return (sum(ns) / len(ns) if ns else p[u], order[members[u][0]])
            columns[c].sort(key=bary)
            p = pos_of()
    # then adjacent swaps while they shorten the edges: same-column links cost most
    # (they must be routed around the column), links across columns cost their slope
    links = [(a, b) for a in neigh for b in neigh[a] if a < b]

    def cost() -> float:
        p = pos_of()
        total = 0.0
        for a, b in links:
            d = abs(p[a] - p[b])
            total += 3.0 * max(0.0, d - 1.0) if placed[a] == placed[b] else d
        return total

    best = cost()
    for _ in range(50):
        improved = False
        for units in columns:
            for k in range(len(units) - 1):
                units[k], units[k + 1] = units[k + 1], units[k]
                c2 = cost()
                if c2 < best - 1e-9:
                    best = c2
                    improved = True
                else:
                    units[k], units[k + 1] = units[k + 1], units[k]
        if not improved:
            break
    out: dict[str, tuple[int, int]] = {}
    for c, units in enumerate(columns):
        r = 0
        for u in units:
            for i in members[u]:
                out[i] = (c, r)
                r += 1
    return out


# --------------------------------------------------------------------------- edges

Point = tuple[float, float]


@dataclass(frozen=True)
class EdgeRoute:
    """Where a linkage is drawn: from ``start`` through ``segments`` (``("C", c1, c2, p)``
    a cubic curve to ``p``, ``("L", p)`` a straight line to ``p``), arriving at ``end``
    from the direction of ``ctrl``."""

    source: str
    target: str
    linkage: Linkage
    #: a precondition linkage on a deadlock cycle
    deadlock: bool
    start: Point
    segments: tuple[tuple[Any, ...], ...]
    end: Point
    ctrl: Point


def route_edges(layout: dict[str, tuple[int, int]], pos: dict[str, Point],
                links: Sequence[Linkage], cycle_edges: set[tuple[str, str]],
                node_w: float, col_gap: float, h: float) -> list[EdgeRoute]:
    """Every linkage in ``links`` between nodes placed at ``pos`` (centres; ``layout``
    gives their columns and rows; nodes ``node_w`` wide and ``h`` high, columns
    ``col_gap`` apart), routed as the network view draws it. Edges leave a node from the
    side facing the other end and arrive on the facing side, at ports spread along that
    side (ordered by where the other end is, so edges do not cross at a node); edges
    spanning several columns pass each column in the gap between two nodes; edges within
    one column go round the column's free side as a bracket. A linkage from a variable
    test gives one edge from each variable it reads (``VARIABLE_PREFIX`` + its id)."""
    ncols = max(c for c, _r in layout.values()) + 1 if layout else 0
    col_ys: dict[int, list[float]] = {}
    for iid, (c, _r) in layout.items():
        col_ys.setdefault(c, []).append(pos[iid][1])
    for ys in col_ys.values():
        ys.sort()
    edges: list[tuple[str, str, Linkage]] = []
    for lk in links:
        if lk.source is not None:
            edges.append((lk.source, lk.target, lk))
        else:
            edges += [(VARIABLE_PREFIX + v, lk.target, lk) for v in sorted(lk.variables)]
    edges = [e for e in edges if e[0] in pos and e[1] in pos]
    pairs = {(a, b) for a, b, _ in edges}
    # sides: +1 right, -1 left
    plan = []
    ports: dict[tuple[str, int], list[tuple[float, int, str]]] = {}
    for k, (src, dst, _lk) in enumerate(edges):
        ca, cb = layout[src][0], layout[dst][0]
        if ca == cb:
            side = -1 if ca == 0 or ca < ncols - 1 else 1
            sa = sb = side
        else:
            sa = 1 if cb > ca else -1
            sb = -sa
        plan.append((sa, sb))
        ports.setdefault((src, sa), []).append((pos[dst][1], k, "a"))
        ports.setdefault((dst, sb), []).append((pos[src][1], k, "b"))
    offset: dict[tuple[int, str], float] = {}
    for lst in ports.values():
        lst.sort()
        m = len(lst)
        step = min(24.0, 0.75 * h / max(m, 1))
        for j, (_y, k, end) in enumerate(lst):
            offset[(k, end)] = (j - (m - 1) / 2) * step

    def gap_y(ys: list[float], y: float) -> float:
        """The y of the free lane in a column (between two nodes, above or below them)
        nearest to ``y``."""
        if not ys:
            return y
        lanes = [ys[0] - (h + ROW_GAP) / 2] + [(u + v) / 2 for u, v in zip(ys, ys[1:])] + \
            [ys[-1] + (h + ROW_GAP) / 2]
        return min(lanes, key=lambda g: (abs(g - y), g))

    def s_curve(p0: Point, p1: Point) -> tuple[Any, ...]:
        """A smooth S-curve from ``p0`` to ``p1`` leaving and arriving horizontally."""
        dx = (p1[0] - p0[0]) / 2
        return ("C", (p0[0] + dx, p0[1]), (p1[0] - dx, p1[1]), p1)

    out = []
    for k, (src, dst, lk) in enumerate(edges):
        (ax, ay), (bx, by) = pos[src], pos[dst]
        sa, sb = plan[k]
        gap_end = 8.0 if lk.kind != "trade_off" else 2.0
        p0 = (ax + sa * (node_w / 2 + 2), ay + offset[(k, "a")])
        p3 = (bx + sb * (node_w / 2 + gap_end), by + offset[(k, "b")])
        ca, cb = layout[src][0], layout[dst][0]
        segs: list[tuple[Any, ...]] = []
        if ca == cb:
            rows = abs(layout[src][1] - layout[dst][1])
            depth = 40.0 + 30.0 * rows
            if (dst, src) in pairs and src > dst:
                depth += 40.0
            c2 = (p3[0] + sa * depth, p3[1])
            segs.append(("C", (p0[0] + sa * depth, p0[1]), c2, p3))
            ctrl = c2
        else:
            step = 1 if cb > ca else -1
            cur = p0
            for c in range(ca + step, cb, step):
                t = (c - ca) / (cb - ca)
                gy = gap_y(col_ys.get(c, []), p0[1] + t * (p3[1] - p0[1]))
                x = c * col_gap
                w_in = (x - step * (node_w / 2 + 12), gy)
                w_out = (x + step * (node_w / 2 + 12), gy)
                segs.append(s_curve(cur, w_in))
                segs.append(("L", w_out))
                cur = w_out
            segs.append(s_curve(cur, p3))
            ctrl = (p3[0] + sb * 40.0, p3[1])
        out.append(EdgeRoute(src, dst, lk, lk.kind == "precondition" and (src, dst) in cycle_edges,
                             p0, tuple(segs), p3, ctrl))
    return out


def edge_head(kind: str, end: Point, ctrl: Point, deadlock: bool) -> list[Point]:
    """The polygon at the end of a linkage arriving at ``end`` from ``ctrl``'s direction: an
    arrowhead (precondition, reinforces), a bar (blocks), or none (trade-off)."""
    tx, ty = end[0] - ctrl[0], end[1] - ctrl[1]
    tl = math.hypot(tx, ty) or 1.0
    ux, uy = tx / tl, ty / tl
    if kind in ("precondition", "reinforces"):
        size = 24.0 if deadlock else 18.0
        back = (end[0] - ux * size, end[1] - uy * size)
        return [end, (back[0] - uy * size * 0.5, back[1] + ux * size * 0.5),
                (back[0] + uy * size * 0.5, back[1] - ux * size * 0.5)]
    if kind == "blocks":
        half = 13.0
        return [(end[0] - uy * half, end[1] + ux * half), (end[0] + uy * half, end[1] - ux * half),
                (end[0] + uy * half - ux * 5, end[1] - ux * half - uy * 5),
                (end[0] - uy * half - ux * 5, end[1] + ux * half - uy * 5)]
    return []
