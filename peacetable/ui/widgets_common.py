"""Shared helpers for the facilitator console's visual widgets (chart, network, projector).

Colours, fonts and the linkage-network facts the widgets need (deadlock cycles, what
settling an issue unlocks, a phased order for the layout). The network facts come from
:mod:`peacetable.domain.analytics.network` (:func:`network_facts`): the widgets never
recompute deadlocks, phased orders or unlocks themselves.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field

from PySide6.QtGui import QColor, QFont

# the tables are shared with the report's figures (no Qt there): peacetable.app.palette
from ..app.palette import (  # noqa: F401
    BLOCKS_COLOUR,
    DEADLOCK_COLOUR,
    EDGE_COLOUR,
    INDEX_COLOUR,
    SERIES_COLOURS,
    STATUS_ORDER,
    STATUS_STYLE,
    rung_rgb,
    short_phase_label,
)
from ..domain.analytics.network import LinkageNetwork
from ..domain.scenario import Scenario

# --------------------------------------------------------------------------- colours


def rung_colour(k: int, n: int, alpha: int = 60) -> QColor:
    """Band colour for rung ``k`` of ``n`` (:func:`peacetable.app.palette.rung_rgb`)."""
    return QColor(*rung_rgb(k, n, alpha))


def font(point_size: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(point_size)
    f.setBold(bold)
    return f


def esc(text: object) -> str:
    """HTML-escape anything users or scenario authors typed."""
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------- network facts


@dataclass(frozen=True)
class NetworkFacts:
    """What the network view needs to know about a scenario's linkage network, read from
    :class:`peacetable.domain.analytics.network.LinkageNetwork` (never recomputed here)."""

    net: LinkageNetwork
    #: deadlock cycles: each a list of issue ids in edge order (precondition linkages)
    cycles: list[list[str]]
    #: issues that must be settled together (strongly connected precondition groups)
    groups: list[list[str]]
    #: issue id -> issues downstream of it (what its settlement eventually unlocks)
    downstream: dict[str, list[str]]
    #: a feasible phased order: stages of steps, each step one issue or a deadlock group
    phases: list[list[list[str]]]
    #: issue ids with a non-empty reach, most downstream first
    keystones: list[str] = field(default_factory=list)
    complete: bool = True

    @property
    def deadlocked(self) -> set[str]:
        return {i for c in self.cycles for i in c}

    def cycle_edges(self) -> set[tuple[str, str]]:
        out = set()
        for c in self.cycles:
            for a, b in zip(c, c[1:] + c[:1]):
                out.add((a, b))
        return out

    def unlocks(self, issue: str, agreed: Iterable[str]) -> dict[str, list[str]]:
        """``package`` settled with ``issue``, issues it unlocks ``directly`` given the
        ``agreed`` ones, and every issue ``downstream``."""
        return self.net.unlocks(issue, agreed)


def network_facts(sc: Scenario, net: LinkageNetwork | None = None) -> NetworkFacts:
    """Deadlock cycles, groups, downstream sets, phased order and keystones of ``net`` (a
    viewer's network from ``Session.linkage_network``; default: every linkage of ``sc``)."""
    net = LinkageNetwork.from_scenario(sc) if net is None else net
    cycles, complete = net.deadlock_cycles()
    keys = net.keystones()
    return NetworkFacts(
        net=net,
        cycles=cycles,
        groups=net.deadlock_groups(),
        downstream={iid: net.unlocks(iid)["downstream"] for iid in net.issues},
        phases=net.phased_order(),
        keystones=[r["issue"] for r in keys if r["reach"] > 0],
        complete=complete,
    )


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


# --------------------------------------------------------------------------- texts


def visible_texts(root) -> list[str]:
    """Every text a widget tree can show: window titles, tooltips, labels, buttons, list,
    table and tree items, text documents, and the texts of every graphics item in every
    graphics view (pyqtgraph plots included). Used to check that a public window shows
    nothing private."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QComboBox,
        QGraphicsSimpleTextItem,
        QGraphicsTextItem,
        QGraphicsView,
        QLabel,
        QLineEdit,
        QListWidget,
        QTableWidget,
        QTextEdit,
        QTreeWidget,
        QWidget,
    )

    out: list[str] = []
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        out += [w.windowTitle(), w.toolTip(), w.statusTip(), w.whatsThis(),
                w.accessibleName(), w.accessibleDescription()]
        if isinstance(w, (QLabel, QAbstractButton)):
            out.append(w.text())
        elif isinstance(w, QLineEdit):
            out += [w.text(), w.placeholderText()]
        elif isinstance(w, QTextEdit):
            out += [w.toPlainText(), w.toHtml()]
        elif isinstance(w, QComboBox):
            out += [w.itemText(k) for k in range(w.count())]
        if isinstance(w, QListWidget):
            for k in range(w.count()):
                it = w.item(k)
                out += [it.text(), it.toolTip(), it.statusTip()]
        elif isinstance(w, QTableWidget):
            for r in range(w.rowCount()):
                for c in range(w.columnCount()):
                    it = w.item(r, c)
                    if it is not None:
                        out += [it.text(), it.toolTip()]
            for c in range(w.columnCount()):
                h = w.horizontalHeaderItem(c)
                if h is not None:
                    out.append(h.text())
        elif isinstance(w, QTreeWidget):
            stack = [w.topLevelItem(k) for k in range(w.topLevelItemCount())]
            while stack:
                it = stack.pop()
                out += [it.text(c) for c in range(it.columnCount())]
                out += [it.toolTip(c) for c in range(it.columnCount())]
                stack += [it.child(k) for k in range(it.childCount())]
        if isinstance(w, QGraphicsView) and w.scene() is not None:
            for item in w.scene().items():
                out.append(item.toolTip())
                if isinstance(item, QGraphicsTextItem):
                    out += [item.toPlainText(), item.toHtml()]
                elif isinstance(item, QGraphicsSimpleTextItem):
                    out.append(item.text())
    return [t for t in out if t]
