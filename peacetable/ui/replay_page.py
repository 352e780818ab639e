"""Replay mode: a read-only session on a timeline, seen as control, the audience or a role.

The page is a thin Qt layer over :class:`peacetable.app.replay.ReplayModel`: the model
owns the cursor, seeking, the phase bookmarks and the annotation marks, and gives every
view its data at the cursor for the chosen viewer. :class:`CursorBridge` stands in for the
live console's :class:`~peacetable.ui.bridge.SessionBridge`, so the same panels (tables,
role panel, event log) show the replay; it executes nothing.

Controls: the :class:`Timeline` (phase starts as bookmarks, annotations as marks, click or
drag to seek), step one event back or forward, jump to the previous or next phase, the
start and the end, and play at 1x, 2x, 5x or 10x (one event a second at 1x). Keys:
Left/Right step, Home/End, Page Up/Page Down jump a phase, Space plays or pauses.

A drag of the scrubber asks for many positions a frame; the page applies only the latest
one, once the event loop is idle (``request_seek``), so each frame redraws once, and every
view follows in that frame. Each view's update costs what changed between the two cursors:
the chart draws more or fewer of the points it already holds and moves its cursor line
(only the strip between the two cursors is painted again), the event log adds or takes
away rows at its end and announces only the rows whose undone state changed, the tables
announce only the rows that differ, the network restyles only the nodes whose status
changed, the projector sets only the texts that changed. A view on a tab that is not in
front (the tables, the role panel) catches up when its tab is brought forward.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ..domain.calendar import date_label, short_date_label, span_label
from . import messages
from .steady_label import SteadyLabel
from .style import ACCENT, DANGER, follow_zoom, set_cls

if TYPE_CHECKING:  # pragma: no cover
    from ..app.replay import ReplayModel
    from ..app.session import Session

SPEED_LABELS = {1: "1×", 2: "2×", 5: "5×", 10: "10×"}
MARK_COLOUR = "#e08a00"


class CursorBridge(QObject):
    """What the panels read in replay: the session, the viewer's view and state at the
    cursor. The record cannot change here: ``changed`` is never emitted and ``execute``
    refuses."""

    sessionChanged = Signal(object)
    changed = Signal(object)
    #: the cursor moved (the model's cursor is the new one)
    cursorMoved = Signal()
    #: the panels now show this viewer (control, audience or a role id)
    viewerChanged = Signal(str)

    readonly = True

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.replay: ReplayModel | None = None
        self.session: Session | None = None
        self.viewer = "control"

    def set_replay(self, model: ReplayModel | None) -> None:
        self.replay = model
        self.session = None if model is None else model.session
        self.viewer = "control"
        self.sessionChanged.emit(self.session)

    def set_viewer(self, viewer: str) -> None:
        if viewer != self.viewer:
            self.viewer = viewer
            self.viewerChanged.emit(viewer)

    def view(self) -> dict[str, Any] | None:
        return None if self.replay is None else self.replay.view(self.viewer)

    control_view = view

    def state(self):
        return None if self.replay is None else self.replay.state

    def execute(self, cmd, parent: QWidget | None = None):
        messages.show_info(parent, "Replay", "This session is open for replay: its record "
                           "cannot be changed here.")
        return None


class Timeline(QWidget):
    """The scrubber: the session's events left to right, phase starts as labelled ticks,
    annotations as marks, the cursor as a handle. Click or drag to seek."""

    seekRequested = Signal(int)
    #: the mouse button was released after a click or a drag
    dragFinished = Signal()

    H_PAD = 14

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model: ReplayModel | None = None
        self.setMinimumHeight(64)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("")
        self.setAccessibleName("Timeline")
        self._cursor = 0

    def sizeHint(self) -> QSize:
        return QSize(800, 64)

    def set_model(self, model: ReplayModel | None) -> None:
        self.model = model
        self._cursor = 0 if model is None else model.cursor
        self.update()

    def set_cursor(self, seq: int) -> None:
        if seq != self._cursor:
            old = self._x(self._cursor)
            self._cursor = seq
            new = self._x(seq)
            # the handle (radius 8, a 2 px ring, antialiased) at both places and the track
            # between them, in whole pixels around the fractional positions
            lo, hi = math.floor(min(old, new)) - 12, math.ceil(max(old, new)) + 12
            self.update(lo, 0, hi - lo + 1, self.height())

    # -- geometry
    def _span(self) -> tuple[float, float]:
        return float(self.H_PAD), float(max(self.H_PAD + 1, self.width() - self.H_PAD))

    def _x(self, seq: int) -> float:
        x0, x1 = self._span()
        last = max(1, self.model.last if self.model else 1)
        return x0 + (x1 - x0) * seq / last

    def seq_at(self, x: float) -> int:
        x0, x1 = self._span()
        last = self.model.last if self.model else 0
        return int(round(max(0.0, min(1.0, (x - x0) / (x1 - x0))) * last))

    # -- painting
    def paintEvent(self, event) -> None:
        m = self.model
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        h = self.height()
        x0, x1 = self._span()
        track_y = h * 0.62
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#cfd8dc"))
        p.drawRoundedRect(QRectF(x0, track_y - 3, x1 - x0, 6), 3, 3)
        if m is None:
            return
        cx = self._x(self._cursor)
        p.setBrush(QColor(ACCENT))
        p.drawRoundedRect(QRectF(x0, track_y - 3, max(0.0, cx - x0), 6), 3, 3)
        # only what reaches into the part being painted (a cursor's move repaints the
        # handle's strip)
        left, right = event.rect().left() - 2, event.rect().right() + 2
        small, ticks = self._phase_ticks()
        p.setFont(small)
        # phase starts: a tick through the track and the phase's number above it, with the
        # phase's in-game date when there is room before the next phase
        p.setPen(QPen(QColor("#37474f"), 1.5))
        for x, text, width in ticks:
            if x + 1 >= left and x - 1 <= right:
                p.drawLine(QPointF(x, track_y - 10), QPointF(x, track_y + 10))
            if x + 3 <= right and x + 3 + width >= left:
                p.drawText(QPointF(x + 3, track_y - 12), text)
        # annotations: a small flag under the track
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(MARK_COLOUR))
        for mk in m.marks:
            x = self._x(mk.seq)
            if x + 6 < left or x - 6 > right:
                continue
            p.drawPolygon(QPolygonF([QPointF(x, track_y + 6), QPointF(x - 5, track_y + 15),
                                     QPointF(x + 5, track_y + 15)]))
        # the cursor
        p.setBrush(QColor(DANGER))
        p.setPen(QPen(QColor("white"), 2))
        p.drawEllipse(QPointF(cx, track_y), 8, 8)
        if self.hasFocus():
            p.setPen(QPen(QColor(ACCENT), 1, Qt.PenStyle.DotLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(self.rect().adjusted(1, 1, -2, -2))
        p.end()

    def _phase_ticks(self) -> tuple[QFont, list[tuple[float, str, int]]]:
        """The labels' font and each phase start's x, label and label width (kept while
        the width, the font and the phases stay the same)."""
        m = self.model
        key = (self.width(), id(m), len(m.bookmarks), self.font().key())
        got = getattr(self, "_ticks", None)
        if got is not None and got[0] == key:
            return got[1], got[2]
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        small.setBold(True)
        fm = QFontMetrics(small)
        x1 = self._span()[1]
        marks = m.bookmarks
        phases = m.scenario.phases
        ticks = []
        free = -1e9  # where the last label drawn ends (a label never overlaps it)
        for k, b in enumerate(marks):
            x = self._x(b.seq)
            if x + 3 < free:  # phases that start close together: the tick only (the
                ticks.append((x, "", 0))  # tooltip names the phase)
                continue
            text = f"P{b.phase_index + 1}"
            day = short_date_label(phases[b.phase_index].date) \
                if b.phase_index < len(phases) else ""
            room = (self._x(marks[k + 1].seq) if k + 1 < len(marks) else x1 + self.H_PAD) - x
            if day and fm.horizontalAdvance(f"{text} · {day}") + 10 < room:
                text = f"{text} · {day}"
            width = fm.horizontalAdvance(text)
            ticks.append((x, text, width))
            free = x + 3 + width + 6
        self._ticks = (key, small, ticks)
        return small, ticks

    # -- mouse
    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.model is not None:
            self.seekRequested.emit(self.seq_at(event.position().x()))

    def mouseMoveEvent(self, event) -> None:
        if self.model is None:
            return
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.seekRequested.emit(self.seq_at(event.position().x()))

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.model is not None:
            self.dragFinished.emit()

    def event(self, ev) -> bool:
        if ev.type() == ev.Type.ToolTip and self.model is not None:
            QToolTip.showText(ev.globalPos(), self.tooltip_at(ev.pos().x()), self)
            return True
        return super().event(ev)

    def tooltip_at(self, x: float) -> str:
        """What is under the pointer: the event number, the phase, annotations there."""
        m = self.model
        seq = self.seq_at(x)
        lines = [f"Event {seq} of {m.last}"]
        b = m.bookmark_at(seq)
        if b is not None:
            lines.append(b.label)
            phase = m.scenario.phases[b.phase_index] if b.phase_index < len(m.scenario.phases) \
                else None
            if phase is not None and phase.date is not None:
                lines.append(f"In the story: {span_label(phase.date, phase.end_date)}")
        near = [mk for mk in m.marks if abs(self._x(mk.seq) - x) <= 6]
        lines += [f"Note at event {mk.seq}: {mk.text}" for mk in near[:5]]
        return "\n".join(lines)


class ReplayPage(QWidget):
    """The replay page shown by the main window instead of the console."""

    #: the user asked for these (the trainer actions handle them)
    annotateRequested = Signal()
    forkRequested = Signal()
    exportRequested = Signal()
    closeRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        from .escalation_chart import EscalationChart
        from .event_log import EventLogPanel
        from .network_view import NetworkView
        from .role_panel import RolePanel
        from .tables import IssuesPanel, LeveragePanel

        self.model: ReplayModel | None = None
        self.projector = None
        self.bridge = CursorBridge(self)
        self._pending: int | None = None
        self._seek_timer = QTimer(self)
        self._seek_timer.setSingleShot(True)
        self._seek_timer.setInterval(0)
        self._seek_timer.timeout.connect(self._apply_pending)
        self.play_timer = QTimer(self)
        self.play_timer.timeout.connect(self._play_step)
        self.speed = 1

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(4)

        # ---- banner: replay, read-only, and why
        self.banner = QLabel()
        self.banner.setObjectName("replayBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel#replayBanner { background: #fff4e0; color: #3e2700; "
                                  "border: 1px solid #e0a040; border-radius: 4px; "
                                  "padding: 6px 10px; }")
        lay.addWidget(self.banner)

        # ---- viewer and trainer actions
        row = QHBoxLayout()
        row.addWidget(QLabel("View as"))
        self.viewer_combo = QComboBox()
        self.viewer_combo.setObjectName("viewAs")
        self.viewer_combo.setToolTip("Show exactly what this viewer could see at the cursor")
        self.viewer_combo.currentIndexChanged.connect(
            lambda _i: self.set_viewer(self.viewer_combo.currentData() or "control"))
        row.addWidget(self.viewer_combo)
        row.addSpacing(16)
        # the position and the current event change at every move of a drag: labels whose
        # new texts lay nothing out again (see steady_label)
        self.now_label = SteadyLabel(stretch=True)
        self.now_label.label.setObjectName("replayNow")
        row.addWidget(self.now_label, 1)
        self.annotate_button = QPushButton("Annotate this event…")
        self.annotate_button.clicked.connect(self.annotateRequested)
        self.fork_button = QPushButton("Continue from here as a new session…")
        self.fork_button.clicked.connect(self.forkRequested)
        self.export_button = QPushButton("Export report…")
        self.export_button.clicked.connect(self.exportRequested)
        for b in (self.annotate_button, self.fork_button, self.export_button):
            row.addWidget(b)
        lay.addLayout(row)

        # ---- timeline and transport
        self.timeline = Timeline()
        self.timeline.seekRequested.connect(self.request_seek)
        self.timeline.dragFinished.connect(self.finish_drag)
        lay.addWidget(self.timeline)
        transport = QHBoxLayout()
        self.home_button = self._tool("|◀ Start", "Go to the start (Home)", lambda: self._do("home"))
        self.prev_phase_button = self._tool("◀◀ Phase", "Previous phase start (Page Up)",
                                            lambda: self._do("prev_phase"))
        self.back_button = self._tool("◀ Step", "One event back (Left)",
                                      lambda: self._do("step", -1))
        self.play_button = self._tool("▶ Play", "Play or pause (Space)", self.toggle_play)
        self.play_button.setObjectName("playButton")
        self.fwd_button = self._tool("Step ▶", "One event forward (Right)",
                                     lambda: self._do("step", 1))
        self.next_phase_button = self._tool("Phase ▶▶", "Next phase start (Page Down)",
                                            lambda: self._do("next_phase"))
        self.end_button = self._tool("End ▶|", "Go to the end (End)", lambda: self._do("end"))
        for b in (self.home_button, self.prev_phase_button, self.back_button, self.play_button,
                  self.fwd_button, self.next_phase_button, self.end_button):
            transport.addWidget(b)
        transport.addSpacing(12)
        transport.addWidget(QLabel("Speed"))
        self.speed_combo = QComboBox()
        self.speed_combo.setObjectName("speed")
        from ..app.replay import SPEEDS

        for sp in SPEEDS:
            self.speed_combo.addItem(SPEED_LABELS.get(sp, f"{sp}×"), sp)
        self.speed_combo.setToolTip("Playback speed: one event a second at 1×")
        self.speed_combo.currentIndexChanged.connect(
            lambda _i: self.set_speed(self.speed_combo.currentData()))
        transport.addWidget(self.speed_combo)
        transport.addSpacing(12)
        self.position_label = SteadyLabel(stretch=True)
        self.position_label.label.setObjectName("replayPosition")
        set_cls(self.position_label.label, "h2")
        transport.addWidget(self.position_label, 1)
        lay.addLayout(transport)

        # ---- the views
        b = self.bridge
        self.chart = follow_zoom(EscalationChart(self))
        self.network = follow_zoom(NetworkView(self))
        self.event_log = EventLogPanel(b)
        self.roles = RolePanel(b)
        self.issues = IssuesPanel(b)
        self.leverage = LeveragePanel(b)
        from .trainer_panels import AnnotationsPanel, HotWashPanel

        self.annotations = AnnotationsPanel(self)
        self.annotations.seekRequested.connect(self.request_seek)
        self.hotwash = HotWashPanel(self)
        self.top_tabs = QTabWidget()
        self.top_tabs.addTab(self.event_log, "Event log")
        self.top_tabs.addTab(self.annotations, "Annotations")
        self.top_tabs.addTab(self.roles, "Roles and values")
        self.top_tabs.addTab(self.hotwash, "Hot wash")
        self.bottom_tabs = QTabWidget()
        self.bottom_tabs.addTab(self.chart, "Escalation chart")
        self.bottom_tabs.addTab(self.network, "Issue network")
        self.bottom_tabs.addTab(self.issues, "Issues and agreements")
        self.bottom_tabs.addTab(self.leverage, "Leverage and variables")
        self.body = QSplitter(Qt.Orientation.Vertical)
        self.body.addWidget(self.top_tabs)
        self.body.addWidget(self.bottom_tabs)
        self.body.setSizes([380, 560])
        lay.addWidget(self.body, 1)

        # ---- keys: on the page and on every view that would take them for itself
        self.keys = _Keys(self)
        from PySide6.QtWidgets import QAbstractItemView, QGraphicsView

        for w in (self, self.timeline, self.top_tabs, self.bottom_tabs,
                  *self.findChildren(QAbstractItemView), *self.findChildren(QGraphicsView)):
            w.installEventFilter(self.keys)
        self._set_enabled(False)

    def _tool(self, text: str, tip: str, slot) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        b.setMinimumHeight(30)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep the keys on the page
        b.clicked.connect(lambda _c=False: slot())
        return b

    def _set_enabled(self, on: bool) -> None:
        for w in (self.home_button, self.prev_phase_button, self.back_button, self.play_button,
                  self.fwd_button, self.next_phase_button, self.end_button, self.speed_combo,
                  self.viewer_combo, self.annotate_button, self.fork_button,
                  self.export_button, self.timeline):
            w.setEnabled(on)

    # ------------------------------------------------------------------ session
    def set_replay(self, model: ReplayModel | None, reason: str = "",
                   at: int | None = None) -> None:
        """Show ``model`` (its cursor at ``at``, default the end); ``reason``: why the
        session is open for replay, for the banner."""
        self.stop()
        self.model = model
        if model is not None and at is not None:
            model.seek(at)
        self.bridge.set_replay(model)
        self.timeline.set_model(model)
        self.viewer_combo.blockSignals(True)
        self.viewer_combo.clear()
        if model is not None:
            self.viewer_combo.addItem("Control (everything)", "control")
            self.viewer_combo.addItem("Audience (public only)", "audience")
            teams = model.session.teams
            for r in model.scenario.roles:
                if r.is_player:
                    team = f" — {teams[r.id]}" if r.id in teams else ""
                    self.viewer_combo.addItem(f"{r.name}{team}", r.id)
        self.viewer_combo.blockSignals(False)
        self._set_enabled(model is not None)
        if model is None:
            self.chart.set_session(None)
            self.network.set_session(None)
            self.banner.setText("")
            self.annotations.set_replay(None)
            self.hotwash.set_session(None)
            if self.projector is not None:
                self.projector.set_replay(None)
            return
        self.chart.set_replay(model, "control")
        self.network.set_replay(model.session, lambda: model.view(self.bridge.viewer),
                                "control")
        self.set_reason(reason)
        self.annotations.set_replay(model)
        self.hotwash.set_session(model.session, model)
        self.timeline.set_model(model)
        if self.projector is not None:
            self.projector.set_replay(model)
        self._after_seek()

    def set_reason(self, reason: str) -> None:
        m = self.model
        if m is None:
            return
        note = getattr(m.session, "replay_note", None)
        text = (f"Replay of {m.session.path.name}: read-only, nothing in its record can "
                "change here.")
        if reason:
            text += f" {reason}"
        text += (" Notes can be added, edited and deleted; they are kept apart from the record."
                 if not note else f" Notes cannot be saved in this file: {note}")
        self.banner.setText(text)

    def attach_projector(self, projector) -> None:
        self.projector = projector
        if projector is not None:
            projector.set_replay(self.model)

    def viewer(self) -> str:
        return self.bridge.viewer

    def set_viewer(self, viewer: str) -> bool:
        """Show every view as ``viewer`` (control, audience or a role id)."""
        k = self.viewer_combo.findData(viewer)
        if k < 0:
            return False
        if self.viewer_combo.currentIndex() != k:
            self.viewer_combo.setCurrentIndex(k)  # comes back here through the signal
            return True
        if self.model is None:
            return True
        self.bridge.set_viewer(viewer)
        self.chart.set_viewer(viewer)
        self.network.viewer = viewer
        self.network.select_issue(None)
        self._after_seek()
        self.roles.follow_cursor(force=True)
        return True

    # ------------------------------------------------------------------ cursor
    def request_seek(self, seq: int) -> None:
        """Seek to ``seq`` once the event loop is idle (a drag asks many times a frame;
        only the latest position is applied)."""
        self._pending = int(seq)
        if not self._seek_timer.isActive():
            self._seek_timer.start()

    def finish_drag(self) -> None:
        """The scrubber was let go: the last position now."""
        self._seek_timer.stop()
        self._apply_pending()

    def _apply_pending(self) -> None:
        if self._pending is not None:
            target, self._pending = self._pending, None
            m = self.model
            if m is None:
                return
            before = m.cursor
            m.seek(target)
            if m.cursor != before:
                self._after_seek()

    def seek(self, seq: int) -> int:
        """Move the cursor to ``seq`` now and update every view."""
        m = self.model
        if m is None:
            return 0
        before = m.cursor
        m.seek(seq)
        if m.cursor != before:
            self._after_seek()
        return m.cursor

    def _do(self, name: str, *args) -> None:
        m = self.model
        if m is None:
            return
        self._pending = None
        before = m.cursor
        getattr(m, name)(*args)
        if m.cursor != before:
            self._after_seek()

    def _after_seek(self) -> None:
        """Every view follows the cursor (see the module docstring)."""
        m = self.model
        if m is None:
            return
        self.timeline.set_cursor(m.cursor)
        self.bridge.cursorMoved.emit()  # the tables, the event log
        if self.chart.cursor != m.cursor:
            self.chart.set_cursor(m.cursor)
        self._show_position()
        self.network.follow()
        self.roles.follow_cursor()
        if self.projector is not None and self.projector.isVisible():
            self.projector.follow_cursor()
        self.annotations.follow_cursor()
        self.hotwash.follow_cursor()

    @property
    def settled(self) -> bool:
        """Have all views caught up with the cursor (no position waiting to be applied)?"""
        return not self._seek_timer.isActive()

    def _show_position(self) -> None:
        m = self.model
        b = m.bookmark_at()
        phase = b.label if b is not None else "before the first phase"
        day = date_label(m.game_date(self.bridge.viewer))  # as the viewer shown knows it
        self.position_label.setText(f"Event {m.cursor} of {m.last} · {phase}"
                                    + (f" · {day}" if day else ""))
        ev = m.current_event(self.bridge.viewer)
        if ev is None:
            self.now_label.setText("")
        else:
            from .event_log import local_time

            self.now_label.setText(f"#{ev.seq} at {local_time(ev.ts)}: "
                                   f"{m.session.describe(ev, self.bridge.viewer)}")

    # ------------------------------------------------------------------ playing
    def set_speed(self, speed: int | None) -> None:
        from ..app.replay import ReplayModel

        self.speed = int(speed or 1)
        k = self.speed_combo.findData(self.speed)
        if k >= 0 and self.speed_combo.currentIndex() != k:
            self.speed_combo.setCurrentIndex(k)
        self.play_timer.setInterval(int(ReplayModel.play_interval(self.speed) * 1000))

    def toggle_play(self) -> None:
        if self.play_timer.isActive():
            self.stop()
        else:
            self.play()

    def play(self) -> None:
        m = self.model
        if m is None:
            return
        if m.cursor >= m.last:
            self._do("home")
        self.set_speed(self.speed)
        self.play_timer.start()
        self.play_button.setText("⏸ Pause")

    def stop(self) -> None:
        self.play_timer.stop()
        self.play_button.setText("▶ Play")

    @property
    def playing(self) -> bool:
        return self.play_timer.isActive()

    def _play_step(self) -> None:
        m = self.model
        if m is None or m.cursor >= m.last:
            self.stop()
            return
        self._do("step", 1)
        if m.cursor >= m.last:
            self.stop()

    # ------------------------------------------------------------------ annotations
    def reload_marks(self) -> None:
        """Re-read the annotations (after one was added, edited or deleted)."""
        self.annotations.reload()
        self.timeline.update()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.timeline.setFocus()


class _Keys(QObject):
    """The replay keys on the page and on the views in it (the event log's table, the
    lists and the graphics views would take the arrows and Space for themselves); text
    fields and lists of choices keep their keys."""

    ACTIONS = {Qt.Key.Key_Left: ("step", -1), Qt.Key.Key_Right: ("step", 1),
               Qt.Key.Key_Home: ("home",), Qt.Key.Key_End: ("end",),
               Qt.Key.Key_PageUp: ("prev_phase",), Qt.Key.Key_PageDown: ("next_phase",)}

    def __init__(self, page: ReplayPage):
        super().__init__(page)
        self.page = page

    def eventFilter(self, obj, event) -> bool:
        t = event.type()
        if t not in (event.Type.KeyPress, event.Type.ShortcutOverride):
            return False
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        key = Qt.Key(event.key())
        if key not in self.ACTIONS and key != Qt.Key.Key_Space:
            return False
        from PySide6.QtWidgets import (
            QAbstractSpinBox,
            QApplication,
            QLineEdit,
            QPlainTextEdit,
            QTextEdit,
        )

        page = self.page
        if not isinstance(obj, QWidget) or not page.isVisible() or page.model is None or \
                not (obj is page or page.isAncestorOf(obj)):
            return False
        if isinstance(obj, (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox)) or \
                QApplication.activePopupWidget() is not None:
            return False
        if t == event.Type.ShortcutOverride:
            event.accept()  # the key comes to us as a key press, not to a shortcut
            return True
        if key == Qt.Key.Key_Space:
            page.toggle_play()
        else:
            page._do(*self.ACTIONS[key])
        return True
