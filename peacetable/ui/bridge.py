"""The bridge between a :class:`~peacetable.app.session.Session` and Qt.

It is the one place in the UI that calls ``session.execute``: a refused command becomes a
warning dialog with the engine's reason (and nothing is written), a storage failure an
error dialog; either way the caller gets ``None`` and the window carries on. The session's
changes are re-announced as the ``changed`` signal (``Change``), so widgets never
subscribe to the session themselves and are never left subscribed to a closed one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from . import messages

if TYPE_CHECKING:  # pragma: no cover
    from ..app.session import Change, Session
    from ..domain.commands import Command
    from ..domain.events import Event


class SessionBridge(QObject):
    #: the session now shown (a Session, or None when closed)
    sessionChanged = Signal(object)
    #: after every executed command: peacetable.app.session.Change
    changed = Signal(object)

    def __init__(self, dialog_parent: QWidget | None = None):
        super().__init__(dialog_parent)
        self.dialog_parent = dialog_parent
        self.session: Session | None = None
        self.readonly = False
        #: whose view the panels show (the live console is control's)
        self.viewer = "control"
        self._unsubscribe = None
        self._view_cache: tuple[Any, dict[str, Any]] | None = None

    # ------------------------------------------------------------------ session
    def set_session(self, session: Session | None, readonly: bool = False) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.session = session
        self._view_cache = None
        self.readonly = bool(session is not None and readonly)
        if session is not None:
            self._unsubscribe = session.subscribe(self._on_change)
        self.sessionChanged.emit(session)

    def _on_change(self, change: Change) -> None:
        self.changed.emit(change)

    # ------------------------------------------------------------------ commands
    def execute(self, cmd: Command, parent: QWidget | None = None) -> list[Event] | None:
        """Run ``cmd``; return its events, or None after telling the user why not."""
        from ..app.session import Refused, SessionFileError

        parent = parent or self.dialog_parent
        if self.session is None:
            messages.show_info(parent, "No session", "Open a session or start a new one first.")
            return None
        if self.readonly:
            messages.show_info(parent, "Read-only", f"{self.session.path.name} is open read-only "
                              "(it is in use elsewhere); nothing can be changed here.")
            return None
        try:
            return self.session.execute(cmd)
        except Refused as exc:
            messages.show_refused(parent, str(exc))
            return None
        except SessionFileError as exc:
            messages.show_error(parent, "Could not save", str(exc))
            return None

    def fire_due_injects(self) -> list[Event]:
        """Fire the injects that the scenario lets fire by themselves once due (the window's
        clock tick calls this); nothing in a read-only session."""
        from ..app.session import Refused, SessionFileError

        if self.session is None or self.readonly:
            return []
        try:
            return self.session.fire_due_injects()
        except Refused as exc:
            messages.show_refused(self.dialog_parent, str(exc))
        except SessionFileError as exc:
            messages.show_error(self.dialog_parent, "Could not save", str(exc))
        return []

    def clock(self) -> tuple[float, bool]:
        """(seconds elapsed in the current phase, running?) from ``session.clock()``."""
        r = self.reading()
        return (0.0, False) if r is None or not r.started else (r.phase, r.running)

    def reading(self):
        """``session.clock()`` now: the phase and exercise clocks (None without a session).
        The session is the clock's one source; nothing here keeps time of its own."""
        s = self.session
        return None if s is None else s.clock()

    def injects_due(self) -> list[dict[str, Any]]:
        """``session.injects_due()``: the current phase's injects, fired or due."""
        s = self.session
        if s is None:
            return []
        return s.injects_due(elapsed=self.clock()[0])

    def view(self) -> dict[str, Any] | None:
        """What the panels show: the viewer's view of the current state (control's)."""
        return self.control_view()

    def state(self):
        """The state the panels show (the current one)."""
        return None if self.session is None else self.session.state

    def control_view(self) -> dict[str, Any] | None:
        """``session.view("control")`` for the current state, computed once per change."""
        s = self.session
        if s is None:
            return None
        if self._view_cache is None or self._view_cache[0] is not s.state:
            self._view_cache = (s.state, s.view("control"))
        return self._view_cache[1]
