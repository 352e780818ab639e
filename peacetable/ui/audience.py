"""The projector window: what the whole room may see, and nothing else.

Everything here comes from ``session.view("audience")`` and from events visible to
``"audience"`` (:func:`peacetable.domain.views.visible_events`): the phase, the escalation
index and rung, the escalation chart and the issue network (both in audience mode), the
public move feed and the public agreements in force. Private briefs, private-channel moves,
sealed moves before their reveal, control notes and role preferences never reach it. A
countdown of the phase (and of the exercise) shows only when control turns it on
(View > Show the countdown on the projector).

Sealed moves: their events stay private in the log even after the reveal (events are
immutable); once revealed, the moves still open appear in the audience view's
``moves_open``, and the feed names them next to the reveal from there.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..domain.events import (
    Event,
    InjectFired,
    MovesRevealed,
    Redone,
    SessionStarted,
    Undone,
)
from ..domain.views import describe_for_room, package_text
from .escalation_chart import EscalationChart
from .style import ROOM_DEFAULTS
from .network_view import NetworkView
from .steady_label import SteadyLabel
from .widgets_common import option_label, role_name, rung_colour, visible_texts

__all__ = ["AudienceWindow"]

VIEWER = "audience"
FEED_LIMIT = 300
#: in replay the feed holds the newest public moves at the cursor, as many as its pane can
#: show (:meth:`AudienceWindow.feed_room`), at most this many (a drag of the scrubber
#: changes them at every move, and every line held is laid out again; the event log keeps
#: every event)
REPLAY_FEED_LIMIT = 40
#: the padding above and below each line of the feed and of the agreements
ITEM_PAD = 6

_SKIP = (SessionStarted, Undone, Redone)


class AudienceWindow(QMainWindow):
    """Second window for the projector; call :meth:`set_session` and :meth:`on_change`."""

    def __init__(self, parent: QWidget | None = None, *, text_scale: float = 1.0):
        super().__init__(parent)
        self.viewer = VIEWER
        self.session = None
        self.replay = None
        self._feed_key: tuple | None = None  # replay: what the feed was made from
        self._scale = text_scale
        self.setWindowTitle("PeaceTable — Projector")
        self.resize(1920, 1080)

        root = QWidget()
        root.setObjectName("audienceRoot")
        root.setAutoFillBackground(True)
        pal = root.palette()
        pal.setColor(root.backgroundRole(), QColor("#ffffff"))
        root.setPalette(pal)
        self.setCentralWidget(root)

        # ---- header: phase on the left, escalation on the right
        self.phase_kicker = self._label("", 15, bold=True, colour="#37474f")
        self.phase_kicker.setObjectName("phaseKicker")
        self.phase_title = self._label("", 30, bold=True)
        self.phase_title.setObjectName("phaseTitle")
        self.phase_title.setWordWrap(True)
        self.story_date = self._label("", 18, bold=True, colour="#37474f")
        self.story_date.setObjectName("storyDate")
        self.story_date.setVisible(False)
        self.sealed_label = self._label("", 16, colour="#4a148c")
        self.sealed_label.setObjectName("sealedNotice")
        left = QVBoxLayout()
        left.setSpacing(2)
        left.addWidget(self.phase_kicker)
        left.addWidget(self.phase_title)
        left.addWidget(self.story_date)
        left.addWidget(self.sealed_label)
        self.countdown_label = self._label("", 18, bold=True, colour="#263238")
        self.countdown_label.setObjectName("countdown")
        self.countdown_label.setVisible(False)
        left.addWidget(self.countdown_label)

        self.index_caption = self._label("Escalation index", 15, bold=True, colour="#37474f")
        # the index changes at every move of a replay drag: a label whose new texts lay
        # nothing out again (see steady_label), right-aligned against "of 100" in the
        # room of the widest index shown
        self.index_value = SteadyLabel()
        self._register_label(self.index_value.label, 46, bold=True)
        self.index_value.label.setObjectName("indexValue")
        self.index_value.label.setAlignment(Qt.AlignmentFlag.AlignRight
                                            | Qt.AlignmentFlag.AlignVCenter)
        self.index_scale = self._label("", 18, colour="#37474f")
        self.rung_label = self._label("", 22, bold=True)
        self.rung_label.setObjectName("rungLabel")
        self.rung_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rung_label.setMinimumWidth(260)
        num = QHBoxLayout()
        num.setSpacing(8)
        num.addWidget(self.index_value, 0, Qt.AlignmentFlag.AlignBottom)
        num.addWidget(self.index_scale, 0, Qt.AlignmentFlag.AlignBottom)
        num.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(2)
        right.addWidget(self.index_caption)
        right.addLayout(num)
        right.addWidget(self.rung_label)

        header = QFrame()
        header.setObjectName("audienceHeader")
        header.setStyleSheet("QFrame#audienceHeader { border-bottom: 3px solid #263238; }")
        hl = QHBoxLayout(header)
        hl.setContentsMargins(18, 10, 18, 12)
        hl.addLayout(left, 1)
        hl.addSpacing(30)
        hl.addLayout(right, 0)

        # ---- body: chart above the feed and the agreements on the left, the network on
        # the right at full height (its layered layout is taller than wide)
        self.chart = EscalationChart(viewer=VIEWER)
        self.network = NetworkView(viewer=VIEWER)
        if text_scale != 1.0:
            self.chart.set_text_scale(text_scale)
            self.network.set_text_scale(text_scale)
        self.feed = QListWidget()
        self.feed.setObjectName("publicFeed")
        self.feed.setWordWrap(True)
        self.feed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.feed.setStyleSheet(self._list_style(15))
        self._opaque_feed()
        self.feed.viewport().installEventFilter(self)
        self.agreements = QListWidget()
        self.agreements.setObjectName("publicAgreements")
        self.agreements.setWordWrap(True)
        self.agreements.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.agreements.setStyleSheet(self._list_style(15))
        for lst in (self.feed, self.agreements):
            lst.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            lst.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        # the projector is looked at, not scrolled: the graph always fits its pane
        self.network.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.network.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lists = QSplitter(Qt.Orientation.Horizontal)
        lists.addWidget(self._titled("Public moves", self.feed))
        lists.addWidget(self._titled("Agreements in force", self.agreements))
        lists.setSizes([640, 460])
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self._titled("Escalation", self.chart))
        left.addWidget(lists)
        left.setSizes([500, 400])
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(left)
        self.network_pane = self._titled("Issues and linkages", self.network)
        body.addWidget(self.network_pane)
        body.setSizes([1100, 800])
        self.body = body

        lay = QVBoxLayout(root)
        lay.setContentsMargins(8, 4, 8, 8)
        lay.setSpacing(6)
        lay.addWidget(header)
        lay.addWidget(body, 1)
        #: what control lets the room see beyond the public picture (View menu): the
        #: network, its analysis marks (a deadlock named early gives a puzzle away) and
        #: the variable overlays on the chart
        self.room = dict(ROOM_DEFAULTS)
        self.set_room_options()
        self._blank()

    # ------------------------------------------------------------------ public API
    def set_room_options(self, **options: bool) -> None:
        """Choose what the room sees: ``network`` (the issue network), ``analysis`` (its
        deadlock marks) and ``overlays`` (every escalation variable on the chart)."""
        unknown = set(options) - set(ROOM_DEFAULTS)
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        self.room.update({k: bool(v) for k, v in options.items()})
        self.network_pane.setVisible(self.room["network"])
        self.network.set_show_analysis(self.room["analysis"])
        self._apply_overlays()

    def _apply_overlays(self) -> None:
        for vid in list(self.chart.var_curves):
            self.chart.set_variable_visible(vid, self.room["overlays"])

    def set_session(self, session) -> None:
        self.session = session
        self.replay = None
        self.feed.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.chart.set_session(session)
        self.network.set_session(session)
        self._apply_overlays()
        if session is None:
            self._blank()
            return
        self.setWindowTitle(f"PeaceTable — Projector — {session.scenario.scenario.title}")
        view = session.view(VIEWER)
        self._show_view(view)
        self._rebuild_feed(view)

    def on_change(self, change) -> None:
        if self.session is None or self.replay is not None:
            return
        self.chart.on_change(change)
        self.network.on_change(change)
        view = self.session.view(VIEWER)
        self._show_view(view)
        if change.rebuilt:
            self._rebuild_feed(view)
        else:
            for ev in self.session.visible_events(VIEWER, among=change.events):
                self._add_feed(ev, view, top=True)
            while self.feed.count() > FEED_LIMIT:
                self.feed.takeItem(self.feed.count() - 1)

    def show_countdown(self, reading) -> None:
        """Show the time left in the phase and the exercise (a ``ClockReading``), or hide
        the countdown (None)."""
        if reading is None or not reading.started:
            self.countdown_label.setVisible(False)
            return
        from .style import hmm, mmss

        if reading.phase_over > 0:
            phase = f"Phase over time by {mmss(reading.phase_over)}"
        else:
            phase = f"{mmss(reading.phase_left)} left in this phase"
        left = reading.exercise_left
        exercise = f"{hmm(left)} left in the exercise" if left >= 0 else "exercise over time"
        paused = "" if reading.running else " · paused"
        self.countdown_label.setText(f"{phase} · {exercise}{paused}")
        self.countdown_label.setVisible(True)

    def all_texts(self) -> list[str]:
        """Every text this window shows (labels, list items, tooltips, graphics texts)."""
        return visible_texts(self)

    def set_replay(self, model) -> None:
        """Follow a :class:`~peacetable.app.replay.ReplayModel`'s cursor (None: blank);
        call :meth:`follow_cursor` when it moves."""
        self.replay = model
        self._feed_key = None
        self.session = None if model is None else model.session
        if model is None:
            self.chart.set_session(None)
            self.network.set_session(None)
            self._blank()
            return
        # the room reads the newest moves at the top: no scroll bar (a drag of the scrubber
        # replaces the feed at every move, and the bar was painted again with it)
        self.feed.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chart.set_replay(model, VIEWER)
        self._apply_overlays()
        self.network.set_replay(model.session, lambda: model.view(VIEWER), VIEWER)
        self.setWindowTitle(f"PeaceTable — Projector — {model.scenario.scenario.title} "
                            "(replay)")
        self.follow_cursor()

    def follow_cursor(self) -> None:
        m = self.replay
        if m is None:
            return
        view = m.view(VIEWER)
        self._show_view(view)
        self.chart.set_cursor(m.cursor)
        self.network.follow()
        room = self.feed_room()
        key = (m.visible_count(VIEWER), m.marks_before(), room)
        if key != self._feed_key:  # the feed changes with public events
            self._feed_key = key
            lines: list[tuple[str, bool]] = []
            for ev in reversed(m.effective_events(VIEWER, limit=room + 1)):
                line = self._feed_line(ev, view)
                if line is not None:
                    lines.append(line)
                    if len(lines) >= room:
                        break
            self._set_feed(lines)

    def feed_room(self) -> int:
        """Replay: how many lines the feed holds — as many as its pane can show (each
        line is at least one line of text and its padding high; no scroll bar in replay),
        at most :data:`REPLAY_FEED_LIMIT`. A line below the pane's bottom is never seen,
        and each line held is laid out again whenever the feed changes."""
        line = self.feed.fontMetrics().height() + 2 * ITEM_PAD
        return max(1, min(REPLAY_FEED_LIMIT, self.feed.viewport().height() // line + 1))

    def eventFilter(self, obj, event) -> bool:
        if obj is self.feed.viewport() and event.type() == QEvent.Type.Resize and \
                self.replay is not None and self.feed_room() != (self._feed_key or (0,))[-1]:
            self.follow_cursor()  # a taller pane shows more lines
        return super().eventFilter(obj, event)

    def _set_feed(self, lines: list[tuple[str, bool]]) -> None:
        """Show ``lines`` (text, is an inject), newest first, reusing the list's items: a
        drag of the replay scrubber replaces the whole feed many times a second."""
        feed = self.feed
        feed.setUpdatesEnabled(False)
        try:
            while feed.count() > len(lines):
                feed.takeItem(feed.count() - 1)
            while feed.count() < len(lines):
                feed.addItem(QListWidgetItem())
            for k, (text, inject) in enumerate(lines):
                item = feed.item(k)
                if item.text() != text:
                    item.setText(text)
                if bool(item.data(Qt.ItemDataRole.UserRole)) != inject:
                    item.setData(Qt.ItemDataRole.UserRole, inject)
                    if inject:
                        item.setForeground(QColor("#8e1b10"))
                    else:
                        item.setData(Qt.ItemDataRole.ForegroundRole, None)
        finally:
            feed.setUpdatesEnabled(True)

    # ------------------------------------------------------------------ header
    def _show_view(self, view: dict) -> None:
        s = self.session
        sc = s.scenario
        ph = view.get("phase")
        if ph is None:
            self.phase_kicker.setText(f"{len(sc.phases)} PHASES")
            self.phase_title.setText("Before the first phase")
        else:
            seq = "sealed moves" if ph["sequencing"] == "sealed" else "open moves"
            self.phase_kicker.setText(f"PHASE {ph['index'] + 1} OF {ph['of']} · {seq.upper()}")
            self.phase_title.setText(ph["label"])
        # the day in the story, as the room knows it
        day = view.get("game_date_label") or ""
        self.story_date.setText(day)
        self.story_date.setVisible(bool(day))
        n_sealed = int(view.get("sealed_moves") or 0)
        who = ", ".join(role_name(sc, r) for r in view.get("sealed_roles") or ())
        self.sealed_label.setText(
            "" if not n_sealed else
            f"{n_sealed} sealed move{'s' if n_sealed != 1 else ''} waiting to be revealed"
            + (f" · from {who}" if who else ""))
        self.sealed_label.setVisible(bool(n_sealed))
        e = view["escalation"]
        self.index_value.setText(f"{e['index']:.1f}")
        self.index_scale.setText(f"of {e['scale']:g}")
        rungs = sc.escalation.rungs
        k = next((i for i, r in enumerate(rungs) if r.id == e["rung"]), 0)
        colour = rung_colour(k, len(rungs), alpha=255)
        ink = "#000000"
        self.rung_label.setText(e["rung_label"])
        style = (f"font-size: {22 * self._scale:.0f}pt; font-weight: 700; color: {ink}; "
                 f"background: {colour.name()}; border: 2px solid #263238; border-radius: 8px; "
                 "padding: 4px 14px;")
        if self.rung_label.styleSheet() != style:  # a new style sheet re-polishes the label
            self.rung_label.setStyleSheet(style)
        self._show_agreements(view)

    def _show_agreements(self, view: dict) -> None:
        sc = self.session.scenario
        lines: list[tuple[str, bool]] = []  # (text, greyed)
        rows = [a for a in view["agreements"] if a["status"] == "in_force"]
        suspended = [a for a in view["agreements"] if a["status"] == "suspended"]
        for a in rows + suspended:
            terms = "; ".join(f"{sc.issue_by_id[i].label if i in sc.issue_by_id else i}: "
                              f"{option_label(sc, i, o)}" for i, o in a["package"].items())
            parties = ", ".join(role_name(sc, r) for r in dict.fromkeys(
                [a["proposer"], *a["parties"]]))
            text = f"{terms}\n{parties}"
            if a["status"] != "in_force":
                text = "Suspended — " + text
            lines.append((text, a["status"] != "in_force"))
        # postures declared without an agreement, told apart from agreements
        declared = [p for p in view["postures"] if p["standing"]]
        for p in declared:
            lines.append((f"{role_name(sc, p['role'])} declared: "
                          f"{package_text(sc, {p['issue']: p['option']})}\n(no agreement)", False))
        if not rows and not suspended and not declared:
            lines.append(("No public agreement yet", True))
        if lines == getattr(self, "_agreement_lines", None):
            return  # the same list: nothing is made again (a replay cursor moves often)
        self._agreement_lines = lines
        self.agreements.clear()
        for text, grey in lines:
            item = QListWidgetItem(text)
            if grey:
                item.setForeground(QColor("#6d6d6d"))
            self.agreements.addItem(item)

    # ------------------------------------------------------------------ feed
    def _rebuild_feed(self, view: dict) -> None:
        self.feed.clear()
        evs = self.session.visible_events(VIEWER, effective=True)
        for ev in evs[-FEED_LIMIT:]:
            self._add_feed(ev, view, top=True)

    def _feed_line(self, ev: Event, view: dict) -> tuple[str, bool] | None:
        """The feed's line for ``ev`` (text, is an inject), or None for an event the feed
        leaves out. Kept per event, except a reveal whose moves are named from ``view``."""
        if isinstance(ev.body, _SKIP):
            return None
        cache = getattr(self, "_lines", None)
        if cache is None or cache[0] is not self.session:
            cache = self._lines = (self.session, {})
        got = cache[1].get(ev.seq)
        if got is not None:
            return got
        s = self.session
        text = describe_for_room(s.scenario, ev, self._by_seq(), VIEWER)
        b = ev.body
        if isinstance(b, InjectFired) and b.synopsis:
            text += f"\n{b.synopsis}"
        if isinstance(b, MovesRevealed) and not b.revealed:
            opened = {m["id"]: m for m in view.get("moves_open", [])}
            named = []
            for mid in b.moves:
                m = opened.get(mid)
                if m is not None:
                    tpl = s.scenario.template_by_id.get(m["template"])
                    named.append(f"{role_name(s.scenario, m['role'])}: "
                                 f"{tpl.label if tpl else m['template']}")
            if named:
                text += "\n" + "\n".join(named)
            return text, False  # depends on the view: not kept
        line = (text, isinstance(b, InjectFired))
        cache[1][ev.seq] = line
        return line

    def _add_feed(self, ev: Event, view: dict, top: bool) -> None:
        line = self._feed_line(ev, view)
        if line is None:
            return
        text, inject = line
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, inject)
        if inject:
            item.setForeground(QColor("#8e1b10"))
        if top:
            self.feed.insertItem(0, item)
        else:
            self.feed.addItem(item)

    # ------------------------------------------------------------------ helpers
    def _by_seq(self) -> dict[int, Event]:
        """The session's events by number (the room's lines name moves by what they say)."""
        events = self.session.events
        cache = getattr(self, "_seq_cache", None)
        if cache is None or cache[0] is not events or cache[1] != len(events):
            self._seq_cache = (events, len(events), {e.seq: e for e in events})
        return self._seq_cache[2]

    def _blank(self) -> None:
        self.setWindowTitle("PeaceTable — Projector")
        self.phase_kicker.setText("")
        self.phase_title.setText("No session")
        self.story_date.setVisible(False)
        self.sealed_label.setVisible(False)
        self.index_value.setText("—")
        self.index_scale.setText("")
        self.rung_label.setText("")
        self.rung_label.setStyleSheet("")
        self.feed.clear()
        self.agreements.clear()
        self._agreement_lines = None

    def _label(self, text: str, pt: float, bold: bool = False, colour: str = "#000000") -> QLabel:
        return self._register_label(QLabel(text), pt, bold, colour)

    def _register_label(self, lab: QLabel, pt: float, bold: bool = False,
                        colour: str = "#000000") -> QLabel:
        lab.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        if not hasattr(self, "_labels"):
            self._labels: list[tuple[QLabel, float, bool, str]] = []
        self._labels.append((lab, pt, bold, colour))
        self._style_label(lab, pt, bold, colour)
        return lab

    def _style_label(self, lab: QLabel, pt: float, bold: bool, colour: str) -> None:
        weight = 700 if bold else 400
        lab.setStyleSheet(f"font-size: {pt * self._scale:.0f}pt; font-weight: {weight}; "
                          f"color: {colour};")

    def set_text_scale(self, scale: float) -> None:
        """Follow the console's text zoom: every text of the projector."""
        scale = float(scale)
        if abs(scale - self._scale) < 1e-9:
            return
        self._scale = scale
        for lab, pt, bold, colour in self._labels:
            self._style_label(lab, pt, bold, colour)
        for lst in (self.feed, self.agreements):
            lst.setStyleSheet(self._list_style(15))
        self._opaque_feed()
        if self.replay is not None:
            self.follow_cursor()  # the feed holds as many lines as fit in the new size
        self.chart.set_text_scale(scale)
        self.network.set_text_scale(scale)
        if self.session is not None:
            self._show_view(self.session.view(VIEWER) if self.replay is None
                            else self.replay.view(VIEWER))

    def _opaque_feed(self) -> None:
        """The feed's viewport fills its own background (the list's white): a new feed
        repaints the viewport alone, not the list's frame and background under it."""
        self.feed.viewport().setAutoFillBackground(True)

    def _titled(self, title: str, w: QWidget) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 4, 0, 0)
        v.setSpacing(2)
        v.addWidget(self._label(title, 17, bold=True,
                                colour="#263238"))
        v.addWidget(w, 1)
        return box

    def _list_style(self, pt: float) -> str:
        return (f"QListWidget {{ font-size: {pt * self._scale:.0f}pt; color: #000000; "
                "background: #ffffff; border: 1px solid #b0bec5; }"
                f"QListWidget::item {{ padding: {ITEM_PAD}px 4px; "
                "border-bottom: 1px solid #e0e0e0; }")
