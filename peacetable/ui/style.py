"""Look and feel: one style (Fusion), one stylesheet, one text scale for the projector.

The stylesheet holds colours and spacing only. Text sizes come from fonts: the
application font is the base size times the scale the facilitator sets with View >
Larger text / Smaller text (kept in QSettings), and headings, the clock and result lines
carry a font a fixed factor larger (:data:`FONTS`), so the whole window grows together.
Widgets pick a look with a dynamic ``cls`` property (``h1``, ``h2``, ``muted``,
``badge``...) set through :func:`set_cls`.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:  # pragma: no cover
    from PySide6.QtGui import QIcon

BASE_POINT_SIZE = 11.0
#: arguments for ``QApplication``: the same style (Fusion) on every platform, chosen before
#: any widget exists (cheaper than ``setStyle`` afterwards)
QT_ARGS = ["-style", "Fusion"]
SCALES = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0)
SETTINGS_KEY = "view/text_scale"
#: what the projector shows unless control chooses otherwise (View menu): the issue
#: network, its analysis marks (deadlocks give a later puzzle away), variable overlays
ROOM_DEFAULTS = {"network": True, "analysis": False, "overlays": False}

#: issue status -> background colour (light, readable with black text on a projector)
STATUS_COLOURS = {
    "agreed": "#c8ecc9",
    "declared": "#ecd3f1",
    "on_table": "#cfe3fb",
    "open": "#ffffff",
    "suspended": "#fde7b0",
    "blocked": "#f8c9c4",
}
STATUS_LABELS = {
    "agreed": "agreed",
    "declared": "declared",
    "on_table": "on the table",
    "open": "open",
    "suspended": "suspended",
    "blocked": "blocked",
}
DUE_COLOUR = "#ffd86b"
FIRED_COLOUR = "#e4e4e4"
SEALED_COLOUR = "#e3dcf5"
UNDONE_COLOUR = "#9a9a9a"
ACCENT = "#1f5fa8"
DANGER = "#b3261e"
OK_GREEN = "#1e7b34"


#: widget class -> (size factor over the base font, bold, monospace)
FONTS = {
    "h1": (1.55, True, False),
    "h2": (1.2, True, False),
    "clock": (2.2, True, True),
    "result": (1.25, True, False),
}

#: colours and spacing only: sizes come from fonts (see FONTS), so that changing the text
#: scale is a font change, not a re-polish of every widget under a new stylesheet
STYLESHEET = f"""
    QLabel[cls="muted"] {{ color: #555555; }}
    QLabel[cls="clock"][state="paused"] {{ color: #7a7a7a; }}
    QLabel[cls="clock"][state="overrun"] {{ color: {DANGER}; }}
    QLabel[cls="badge"] {{ border-radius: 4px; padding: 2px 8px; font-weight: 600;
                           color: white; background: {ACCENT}; }}
    QLabel[cls="badge"][kind="sealed"] {{ background: #5b3fa0; }}
    QLabel[cls="badge"][kind="idle"] {{ background: #777777; }}
    QLabel[cls="result"] {{ padding: 6px; border-radius: 4px; background: #f1f1f1; }}
    QLabel[cls="result"][kind="success"] {{ background: #c8ecc9; color: #0d4a1c; }}
    QLabel[cls="result"][kind="failure"] {{ background: #f8c9c4; color: #6b130d; }}
    QLabel[cls="error"] {{ color: {DANGER}; }}
    QGroupBox {{ font-weight: 600; margin-top: 1.1em; padding-top: 0.3em; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 6px; padding: 0 3px; }}
    QPushButton {{ padding: 5px 12px; }}
    QPushButton[cls="primary"] {{ font-weight: 600; background: {ACCENT}; color: white;
                                  border: 1px solid #174a84; border-radius: 4px;
                                  padding: 6px 14px; }}
    QPushButton[cls="primary"]:disabled {{ background: #9db6d3; border-color: #9db6d3; }}
    QPushButton[cls="danger"] {{ font-weight: 600; color: {DANGER}; }}
    QTabBar::tab {{ padding: 6px 14px; }}
    QTabBar::tab:selected {{ font-weight: 600; }}
    QHeaderView::section {{ font-weight: 600; padding: 4px; }}
    QFrame[cls="panel"] {{ background: #f6f7f9; border: 1px solid #d6d9de; border-radius: 6px; }}
"""


def stylesheet(scale: float) -> str:
    """The application style sheet (the same rules at every text ``scale``: sizes come
    from fonts)."""
    return STYLESHEET


def text_scale() -> float:
    try:
        value = float(QSettings().value(SETTINGS_KEY, 1.0))
    except (TypeError, ValueError):
        value = 1.0
    return min(SCALES, key=lambda s: abs(s - value))


def apply(app: QApplication, scale: float | None = None) -> float:
    """Apply the stylesheet and the text ``scale`` (default: the saved one). The Fusion
    style itself is chosen when the application is created (see :data:`QT_ARGS`)."""
    if scale is None:
        scale = text_scale()
    old = app.font().pointSizeF()
    font = QFont(app.font())
    font.setPointSizeF(BASE_POINT_SIZE * scale)
    # Under a style sheet, a widget already polished keeps the font it was polished with
    # when the application font changes (tables, forms, lists stayed at the old size).
    # Setting the style sheet again would re-polish every widget (about a second on a full
    # console, most of a zoom step); instead each existing widget gets its own font at the
    # new size (its weight and family kept), before the application font changes (a widget
    # not polished yet still reads the old one). A widget polished later takes the new
    # application font. The style sheet itself is set once, before the first window.
    if app.styleSheet() and old > 0 and abs(font.pointSizeF() - old) > 1e-9:
        _rescale_widgets(app, font.pointSizeF() / old)
    app.setFont(font)
    if not app.styleSheet():
        app.setStyleSheet(stylesheet(scale))
    for w in _styled_widgets():  # headings and the clock carry their own (larger) fonts
        if w.property("cls") in FONTS:
            _apply_font(w)
    global _scale
    _scale = scale
    for w in [w for w in list(_ZOOMED) if shiboken6.isValid(w)]:
        w.set_text_scale(scale)  # views that draw their own texts (chart, network, projector)
    return scale


def _rescale_widgets(app: QApplication, ratio: float) -> None:
    """Every existing widget's font ``ratio`` times as large. A widget whose own style
    sheet sets its font (the projector's labels) is left to it: the views that style their
    texts so follow the zoom themselves (:func:`follow_zoom`)."""
    for top in app.topLevelWidgets():
        if not shiboken6.isValid(top):
            continue
        for w in (top, *top.findChildren(QWidget)):
            if "font" in w.styleSheet():
                continue
            f = QFont(w.font())
            f.setPointSizeF(f.pointSizeF() * ratio)
            w.setFont(f)


#: the text scale last applied (see :func:`apply`)
_scale = 1.0
#: views that draw their own texts at sizes of their own (the chart's axes, the network's
#: nodes and legend, the projector's labels): each has ``set_text_scale(zoom)``
_ZOOMED: weakref.WeakSet[QWidget] = weakref.WeakSet()


def current_scale() -> float:
    """The text scale in use (1.0 until :func:`apply` ran)."""
    return _scale


def follow_zoom(view: QWidget) -> QWidget:
    """Give ``view`` the text zoom now and at every change (``view.set_text_scale``)."""
    _ZOOMED.add(view)
    if _scale != 1.0:
        view.set_text_scale(_scale)
    return view


#: every widget given a look by :func:`set_cls`. Walking these instead of
#: ``QApplication.allWidgets()`` never meets a widget that is half torn down (that walk
#: could crash the process when a window was being destroyed).
_STYLED: weakref.WeakSet[QWidget] = weakref.WeakSet()


def _styled_widgets() -> list[QWidget]:
    return [w for w in list(_STYLED) if shiboken6.isValid(w)]


def step_scale(app: QApplication, direction: int) -> float:
    """One step larger (+1), smaller (-1) or back to normal (0); saved for next time."""
    cur = text_scale()
    if direction == 0:
        new = 1.0
    else:
        k = SCALES.index(cur) + (1 if direction > 0 else -1)
        new = SCALES[max(0, min(len(SCALES) - 1, k))]
    QSettings().setValue(SETTINGS_KEY, new)
    return apply(app, new)


#: False until the first window is on screen. Until then :func:`set_cls` only sets the
#: properties, and :func:`first_window_shown` re-polishes every styled widget once: this
#: keeps ``QStyle.polish`` out of start-up, where PySide6 would resolve its overloads by
#: building every enum of the Qt namespace (~40 ms).
_repolish = False


def first_window_shown() -> None:
    global _repolish
    if _repolish:
        return
    _repolish = True
    for w in _styled_widgets():
        if w.property("cls") is not None:
            w.style().unpolish(w)
            w.style().polish(w)


class _FontKeeper(QObject):
    """Gives a heading its font back whenever something else set it: the style sheet
    resets a polished widget's font to the inherited (body) font when the widget is
    moved into a parent, as a page built after the first window is on screen is."""

    EVENTS = (QEvent.Type.FontChange, QEvent.Type.ParentChange, QEvent.Type.Polish)

    def eventFilter(self, obj, event) -> bool:
        if event.type() in self.EVENTS and obj.property("cls") in FONTS:
            factor = FONTS[obj.property("cls")][0]
            want = QApplication.font().pointSizeF() * factor
            if abs(obj.font().pointSizeF() - want) > 1e-6:
                _apply_font(obj)
        return False


_KEEPER: _FontKeeper | None = None


def _keep_font(widget: QWidget) -> None:
    global _KEEPER
    if _KEEPER is None:
        _KEEPER = _FontKeeper()
    if not widget.property("_font_kept"):
        widget.setProperty("_font_kept", True)
        widget.installEventFilter(_KEEPER)


def set_cls(widget: QWidget, cls: str, **props: str) -> QWidget:
    """Give a widget a look from the stylesheet (and re-polish it if it changes)."""
    changed = widget.property("cls") != cls
    widget.setProperty("cls", cls)
    _STYLED.add(widget)
    for k, v in props.items():
        if widget.property(k) != v:
            widget.setProperty(k, v)
            changed = True
    if changed:
        if _repolish:
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        if cls in FONTS:
            _apply_font(widget)
    if cls in FONTS:
        _keep_font(widget)
    return widget


def _apply_font(widget: QWidget) -> None:
    factor, bold, mono = FONTS[widget.property("cls")]
    base = QApplication.font()
    f = QFont(base)
    if mono:
        f.setFamilies(["DejaVu Sans Mono", "Menlo", "Consolas", "monospace"])
        f.setStyleHint(QFont.StyleHint.Monospace)
    f.setPointSizeF(base.pointSizeF() * factor)
    f.setBold(bold)
    widget.setFont(f)


def app_icon() -> QIcon:
    """The application icon from ``assets/`` (next to the package in a source tree or a
    one-folder build); an empty icon if it is not there."""
    from pathlib import Path

    from PySide6.QtGui import QIcon

    here = Path(__file__).resolve()
    for base in (here.parents[2] / "assets", here.parents[1] / "assets"):
        p = base / "peacetable.svg"
        if p.is_file():
            return QIcon(str(p))
    return QIcon()


def mmss(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def hmm(seconds: float) -> str:
    """A length of time for the exercise clock: '2:05:09' or '45:10'."""
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else mmss(seconds)


def shown_path(path) -> str:
    """A file's path as people read it in the window: the home folder written ``~``
    ("~/Documents/PeaceTable/workshop.peacetable")."""
    from pathlib import Path

    p = Path(path)
    try:
        rel = p.relative_to(Path.home())
    except ValueError:
        return str(p)
    return str(Path("~") / rel)
