"""Message boxes: errors, refusals, information, and the question a locked session asks.

Every message goes through :func:`message`, the one place that builds a ``QMessageBox``
(as plain text: engine messages may contain ``<`` and ``>``).
"""

from __future__ import annotations

from PySide6 import QtCore
from PySide6.QtWidgets import QMessageBox, QWidget

# (QtCore.Qt is read when a box is built, not at import: creating the Qt namespace's
# Python enums costs ~30 ms, which start-up does not need to pay.)


def message(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
            detail: str = "") -> None:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    if detail:
        box.setDetailedText(detail)
    box.exec()


def show_error(parent: QWidget | None, title: str, text: str, detail: str = "") -> None:
    message(parent, QMessageBox.Icon.Critical, title, text, detail)


def show_refused(parent: QWidget | None, reason: str) -> None:
    """The engine refused a command: its reason, as a sentence, and that nothing changed."""
    reason = reason.strip().rstrip(".")
    message(parent, QMessageBox.Icon.Warning, "Not allowed",
            f"{reason[:1].upper()}{reason[1:]}.\n\nNothing was recorded." if reason else
            "The command was refused. Nothing was recorded.")


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    message(parent, QMessageBox.Icon.Information, title, text)


def ask_read_only(parent: QWidget | None, text: str) -> bool:
    """The session is locked by another window or process: offer to open it read-only."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Session is in use", text,
                      QMessageBox.StandardButton.Cancel, parent)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box.setInformativeText("You can look at it read-only here; nothing will be changed.")
    ro = box.addButton("Open read-only", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is ro
