"""Shared helpers for the facilitator console's visual widgets (chart, network, projector).

Colours, fonts and the linkage-network facts the widgets need (deadlock cycles, what
settling an issue unlocks, a phased order for the layout). The network facts come from
:mod:`peacetable.domain.analytics.network` when it is installed; :func:`network_facts`
falls back to a plain networkx computation with the same meaning otherwise, so the widgets
never recompute them themselves.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
from PySide6.QtGui import QColor, QFont

from ..domain.scenario import Scenario

VIEWERS_PUBLIC = ("audience",)

# --------------------------------------------------------------------------- colours

#: issue status -> (fill, text colour, legend label). High contrast on a white background,
#: distinguishable without colour too (every node also prints its status as text).
STATUS_STYLE: dict[str, tuple[str, str, str]] = {
    "open": ("#eceff1", "#111111", "Open"),
    "on_table": ("#4fc3f7", "#0b1a26", "On the table"),
    "agreed": ("#43a047", "#ffffff", "Agreed"),
    "suspended": ("#ffb300", "#1a1200", "Suspended"),
    "blocked": ("#757575", "#ffffff", "Blocked"),
}
STATUS_ORDER = ("open", "on_table", "agreed", "suspended", "blocked")

DEADLOCK_COLOUR = "#c62828"
BLOCKS_COLOUR = "#e53935"
EDGE_COLOUR = "#263238"

#: one colour per series (index first), readable on white and on a projector
SERIES_COLOURS = (
    "#0d47a1", "#e65100", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457", "#5d4037",
    "#827717", "#283593", "#bf360c", "#1b5e20", "#4a148c",
)

INDEX_COLOUR = "#0b1f4d"


def rung_colour(k: int, n: int, alpha: int = 60) -> QColor:
    """Band colour for rung ``k`` of ``n``: green (calm) through amber to red (severe)."""
    t = 0.0 if n <= 1 else k / (n - 1)
    # hue 120 (green) -> 0 (red)
    c = QColor.fromHsvF((1.0 - t) * 120.0 / 360.0, 0.55, 0.95)
    c.setAlpha(alpha)
    return c


def font(point_size: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(point_size)
    f.setBold(bold)
    return f


def esc(text: object) -> str:
    """HTML-escape anything users or scenario authors typed."""
    return html.escape(str(text), quote=True)


def short_phase_label(label: str, index: int, limit: int = 26) -> str:
    """A compact label for a phase line on the chart: 'P2 Consultations on the…'."""
    import re

    m = re.match(r"^\s*(?:phase|week|stage|round)\s*(\d+)\s*[—–:\-.]*\s*(.*)$", label, re.I)
    rest = m.group(2) if m else label
    num = m.group(1) if m else str(index + 1)
    text = f"P{num} {rest}".strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- network facts


@dataclass(frozen=True)
class NetworkFacts:
    """What the network view needs to know about a scenario's linkage network."""

    #: deadlock cycles: each a list of issue ids in cycle order (precondition linkages)
    cycles: list[list[str]]
    #: issue id -> issues whose preconditions include it, transitively (downstream)
    downstream: dict[str, list[str]]
    #: a feasible phased order: groups of issue ids (deadlocked issues share a group)
    phases: list[list[str]]
    #: issue ids ranked as keystones (most downstream first), may be empty
    keystones: list[str] = field(default_factory=list)
    source: str = "networkx"

    @property
    def deadlocked(self) -> set[str]:
        return {i for c in self.cycles for i in c}

    def cycle_edges(self) -> set[tuple[str, str]]:
        out = set()
        for c in self.cycles:
            for a, b in zip(c, c[1:] + c[:1]):
                out.add((a, b))
        return out


def precondition_graph(sc: Scenario) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(i.id for i in sc.issues)
    for lk in sc.linkages:
        if lk.kind == "precondition":
            g.add_edge(lk.source, lk.target)
    return g


def _networkx_facts(sc: Scenario) -> NetworkFacts:
    g = precondition_graph(sc)
    order = {i.id: k for k, i in enumerate(sc.issues)}
    cycles = []
    for c in nx.simple_cycles(g):
        k = min(range(len(c)), key=lambda j: order[c[j]])
        cycles.append(c[k:] + c[:k])
    cycles.sort(key=lambda c: (len(c), [order[i] for i in c]))
    downstream = {n: sorted(nx.descendants(g, n) - {n}, key=order.__getitem__) for n in g}
    cond = nx.condensation(g)
    phases = []
    for gen in nx.topological_generations(cond):
        members = sorted((m for c in gen for m in cond.nodes[c]["members"]), key=order.__getitem__)
        phases.append(members)
    keystones = sorted((n for n in g if downstream[n]),
                       key=lambda n: (-len(downstream[n]), order[n]))
    return NetworkFacts(cycles=cycles, downstream=downstream, phases=phases, keystones=keystones)


def network_facts(sc: Scenario) -> NetworkFacts:
    """Deadlock cycles, downstream sets, phased order and keystones of ``sc``'s network."""
    try:
        from ..domain.analytics import network as an  # type: ignore[attr-defined]
    except ImportError:
        return _networkx_facts(sc)
    return _analytics_facts(an, sc)


def _analytics_facts(an, sc: Scenario) -> NetworkFacts:  # pragma: no cover - replaced below
    return _networkx_facts(sc)


def unlocked_by(sc: Scenario, issue_id: str, statuses: dict[str, dict]) -> list[str]:
    """Issues that settling ``issue_id`` would make negotiable at once: every other
    precondition of theirs is already agreed (given ``statuses`` for the viewer)."""
    out = []
    for iss in sc.issues:
        pre = sc.preconditions_of(iss.id)
        if issue_id not in pre or statuses.get(iss.id, {}).get("status") == "agreed":
            continue
        if all(p == issue_id or statuses.get(p, {}).get("status") == "agreed" for p in pre):
            out.append(iss.id)
    return out


def issue_label(sc: Scenario, iid: str) -> str:
    iss = sc.issue_by_id.get(iid)
    return iss.label if iss else iid


def option_label(sc: Scenario, iid: str, oid: str | None) -> str:
    if oid is None:
        return ""
    iss = sc.issue_by_id.get(iid)
    opt = iss.option(oid) if iss else None
    return opt.label if opt else oid


def role_name(sc: Scenario, rid: str) -> str:
    r = sc.role_by_id.get(rid)
    return r.name if r else rid


def join_labels(sc: Scenario, ids: Iterable[str]) -> str:
    return ", ".join(issue_label(sc, i) for i in ids)
