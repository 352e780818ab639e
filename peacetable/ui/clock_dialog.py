"""Phase > Correct the clock: set how long the current phase has run, as a recorded event.

Control types the phase time the clock should show (minutes and seconds) and, if they
like, why. The difference from the clock's reading when Set is pressed becomes a
``correct_clock`` command: the phase clock and the exercise clock move by the same amount,
and the log keeps the correction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .style import mmss, set_cls

if TYPE_CHECKING:  # pragma: no cover
    from .bridge import SessionBridge


class ClockDialog(QDialog):
    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.setWindowTitle("Correct the clock")
        self.setModal(True)
        lay = QVBoxLayout(self)
        r = bridge.reading()
        self.now_label = QLabel(f"The phase clock shows {mmss(r.phase)} now."
                                if r is not None else "")
        self.now_label.setWordWrap(True)
        lay.addWidget(self.now_label)
        form = QFormLayout()
        row = QHBoxLayout()
        self.minutes_spin = QSpinBox()
        self.minutes_spin.setRange(0, 24 * 60)
        self.minutes_spin.setSuffix(" min")
        self.seconds_spin = QSpinBox()
        self.seconds_spin.setRange(0, 59)
        self.seconds_spin.setSuffix(" s")
        if r is not None:
            self.minutes_spin.setValue(int(r.phase) // 60)
            self.seconds_spin.setValue(int(r.phase) % 60)
        row.addWidget(self.minutes_spin)
        row.addWidget(self.seconds_spin)
        row.addStretch(1)
        form.addRow("Time in this phase:", row)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("e.g. the clock ran through the coffee break")
        form.addRow("Why (optional):", self.reason_edit)
        lay.addLayout(form)
        note = QLabel("The exercise clock moves by the same amount. The correction is kept in "
                      "the record.")
        note.setWordWrap(True)
        set_cls(note, "muted")
        lay.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.set_button = buttons.addButton("Set the clock", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def target_seconds(self) -> int:
        return self.minutes_spin.value() * 60 + self.seconds_spin.value()

    def apply(self) -> None:
        from ..domain import commands as C

        r = self.bridge.reading()
        if r is None or not r.started:
            self.reject()
            return
        delta = self.target_seconds() - int(round(r.phase))
        if delta == 0:
            self.accept()  # the clock already shows that time: nothing to record
            return
        if self.bridge.execute(C.CorrectClock(seconds=delta, reason=self.reason_edit.text().strip()),
                               self) is not None:
            self.accept()
