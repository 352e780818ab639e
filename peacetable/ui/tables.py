"""Issue-status, agreements, leverage and escalation-variable tables.

Each table is a ``QAbstractTableModel`` fed from the bridge's view after every change
(``bridge.view()``: ``session.view("control")`` live; in replay the view of the chosen
viewer at the cursor), so the tables show exactly what the engine's view says — the same
dict that ``peacetable replay --json`` prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..domain.views import condition_text
from .style import STATUS_COLOURS, STATUS_LABELS, set_cls

if TYPE_CHECKING:  # pragma: no cover
    from ..app.session import Session
    from .bridge import SessionBridge

Index = QModelIndex | QPersistentModelIndex
BAR_ROLE = Qt.ItemDataRole.UserRole + 1  # a 0..1 fraction drawn as a bar behind the text
# the roles as plain ints: a table asks data() several times per cell at every paint
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_BAR = int(BAR_ROLE)


class ViewTableModel(QAbstractTableModel):
    """Rows computed from a session and its control view; subclasses fill ``_rows``."""

    headers: tuple[str, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        r = index.row()  # -1 for an invalid index
        if not 0 <= r < len(self._rows):
            return None
        row = self._rows[r]
        if role == _DISPLAY:
            return row["cells"][index.column()]
        if role == _BACKGROUND:
            bg = row.get("bg")
            return QBrush(QColor(bg)) if bg else None
        if role == _BAR:
            bar = row.get("bar")
            return bar.get(index.column()) if bar else None
        if role == _ALIGN:
            align = row.get("align")
            return align.get(index.column()) if isinstance(align, dict) else None
        if role == _TOOLTIP:
            return row.get("tip") or row["cells"][index.column()]
        return None

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        if len(rows) == len(self._rows):
            # only the rows that differ are announced: a cell announced makes the view ask
            # every row again for its column widths (they fit their contents)
            changed = [k for k, (a, b) in enumerate(zip(self._rows, rows)) if a != b]
            self._rows = rows
            if changed:
                self.dataChanged.emit(self.index(changed[0], 0),
                                      self.index(changed[-1], len(self.headers) - 1))
        else:
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()

    def cell(self, row: int, col: int) -> str:
        return self._rows[row]["cells"][col]

    def update_from(self, session: Session | None, view: dict | None) -> None:
        self.set_rows([] if session is None or view is None else self.rows(session, view))

    def rows(self, session: Session, view: dict) -> list[dict[str, Any]]:
        """The rows for ``view``: each a dict with ``cells`` and optional ``bg``, ``tip``,
        ``bar`` and ``align`` (subclasses say what they show)."""
        return []


class IssueTableModel(ViewTableModel):
    headers = ("Issue", "Status", "Settled on", "Agreement", "Why")

    def rows(self, session: Session, view: dict) -> list[dict[str, Any]]:
        sc = session.scenario
        out = []
        for iid, rec in view["issues"].items():
            issue = sc.issue_by_id[iid]
            opt = issue.option(rec["option"]) if rec["option"] else None
            out.append({
                "id": iid,
                "cells": [issue.label, STATUS_LABELS.get(rec["status"], rec["status"]),
                          opt.label if opt else "", f"#{rec['agreement']}" if rec["agreement"] else "",
                          rec["reason"]],
                "bg": STATUS_COLOURS.get(rec["status"]),
                "tip": issue.description or issue.label,
            })
        return out


AGREEMENT_STANDING = {"in_force": "in force", "suspended": "suspended",
                      "superseded": "superseded by a later agreement"}


class AgreementTableModel(ViewTableModel):
    headers = ("#", "Package", "Parties", "Status", "Condition", "Seen by")

    def rows(self, session: Session, view: dict) -> list[dict[str, Any]]:
        sc = session.scenario
        out = []
        for a in view["agreements"]:
            pkg = "; ".join(f"{sc.issue_by_id[i].label}: {sc.issue_by_id[i].option(o).label}"
                            for i, o in a["package"].items())
            parties = ", ".join(sc.role_by_id[r].name for r in [a["proposer"], *a["parties"]])
            out.append({"id": a["id"], "public": a["visibility"] == "public", "cells": [
                str(a["id"]), pkg, parties, AGREEMENT_STANDING.get(a["status"], a["status"]),
                condition_text(a["condition"], sc) if a["condition"] else "", a["visibility"]],
                "bg": STATUS_COLOURS["agreed" if a["status"] == "in_force" else "suspended"],
                "tip": pkg})
        return out


class LeverageTableModel(ViewTableModel):
    headers = ("Role", "Team", "Leverage", "Since start")

    def rows(self, session: Session, view: dict) -> list[dict[str, Any]]:
        sc = session.scenario
        teams = session.teams
        right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        out = []
        for rid, value in view["leverage"].items():
            role = sc.role_by_id[rid]
            delta = value - role.leverage
            out.append({"id": rid, "cells": [role.name, teams.get(rid, ""), f"{value:.0f}",
                                             f"{delta:+.0f}" if delta else "±0"],
                        "bar": {2: (value / 100.0, role.colour)},
                        "align": {2: right, 3: right},
                        "tip": role.public_brief})
        return out


class VariableTableModel(ViewTableModel):
    headers = ("Escalation variable", "Value", "Range", "Since start")

    def rows(self, session: Session, view: dict) -> list[dict[str, Any]]:
        right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        out = []
        for v in session.scenario.escalation.variables:
            value = view["escalation"]["variables"][v.id]
            frac = v.normalised(value)  # 1 = the escalatory end, whatever the polarity
            unit = f" {v.unit}" if v.unit else ""
            delta = value - v.initial
            out.append({"id": v.id, "cells": [v.label, f"{value:g}{unit}", f"{v.min:g}–{v.max:g}",
                                              f"{delta:+g}" if delta else "±0"],
                        "bar": {1: (frac, "#d9534f" if frac > 0.66 else "#f0ad4e" if frac > 0.33
                                    else "#5cb85c")},
                        "align": {1: right, 3: right},
                        "tip": v.description or v.label})
        return out


class BarDelegate(QStyledItemDelegate):
    """Draws a light bar (fraction, colour) behind a cell's text."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        bar = index.data(BAR_ROLE)
        if bar:
            frac, colour = bar
            r: QRect = option.rect.adjusted(2, 4, -2, -4)
            r.setWidth(max(0, int(r.width() * max(0.0, min(1.0, float(frac))))))
            c = QColor(colour)
            c.setAlpha(90)
            painter.save()
            painter.fillRect(r, c)
            painter.restore()
        super().paint(painter, option, index)


def make_view(model: QAbstractTableModel, stretch: int) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    view.setItemDelegate(BarDelegate(view))
    h = view.horizontalHeader()
    h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    h.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


class IssuesPanel(QWidget):
    """Issues and agreements (one tab)."""

    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.issues = IssueTableModel(self)
        self.agreements = AgreementTableModel(self)
        lay = QVBoxLayout(self)
        lay.addWidget(_title("Issues"))
        self.issue_view = make_view(self.issues, 4)
        lay.addWidget(self.issue_view, 3)
        lay.addWidget(_title("Agreements"))
        self.agreement_view = make_view(self.agreements, 1)
        self.agreement_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.agreement_view.selectionModel().selectionChanged.connect(
            lambda *_a: self._update_buttons())
        lay.addWidget(self.agreement_view, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("An agreement reached in private can be announced to everyone:"))
        self.publish_reason = QLineEdit()
        self.publish_reason.setPlaceholderText("what control announces (optional)")
        row.addWidget(self.publish_reason, 1)
        self.publish_button = QPushButton("Publish agreement")
        self.publish_button.clicked.connect(self.publish)
        row.addWidget(self.publish_button)
        self.publish_row = QWidget()
        self.publish_row.setLayout(row)
        self.publish_row.setVisible(not bridge.readonly)
        lay.addWidget(self.publish_row)
        follow(bridge, self.refresh, self)
        self.refresh()

    def refresh(self) -> None:
        s = self.bridge.session
        view = self.bridge.view()
        self.issues.update_from(s, view)
        self.agreements.update_from(s, view)
        self._update_buttons()

    def selected_agreement(self) -> dict[str, Any] | None:
        rows = self.agreement_view.selectionModel().selectedRows()
        return self.agreements._rows[rows[0].row()] if rows else None

    def select_agreement(self, agreement_id: int) -> bool:
        for r, row in enumerate(self.agreements._rows):
            if row["id"] == agreement_id:
                self.agreement_view.selectRow(r)
                return True
        return False

    def _update_buttons(self) -> None:
        a = self.selected_agreement()
        self.publish_button.setEnabled(a is not None and not a["public"]
                                       and not self.bridge.readonly)

    def publish(self) -> list | None:
        from ..domain import commands as C

        a = self.selected_agreement()
        if a is None:
            return None
        events = self.bridge.execute(C.Publish(agreement=a["id"],
                                               reason=self.publish_reason.text().strip()),
                                     parent=self.window())
        if events:
            self.publish_reason.clear()
        return events


class LeveragePanel(QWidget):
    """Leverage by role and the escalation variables (one tab)."""

    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.leverage = LeverageTableModel(self)
        self.variables = VariableTableModel(self)
        lay = QGridLayout(self)
        lay.addWidget(_title("Leverage"), 0, 0)
        self.leverage_view = make_view(self.leverage, 2)
        lay.addWidget(self.leverage_view, 1, 0)
        lay.addWidget(_title("Escalation variables"), 0, 1)
        self.variable_view = make_view(self.variables, 0)
        lay.addWidget(self.variable_view, 1, 1)
        lay.setColumnStretch(0, 2)
        lay.setColumnStretch(1, 3)
        follow(bridge, self.refresh, self)
        self.refresh()

    def refresh(self) -> None:
        s = self.bridge.session
        view = self.bridge.view()
        self.leverage.update_from(s, view)
        self.variables.update_from(s, view)


def follow(bridge, refresh, widget: QWidget | None = None) -> None:
    """Call ``refresh()`` whenever what the bridge shows changes: another session, a new
    command, and in replay a cursor move or another viewer. With ``widget``, a cursor move
    while ``widget`` is hidden (its tab not in front) is caught up with when it is shown:
    a drag of the replay scrubber does not lay out tables nobody sees."""
    bridge.sessionChanged.connect(lambda _s: refresh())
    bridge.changed.connect(lambda _c: refresh())
    viewer = getattr(bridge, "viewerChanged", None)
    if viewer is not None:
        viewer.connect(lambda *_a: refresh())
    cursor = getattr(bridge, "cursorMoved", None)
    if cursor is not None:
        if widget is None:
            cursor.connect(lambda *_a: refresh())
        else:
            cursor.connect(WhenShown(widget, refresh).changed)


class WhenShown(QObject):
    """Runs ``refresh`` now if ``widget`` is visible, else the next time it is shown."""

    def __init__(self, widget: QWidget, refresh):
        super().__init__(widget)
        self.widget = widget
        self.refresh = refresh
        self.stale = False
        widget.installEventFilter(self)

    def changed(self, *_a) -> None:
        if self.widget.isVisible():
            self.stale = False
            self.refresh()
        else:
            self.stale = True

    def eventFilter(self, obj, event) -> bool:
        if obj is self.widget and event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self.refresh()
        return False


def _title(text: str) -> QLabel:
    label = QLabel(text)
    set_cls(label, "h2")
    return label
