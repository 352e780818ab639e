"""The bridge between a :class:`~peacetable.app.session.Session` and Qt.

It is the one place in the UI that calls ``session.execute``: a refused command becomes a
warning dialog with the engine's reason (and nothing is written), a storage failure an
error dialog; either way the caller gets ``None`` and the window carries on. The session's
changes are re-announced as the ``changed`` signal (``Change``), so widgets never
subscribe to the session themselves and are never left subscribed to a closed one.
"""

from __future__ import annotations

import datetime as _dt
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
        self._clock: tuple | None = None
        self._due: tuple | None = None

    # ------------------------------------------------------------------ session
    def set_session(self, session: Session | None, readonly: bool = False) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.session = session
        self._view_cache = self._clock = self._due = None
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

    def clock(self) -> tuple[float, bool]:
        """``session.phase_clock()``, read from the session only when events were added.

        Between two events the clock can only run on (or stay paused), so the elapsed time
        is the last reading plus the wall time since, if it was running. The session's own
        computation walks the phase's events, and the window asks every second."""
        s = self.session
        if s is None:
            return 0.0, False
        now = _dt.datetime.now(_dt.UTC)
        key = (id(s), len(s.events))
        if self._clock is None or self._clock[0] != key:
            elapsed, running = s.phase_clock(now)
            self._clock = (key, now, elapsed, running)
            return elapsed, running
        _key, then, elapsed, running = self._clock
        return (elapsed + (now - then).total_seconds() if running else elapsed), running

    def injects_due(self) -> list[dict[str, Any]]:
        """``session.injects_due()`` with the due flags taken from :meth:`clock` (the same
        rule: not fired, and the phase clock has reached the inject's minute)."""
        s = self.session
        if s is None:
            return []
        if self._due is None or self._due[0] != (id(s), len(s.events)):
            self._due = ((id(s), len(s.events)), s.injects_due())
        elapsed, _running = self.clock()
        return [{**r, "due": r["fired_at"] is None and elapsed >= r["at_minute"] * 60}
                for r in self._due[1]]

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
