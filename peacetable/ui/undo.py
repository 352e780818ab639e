"""Edit > Undo / Redo, read from the session's undo ledger and nothing else.

The engine's undo is a compensating event (``Undo()`` appends ``undone``; ``Redo()``
appends ``redone``), and ``session.ledger`` says which event the next undo or redo names.
The actions here execute those commands through the bridge and take their text and enabled
state from the ledger after every change, so there is no second history in the window to
drift from the record: after reopening a session, Undo names the same event it named before.

One command may have made several events (a reveal, an advance that withdraws undecided
moves): they were appended together, with consecutive numbers and one timestamp, and one
Undo (or Redo) takes them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from .actions import shortcuts

if TYPE_CHECKING:  # pragma: no cover
    from ..app.session import Session
    from .bridge import SessionBridge


class UndoController(QObject):
    """The Edit menu's Undo/Redo actions for one window, following the session's ledger."""

    stateChanged = Signal()

    def __init__(self, bridge: SessionBridge, parent: QObject | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.undo_action = QAction("&Undo", self)
        self.undo_action.setShortcuts(shortcuts(QKeySequence.StandardKey.Undo, "Ctrl+Z"))
        self.undo_action.triggered.connect(self.undo)
        self.redo_action = QAction("&Redo", self)
        self.redo_action.setShortcuts(
            shortcuts("Ctrl+Y", QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z"))
        self.redo_action.triggered.connect(self.redo)
        bridge.sessionChanged.connect(lambda _s: self._update_actions())
        bridge.changed.connect(lambda _c: self._update_actions())
        self._update_actions()

    @property
    def session(self) -> Session | None:
        return self.bridge.session

    # ------------------------------------------------------------------ public
    def can_undo(self) -> bool:
        s = self.session
        return s is not None and not self.bridge.readonly and bool(s.ledger.undo)

    def can_redo(self) -> bool:
        s = self.session
        return s is not None and not self.bridge.readonly and bool(s.ledger.redo)

    def undo(self) -> None:
        from ..domain import commands as C

        if self.can_undo():
            for _ in self._group(self.session.ledger.undo, -1):
                if not self.bridge.execute(C.Undo()):
                    break
        self._update_actions()

    def redo(self) -> None:
        from ..domain import commands as C

        if self.can_redo():
            for _ in self._group(self.session.ledger.redo, +1):
                if not self.bridge.execute(C.Redo()):
                    break
        self._update_actions()

    def next_undo_text(self) -> str:
        """What Undo would cancel now, as one line ("" if nothing)."""
        return self._group_text(self.session.ledger.undo, -1) if self.can_undo() else ""

    def next_redo_text(self) -> str:
        """What Redo would reinstate now, as one line ("" if nothing)."""
        return self._group_text(self.session.ledger.redo, +1) if self.can_redo() else ""

    def _group(self, stack: list[int], step: int) -> list[int]:
        """The events of one command at the top of a ledger stack: the top event and those
        next to it (numbers one apart, ``step`` the direction) with the same timestamp, of
        the kinds one command makes together (a reveal's events; an advance's phase start
        with the moves it withdrew or carried over)."""
        from ..domain.events import CarriedOver, MovesRevealed, PhaseStarted, Withdrawn

        events = self.session.events
        out = [stack[-1]]
        ts = events[out[0] - 1].ts
        for t in reversed(stack[:-1]):
            if t != out[-1] + step or events[t - 1].ts != ts:
                break
            out.append(t)
        bodies = [events[t - 1].body for t in out]
        reveal = all(isinstance(b, MovesRevealed) for b in bodies)
        advance = (all(isinstance(b, (Withdrawn, PhaseStarted, CarriedOver)) for b in bodies)
                   and sum(isinstance(b, PhaseStarted) for b in bodies) == 1)
        return out if reveal or advance else out[:1]

    def _group_text(self, stack: list[int], step: int) -> str:
        group = sorted(self._group(stack, step))
        text = self._text(group[-1] if step < 0 else group[0])
        if len(group) > 1:
            text += f" (and {len(group) - 1} more event{'s' if len(group) > 2 else ''})"
        return text

    # ------------------------------------------------------------------ internals
    def _text(self, seq: int) -> str:
        s = self.session
        if s is None or not 1 <= seq <= len(s.events):
            return f"event {seq}"
        return s.describe(s.events[seq - 1])

    def _update_actions(self) -> None:
        undo, redo = self.next_undo_text(), self.next_redo_text()
        self.undo_action.setEnabled(bool(undo))
        self.redo_action.setEnabled(bool(redo))
        self.undo_action.setText(f"&Undo: {_short(undo)}" if undo else "&Undo")
        self.redo_action.setText(f"&Redo: {_short(redo)}" if redo else "&Redo")
        self.stateChanged.emit()


def _short(text: str, n: int = 60) -> str:
    text = text.replace("&", "&&")
    return text if len(text) <= n else text[: n - 1] + "…"
