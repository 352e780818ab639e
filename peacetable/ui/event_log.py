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
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
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
    try:
        t = _dt.datetime.fromisoformat(ts)
    except ValueError:
        return ts
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.UTC)
    return t.astimezone().strftime("%H:%M:%S")


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
        ev = self._events[r]
        if role == _DISPLAY:
            col = index.column()
            text = self._row_texts(ev)[col]
            if col == COL_WHAT and self.is_cancelled(ev.seq):
                return f"{text}  (undone)"
            return text
        if role == _FOREGROUND:
            return self._undone_brush if self.is_cancelled(ev.seq) else None
        if role == _FONT:
            return self._struck if index.column() == COL_WHAT and self.is_cancelled(ev.seq) \
                else None
        if role == _TOOLTIP:
            return self._row_texts(ev)[COL_WHAT] if index.column() == COL_WHAT else None
        if role == _EVENT:
            return ev
        return None


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

        self.table = QTableView()
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
