"""A one-line label whose new texts lay nothing out again.

Qt lays a whole window out again after any label in it changes its text: the label asks its
parent's layout again, and every layout that runs asks its own parent's, up to the window.
A replay drag changes the position line, the current event and the projector's index at
every move, and both windows were laid out again each time. :class:`SteadyLabel` is a box
the layout places; the :class:`QLabel` inside keeps the box's size as a fixed size, and Qt
asks nothing of a widget of fixed size when its text changes: a new text repaints the label
alone. The box asks for more room (one layout) only when a text is wider than any before
and the box is not stretched to show it.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

__all__ = ["SteadyLabel"]


class SteadyLabel(QWidget):
    """A box holding :attr:`label` (a plain-text, single-line :class:`QLabel`) at its own
    size. ``text``/``setText`` are the label's; style, font and alignment are set on the
    label. The box asks for the width of the widest text shown so far (``fit`` reserves
    room for a text ahead), or for none when ``stretch`` (the layout gives it the room of
    a stretch), and for the label's height."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *,
                 stretch: bool = False):
        super().__init__(parent)
        self.label = QLabel(text, self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self._stretch = stretch
        self._width = 0
        policy = QSizePolicy.Policy.Ignored if stretch else QSizePolicy.Policy.Preferred
        self.setSizePolicy(policy, QSizePolicy.Policy.Preferred)
        self.label.installEventFilter(self)  # a font or style set on the label itself
        self.fit(text)

    # -- the label's text
    def text(self) -> str:
        return self.label.text()

    def setText(self, text: str) -> None:
        if text == self.label.text():
            return
        self.label.setText(text)  # a fixed-size label: repainted, nothing laid out
        if not self._stretch and self._text_width(text) > self._width:
            self.fit(text)

    def fit(self, widest: str) -> None:
        """Keep room for ``widest`` (and every narrower text)."""
        w = self._text_width(widest)
        if w > self._width:
            self._width = w
            self.updateGeometry()

    def _text_width(self, text: str) -> int:
        m = self.label.contentsMargins()
        return self.label.fontMetrics().horizontalAdvance(text) + m.left() + m.right() + \
            2 * self.label.margin() + 2 * self.label.frameWidth()

    # -- the box
    def sizeHint(self) -> QSize:
        return QSize(0 if self._stretch else self._width, self._height())

    def minimumSizeHint(self) -> QSize:
        return QSize(0 if self._stretch else self._width, self._height())

    def _height(self) -> int:
        """One line of the label's font and its margins (whatever the text)."""
        lab = self.label
        m = lab.contentsMargins()
        return lab.fontMetrics().height() + m.top() + m.bottom() + 2 * lab.margin() + \
            2 * lab.frameWidth()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.label.setFixedSize(self.size())

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.FontChange, event.Type.StyleChange):
            self.refit()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.label and event.type() in (event.Type.FontChange,
                                                  event.Type.StyleChange):
            self.refit()
        return super().eventFilter(obj, event)

    def refit(self) -> None:
        """The label's font or style changed: measure the room again."""
        self._width = 0
        self.fit(self.label.text())
        self.updateGeometry()
