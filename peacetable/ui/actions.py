"""The Phase menu's actions, shared with the phase bar's buttons.

Advance, Reveal sealed moves, Pause/Resume clock, Correct the clock and Undo are
``QAction``s whose text, tooltip and enabled state follow the session (the next phase's
number, how many moves are sealed, whether the clock runs, which event an undo would
cancel), so that the menu and the buttons never disagree.
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
    """Advance, Reveal, Pause/Resume clock, Correct the clock and Undo, for the Phase menu
    and the phase bar."""

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
        self.correct = QAction("C&orrect the clock…", self)
        self.correct.setToolTip("Set the elapsed time of this phase (the correction is recorded)")
        self.correct.triggered.connect(self.do_correct_clock)
        self.back = QAction("◂ Undo", self)
        self.back.triggered.connect(undo.undo)
        bridge.sessionChanged.connect(lambda _s: self.update())
        bridge.changed.connect(lambda _c: self.update())
        undo.stateChanged.connect(self.update)
        self.update()

    def do_advance(self) -> bool:
        """Advance, first asking about what the phase leaves behind: moves still awaiting
        adjudication (carry them over or withdraw them) and injects that have not fired."""
        from ..domain import commands as C
        from . import messages

        s = self.bridge.session
        if s is None or self.bridge.readonly:  # the bridge says why nothing can be done
            return self.bridge.execute(C.Advance()) is not None
        parent = self.bridge.dialog_parent
        unfired = [r for r in self.bridge.injects_due() if r["fired_at"] is None]
        if unfired:
            n = len(unfired)
            names = "\n".join(f"• {r['title']} (minute {r['at_minute']:g})" for r in unfired)
            if messages.ask_choice(
                    parent, "Injects not fired",
                    f"{n} inject{'s' if n != 1 else ''} of this phase "
                    f"{'have' if n != 1 else 'has'} not been fired:\n{names}",
                    "Advance anyway (they stay unfired), or cancel and fire them from the "
                    "MSEL timeline.", ["Advance anyway"]) is None:
                return False
        pending = sorted((m for m in s.state.moves.values() if m.status == "pending"
                          and not m.sealed), key=lambda m: m.id)
        choice = "carry_over"
        if pending:
            from .widgets_common import role_name

            n = len(pending)
            names = "\n".join(f"• move {m.id}: {role_name(s.scenario, m.role)} — "
                              f"{s.scenario.template_by_id[m.template].label}" for m in pending)
            answer = messages.ask_choice(
                parent, "Moves not decided",
                f"{n} move{'s' if n != 1 else ''} still await{'' if n != 1 else 's'} "
                f"adjudication:\n{names}",
                "Carry them over into the next phase, or withdraw them (recorded, and "
                "undone with the advance).", ["Carry them over", "Withdraw them"])
            if answer is None:
                return False
            choice = "withdraw" if answer == "Withdraw them" else "carry_over"
        return self.bridge.execute(C.Advance(pending=choice)) is not None

    def do_reveal(self) -> None:
        from ..domain import commands as C

        self.bridge.execute(C.Reveal())

    def do_toggle_clock(self) -> None:
        from ..domain import commands as C

        s = self.bridge.session
        if s is None:
            return
        self.bridge.execute(C.PauseClock() if s.clock().running else C.ResumeClock())

    def do_correct_clock(self):
        """Open the clock correction dialog; returns it (it is window-modal, not blocking)."""
        from .clock_dialog import ClockDialog

        if self.bridge.session is None or self.bridge.session.state.phase is None:
            return None
        dlg = ClockDialog(self.bridge, self.bridge.dialog_parent)
        dlg.open()
        self.clock_dialog = dlg
        return dlg

    def update(self) -> None:
        s = self.bridge.session
        writable = s is not None and not self.bridge.readonly
        if s is None:
            for a in (self.advance, self.reveal, self.clock, self.correct, self.back):
                a.setEnabled(False)
            self.back.setToolTip("Nothing to undo")
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
        running = s.clock().running
        self.clock.setText("Pause clock" if running else "Resume clock")
        self.clock.setEnabled(writable and st.phase is not None)
        self.correct.setEnabled(writable and st.phase is not None)
        self.back.setEnabled(self.undo.can_undo())
        what = self.undo.next_undo_text()
        self.back.setToolTip(f"Undo: {what} (Ctrl+Z)" if what else "Nothing to undo")
