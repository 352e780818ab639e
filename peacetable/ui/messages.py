"""Message boxes: errors, refusals, information, and the question a locked session asks.

Every message goes through :func:`message`, the one place that builds a ``QMessageBox``
(as plain text: engine messages may contain ``<`` and ``>``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtWidgets import QMessageBox, QWidget

# (QtCore.Qt and QMessageBox are read when a box is built, not at import: creating the
# Qt namespace's Python enums costs ~30 ms, and QMessageBox's type and enums more, which
# start-up does not need to pay.)


def __getattr__(name: str):
    if name == "QMessageBox":  # ``from .messages import QMessageBox``
        from PySide6.QtWidgets import QMessageBox

        return QMessageBox
    raise AttributeError(name)


def message(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
            detail: str = "") -> None:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    if detail:
        box.setDetailedText(detail)
    box.exec()


def show_error(parent: QWidget | None, title: str, text: str, detail: str = "") -> None:
    from PySide6.QtWidgets import QMessageBox

    message(parent, QMessageBox.Icon.Critical, title, text, detail)


def show_refused(parent: QWidget | None, reason: str) -> None:
    """The engine refused a command: its reason, as a sentence, and that nothing changed."""
    from PySide6.QtWidgets import QMessageBox

    reason = reason.strip().rstrip(".")
    message(parent, QMessageBox.Icon.Warning, "Not allowed",
            f"{reason[:1].upper()}{reason[1:]}.\n\nNothing was recorded." if reason else
            "The command was refused. Nothing was recorded.")


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    message(parent, QMessageBox.Icon.Information, title, text)


def notify_warnings(parent: QWidget, title: str, warnings: list[str]) -> QMessageBox | None:
    """Things to know that did not stop a file from opening (e.g. an ignored snapshot):
    a warning box that does not block the window behind it. Returns the box (None if there
    is nothing to say)."""
    from PySide6.QtWidgets import QMessageBox

    if not warnings:
        return None
    box = QMessageBox(QMessageBox.Icon.Warning, title, "\n\n".join(warnings),
                      QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def ask_read_only(parent: QWidget | None, text: str) -> bool:
    """The session is locked by another window or process: offer to open it read-only."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, "Session is in use", text,
                      QMessageBox.StandardButton.Cancel, parent)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box.setInformativeText("You can look at it read-only here; nothing will be changed.")
    ro = box.addButton("Open read-only", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is ro


def ask_resume(parent: QWidget | None, text: str, informative: str) -> bool:
    """The clock was paused when the session was closed: resume it now?"""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, "Resume the clock?", text,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box.setInformativeText(informative)
    resume = box.addButton("Resume the clock", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Keep it paused", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(resume)
    box.exec()
    return box.clickedButton() is resume


def ask_choice(parent: QWidget | None, title: str, text: str, informative: str,
               choices: list[str], cancel: str = "Cancel") -> str | None:
    """A question with named answers: the answer's text, or None for ``cancel``."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box.setInformativeText(informative)
    buttons = {box.addButton(c, QMessageBox.ButtonRole.AcceptRole): c for c in choices}
    no = box.addButton(cancel, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.exec()
    return buttons.get(box.clickedButton())
