"""The event log: every event of the session, as recorded, with who may see it.

The model reads ``session.events`` (append-only) and grows with ``beginInsertRows`` as
events arrive; undone events stay in the log, struck through. The filter shows the log as
a given viewer would see it (control, the audience, or one role), and narrows it by text.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..domain.events import Redone, Undone
from .move_entry import set_combo_data
from .style import UNDONE_COLOUR

if TYPE_CHECKING:  # pragma: no cover
    from ..app.session import Change, Session
    from ..domain.events import Event
    from .bridge import SessionBridge

Index = QModelIndex | QPersistentModelIndex
EVENT_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("#", "Time", "Type", "What happened", "Visible to")
COL_WHAT = 3


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
        self._n = 0
        self._cancelled: set[int] = set()
        self._described: dict[int, str] = {}

    # -- feeding
    def set_session(self, session: Session | None) -> None:
        self.beginResetModel()
        self.session = session
        self._described = {}
        self._cancelled = set()
        self._n = 0
        if session is not None:
            self._n = len(session.events)
            for ev in session.events:
                self._track(ev)
        self.endResetModel()

    def _track(self, ev: Event) -> int | None:
        b = ev.body
        if isinstance(b, Undone):
            self._cancelled.add(b.target)
            return b.target
        if isinstance(b, Redone):
            self._cancelled.discard(b.target)
            return b.target
        return None

    def on_change(self, change: Change) -> None:
        s = self.session
        if s is None:
            return
        n = len(s.events)
        if n > self._n:
            self.beginInsertRows(QModelIndex(), self._n, n - 1)
            new = s.events[self._n:n]
            self._n = n
            self.endInsertRows()
            for ev in new:
                target = self._track(ev)
                if target is not None and 1 <= target <= self._n:
                    row = target - 1
                    self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def is_cancelled(self, seq: int) -> bool:
        return seq in self._cancelled

    def event_at(self, row: int) -> Event:
        assert self.session is not None
        return self.session.events[row]

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
            text = self.session.describe(ev)
            self._described[ev.seq] = text
        return text

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.session is None or not 0 <= index.row() < self._n:
            return None
        ev = self.session.events[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return ev.seq
            if col == 1:
                return local_time(ev.ts)
            if col == 2:
                return ev.type.replace("_", " ")
            if col == COL_WHAT:
                text = self.describe(ev)
                return f"{text}  (undone)" if ev.seq in self._cancelled else text
            return ev.visibility.describe()
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_WHAT:
            return self.describe(ev)
        if role == Qt.ItemDataRole.ForegroundRole and ev.seq in self._cancelled:
            return QBrush(QColor(UNDONE_COLOUR))
        if role == Qt.ItemDataRole.FontRole and ev.seq in self._cancelled and col == COL_WHAT:
            f = QFont()
            f.setStrikeOut(True)
            return f
        if role == EVENT_ROLE:
            return ev
        return None


class EventFilter(QSortFilterProxyModel):
    """Rows a viewer may see (control, audience or a role), optionally matching a text."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.viewer = "control"
        self.text = ""
        self.hide_undone = False

    def active(self) -> bool:
        """Does the filter hide anything? (If not, the table shows the model directly.)"""
        return self.viewer != "control" or bool(self.text) or self.hide_undone

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
        ev = model.session.events[row]
        if not ev.visibility.allows(self.viewer):
            return False
        if self.hide_undone and (model.is_cancelled(ev.seq) or isinstance(ev.body, (Undone, Redone))):
            return False
        if self.text and self.text not in model.describe(ev).lower() and self.text not in ev.type:
            return False
        return True


class EventLogPanel(QWidget):
    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.model = EventLogModel(self)
        self.proxy = EventFilter(self)  # given the model only while a filter is on
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Show as seen by"))
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
        self.count_label = QLabel()
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
        bridge.sessionChanged.connect(self.set_session)
        bridge.changed.connect(self.model.on_change)
        self.set_session(bridge.session)

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
        self.model.set_session(session)
        self._filter(viewer=self.viewer_combo.currentData() or "control")

    def _filter(self, **kw) -> None:
        """Filter the log; with no filter at all the table reads the model directly (a
        filter model asks Python about every row, which is slow for a long session)."""
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
