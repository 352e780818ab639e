"""The event log: the events a viewer may see, as recorded, with who may see them.

The rows come from the application layer, never filtered here: live, from
``session.visible_events(viewer)`` and, as events arrive, the new events that
:meth:`Session.visible_events` gives the viewer (rows are appended with
``beginInsertRows``); in replay, from the :class:`~peacetable.app.replay.ReplayModel`'s
events for the viewer, cut at the cursor (rows inserted or removed at the end as the cursor
moves). Undone events stay in the log, struck through (as they stood at the cursor in
replay). The filter model only narrows the rows by text or hides undone ones.
"""

from __future__ import annotations

import bisect
import datetime as _dt
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPalette, QPen, QTextLayout
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStyle,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..domain.events import Redone, Undone
from ..domain.state import cancelled_set, toggles
from ..domain.views import visibility_text
from .move_entry import set_combo_data
from .style import UNDONE_COLOUR

if TYPE_CHECKING:  # pragma: no cover
    from ..app.replay import ReplayModel
    from ..app.session import Change, Session
    from ..domain.events import Event
    from .bridge import SessionBridge

Index = QModelIndex | QPersistentModelIndex
EVENT_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("#", "Time", "Type", "What happened", "Visible to")
COL_WHAT = 3
# the roles as plain ints: the table asks data() several times per cell on every paint
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_EVENT = int(EVENT_ROLE.value)


def local_time(ts: str) -> str:
    """``ts`` (ISO 8601; UTC when it names no zone) as this computer's local time of day,
    HH:MM:SS. The local hour and minute are worked out once per minute recorded (a zone's
    offset is whole minutes): a replay drag shows new rows at every move, and the
    conversion to local time is the slow part."""
    try:
        t = _dt.datetime.fromisoformat(ts)
    except ValueError:
        return ts
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.UTC)
    minute = t.replace(second=0, microsecond=0)
    hm = _LOCAL_MINUTES.get(minute)
    if hm is None:
        if len(_LOCAL_MINUTES) > 20000:
            _LOCAL_MINUTES.clear()
        local = minute.astimezone()
        hm = _LOCAL_MINUTES[minute] = local.strftime("%H:%M") if local.second == 0 \
            else ""
    if not hm:  # a zone whose offset is not whole minutes: the slow way
        return t.astimezone().strftime("%H:%M:%S")
    return f"{hm}:{t.second:02d}"


_LOCAL_MINUTES: dict[_dt.datetime, str] = {}


class EventLogModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.session: Session | None = None
        self.viewer = "control"
        self.replay: ReplayModel | None = None
        self._events: list[Event] = []  # every event the viewer may see
        self._seqs: list[int] = []
        self._n = 0  # rows shown (all live; up to the cursor in replay)
        self._cancelled: set[int] = set()
        self._described: dict[int, str] = {}
        self._cells: dict[int, tuple] = {}  # seq -> the row's texts (an event's never change)
        self._cursor = 0  # replay: the cursor the rows were last brought to
        self._undone_brush = QBrush(QColor(UNDONE_COLOUR))
        self._struck = QFont()
        self._struck.setStrikeOut(True)

    # -- feeding
    def set_session(self, session: Session | None, viewer: str = "control") -> None:
        """Live: every event ``viewer`` may see, growing with :meth:`on_change`."""
        self.beginResetModel()
        self.session, self.viewer, self.replay = session, viewer, None
        self._described = {}
        self._cells = {}
        self._events = [] if session is None else list(session.visible_events(viewer))
        self._seqs = [e.seq for e in self._events]
        self._n = len(self._events)
        self._cancelled = set() if session is None else cancelled_set(session.events)
        self.endResetModel()

    def set_replay(self, model: ReplayModel | None, viewer: str = "control") -> None:
        """Replay: the events ``viewer`` may see up to the model's cursor."""
        if model is None:
            self.set_session(None)
            return
        self.beginResetModel()
        self.session, self.viewer, self.replay = model.session, viewer, model
        self._described = {}
        self._cells = {}
        self._events = model.events_for(viewer)
        self._seqs = model.visible_seqs(viewer)
        self._n = model.visible_count(viewer)
        self._cursor = model.cursor
        self.endResetModel()

    def follow_cursor(self) -> None:
        """Replay: the cursor moved; show the rows up to it (rows added or taken away at
        the end, nothing reset) and the undos as they stood: only the rows of events
        named by an undo or redo between the two cursors are announced as changed."""
        m = self.replay
        if m is None:
            return
        n = m.visible_count(self.viewer)
        old, self._cursor = self._cursor, m.cursor
        if n > self._n:
            self.beginInsertRows(QModelIndex(), self._n, n - 1)
            self._n = n
            self.endInsertRows()
        elif n < self._n:
            self.beginRemoveRows(QModelIndex(), n, self._n - 1)
            self._n = n
            self.endRemoveRows()
        seqs = self._seqs
        rows = [r for q in m.toggled_between(old, m.cursor)
                if isinstance(q, int) and (r := bisect.bisect_left(seqs, q)) < self._n
                and seqs[r] == q]
        if rows:  # one signal for the whole span, however many undos the move crossed
            self.dataChanged.emit(self.index(min(rows), 0),
                                  self.index(max(rows), len(COLUMNS) - 1))

    def _row_changed(self, seq: int) -> None:
        row = bisect.bisect_left(self._seqs, seq)
        if row < self._n and self._seqs[row] == seq:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def on_change(self, change: Change) -> None:
        if self.session is None or self.replay is not None:
            return
        new = self.session.visible_events(self.viewer, among=change.events)
        if new:
            self.beginInsertRows(QModelIndex(), self._n, self._n + len(new) - 1)
            self._events.extend(new)
            self._seqs.extend(e.seq for e in new)
            self._n = len(self._events)
            self.endInsertRows()
        for target, undone in toggles(change.events).items():
            if undone:
                self._cancelled.add(target)
            else:
                self._cancelled.discard(target)
            self._row_changed(target)

    def is_cancelled(self, seq: int) -> bool:
        """Undone (live: now; in replay: as it stood at the cursor)."""
        if self.replay is not None:
            return self.replay.is_cancelled(seq)
        return seq in self._cancelled

    def event_at(self, row: int) -> Event:
        return self._events[row]

    # -- Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._n

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def describe(self, ev: Event) -> str:
        text = self._described.get(ev.seq)
        if text is None:
            assert self.session is not None
            text = self.session.describe(ev, self.viewer)
            self._described[ev.seq] = text
        return text

    def _row_texts(self, ev: Event) -> tuple:
        """The row's cells as shown (the event number as a number), worked out once per
        event: the table asks for them again at every paint."""
        got = self._cells.get(ev.seq)
        if got is None:
            got = self._cells[ev.seq] = (ev.seq, local_time(ev.ts), ev.type.replace("_", " "),
                                         self.describe(ev),
                                         visibility_text(self.session.scenario, ev.visibility))
        return got

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        r = index.row()  # -1 for an invalid index
        if not 0 <= r < self._n or self.session is None:
            return None
        return self._value(self._events[r], index.column(), role)

    def _value(self, ev: Event, col: int, role: int):
        if role == _DISPLAY:
            text = self._row_texts(ev)[col]
            if col == COL_WHAT and self.is_cancelled(ev.seq):
                return f"{text}  (undone)"
            return text
        if role == _FOREGROUND:
            return self._undone_brush if self.is_cancelled(ev.seq) else None
        if role == _FONT:
            return self._struck if col == COL_WHAT and self.is_cancelled(ev.seq) else None
        if role == _TOOLTIP:
            return self._row_texts(ev)[COL_WHAT] if col == COL_WHAT else None
        if role == _EVENT:
            return ev
        return None

    def row_look(self, row: int) -> tuple[tuple, bool]:
        """Row ``row``'s texts (the event number as a number) and whether its event is
        undone (as :meth:`data` gives them)."""
        ev = self._events[row]
        return self._row_texts(ev), self.is_cancelled(ev.seq)

    def multiData(self, index: Index, roleDataSpan) -> None:
        """Every role a cell's painting asks for, in one call (the table's delegate asks
        for seven roles per cell at every paint: seven calls into Python otherwise). The
        same values as :meth:`data`."""
        r = index.row()
        if not 0 <= r < self._n or self.session is None:
            for rd in roleDataSpan:
                rd.clearData()
            return
        ev = self._events[r]
        col = index.column()
        for rd in roleDataSpan:
            value = self._value(ev, col, rd.role())
            if value is None:
                rd.clearData()
            else:
                rd.setData(value)


class EventFilter(QSortFilterProxyModel):
    """Rows matching a text, optionally without undone events (the viewer's rows come from
    the model)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.viewer = "control"
        self.text = ""
        self.hide_undone = False

    def active(self) -> bool:
        """Does the filter hide anything? (If not, the table shows the model directly.)"""
        return bool(self.text) or self.hide_undone

    def set_filter(self, viewer: str | None = None, text: str | None = None,
                   hide_undone: bool | None = None) -> None:
        self.beginFilterChange()
        if viewer is not None:
            self.viewer = viewer
        if text is not None:
            self.text = text.strip().lower()
        if hide_undone is not None:
            self.hide_undone = hide_undone
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:
        model: EventLogModel = self.sourceModel()  # type: ignore[assignment]
        if model.session is None:
            return False
        ev = model.event_at(row)
        if self.hide_undone and (model.is_cancelled(ev.seq) or isinstance(ev.body, (Undone, Redone))):
            return False
        if self.text and self.text not in model.describe(ev).lower() and self.text not in ev.type:
            return False
        return True


def _line_box(font: QFont) -> tuple[int, float]:
    """A line of ``font`` as Qt's item painting lays it out: its height in whole pixels and
    its ascent."""
    key = font.key()
    got = _LINE_BOXES.get(key)
    if got is None:
        layout = QTextLayout("X", font)
        layout.beginLayout()
        line = layout.createLine()
        line.setLineWidth(1000)
        layout.endLayout()
        got = _LINE_BOXES[key] = (layout.boundingRect().size().toSize().height(), line.ascent())
    return got


_LINE_BOXES: dict[str, tuple[int, float]] = {}


class LogTable(QTableView):
    """The event log's table. With :attr:`plain_rows` on (in replay) and the log's own model
    shown, it paints its rows itself, in one pass: the same pixels as Qt's item painting
    (background, alternating rows, grid, text elided at the right in the row's colour and
    font), which lays every cell's text out three times over and asks the model for seven
    roles per cell. A replay drag shows new rows at every move, each frame painting every
    row again. A row that is selected, or holds the current cell while the table has the
    focus, a filtered log or a right-to-left layout are painted by Qt as before."""

    plain_rows = False
    _elided: tuple[str, dict] = ("", {})

    def paintEvent(self, event) -> None:
        model = self.model()
        if not self.plain_rows or not isinstance(model, EventLogModel) or \
                model.session is None or model.rowCount() == 0 or \
                self.layoutDirection() != Qt.LayoutDirection.LeftToRight or self.wordWrap() \
                or not self._paint_plain(event, model):
            super().paintEvent(event)

    def _paint_plain(self, event, model: EventLogModel) -> bool:
        """Paint the rows in ``event``'s region; False (nothing painted) where Qt must."""
        vp = self.viewport()
        area = event.region().boundingRect()
        vheader, hheader = self.verticalHeader(), self.horizontalHeader()
        n = model.rowCount()
        top = self.rowAt(area.top())
        if top < 0:
            return True  # below the last row: the background only
        bottom = self.rowAt(area.bottom())
        if bottom < 0:
            bottom = n - 1
        sel = self.selectionModel()
        if sel is not None and sel.hasSelection():
            for rng in sel.selection():
                if rng.top() <= bottom and rng.bottom() >= top:
                    return False
        cur = self.currentIndex()
        if cur.isValid() and top <= cur.row() <= bottom and \
                (self.hasFocus() or vp.hasFocus()):
            return False
        grid = 1 if self.showGrid() else 0
        cols = []
        for v in range(hheader.count()):
            c = hheader.logicalIndex(v)
            if hheader.isSectionHidden(c):
                continue
            x, w = self.columnViewportPosition(c), self.columnWidth(c)
            if x + w > area.left() and x <= area.right():
                cols.append((c, x, w - grid))
        if not cols:
            return True
        opt = QStyleOptionViewItem()
        self.initViewItemOption(opt)
        pal = opt.palette
        group = QPalette.ColorGroup.Active if self.isActiveWindow() else \
            QPalette.ColorGroup.Inactive
        if not self.isEnabled():
            group = QPalette.ColorGroup.Disabled
        alternate = pal.brush(group, QPalette.ColorRole.AlternateBase) \
            if self.alternatingRowColors() else None
        ink = pal.color(group, QPalette.ColorRole.Text)
        undone_ink = model._undone_brush.color()
        font = opt.font
        struck = QFont(font)
        struck.setStrikeOut(True)
        fm, struck_fm = QFontMetrics(font), QFontMetrics(struck)
        # where Qt's item painting puts a line of text: its laid-out height, centred in the
        # cell in whole pixels, and the baseline one ascent below
        line_h, ascent = _line_box(font)
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
        elide = Qt.TextElideMode.ElideRight
        delegate = self.itemDelegate()
        locale = opt.locale
        # the texts as elided to their columns, kept for the font: the time, type and
        # visibility columns repeat a few texts over thousands of rows
        if self._elided[0] != font.key() or len(self._elided[1]) > 5000:
            self._elided = (font.key(), {})
        elided = self._elided[1]
        row_left, row_right = cols[0][1], cols[-1][1] + cols[-1][2] - (0 if grid else 1)
        p = QPainter(vp)
        try:
            last_y = 0
            for r in range(top, bottom + 1):
                if vheader.isSectionHidden(r):
                    continue
                y, h = self.rowViewportPosition(r), self.rowHeight(r) - grid
                last_y = y + h
                texts, cancelled = model.row_look(r)
                if alternate is not None and vheader.visualIndex(r) & 1:
                    # the whole row at once: the grid drawn over it below covers the
                    # lines between the cells (Qt fills cell by cell)
                    p.fillRect(QRect(row_left, y, row_right - row_left + 1, h), alternate)
                p.setPen(undone_ink if cancelled else ink)
                for c, x, w in cols:
                    text = texts[c]
                    if not isinstance(text, str):
                        text = delegate.displayText(text, locale)
                    width = w - 2 * margin
                    line_top = y + (h - line_h) // 2
                    if c == COL_WHAT and cancelled:
                        p.setFont(struck)
                        p.drawText(QPointF(x + margin, line_top + ascent),
                                   struck_fm.elidedText(f"{text}  (undone)", elide, width))
                        p.setFont(font)
                    else:
                        key = (text, width)
                        shown = elided.get(key)
                        if shown is None:
                            shown = elided[key] = fm.elidedText(text, elide, width)
                        p.drawText(QPointF(x + margin, line_top + ascent), shown)
            if grid:
                colour = QColor.fromRgba(self.style().styleHint(
                    QStyle.StyleHint.SH_Table_GridLineColor, opt, self) & 0xFFFFFFFF)
                p.setPen(QPen(colour, 1, self.gridStyle()))
                right = min(area.right(), cols[-1][1] + cols[-1][2])
                for r in range(top, bottom + 1):
                    if not vheader.isSectionHidden(r):
                        y = self.rowViewportPosition(r) + self.rowHeight(r) - 1
                        p.drawLine(area.left(), y, right, y)
                low = min(area.bottom(), last_y)
                for _c, x, w in cols:
                    p.drawLine(x + w, area.top(), x + w, low)
        finally:
            p.end()
        return True


class CountLabel(QWidget):
    """A one-line text at the right of its room (the log's "N events"). A new text
    repaints this widget alone: a QLabel's new text asks its parent's layout again, and the
    whole panel around the table was painted again at every move of a replay drag."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._text = ""
        self._width = 0
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text == self._text:
            return
        self._text = text
        if self.fontMetrics().horizontalAdvance(text) + 8 > self._width:
            self.fit(text)  # wider than the room it has: the layout gives it more
        self.update()

    def fit(self, widest: str) -> None:
        """Keep room for ``widest`` (and for every shorter text)."""
        self._width = max(self._width, self.fontMetrics().horizontalAdvance(widest) + 8)
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        return QSize(self._width, self.fontMetrics().height() + 4)

    minimumSizeHint = sizeHint

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setPen(self.palette().color(self.foregroundRole()))
        p.drawText(self.rect(), int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                   self._text)
        p.end()


class EventLogPanel(QWidget):
    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.model = EventLogModel(self)
        self.proxy = EventFilter(self)  # given the model only while a filter is on
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.viewer_label = QLabel("Show as seen by")
        row.addWidget(self.viewer_label)
        self.viewer_combo = QComboBox()
        self.viewer_combo.currentIndexChanged.connect(
            lambda _i: self._filter(viewer=self.viewer_combo.currentData() or "control"))
        row.addWidget(self.viewer_combo)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("filter by text, e.g. a role or 'inject'")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(lambda t: self._filter(text=t))
        row.addWidget(self.search_edit, 1)
        self.hide_undone_check = QCheckBox("Hide undone")
        self.hide_undone_check.toggled.connect(lambda on: self._filter(hide_undone=on))
        row.addWidget(self.hide_undone_check)
        self.count_label = CountLabel()
        row.addWidget(self.count_label)
        lay.addLayout(row)

        self.table = LogTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        h = self.table.horizontalHeader()
        for c, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,) * 3
                                 + (QHeaderView.ResizeMode.Stretch,
                                    QHeaderView.ResizeMode.ResizeToContents)):
            h.setSectionResizeMode(c, mode)
        lay.addWidget(self.table)

        for m in (self.model, self.proxy):
            m.rowsInserted.connect(lambda *_a, m=m: self._after_insert(m))
            m.modelReset.connect(self._update_count)
            m.layoutChanged.connect(self._update_count)
            m.rowsRemoved.connect(lambda *_a: self._update_count())
        #: replay: the bridge has a ReplayModel and the viewer; the log follows its cursor
        self.follows_cursor = hasattr(bridge, "cursorMoved")
        if self.follows_cursor:
            # sizing the columns to the visible rows only: a cursor move inserts or removes
            # thousands of rows at once
            self.table.horizontalHeader().setResizeContentsPrecision(0)
            # the scroll bar changes at every cursor move: painted over its own background,
            # the panels and tabs under it are not painted again with it
            self.table.plain_rows = True
            for bar in (self.table.verticalScrollBar(), self.table.horizontalScrollBar()):
                bar.setAutoFillBackground(True)
            self.viewer_label.hide()
            self.viewer_combo.hide()
            bridge.sessionChanged.connect(lambda _s: self.set_replay())
            bridge.cursorMoved.connect(self.model.follow_cursor)
            bridge.viewerChanged.connect(lambda _v: self.set_replay())
            self.set_replay()
        else:
            bridge.sessionChanged.connect(self.set_session)
            bridge.changed.connect(self.model.on_change)
            self.set_session(bridge.session)

    def set_replay(self) -> None:
        """Replay: the events the bridge's viewer could see up to its cursor."""
        self._size_columns_for_replay()
        self.model.set_replay(self.bridge.replay, self.bridge.viewer)
        self._filter()

    def _size_columns_for_replay(self) -> None:
        """In replay the columns other than "What happened" get widths from the widest
        text they can hold (the user may still drag them): fitting them to their contents
        asks every row of a long record again whenever the cursor adds or removes rows."""
        m = self.bridge.replay
        if m is None:
            return
        from ..domain.events import AnyBody

        # the count's label as wide as its widest text: a new count then changes no
        # geometry in the row (the filter box and the check box are not laid out and
        # painted again at every cursor move)
        self.count_label.fit(f"{m.last} of {m.last} events")
        fm = self.table.fontMetrics()
        players = [r.id for r in m.scenario.roles if r.is_player]
        samples = {
            0: [str(max(1, m.last))],
            1: ["88:88:88"],
            2: [cls.__struct_config__.tag.replace("_", " ")  # type: ignore[attr-defined]
                for cls in AnyBody.__args__],  # type: ignore[attr-defined]
            4: ["public", "control", "private: " + ", ".join(players)],
        }
        h = self.table.horizontalHeader()
        for col, texts in samples.items():
            width = max(fm.horizontalAdvance(t) for t in [*texts, COLUMNS[col]]) + 24
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            h.resizeSection(col, min(width, 360))

    def set_session(self, session: Session | None) -> None:
        keep = self.viewer_combo.currentData()
        self.viewer_combo.blockSignals(True)
        self.viewer_combo.clear()
        self.viewer_combo.addItem("Control (everything)", "control")
        self.viewer_combo.addItem("Audience (public only)", "audience")
        if session is not None:
            for r in session.scenario.roles:
                if r.is_player:
                    self.viewer_combo.addItem(r.name, r.id)
        if keep is None or not set_combo_data(self.viewer_combo, keep):
            self.viewer_combo.setCurrentIndex(0)
        self.viewer_combo.blockSignals(False)
        self.model.set_session(session, self.viewer_combo.currentData() or "control")
        self._filter()

    def _filter(self, **kw) -> None:
        """Filter the log; with no filter at all the table reads the model directly (a
        filter model asks Python about every row, which is slow for a long session). A
        change of viewer reloads the rows from the session."""
        viewer = kw.pop("viewer", None)
        if viewer is not None and viewer != self.model.viewer and not self.follows_cursor:
            self.model.set_session(self.model.session, viewer)
        if self.proxy.sourceModel() is None:  # not filtering: just remember the settings
            for k, v in kw.items():
                setattr(self.proxy, k, v.strip().lower() if k == "text" else v)
        else:
            self.proxy.set_filter(**kw)
        if self.proxy.active():
            if self.proxy.sourceModel() is None:
                self.proxy.setSourceModel(self.model)
            shown = self.proxy
        else:
            shown = self.model
        if self.table.model() is not shown:
            self.table.setModel(shown)
            if shown is self.model:
                self.proxy.setSourceModel(None)  # and stop filtering every new row
        self.table.scrollToBottom()
        self._update_count()

    def set_viewer(self, viewer: str) -> bool:
        return set_combo_data(self.viewer_combo, viewer)

    def visible_seqs(self) -> list[int]:
        m = self.table.model()
        return [m.index(r, 0).data() for r in range(m.rowCount())]

    def _after_insert(self, model) -> None:
        if model is self.table.model():
            self.table.scrollToBottom()
            self._update_count()

    def _update_count(self) -> None:
        shown = self.table.model().rowCount()
        total = self.model.rowCount()
        self.count_label.setText(f"{shown} of {total} events" if shown != total else f"{total} events")
