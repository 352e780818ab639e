"""The Phase menu's actions, shared with the phase bar's buttons.

Advance, Reveal sealed moves, Pause/Resume clock and Back (= undo) are ``QAction``s whose
text and enabled state follow the session (the next phase's number, how many moves are
sealed, whether the clock runs), so that the menu and the buttons never disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:  # pragma: no cover
    from .bridge import SessionBridge
    from .undo import UndoController


def shortcuts(*keys: str | QKeySequence.StandardKey) -> list[QKeySequence]:
    """Key sequences for ``QAction.setShortcuts``, without duplicates (a platform's standard
    key may be one of ours). ``setShortcuts`` with a list, rather than ``setShortcut``: the
    latter's overload check makes PySide6 build every enum of the Qt namespace (~40 ms
    at start-up)."""
    out: list[QKeySequence] = []
    for k in keys:
        seqs = QKeySequence.keyBindings(k) if isinstance(k, QKeySequence.StandardKey) \
            else [QKeySequence(k)]
        out += [q for q in seqs if not q.isEmpty() and q not in out]
    return out


class PhaseActions(QObject):
    """Advance, Reveal, Pause/Resume clock and Back, for the Phase menu and the phase bar."""

    def __init__(self, bridge: SessionBridge, undo: UndoController, parent: QObject | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.undo = undo
        self.advance = QAction("&Advance to the next phase", self)
        self.advance.setShortcuts(shortcuts("F8"))
        self.advance.triggered.connect(self.do_advance)
        self.reveal = QAction("&Reveal sealed moves", self)
        self.reveal.setShortcuts(shortcuts("F7"))
        self.reveal.triggered.connect(self.do_reveal)
        self.clock = QAction("&Pause clock", self)
        self.clock.setShortcuts(shortcuts("F9"))
        self.clock.triggered.connect(self.do_toggle_clock)
        self.back = QAction("&Back", self)
        self.back.setToolTip("Undo the last change (Ctrl+Z)")
        self.back.triggered.connect(undo.undo)
        bridge.sessionChanged.connect(lambda _s: self.update())
        bridge.changed.connect(lambda _c: self.update())
        undo.stateChanged.connect(self.update)
        self.update()

    def do_advance(self) -> None:
        from ..domain import commands as C

        self.bridge.execute(C.Advance())

    def do_reveal(self) -> None:
        from ..domain import commands as C

        self.bridge.execute(C.Reveal())

    def do_toggle_clock(self) -> None:
        from ..domain import commands as C

        s = self.bridge.session
        if s is None:
            return
        self.bridge.execute(C.PauseClock() if s.ledger.clock_running else C.ResumeClock())

    def update(self) -> None:
        s = self.bridge.session
        writable = s is not None and not self.bridge.readonly
        if s is None:
            for a in (self.advance, self.reveal, self.clock, self.back):
                a.setEnabled(False)
            return
        st = s.state
        phases = s.scenario.phases
        sealed = sum(1 for m in st.moves.values() if m.sealed)
        nxt = st.phase_index + 1
        if nxt >= len(phases):
            self.advance.setText("Last phase")
            self.advance.setEnabled(False)
            self.advance.setToolTip(f"'{phases[-1].label}' is the last phase of the exercise")
        else:
            verb = "Start" if st.phase is None else "Advance to"
            self.advance.setText(f"{verb} phase {nxt + 1} ▸")
            self.advance.setEnabled(writable and not sealed)
            self.advance.setToolTip(f"{verb} phase {nxt + 1}: {phases[nxt].label} (F8)" if not sealed
                                    else "Reveal the sealed moves first (F7)")
        self.reveal.setText(f"Reveal {sealed} sealed move{'s' if sealed != 1 else ''}" if sealed
                            else "Reveal sealed moves")
        self.reveal.setEnabled(writable and sealed > 0)
        running = s.ledger.clock_running
        self.clock.setText("Pause clock" if running else "Resume clock")
        self.clock.setEnabled(writable and st.phase is not None)
        self.back.setEnabled(self.undo.can_undo())
        self.back.setText("◂ Back")
