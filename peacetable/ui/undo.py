"""Edit > Undo / Redo through a ``QUndoStack`` that mirrors the session's undo ledger.

The engine's undo is a compensating event (``Undo()`` appends ``undone``; ``Redo()``
appends ``redone``), and ``session.ledger`` says which events can be undone or redone.
Here every undoable event the window executes becomes a :class:`LedgerCommand` on the
stack: its first ``redo()`` does nothing (the command has already been executed), later
``redo()`` calls execute ``Redo()``, ``undo()`` executes ``Undo()``.

After reopening a session (or whenever the two drift apart, e.g. an ``Undo()`` executed
outside the stack) the stack is rebuilt from the ledger, so that the stack's entries and
the ledger's always name the same events. The stack holds at most :data:`MIRROR` entries
each way; beyond that, Edit > Undo still works through the ledger directly.
"""

from __future__ import annotations

import shiboken6

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack

from .actions import shortcuts

if TYPE_CHECKING:  # pragma: no cover
    from ..app.session import Change, Session
    from .bridge import SessionBridge

MIRROR = 500


class LedgerCommand(QUndoCommand):
    """One undoable event (or a few, from one command) of the session."""

    def __init__(self, controller: UndoController, targets: tuple[int, ...], text: str):
        super().__init__(text)
        self.controller = controller
        self.targets = targets
        self._executed = True  # the original command ran before the push

    def redo(self) -> None:
        if self._executed or self.controller.silent:
            self._executed = False
            return
        self.controller._apply("redo", len(self.targets))

    def undo(self) -> None:
        if self.controller.silent:
            return
        self.controller._apply("undo", len(self.targets))


class UndoController(QObject):
    """Owns the QUndoStack and the Edit menu's Undo/Redo actions for one window."""

    stateChanged = Signal()

    def __init__(self, bridge: SessionBridge, parent: QObject | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.stack = QUndoStack(self)
        self.silent = False
        self._busy = False
        self.undo_action = QAction("&Undo", self)
        self.undo_action.setShortcuts(shortcuts(QKeySequence.StandardKey.Undo, "Ctrl+Z"))
        self.undo_action.triggered.connect(self.undo)
        self.redo_action = QAction("&Redo", self)
        self.redo_action.setShortcuts(
            shortcuts("Ctrl+Y", QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z"))
        self.redo_action.triggered.connect(self.redo)
        bridge.sessionChanged.connect(self._session_changed)
        bridge.changed.connect(self._on_change)
        # the stack emits indexChanged while Qt tears it down at exit: ignore that one
        self.stack.indexChanged.connect(
            lambda _i: self._update_actions() if shiboken6.isValid(self.stack) else None)
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
        if not self.can_undo():
            return
        if self.stack.canUndo():
            self.stack.undo()
        else:  # older than the stack's mirror (or the stack was cleared): ask the ledger
            self._apply("undo", 1)
            self.resync()
        self._update_actions()

    def redo(self) -> None:
        if not self.can_redo():
            return
        if self.stack.canRedo():
            self.stack.redo()
        else:
            self._apply("redo", 1)
            self.resync()
        self._update_actions()

    def resync(self) -> None:
        """Rebuild the stack from the session's ledger (the most recent MIRROR entries)."""
        self.silent = True
        try:
            self.stack.clear()
            s = self.session
            if s is not None:
                for t in s.ledger.undo[-MIRROR:]:
                    self.stack.push(LedgerCommand(self, (t,), self._text(t)))
                redo = list(reversed(s.ledger.redo[-MIRROR:]))
                for t in redo:
                    self.stack.push(LedgerCommand(self, (t,), self._text(t)))
                for _ in redo:
                    self.stack.undo()
        finally:
            self.silent = False
        self._update_actions()

    def consistent(self) -> bool:
        """Do the stack's entries name the same events as the ledger's stacks?"""
        s = self.session
        if s is None:
            return self.stack.count() == 0
        idx = self.stack.index()
        done = [t for k in range(idx) for t in self.stack.command(k).targets]
        undone = [t for k in range(self.stack.count() - 1, idx - 1, -1)
                  for t in reversed(self.stack.command(k).targets)]
        return (len(done) <= len(s.ledger.undo) and (not done or s.ledger.undo[-len(done):] == done)
                and len(undone) <= len(s.ledger.redo)
                and (not undone or s.ledger.redo[-len(undone):] == undone))

    # ------------------------------------------------------------------ internals
    def _text(self, seq: int) -> str:
        s = self.session
        if s is None or not 1 <= seq <= len(s.events):
            return f"event {seq}"
        return s.describe(s.events[seq - 1])

    def _apply(self, which: str, n: int) -> None:
        from ..domain import commands as C

        cmd = C.Undo() if which == "undo" else C.Redo()
        self._busy = True
        try:
            for _ in range(n):
                if not self.bridge.execute(cmd):
                    break
        finally:
            self._busy = False
        if not self.consistent():
            # the stack's next step was not the ledger's (should not happen): follow the ledger
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self.resync)

    def _session_changed(self, _session) -> None:
        self.resync()

    def _on_change(self, change: Change) -> None:
        if self._busy:
            self._update_actions()
            return
        s = self.session
        if s is None:
            return
        recent = set(s.ledger.undo[-len(change.events):])
        targets = tuple(ev.seq for ev in change.events if ev.seq in recent)
        if targets:
            self.stack.push(LedgerCommand(self, targets, "; ".join(self._text(t) for t in targets)))
        if not self.consistent():
            self.resync()
        self._update_actions()

    def _update_actions(self) -> None:
        s = self.session
        self.undo_action.setEnabled(self.can_undo())
        self.redo_action.setEnabled(self.can_redo())
        if self.can_undo():
            t = self.stack.undoText() if self.stack.canUndo() else self._text(s.ledger.undo[-1])
            self.undo_action.setText(f"&Undo: {_short(t)}")
        else:
            self.undo_action.setText("&Undo")
        if self.can_redo():
            t = self.stack.redoText() if self.stack.canRedo() else self._text(s.ledger.redo[-1])
            self.redo_action.setText(f"&Redo: {_short(t)}")
        else:
            self.redo_action.setText("&Redo")
        self.stateChanged.emit()


def _short(text: str, n: int = 60) -> str:
    text = text.replace("&", "&&")
    return text if len(text) <= n else text[: n - 1] + "…"
