"""The issue-linkage network: issues as nodes, linkages as typed edges.

Layout is deterministic and reads left to right as a phased order: an issue sits in a
column after the issues it waits for (precondition linkages first, then "reinforces" and
"blocks" where they add no cycle), so every precondition arrow points right, as in the
phased order of :mod:`peacetable.domain.analytics.network`; the issues of one deadlock group
share a column; issues tied only by trade-offs sit next to their partners. Rows within a column are ordered by a
few barycentre sweeps, so related issues line up.

Node fill = the issue's status for the viewer (from ``session.view(viewer)["issues"]``),
also printed as text in the node. Edges: precondition = solid arrow; trade-off = dashed,
no arrowhead (it binds both ways); reinforces = dotted arrow; blocks = red line ending in a
bar. Deadlock cycles (precondition cycles) get thick dark-red edges and node outlines.

A ``blocks`` linkage from a test on an escalation variable ("talks on X are blocked while
Y > k") draws the variable as a node of its own shape (a hexagon, in a column left of the
issues, its current value under its name) with an edge to the issue, labelled with the
test; the edge is solid while the test holds and faint while it does not.

Only the linkages the view's viewer knows of are drawn, listed or analysed: they come from
``session.linkages(viewer)`` and ``session.linkage_network(viewer)`` (the application layer
decides; a linkage known to some roles only never reaches the projector or another team).

Clicking a node opens its details: description, status and option, options, linkages in
and out, deadlock membership, what settling it unlocks, and, for the control view only,
each role's preference over its options (preferences are private: the audience and role
variants never show them).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
    QTextOption,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..app.network_layout import (
    COL_GAP,
    NODE_W,
    ROW_GAP,
    VARIABLE_PREFIX,
    edge_head,
    layered_layout,
    route_edges,
)
from ..app.palette import VARIABLE_FILL, VARIABLE_INK
from ..domain.analytics.network import NetworkLimitError
from ..domain.scenario import Linkage, Scenario
from ..domain.views import linkage_text, while_label
from .widgets_common import (
    BLOCKS_COLOUR,
    DEADLOCK_COLOUR,
    EDGE_COLOUR,
    STATUS_ORDER,
    STATUS_STYLE,
    NetworkFacts,
    esc,
    font,
    issue_label,
    network_facts,
    option_label,
    role_name,
)

__all__ = ["NetworkView", "layered_layout"]

KIND_LABEL = {
    "precondition": "precondition",
    "trade_off": "trade-off",
    "reinforces": "reinforces",
    "blocks": "blocks",
}


# --------------------------------------------------------------------------- items




class _Node(QGraphicsPathItem):
    def __init__(self, iid: str, label: str, width: float, text_scale: float = 1.0,
                 variable: bool = False):
        super().__init__()
        self.iid = iid
        #: an escalation variable (a hexagon), not an issue
        self.variable = variable
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.title = QGraphicsTextItem(self)
        self.title.setFont(font(15 * text_scale, bold=True))
        self.title.setTextWidth(width - 20)
        doc_opt = QTextOption(Qt.AlignmentFlag.AlignHCenter)
        doc_opt.setWrapMode(QTextOption.WrapMode.WordWrap)
        self.title.document().setDefaultTextOption(doc_opt)
        self.title.setPlainText(label)
        self.status = QGraphicsTextItem(self)
        self.status.setFont(font(12 * text_scale))
        self.status.setTextWidth(width - 20)
        self.status.document().setDefaultTextOption(doc_opt)
        self.badge = QGraphicsPathItem(self)
        self.badge.setBrush(QBrush(QColor(DEADLOCK_COLOUR)))
        self.badge.setPen(QPen(Qt.PenStyle.NoPen))
        self.badge_text = QGraphicsSimpleTextItem("DEADLOCK", self.badge)
        self.badge_text.setFont(font(10 * text_scale, bold=True))
        self.badge_text.setBrush(QBrush(QColor("#ffffff")))
        self.badge.setVisible(False)
        self.width = width
        self.height = 0.0
        #: the arguments of the last set_style (None: never styled)
        self.shown_style: tuple | None = None

    def text_height(self) -> float:
        """Height of the title plus two lines of status text."""
        return self.title.boundingRect().height() + 2 * self.status.font().pointSizeF() * 1.6 + 8

    def set_size(self, height: float) -> None:
        self.height = height
        path = QPainterPath()
        w2, h2 = self.width / 2, height / 2
        if self.variable:
            cut = min(28.0, h2)
            path.addPolygon(QPolygonF([QPointF(-w2, 0), QPointF(-w2 + cut, -h2),
                                       QPointF(w2 - cut, -h2), QPointF(w2, 0),
                                       QPointF(w2 - cut, h2), QPointF(-w2 + cut, h2),
                                       QPointF(-w2, 0)]))
        else:
            path.addRoundedRect(QRectF(-w2, -h2, self.width, height), 12, 12)
        self.setPath(path)
        self._place_text()
        br = self.badge_text.boundingRect()
        bw, bh = br.width() + 14, br.height() + 4
        badge = QPainterPath()
        badge.addRoundedRect(QRectF(0, 0, bw, bh), 6, 6)
        self.badge.setPath(badge)
        self.badge.setPos(self.width / 2 - bw - 10, -height / 2 - bh / 2)
        self.badge_text.setPos(7, 2)

    def _place_text(self) -> None:
        th = self.title.boundingRect().height()
        sh = self.status.boundingRect().height()
        top = -(th + sh - 6) / 2
        self.title.setPos(-self.width / 2 + 10, top)
        self.status.setPos(-self.width / 2 + 10, top + th - 6)

    def set_style(self, status: str, status_text: str, deadlocked: bool, selected: bool) -> None:
        self.shown_style = (status, status_text, deadlocked, selected)
        fill, ink, _ = STATUS_STYLE.get(status, STATUS_STYLE["open"])
        if self.variable:
            fill, ink = VARIABLE_FILL, VARIABLE_INK
        self.setBrush(QBrush(QColor(fill)))
        if deadlocked:
            pen = QPen(QColor(DEADLOCK_COLOUR), 6)
        else:
            pen = QPen(QColor("#37474f"), 2)
        if selected:
            pen = QPen(QColor("#1565c0"), 7 if not deadlocked else 8)
            pen.setStyle(Qt.PenStyle.SolidLine)
        self.setPen(pen)
        self.title.setDefaultTextColor(QColor(ink))
        self.status.setDefaultTextColor(QColor(ink))
        self.status.setPlainText(status_text)
        self.badge.setVisible(deadlocked)
        self._place_text()

    def rect(self) -> QRectF:
        return QRectF(self.pos().x() - self.width / 2, self.pos().y() - self.height / 2,
                      self.width, self.height)


@dataclass
class _EdgeSpec:
    source: str
    target: str
    kind: str
    note: str
    deadlock: bool
    #: a linkage from a variable test: its label on the edge ("while > 6 battalions")
    label: str = ""
    #: the linkage the edge draws
    linkage: Linkage | None = None


class _Edge(QGraphicsPathItem):
    """A linkage drawn along ``path``, ending at ``end`` and arriving from ``ctrl``."""

    def __init__(self, spec: _EdgeSpec, path: QPainterPath, end: QPointF, ctrl: QPointF):
        super().__init__()
        self.spec = spec
        self.setZValue(-5 if not spec.deadlock else -2)
        self.setPath(path)
        colour = QColor(EDGE_COLOUR)
        width = 2.6
        style = Qt.PenStyle.SolidLine
        if spec.kind == "trade_off":
            style = Qt.PenStyle.DashLine
            colour = QColor("#455a64")
        elif spec.kind == "reinforces":
            style = Qt.PenStyle.DotLine
            colour = QColor("#1b5e20")
            width = 3.2
        elif spec.kind == "blocks":
            colour = QColor(BLOCKS_COLOUR)
            width = 3.0
        if spec.label:
            style = Qt.PenStyle.DashDotLine
        if spec.deadlock:
            colour = QColor(DEADLOCK_COLOUR)
            width = 7.0
        pen = QPen(colour, width, style)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap if style != Qt.PenStyle.DotLine
                        else Qt.PenCapStyle.RoundCap)
        self.setPen(pen)
        self.colour = colour
        # head: an arrowhead, a bar or nothing (edge_head, as the report draws it too)
        head = edge_head(spec.kind, (end.x(), end.y()), (ctrl.x(), ctrl.y()), spec.deadlock)
        self.head: QGraphicsPolygonItem | None = None
        if head:
            self.head = QGraphicsPolygonItem(QPolygonF([QPointF(*p) for p in head]), self)
            self.head.setBrush(QBrush(colour))
            self.head.setPen(QPen(colour, 1))
        self.text: QGraphicsSimpleTextItem | None = None
        if spec.label:
            self.text = QGraphicsSimpleTextItem(spec.label, self)
            self.text.setBrush(QBrush(colour.darker(130)))
            self.place_label()

    def place_label(self, qfont=None) -> None:
        """The label above the middle of the edge (in ``qfont``, if given)."""
        if self.text is None:
            return
        if qfont is not None:
            self.text.setFont(qfont)
        mid = self.path().pointAtPercent(0.5)
        br = self.text.boundingRect()
        self.text.setPos(mid.x() - br.width() / 2, mid.y() - br.height() - 4)

    def set_active(self, on: bool) -> None:
        """A linkage from a variable test: solid while its test holds, faint otherwise."""
        self.setOpacity(1.0 if on else 0.35)


class _GraphView(QGraphicsView):
    nodeClicked = Signal(str)

    def __init__(self, scene: QGraphicsScene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setBackgroundBrush(QBrush(QColor("#fafafa")))
        self.auto_fit = True
        self._scroll_bars(False)

    def _scroll_bars(self, shown: bool) -> None:
        """No scroll bars while the drawing is fitted to the view (it is all in view): a
        bar shown for a pixel of rounding narrows the view, the drawing is fitted again,
        the bar is no longer needed and goes, and so on without end — the window froze
        at some sizes. Zoomed in, they appear as needed."""
        policy = Qt.ScrollBarPolicy.ScrollBarAsNeeded if shown else \
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        self.setHorizontalScrollBarPolicy(policy)
        self.setVerticalScrollBarPolicy(policy)

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(1.15 ** steps)
        event.accept()

    def zoom(self, factor: float) -> None:
        self.auto_fit = False
        self._scroll_bars(True)
        self.scale(factor, factor)

    def fit(self) -> None:
        self.auto_fit = True
        self._scroll_bars(False)
        rect = self.scene().itemsBoundingRect().adjusted(-30, -30, 30, 30)
        if rect.isValid():
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit()

    def mousePressEvent(self, event) -> None:
        item = self.itemAt(event.position().toPoint())
        while item is not None and not isinstance(item, _Node):
            item = item.parentItem()
        if item is not None and event.button() == Qt.MouseButton.LeftButton:
            self.nodeClicked.emit(item.iid)
            event.accept()
            return
        super().mousePressEvent(event)


# --------------------------------------------------------------------------- widget


class NetworkView(QWidget):
    """Linkage network of a session's scenario; see the module docstring."""

    #: the issue whose details are shown (or "" when none)
    issueSelected = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, viewer: str = "control",
                 show_details: bool | None = None):
        super().__init__(parent)
        self._viewer = viewer
        self.session = None
        #: in replay: a function giving the view to show (else the session's current view)
        self.view_source = None
        #: the linkages drawn: those the viewer knows of (``session.linkages(viewer)``)
        self.links: tuple[Linkage, ...] = ()
        self.facts: NetworkFacts | None = None
        self.too_large = ""  # why the network is not drawn (a scenario over the size limits)
        self.nodes: dict[str, _Node] = {}
        self.edges: list[_Edge] = []
        self.statuses: dict[str, dict] = {}
        self.selected: str | None = None
        #: whether the graph shows the analysis (deadlock cycles and badges); the projector
        #: leaves it to control, since a deadlock named early gives a later puzzle away
        self.show_analysis = True
        big = viewer != "control"
        # the projector variant: larger text in wider nodes, so that the graph fitted to
        # its pane stays readable from the back of the room
        self._text_scale = 1.3 if big else 1.0
        self._base_text_scale = self._text_scale  # before the text zoom
        self._node_w = NODE_W * (1.3 if big else 1.0)
        self._col_gap = self._node_w + (COL_GAP - NODE_W)

        self.scene = QGraphicsScene(self)
        self.view = _GraphView(self.scene)
        self.view.setObjectName("networkGraph")
        self.view.nodeClicked.connect(self.select_issue)

        self.btn_fit = QPushButton("Fit")
        self.btn_in = QPushButton("Zoom in")
        self.btn_out = QPushButton("Zoom out")
        self.btn_fit.clicked.connect(self.view.fit)
        self.btn_in.clicked.connect(lambda: self.view.zoom(1.25))
        self.btn_out.clicked.connect(lambda: self.view.zoom(0.8))
        tools = QHBoxLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        for b in (self.btn_fit, self.btn_in, self.btn_out):
            tools.addWidget(b)
        tools.addStretch(1)
        self.toolbar = QWidget()
        self.toolbar.setLayout(tools)
        self.toolbar.setVisible(not big)

        self._legend_base = 1.25 if big else 1.0  # before the text zoom
        self.legend = self._make_legend(self._legend_base)

        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.toolbar)
        left.addWidget(self.view, 1)
        left.addWidget(self.legend)
        self._left = left
        lw = QWidget()
        lw.setLayout(left)

        self.details = QTextBrowser()
        self.details.setObjectName("issueDetails")
        self.details.setOpenLinks(False)
        self.details.setMinimumWidth(260)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(lw)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        show_details = (not big) if show_details is None else show_details
        self.details.setVisible(show_details)
        self._show_details_on_click = True

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.splitter)
        self._hint()

    # ------------------------------------------------------------------ public API
    @property
    def viewer(self) -> str:
        return self._viewer

    @viewer.setter
    def viewer(self, viewer: str) -> None:
        """Another viewer knows of other linkages: the graph is drawn again for it."""
        if viewer == self._viewer:
            return
        self._viewer = viewer
        self._rebuild()

    def set_session(self, session) -> None:
        self.session = session
        self.scene.clear()
        self.nodes.clear()
        self.edges.clear()
        self.selected = None
        self.statuses = {}
        self.links = ()
        if session is None:
            self.facts = None
            self._hint()
            return
        sc = session.scenario
        try:
            self.links = session.linkages(self.viewer)
            self.facts = network_facts(sc, session.linkage_network(self.viewer))
        except NetworkLimitError as exc:  # a scenario built to be huge: say so, draw nothing
            self.facts = None
            self.too_large = f"The issue network is not drawn here: {exc}."
            self._hint()
            return
        self.too_large = ""
        self._build(sc)
        self.refresh()
        self._hint()
        self.view.fit()

    def relabel(self, session) -> bool:
        """Show ``session``, whose network is the one drawn but for the issues' labels (the
        same issues, options, linkages, roles and variables): the titles, the edges'
        tooltips, the statuses and the details follow the new labels, the drawing stays.
        False, with nothing changed, when that cannot be (a new title would change the
        nodes' height, or the issues differ): draw it again with :meth:`set_session`."""
        if self.session is None or self.facts is None or not self.nodes:
            return False
        sc = session.scenario
        titles = {iss.id: iss.label for iss in sc.issues}
        issues = {iid: n for iid, n in self.nodes.items() if not n.variable}
        if set(titles) != set(issues):
            return False
        old = {iid: n.title.toPlainText() for iid, n in issues.items()}
        changed = [iid for iid in titles if titles[iid] != old[iid]]
        for iid in changed:
            issues[iid].title.setPlainText(titles[iid])
        height = max(n.text_height() for n in self.nodes.values()) + 10
        if any(abs(n.height - height) > 1e-6 for n in self.nodes.values()):
            for iid in changed:  # the nodes would grow or shrink: drawn again instead
                issues[iid].title.setPlainText(old[iid])
            return False
        for iid in changed:
            issues[iid]._place_text()
            issues[iid].shown_style = None  # restyled below: its tooltip names it
        self.session = session
        for edge in self.edges:
            edge.setToolTip(self._edge_tip(sc, edge.spec))
        self.refresh()
        return True

    def set_show_analysis(self, on: bool) -> None:
        """Show or hide the analysis marks (deadlock cycles, badges and notes)."""
        on = bool(on)
        if on == self.show_analysis:
            return
        self.show_analysis = on
        self._deadlock_legend.setVisible(on)
        self._rebuild()

    def set_text_scale(self, zoom: float) -> None:
        """Follow the window's text zoom: the node texts and badges, the legend under the
        graph and the details beside it."""
        scale = self._base_text_scale * float(zoom)
        if abs(scale - self._text_scale) < 1e-9:
            return
        self._text_scale = scale
        self._node_w = NODE_W * scale
        self._col_gap = self._node_w + (COL_GAP - NODE_W)
        old = self.legend
        self.legend = self._make_legend(self._legend_base * float(zoom))
        self._deadlock_legend.setVisible(self.show_analysis)
        self._left.replaceWidget(old, self.legend)
        old.setParent(None)
        old.deleteLater()
        self._rebuild()

    @property
    def _zoom(self) -> float:
        """The window's text zoom (1.0: normal size)."""
        return self._text_scale / self._base_text_scale

    def _rebuild(self) -> None:
        if self.session is not None:
            source, selected = self.view_source, self.selected
            self.view_source = None
            self.set_session(self.session)
            self.view_source = source
            if source is not None:
                self.follow()
            if selected:
                self.select_issue(selected)

    def on_change(self, change) -> None:
        if self.session is not None and self.view_source is None:
            self.refresh()

    def set_replay(self, session, view_source, viewer: str) -> None:
        """Replay: show ``session`` as ``viewer``, restyled from ``view_source()`` (call
        :meth:`follow` when it changes)."""
        self._viewer = viewer
        self.view_source = None
        self.set_session(session)
        self.view_source = view_source
        if session is not None:
            self.follow()

    def follow(self) -> None:
        if self.session is not None and self.view_source is not None:
            self.apply_view(self.view_source())

    def refresh(self) -> None:
        """Re-read statuses from the viewer's view and restyle nodes and details."""
        s = self.session
        if s is None:
            return
        self.apply_view(s.view(self.viewer))

    def apply_view(self, view: dict) -> None:
        """Restyle nodes and details from ``view`` (a ``Session.view`` dict for this view's
        viewer; in replay, the replay model's view at the cursor)."""
        s = self.session
        if s is None:
            return
        self.statuses = view["issues"]
        dead = self.facts.deadlocked if self.facts and self.show_analysis else set()
        sc = s.scenario
        values = view["escalation"]["variables"]
        # only the nodes whose status (or value) changed are restyled: a new status text
        # is laid out again, an unchanged one is not
        for iid, node in self.nodes.items():
            if node.variable:
                vid = iid[len(VARIABLE_PREFIX):]
                v = sc.variable_by_id[vid]
                text = f"now {values[vid]:g}" + (f" {v.unit}" if v.unit else "")
                style = ("open", text, False, False)
                tip = f"{v.label}: {text}"
            else:
                rec = self.statuses.get(iid, {"status": "open", "option": None})
                status = rec["status"]
                text = STATUS_STYLE.get(status, STATUS_STYLE["open"])[2]
                if status == "agreed" and rec.get("option"):
                    opt = option_label(sc, iid, rec["option"])
                    text += ": " + (opt if len(opt) <= 44 else opt[:43].rstrip() + "…")
                style = (status, text, iid in dead, iid == self.selected)
                tip = f"{issue_label(sc, iid)}: {text}"
            if node.shown_style != style:
                node.setToolTip(tip)
                node.set_style(*style)
        # the view lists the viewer's linkages in the order drawn: whether each test holds
        listed = view.get("linkages", [])
        holds = {id(lk): listed[k].get("holds", True) for k, lk in enumerate(self.links)
                 if k < len(listed) and lk.condition is not None}
        for edge in self.edges:
            if edge.spec.label:
                edge.set_active(holds.get(id(edge.spec.linkage), True))
        if self.selected:
            self._set_details(self.details_html(self.selected))

    def _set_details(self, html: str) -> None:
        """Show ``html`` beside the graph (laid out again only when it changed)."""
        if html != self._details_shown:
            self._details_shown = html
            self.details.setHtml(html)

    def select_issue(self, iid: str | None) -> None:
        """Show the details of issue ``iid`` (None clears the selection)."""
        self.selected = iid if iid in self.nodes and not self.nodes[iid].variable else None
        if self.view_source is not None:
            self.apply_view(self.view_source())
        else:
            self.refresh()
        if self.selected:
            self._set_details(self.details_html(self.selected))
            self.details.setVisible(True)
        else:
            self._hint()
        self.issueSelected.emit(self.selected or "")

    def node_colour(self, iid: str) -> str:
        """The fill colour of ``iid``'s node as #rrggbb (for tests and reports)."""
        return self.nodes[iid].brush().color().name()

    def node_center(self, iid: str) -> QPointF:
        return self.nodes[iid].pos()

    def highlighted_edges(self) -> list[tuple[str, str]]:
        return [(e.spec.source, e.spec.target) for e in self.edges if e.spec.deadlock]

    # ------------------------------------------------------------------ building
    def _build(self, sc: Scenario) -> None:
        facts = self.facts
        assert facts is not None
        layout = layered_layout(sc, facts, self.links)
        for iss in sc.issues:
            node = _Node(iss.id, iss.label, self._node_w, self._text_scale)
            self.scene.addItem(node)
            self.nodes[iss.id] = node
        # escalation variables that hold an issue back: a column of their own on the left,
        # each level with the issues it holds back
        targets: dict[str, list[int]] = {}
        for lk in self.links:
            for vid in sorted(lk.variables):
                targets.setdefault(vid, []).append(layout[lk.target][1])
        order = {v.id: k for k, v in enumerate(sc.escalation.variables)}
        for r, vid in enumerate(sorted(targets, key=lambda v: (
                sum(targets[v]) / len(targets[v]), order[v]))):
            nid = VARIABLE_PREFIX + vid
            node = _Node(nid, sc.variable_by_id[vid].label, self._node_w, self._text_scale,
                         variable=True)
            self.scene.addItem(node)
            self.nodes[nid] = node
            layout = {**layout, nid: (-1, r)}
        h = max(n.text_height() for n in self.nodes.values()) + 10
        columns: dict[int, int] = {}
        for c, r in layout.values():
            columns[c] = max(columns.get(c, 0), r + 1)
        ncols = max(columns) + 1
        for iid, (c, r) in layout.items():
            node = self.nodes[iid]
            node.set_size(h)
            n = columns[c]
            y = (r - (n - 1) / 2) * (h + ROW_GAP)
            node.setPos(c * self._col_gap, y)
        self._route_edges(sc, layout, ncols, h)
        self.scene.setSceneRect(self.scene.itemsBoundingRect().adjusted(-40, -40, 40, 40))

    def _route_edges(self, sc: Scenario, layout: dict[str, tuple[int, int]], ncols: int,
                     h: float) -> None:
        """Draw every linkage along its route (:func:`~peacetable.app.network_layout.
        route_edges`, which the report's network figure follows too)."""
        facts = self.facts
        assert facts is not None
        cyc = facts.cycle_edges() if self.show_analysis else set()
        pos = {iid: (n.pos().x(), n.pos().y()) for iid, n in self.nodes.items()}
        for route in route_edges(layout, pos, self.links, cyc, self._node_w, self._col_gap, h):
            lk = route.linkage
            spec = _EdgeSpec(route.source, route.target, lk.kind, lk.note, route.deadlock,
                             while_label(sc, lk), lk)
            path = QPainterPath(QPointF(*route.start))
            for seg in route.segments:
                if seg[0] == "C":
                    path.cubicTo(QPointF(*seg[1]), QPointF(*seg[2]), QPointF(*seg[3]))
                else:
                    path.lineTo(QPointF(*seg[1]))
            edge = _Edge(spec, path, QPointF(*route.end), QPointF(*route.ctrl))
            edge.place_label(font(11 * self._text_scale, bold=True))
            edge.setToolTip(self._edge_tip(sc, spec))
            self.scene.addItem(edge)
            self.edges.append(edge)

    @staticmethod
    def _edge_tip(sc: Scenario, spec: _EdgeSpec) -> str:
        if spec.label and spec.linkage is not None:
            text = linkage_text(sc, spec.linkage)
            text = text[:1].upper() + text[1:]
            return text + (f"\n{spec.note}" if spec.note else "")
        a, b = issue_label(sc, spec.source), issue_label(sc, spec.target)
        text = {
            "precondition": f"{a} must be settled before {b}",
            "trade_off": f"{a} and {b} trade off against each other",
            "reinforces": f"settling {a} makes {b} easier",
            "blocks": f"an agreement on {a} blocks {b}",
        }.get(spec.kind, f"{a} → {b}")
        if spec.deadlock:
            text += " (part of a deadlock cycle)"
        return text + (f"\n{spec.note}" if spec.note else "")

    def _make_legend(self, scale: float) -> QWidget:
        w = QWidget()
        w.setObjectName("networkLegend")
        rows = QVBoxLayout(w)
        rows.setContentsMargins(4, 2, 4, 2)
        rows.setSpacing(2)
        lay = QHBoxLayout()
        lay.setSpacing(14)
        rows.addLayout(lay)
        px = int(22 * scale)
        for st in STATUS_ORDER:
            fill, _, label = STATUS_STYLE[st]
            pm = QPixmap(px, px)
            pm.fill(QColor(fill))
            p = QPainter(pm)
            p.setPen(QPen(QColor("#37474f"), 2))
            p.drawRect(1, 1, px - 2, px - 2)
            p.end()
            lay.addWidget(self._legend_entry(pm, label, scale))
        lay.addStretch(1)
        lay = QHBoxLayout()
        lay.setSpacing(14)
        rows.addLayout(lay)
        edge_kinds = [("precondition", "precondition", QColor(EDGE_COLOUR), Qt.PenStyle.SolidLine),
                      ("trade-off", "trade_off", QColor("#455a64"), Qt.PenStyle.DashLine),
                      ("reinforces", "reinforces", QColor("#1b5e20"), Qt.PenStyle.DotLine),
                      ("blocks", "blocks", QColor(BLOCKS_COLOUR), Qt.PenStyle.SolidLine),
                      ("deadlock", "deadlock", QColor(DEADLOCK_COLOUR), Qt.PenStyle.SolidLine)]
        for label, _kind, colour, style in edge_kinds:
            pm = QPixmap(int(46 * scale), px)
            pm.fill(Qt.GlobalColor.transparent)
            p = QPainter(pm)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            pen = QPen(colour, 6 if label == "deadlock" else 3, style)
            p.setPen(pen)
            y = px / 2
            p.drawLine(QPointF(2, y), QPointF(pm.width() - 10, y))
            if label in ("precondition", "reinforces", "deadlock"):
                p.setBrush(colour)
                p.setPen(Qt.PenStyle.NoPen)
                x = pm.width() - 2
                p.drawPolygon(QPolygonF([QPointF(x, y), QPointF(x - 10, y - 6),
                                         QPointF(x - 10, y + 6)]))
            elif label == "blocks":
                p.setPen(QPen(colour, 4))
                x = pm.width() - 8
                p.drawLine(QPointF(x, y - 8), QPointF(x, y + 8))
            p.end()
            entry = self._legend_entry(pm, label, scale)
            if label == "deadlock":
                self._deadlock_legend = entry
            lay.addWidget(entry)
        lay.addStretch(1)
        return w

    @staticmethod
    def _legend_entry(pm: QPixmap, text: str, scale: float) -> QWidget:
        w = QWidget()
        h = QHBoxLayout(w)
        h.setContentsMargins(0, 0, 0, 0)
        h.setSpacing(5)
        icon = QLabel()
        icon.setPixmap(pm)
        lab = QLabel(text)
        lab.setStyleSheet(f"font-size: {11 * scale:.0f}pt; color: #111111;")
        h.addWidget(icon)
        h.addWidget(lab)
        return w

    # ------------------------------------------------------------------ details
    def _hint(self) -> None:
        self._details_shown = None
        if self.session is not None and self.too_large:
            self.details.setHtml(f"<p style='font-size:{13 * self._zoom:.0f}pt'>"
                                 f"{esc(self.too_large)}</p>")
            self.details.setVisible(True)
        elif self.session is None:
            self.details.setHtml("<p>No session.</p>")
        else:
            self.details.setHtml(f"<p style='font-size:{13 * self._zoom:.0f}pt'>Click an issue "
                                 "to see its options, linkages and what settling it "
                                 "unlocks.</p>")

    def details_html(self, iid: str) -> str:
        """The detail panel's HTML for ``iid`` (every scenario text escaped)."""
        s = self.session
        sc = s.scenario
        iss = sc.issue_by_id[iid]
        facts = self.facts
        rec = self.statuses.get(iid, {"status": "open", "option": None, "reason": ""})
        out = [f"<h2 style='margin-bottom:4px'>{esc(iss.label)}</h2>"]
        if iss.description:
            out.append(f"<p>{esc(iss.description)}</p>")
        st_label = STATUS_STYLE.get(rec["status"], STATUS_STYLE["open"])[2]
        status = f"<b>Status:</b> {esc(st_label)}"
        if rec.get("option"):
            status += f" — {esc(option_label(sc, iid, rec['option']))}"
        if rec.get("agreement"):
            status += f" (agreement {esc(rec['agreement'])})"
        if rec.get("reason"):
            # the engine writes reasons with the scenario's labels (never ids)
            status += f"<br><i>{esc(rec['reason'])}</i>"
        out.append(f"<p>{status}</p>")
        out.append("<p><b>Options</b></p><ul>")
        for o in iss.options:
            chosen = " <b>(agreed)</b>" if rec.get("option") == o.id else ""
            desc = f" — {esc(o.description)}" if o.description else ""
            out.append(f"<li>{esc(o.label)}{chosen}{desc}</li>")
        out.append("</ul>")
        ins = [lk for lk in self.links if lk.target == iid]
        outs = [lk for lk in self.links if lk.source == iid]
        out.append("<p><b>Linkages in</b></p>")
        out.append(self._links_html(sc, ins, incoming=True))
        out.append("<p><b>Linkages out</b></p>")
        out.append(self._links_html(sc, outs, incoming=False))
        cycles = [c for c in (facts.cycles if facts else []) if iid in c]
        if not self.show_analysis:
            pass
        elif cycles:
            out.append(f"<p style='color:{DEADLOCK_COLOUR}'><b>Deadlock:</b> ")
            out.append("; ".join(esc(" → ".join(issue_label(sc, i) for i in c + c[:1]))
                                 for c in cycles))
            out.append("<br>Break it by settling these issues together in one package.</p>")
        else:
            out.append("<p><b>Deadlock:</b> not part of a precondition cycle.</p>")
        agreed = [i for i, r in self.statuses.items() if r.get("status") == "agreed"]
        un = facts.unlocks(iid, agreed) if facts else {"package": [iid], "directly": [],
                                                       "downstream": []}
        direct, down = un["directly"], un["downstream"]
        if len(un["package"]) > 1 and self.show_analysis:
            out.append("<p><b>Settle together:</b> "
                       + esc(", ".join(issue_label(sc, i) for i in un["package"])) + "</p>")
        if rec.get("status") == "agreed":
            out.append("<p><b>Settled.</b> Downstream of it: "
                       + esc(", ".join(issue_label(sc, i) for i in down) or "nothing") + "</p>")
        elif direct or down:
            out.append("<p><b>Settling it unlocks</b><br>")
            if direct:
                out.append("at once: " + esc(", ".join(issue_label(sc, i) for i in direct))
                           + "<br>")
            if down:
                out.append("downstream: " + esc(", ".join(issue_label(sc, i) for i in down)))
            out.append("</p>")
        else:
            out.append("<p><b>Settling it unlocks:</b> nothing further.</p>")
        if self.viewer == "control":
            out.append(self._preferences_html(sc, iid))
        return "\n".join(out)

    @staticmethod
    def _links_html(sc: Scenario, links, incoming: bool) -> str:
        if not links:
            return "<p>none</p>"
        rows = []
        for lk in links:
            if lk.condition is not None:
                note = f" — {esc(lk.note)}" if lk.note else ""
                rows.append(f"<li>blocked <b>{esc(while_label(sc, lk))}</b> "
                            f"({esc(lk.condition.typed().describe(sc))}){note}</li>")
                continue
            other = lk.source if incoming else lk.target
            arrow = "from" if incoming else "to"
            note = f" — {esc(lk.note)}" if lk.note else ""
            rows.append(f"<li>{esc(KIND_LABEL.get(lk.kind, lk.kind))} {arrow} "
                        f"<b>{esc(issue_label(sc, other))}</b>{note}</li>")
        return "<ul>" + "".join(rows) + "</ul>"

    @staticmethod
    def _preferences_html(sc: Scenario, iid: str) -> str:
        iss = sc.issue_by_id[iid]
        head = "".join(f"<th>{esc(o.label)}</th>" for o in iss.options)
        rows = []
        for role in sc.roles:
            prefs = role.preferences.get(iid)
            if not prefs:
                continue
            best = max(prefs, key=lambda k: prefs[k])
            cells = []
            for o in iss.options:
                v = prefs.get(o.id)
                txt = "" if v is None else f"{v:.2f}"
                cells.append(f"<td align='center'><b>{txt}</b></td>" if o.id == best
                             else f"<td align='center'>{txt}</td>")
            weight = role.weights.get(iid)
            wtxt = f" (weight {weight:.2f})" if weight is not None else ""
            rows.append(f"<tr><td>{esc(role_name(sc, role.id))}{esc(wtxt)}</td>"
                        + "".join(cells) + "</tr>")
        if not rows:
            return ""
        return ("<p><b>Role preferences</b> (control only; best option in bold)</p>"
                "<table border='1' cellspacing='0' cellpadding='3'>"
                f"<tr><th>Role</th>{head}</tr>" + "".join(rows) + "</table>")

