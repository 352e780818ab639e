"""The facilitator guide in a window: docs/facilitator-guide.md rendered with its
screenshots. Loaded when Help > Facilitator guide is first chosen (its widgets are not
needed before the first window is on screen)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

__all__ = ["GuideDialog"]


class GuideDialog(QDialog):
    """The facilitator guide (docs/facilitator-guide.md), rendered, with its screenshots."""

    def __init__(self, path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Facilitator guide")
        self.resize(900, 760)
        lay = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setSearchPaths([str(path.parent)])
        self.browser.setMarkdown(path.read_text(encoding="utf-8"))
        lay.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
