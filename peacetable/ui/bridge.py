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

from . import dialogs

if TYPE_CHECKING:  # pragma: no cover
    from ..app.session import Change, Session
    from ..domain.commands import Command
    from ..domain.events import Event


class SessionBridge(QObject):
    #: the session now shown (a Session, or None when closed)
    sessionChanged = Signal(object)
    #: after every executed command: peacetable.app.session.Change
    changed = Signal(object)
    #: a command the engine refused: its reason
    refused = Signal(str)

    def __init__(self, dialog_parent: QWidget | None = None):
        super().__init__(dialog_parent)
        self.dialog_parent = dialog_parent
        self.session: Session | None = None
        self.readonly = False
        self._unsubscribe = None

    # ------------------------------------------------------------------ session
    def set_session(self, session: Session | None, readonly: bool = False) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.session = session
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
            dialogs.show_info(parent, "No session", "Open a session or start a new one first.")
            return None
        if self.readonly:
            dialogs.show_info(parent, "Read-only", f"{self.session.path.name} is open read-only "
                              "(it is in use elsewhere); nothing can be changed here.")
            return None
        try:
            return self.session.execute(cmd)
        except Refused as exc:
            self.refused.emit(str(exc))
            dialogs.show_refused(parent, str(exc))
            return None
        except SessionFileError as exc:
            dialogs.show_error(parent, "Could not save", str(exc))
            return None

    def view(self, viewer: str = "control") -> dict[str, Any] | None:
        return None if self.session is None else self.session.view(viewer)
