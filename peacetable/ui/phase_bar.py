"""The phase bar: where the exercise stands and the controls that move it on.

It shows the current phase (number, label, sequencing, objectives), the phase clock
against the phase's duration and the exercise clock against the planned length (both from
``session.clock()``, refreshed by the window's one-second timer), the escalation index,
and buttons bound to :class:`~peacetable.ui.actions.PhaseActions` — the same actions as
the Phase menu: Advance, Reveal sealed moves, Pause/Resume clock and Undo.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.calendar import date_label
from .style import hmm, mmss, set_cls

if TYPE_CHECKING:  # pragma: no cover
    from .actions import PhaseActions
    from .bridge import SessionBridge


class PhaseBar(QFrame):
    def __init__(self, bridge: SessionBridge, actions: PhaseActions, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.actions = actions
        set_cls(self, "panel")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)

        top = QHBoxLayout()
        self.phase_label = QLabel()
        set_cls(self.phase_label, "h1")
        self.phase_label.setWordWrap(True)
        top.addWidget(self.phase_label, 1)
        self.badge = QLabel()
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(top)
        # the day in the story (the scenario's calendar), when the phase has one
        self.story_label = QLabel()
        self.story_label.setObjectName("storyDate")
        set_cls(self.story_label, "h2")
        self.story_label.hide()
        lay.addWidget(self.story_label)

        self.sealed_roles = QLabel()
        self.sealed_roles.setWordWrap(True)
        lay.addWidget(self.sealed_roles)
        self.sealed_roles.hide()

        self.description = QLabel()
        self.description.setWordWrap(True)
        set_cls(self.description, "muted")
        lay.addWidget(self.description)
        self.objectives = QLabel()
        self.objectives.setWordWrap(True)
        self.objectives.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.objectives)

        clock_row = QHBoxLayout()
        self.clock_label = QLabel("00:00")
        set_cls(self.clock_label, "clock")
        clock_row.addWidget(self.clock_label)
        self.clock_note = QLabel()
        set_cls(self.clock_note, "muted")
        clock_row.addWidget(self.clock_note, 1)
        lay.addLayout(clock_row)
        self.exercise_label = QLabel()
        set_cls(self.exercise_label, "muted")
        lay.addWidget(self.exercise_label)

        self.escalation_label = QLabel()
        set_cls(self.escalation_label, "h2")
        lay.addWidget(self.escalation_label)

        grid = QGridLayout()
        grid.setSpacing(6)
        self.advance_button = self._button(actions.advance, primary=True)
        self.reveal_button = self._button(actions.reveal, primary=True)
        self.clock_button = self._button(actions.clock)
        self.back_button = self._button(actions.back)
        self.correct_button = self._button(actions.correct)
        grid.addWidget(self.advance_button, 0, 0)
        grid.addWidget(self.reveal_button, 0, 1)
        grid.addWidget(self.clock_button, 1, 0)
        grid.addWidget(self.back_button, 1, 1)
        grid.addWidget(self.correct_button, 2, 0)
        lay.addLayout(grid)

        bridge.sessionChanged.connect(lambda _s: self.refresh())
        bridge.changed.connect(lambda _c: self.refresh())
        self.refresh()

    def _button(self, action: QAction, primary: bool = False) -> QToolButton:
        b = QToolButton()
        b.setDefaultAction(action)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        b.setMinimumHeight(34)
        if primary:
            b.setStyleSheet("QToolButton { font-weight: 600; }")
        return b

    def refresh(self) -> None:
        s = self.bridge.session
        if s is None:
            self.phase_label.setText("No session")
            self.story_label.hide()
            for w in (self.description, self.objectives, self.clock_note, self.escalation_label):
                w.setText("")
            self.badge.hide()
            return
        st = s.state
        sc = s.scenario
        if st.phase is None:
            self.phase_label.setText("Not started")
            set_cls(self.badge, "badge", kind="idle")
            self.badge.setText("BRIEFING")
            self.badge.show()
            self.description.setText(f"{sc.scenario.title}: {len(sc.phases)} phases. Start "
                                     f"phase 1 ('{sc.phases[0].label}') when the teams are ready.")
            self.objectives.setText("")
        else:
            phase = sc.phase_by_id[st.phase]
            self.phase_label.setText(f"Phase {st.phase_index + 1} of {len(sc.phases)} · "
                                     f"{_strip_number(phase.label)}")
            sealed = sum(1 for m in st.moves.values() if m.sealed)
            self.sealed_roles.hide()
            if phase.sequencing == "sealed":
                set_cls(self.badge, "badge", kind="sealed")
                self.badge.setText(f"SEALED MOVES · {sealed} collected")
                self.sealed_roles.setText(sealed_roles_text(sc, s.view("control")["sealed_roles"]))
                self.sealed_roles.show()
            else:
                set_cls(self.badge, "badge", kind="open")
                self.badge.setText("OPEN TURNS")
            self.badge.show()
            self.description.setText(phase.description)
            self.description.setVisible(bool(phase.description))
            if phase.objectives:
                items = "".join(f"<li>{html.escape(o)}</li>" for o in phase.objectives)
                self.objectives.setText(f"<b>Objectives</b><ul style='margin:0'>{items}</ul>")
            else:
                self.objectives.setText("")
        rung = next((r for r in sc.escalation.rungs if r.id == st.rung), None)
        day = date_label(s.game_date("control")) if s.state.phase is not None else ""
        self.story_label.setText(f"In the story: {day}" if day else "")
        self.story_label.setVisible(bool(day))
        self.escalation_label.setText(
            f"Escalation {st.index:.1f} / {sc.escalation.scale:g} · "
            f"{rung.label if rung else st.rung}")
        self.tick()

    def tick(self) -> None:
        """Redraw the clocks (called once a second by the window)."""
        s = self.bridge.session
        r = self.bridge.reading()
        if s is None or r is None or not r.started:
            self.clock_label.setText("--:--")
            set_cls(self.clock_label, "clock", state="paused")
            self.clock_note.setText("the clock starts with phase 1")
            self.exercise_label.setText(
                f"Planned length of the exercise: {hmm(r.exercise_planned)}" if r else "")
            return
        self.clock_label.setText(f"{mmss(r.phase)} / {mmss(r.phase_planned)}")
        if not r.running:
            set_cls(self.clock_label, "clock", state="paused")
            self.clock_note.setText(
                "clock paused (PeaceTable stopped without closing the session)"
                if r.pause_reason == "crashed" else
                "clock paused (session closed)" if r.paused_on_close else "clock paused")
        elif r.phase_over > 0:
            set_cls(self.clock_label, "clock", state="overrun")
            self.clock_note.setText(f"over time by {mmss(r.phase_over)}")
        else:
            set_cls(self.clock_label, "clock", state="running")
            self.clock_note.setText(f"{mmss(r.phase_left)} left")
        left = r.exercise_left
        self.exercise_label.setText(
            f"Exercise {hmm(r.exercise)} of {hmm(r.exercise_planned)} · "
            + (f"{hmm(left)} left" if left >= 0 else f"over the plan by {hmm(-left)}"))


def sealed_roles_text(sc, roles: list[str]) -> str:
    """Which player roles have sealed a move this round and which not yet (never what)."""
    names = lambda ids: ", ".join(sc.role_by_id[r].name for r in ids)  # noqa: E731
    waiting = [r for r in sc.player_ids if r not in roles]
    if not roles:
        return "No sealed move yet."
    return f"Sealed a move: {names(roles)}" + (f" · not yet: {names(waiting)}" if waiting else
                                               " · every role has moved")


def _strip_number(label: str) -> str:
    """'Phase 2 — Consultations' -> 'Consultations' (the bar shows the number itself)."""
    head, sep, rest = label.partition(" — ")
    if sep and head.lower().startswith("phase"):
        return rest
    return label
