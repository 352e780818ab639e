"""The facilitator console: the page the main window shows while a session is open.

Left column: the phase bar (always visible) above the move-entry form (scrolls).
Centre, top: the adjudication queue, the MSEL timeline and the event log.
Centre, bottom: the escalation chart and the issue network (added once their modules are
loaded, after the first window is shown), the issue/agreement tables and the leverage /
escalation-variable tables.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from .actions import PhaseActions
from .adjudication import AdjudicationPanel
from .bridge import SessionBridge
from .event_log import EventLogPanel
from .move_entry import MoveEntry
from .msel import MselPanel
from .phase_bar import PhaseBar
from .role_panel import RolePanel
from .style import DANGER
from .tables import IssuesPanel, LeveragePanel

#: where each visual widget goes in the bottom tabs, and its tab title
VISUAL_TABS = {"chart": (0, "Escalation chart"), "network": (1, "Issue network")}


class Console(QWidget):
    def __init__(self, bridge: SessionBridge, phase_actions: PhaseActions,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("consoleSplitter")
        lay.addWidget(self.splitter)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 6, 0)
        self.phase_bar = PhaseBar(bridge, phase_actions)
        ll.addWidget(self.phase_bar)
        self.move_entry = MoveEntry(bridge)
        ll.addWidget(self.move_entry, 1)
        self.splitter.addWidget(left)

        self.centre = QSplitter(Qt.Orientation.Vertical)
        self.centre.setObjectName("centreSplitter")
        self.top_tabs = QTabWidget()
        self.adjudication = AdjudicationPanel(bridge)
        self.msel = MselPanel(bridge)
        self.event_log = EventLogPanel(bridge)
        self.top_tabs.addTab(self.adjudication, "Adjudication queue")
        self.top_tabs.addTab(self.msel, "MSEL timeline")
        self.top_tabs.addTab(self.event_log, "Event log")
        self.roles = RolePanel(bridge)
        self.top_tabs.addTab(self.roles, "Roles and values")
        self.centre.addWidget(self.top_tabs)
        self.bottom_tabs = QTabWidget()
        self.issues = IssuesPanel(bridge)
        self.leverage = LeveragePanel(bridge)
        self.bottom_tabs.addTab(self.issues, "Issues and agreements")
        self.bottom_tabs.addTab(self.leverage, "Leverage and variables")
        self.centre.addWidget(self.bottom_tabs)
        self.centre.setSizes([600, 420])
        self.splitter.addWidget(self.centre)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([540, 1380])

        self.visuals: dict[str, QWidget] = {}
        self.move_entry.submitted.connect(self._move_submitted)
        # the tab titles carry the counts, so that control sees them from any tab
        self.adjudication.queueChanged.connect(self._queue_count)
        self.msel.dueChanged.connect(self._due_count)
        self._queue_count(*self.adjudication.counts())
        self._due_count(self.msel.n_due)
        bridge.changed.connect(self._changed)

    def add_visual(self, key: str, widget: QWidget) -> None:
        index, title = VISUAL_TABS[key]
        self.visuals[key] = widget
        self.bottom_tabs.insertTab(min(index, self.bottom_tabs.count()), widget, title)
        if key == "chart":
            self.bottom_tabs.setCurrentWidget(widget)

    def pages(self) -> list[tuple[str, QWidget]]:
        """(title, page) of every tab, top row first: the View > Go to menu."""
        fixed = {self.adjudication: "Adjudication queue", self.msel: "MSEL timeline"}
        out = []
        for tabs in (self.top_tabs, self.bottom_tabs):
            for k in range(tabs.count()):
                page = tabs.widget(k)
                out.append((fixed.get(page, tabs.tabText(k)), page))
        return out

    def show_page(self, page: QWidget) -> None:
        for tabs in (self.top_tabs, self.bottom_tabs):
            if tabs.indexOf(page) >= 0:
                tabs.setCurrentWidget(page)

    def tick(self) -> None:
        self.phase_bar.tick()
        self.msel.tick()

    def _queue_count(self, waiting: int, sealed: int) -> None:
        extra = f" ({waiting})" if waiting else ""
        if sealed:
            extra += f" +{sealed} sealed"
        self.top_tabs.setTabText(self.top_tabs.indexOf(self.adjudication),
                                 f"Adjudication queue{extra}")

    def _due_count(self, due: int) -> None:
        k = self.top_tabs.indexOf(self.msel)
        self.top_tabs.setTabText(k, f"MSEL timeline ({due} due)" if due else "MSEL timeline")
        self.top_tabs.tabBar().setTabTextColor(k, QColor(DANGER) if due else QColor())

    def _move_submitted(self, seq: int) -> None:
        self.top_tabs.setCurrentWidget(self.adjudication)
        self.adjudication.select_move(seq)

    def _changed(self, change) -> None:
        """After Reveal, show the queue: the revealed moves now wait there."""
        from ..domain.events import MovesRevealed

        if any(isinstance(ev.body, MovesRevealed) for ev in change.events):
            self.top_tabs.setCurrentWidget(self.adjudication)
