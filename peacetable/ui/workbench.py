"""The scenario workbench: edit a scenario's TOML with its problems and previews beside it.

A window per file: the text (TOML highlighting, line numbers, a red mark in the gutter and
a wavy underline on each line with a problem), the list of every problem of the text
(click one to go to its line), and two previews — the linkage network (the console's
network view, fed a :class:`~peacetable.app.workbench.ScenarioPreview`) and the
bargaining analysis (Nash and Kalai–Smorodinsky points, the ZOPA overall and per issue,
and what ``peacetable analyze`` prints). The text is checked 250 ms after the last
keystroke; the analysis runs on a worker thread (:class:`~peacetable.app.workbench.
LiveAnalysis`), so typing never waits for it. What the checks and previews say comes from
:mod:`peacetable.app.workbench`; nothing here validates or analyses by itself.

Saving writes the file atomically; a bundled exercise is never overwritten (Save asks
where to put a copy). Closing the window, or the app, with unsaved changes asks
Save / Discard / Cancel. "New session from this" opens the New Session dialog on the saved
file once the text has no problem.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRect, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontDatabase,
    QKeySequence,
    QPainter,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ..app.workbench import (
    AnalysisPreview,
    BundledScenarioError,
    Check,
    LiveAnalysis,
    LiveCheck,
    ScenarioDocument,
    ScenarioPreview,
    is_bundled,
    listed_problems,
    suggest_copy_path,
)
from . import messages, style
from .actions import shortcuts
from .dialogs import SCENARIO_FILTER
from .widgets_common import esc

if TYPE_CHECKING:  # pragma: no cover
    from .main_window import MainWindow

__all__ = ["CHECK_DELAY_MS", "CodeEditor", "TomlHighlighter", "WorkbenchWindow"]

#: milliseconds after the last keystroke before the text is checked and the previews follow
CHECK_DELAY_MS = 250
PROBLEM_COLOUR = QColor(style.DANGER)


# --------------------------------------------------------------------------- highlighting

_BARE_KEY = r"[A-Za-z0-9_-]+"
_QUOTED_KEY = r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\''
_KEY = re.compile(rf"(?:{_BARE_KEY}|{_QUOTED_KEY})(?:\s*\.\s*(?:{_BARE_KEY}|{_QUOTED_KEY}))*"
                  r"(?=\s*=)")
_HEADER = re.compile(r"\[\[?\s*(?:[^\]\"'#]|" + _QUOTED_KEY + r")*\]?\]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                   r"(?:Z|[+-]\d{2}:\d{2})?)?|\d{2}:\d{2}:\d{2}(?:\.\d+)?")
_NUMBER = re.compile(r"[+-]?(?:0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|inf|nan|"
                     r"\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d[\d_]*)?)(?![\w.-])")
_BOOL = re.compile(r"(?:true|false)(?![\w-])")
_WORD_BEFORE = re.compile(r"[\w.-]$")

IN_BASIC_ML = 1  # block state: inside a """ string
IN_LITERAL_ML = 2  # block state: inside a ''' string


def _fmt(colour: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    f = QTextCharFormat()
    f.setForeground(QColor(colour))
    if bold:
        f.setFontWeight(QFont.Weight.Bold)
    f.setFontItalic(italic)
    return f


class TomlHighlighter(QSyntaxHighlighter):
    """TOML colours: table headers, keys, strings (multi-line ones across lines), numbers
    and dates, booleans, comments. A line is read left to right, as TOML reads it, so a
    ``#`` or a ``[`` inside a string is part of the string."""

    FORMATS = {
        "header": ("#1f4e9a", True, False),
        "key": ("#7a3e9d", False, False),
        "string": ("#1e7b34", False, False),
        "number": ("#b35900", False, False),
        "bool": ("#1f5fa8", True, False),
        "comment": ("#6b6b6b", False, True),
    }

    def __init__(self, document):
        super().__init__(document)
        self.formats = {k: _fmt(*v) for k, v in self.FORMATS.items()}

    def highlightBlock(self, text: str) -> None:  # noqa: C901 (one scanner)
        f = self.formats
        n = len(text)
        i = 0
        state = self.previousBlockState()
        self.setCurrentBlockState(0)
        if state in (IN_BASIC_ML, IN_LITERAL_ML):
            end = self._ml_end(text, 0, '"""' if state == IN_BASIC_ML else "'''")
            if end < 0:
                self.setFormat(0, n, f["string"])
                self.setCurrentBlockState(state)
                return
            self.setFormat(0, end, f["string"])
            i = end
        expect_key = state not in (IN_BASIC_ML, IN_LITERAL_ML)
        while i < n:
            ch = text[i]
            if ch in " \t\r":
                i += 1
                continue
            if ch == "#":
                self.setFormat(i, n - i, f["comment"])
                return
            if expect_key and ch == "[" and not text[:i].strip():
                m = _HEADER.match(text, i)
                if m:
                    self.setFormat(i, m.end() - i, f["header"])
                    i = m.end()
                    expect_key = False
                    continue
            if expect_key:
                m = _KEY.match(text, i)
                if m:
                    self.setFormat(i, m.end() - i, f["key"])
                    i = m.end()
                    expect_key = False
                    continue
            if text.startswith('"""', i) or text.startswith("'''", i):
                quote = text[i:i + 3]
                end = self._ml_end(text, i + 3, quote)
                if end < 0:
                    self.setFormat(i, n - i, f["string"])
                    self.setCurrentBlockState(IN_BASIC_ML if quote == '"""' else IN_LITERAL_ML)
                    return
                self.setFormat(i, end - i, f["string"])
                i = end
                continue
            if ch == '"':
                j = i + 1
                while j < n and text[j] != '"':
                    j += 2 if text[j] == "\\" else 1
                j = min(j + 1, n)
                self.setFormat(i, j - i, f["string"])
                i = j
                continue
            if ch == "'":
                j = text.find("'", i + 1)
                j = n if j < 0 else j + 1
                self.setFormat(i, j - i, f["string"])
                i = j
                continue
            if ch in "{,":
                expect_key = ch == "{" or self._in_inline_table(text, i)
                i += 1
                continue
            if ch == "=":
                expect_key = False
                i += 1
                continue
            if not _WORD_BEFORE.search(text[:i]):
                for kind, rx in (("number", _DATE), ("number", _NUMBER), ("bool", _BOOL)):
                    m = rx.match(text, i)
                    if m:
                        self.setFormat(i, m.end() - i, f[kind])
                        i = m.end()
                        break
                else:
                    i += 1
                continue
            i += 1

    @staticmethod
    def _ml_end(text: str, start: int, quote: str) -> int:
        """Index just after the closing ``quote`` of a multi-line string (up to two more
        quote characters belong to the string), or -1 when it goes on past this line."""
        j = start
        while True:
            k = text.find(quote, j)
            if k < 0:
                return -1
            if quote == '"""':  # a backslash escapes the next character
                back = 0
                while k - 1 - back >= start and text[k - 1 - back] == "\\":
                    back += 1
                if back % 2:
                    j = k + 1
                    continue
            end = k + 3
            extra = 0
            while extra < 2 and end < len(text) and text[end] == quote[0]:
                end += 1
                extra += 1
            return end

    @staticmethod
    def _in_inline_table(text: str, i: int) -> bool:
        """Is the ``,`` at ``i`` directly inside ``{ … }`` (a key follows) rather than inside
        ``[ … ]``? (The brackets before it on the line, strings skipped.)"""
        stack: list[str] = []
        quote = ""
        k = 0
        while k < i:
            ch = text[k]
            if quote:
                if ch == "\\" and quote == '"':
                    k += 1
                elif ch == quote:
                    quote = ""
            elif ch in "\"'":
                quote = ch
            elif ch in "{[":
                stack.append(ch)
            elif ch in "}]" and stack:
                stack.pop()
            k += 1
        return bool(stack) and stack[-1] == "{"


# --------------------------------------------------------------------------- the editor


class _Gutter(QWidget):
    """Line numbers, with a red mark on each line that has a problem (its messages as the
    tooltip)."""

    def __init__(self, editor: CodeEditor):
        super().__init__(editor)
        self.editor = editor
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event) -> None:
        self.editor.paint_gutter(event)

    def mouseMoveEvent(self, e) -> None:
        # (not an event() override: that would run Python for every event the gutter gets)
        line = self.editor.line_at_y(int(e.position().y()))
        msgs = self.editor.problem_lines.get(line) if line else None
        if msgs:
            QToolTip.showText(e.globalPosition().toPoint(), "\n".join(msgs), self)
        else:
            QToolTip.hideText()


class CodeEditor(QPlainTextEdit):
    """A plain-text editor for TOML: monospace (at the app's text size), line numbers, no
    wrapping, problem lines marked in the gutter and underlined. Undo and redo are the
    editor's own."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("scenarioText")
        self.problem_lines: dict[int, list[str]] = {}
        self.gutter = _Gutter(self)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.highlighter = TomlHighlighter(self.document())
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self.cursorPositionChanged.connect(self._update_selections)
        self._apply_font()
        self._update_gutter_width()

    # ------------------------------------------------------------------ font
    def _apply_font(self) -> None:
        f = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        f.setPointSizeF(QApplication.font().pointSizeF())
        self.setFont(f)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 4)
        self._update_gutter_width()

    def set_text_scale(self, zoom: float) -> None:
        """The window's text zoom (see ``style.follow_zoom``): the app's size, monospace."""
        self._apply_font()

    # ------------------------------------------------------------------ gutter
    def gutter_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 18 + self.fontMetrics().horizontalAdvance("9") * max(3, digits)

    def _update_gutter_width(self, *_args) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())
        if rect.contains(self.viewport().rect()):
            self._update_gutter_width()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        cr = self.contentsRect()
        self.gutter.setGeometry(QRect(cr.left(), cr.top(), self.gutter_width(), cr.height()))

    def paint_gutter(self, event) -> None:
        p = QPainter(self.gutter)
        p.fillRect(event.rect(), QColor("#f1f2f4"))
        block = self.firstVisibleBlock()
        number = block.blockNumber() + 1
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        h = self.fontMetrics().height()
        w = self.gutter.width()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                if number in self.problem_lines:
                    d = max(6, h // 2)
                    p.setPen(Qt.PenStyle.NoPen)
                    p.setBrush(PROBLEM_COLOUR)
                    p.drawEllipse(3, top + (h - d) // 2, d, d)
                    p.setPen(PROBLEM_COLOUR)
                else:
                    p.setPen(QColor("#8a8a8a"))
                p.drawText(0, top, w - 6, h, Qt.AlignmentFlag.AlignRight, str(number))
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
            number += 1
        p.end()

    def line_at_y(self, y: int) -> int | None:
        """The 1-based line drawn at height ``y`` of the gutter, if any."""
        block = self.firstVisibleBlock()
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        while block.isValid():
            bottom = top + self.blockBoundingRect(block).height()
            if top <= y < bottom:
                return block.blockNumber() + 1
            block = block.next()
            top = bottom
        return None

    # ------------------------------------------------------------------ problems
    def set_problem_lines(self, lines: dict[int, list[str]]) -> None:
        """Mark these lines (1-based line -> messages) in the gutter and underline them."""
        self.problem_lines = dict(lines)
        self._update_selections()
        self.gutter.update()

    def _update_selections(self) -> None:
        sels = []
        cur = QTextEdit.ExtraSelection()
        cur.format.setBackground(QColor("#eef3fb"))
        cur.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        cur.cursor = self.textCursor()
        cur.cursor.clearSelection()
        sels.append(cur)
        doc = self.document()
        for line in sorted(self.problem_lines):
            block = doc.findBlockByNumber(line - 1)
            if not block.isValid():
                continue
            text = block.text()
            start = len(text) - len(text.lstrip())
            sel = QTextEdit.ExtraSelection()
            sel.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            sel.format.setUnderlineColor(PROBLEM_COLOUR)
            c = QTextCursor(block)
            c.setPosition(block.position() + start)
            c.setPosition(block.position() + max(len(text), start + 1) if text.strip()
                          else block.position() + len(text), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = c
            sels.append(sel)
        self.setExtraSelections(sels)

    def go_to_line(self, line: int) -> None:
        """Put the cursor at the start of ``line`` (1-based), in view, and focus the text."""
        block = self.document().findBlockByNumber(max(0, line - 1))
        if not block.isValid():
            block = self.document().lastBlock()
        c = QTextCursor(block)
        self.setTextCursor(c)
        self.centerCursor()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def current_line(self) -> int:
        return self.textCursor().blockNumber() + 1


# --------------------------------------------------------------------------- the window


class _Relay(QObject):
    """Carries a finished check or analysis from a worker thread to the window's thread."""

    ready = Signal(object, object)


class WorkbenchWindow(QMainWindow):
    """One scenario file in the workbench; see the module docstring."""

    #: emitted after each check of the text (the Check)
    checked = Signal(object)
    #: emitted when an analysis preview is shown
    analysed = Signal(object)

    def __init__(self, document: ScenarioDocument, main: MainWindow | None = None):
        super().__init__()
        self.main = main
        self.document = document
        self.check: Check | None = None
        self.preview: ScenarioPreview | None = None
        self.analysis_result: AnalysisPreview | None = None
        self.generation = 0  # the text version the newest analysis was asked for
        self.shown_generation = -1  # the text version whose analysis is shown
        self._checked_text: str | None = None
        self._network_key: tuple | None = None
        self._network_shape: tuple | None = None
        self._preview_key: str | None = None  # the scenario as the previews last read it
        self._problems_shown: tuple | None = None
        self._closing_ok = False
        self.setWindowIcon(style.app_icon())
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)

        self.editor = style.follow_zoom(CodeEditor())
        self.editor.setPlainText(document.saved_text)
        self.editor.document().setModified(False)
        self.editor.document().modificationChanged.connect(self._modified_changed)
        self.editor.textChanged.connect(self._text_changed)

        self.bundled_note = QLabel("This is an exercise installed with PeaceTable: it is not "
                                   "changed here. Saving asks where to keep your own copy.")
        self.bundled_note.setWordWrap(True)
        self.bundled_note.setStyleSheet("QLabel { background: #fff4d6; color: #5a4300; "
                                        "padding: 6px; border-radius: 4px; }")

        self.problems_title = QLabel("Problems")
        style.set_cls(self.problems_title, "h2")
        self.problems = QListWidget()
        self.problems.setObjectName("problems")
        self.problems.setWordWrap(True)
        self.problems.itemClicked.connect(self._problem_clicked)
        self.problems.itemActivated.connect(self._problem_clicked)

        left_top = QWidget()
        lt = QVBoxLayout(left_top)
        lt.setContentsMargins(0, 0, 0, 0)
        lt.addWidget(self.bundled_note)
        lt.addWidget(self.editor, 1)
        left_bottom = QWidget()
        lb = QVBoxLayout(left_bottom)
        lb.setContentsMargins(0, 0, 0, 0)
        lb.addWidget(self.problems_title)
        lb.addWidget(self.problems, 1)
        self.left = QSplitter(Qt.Orientation.Vertical)
        self.left.addWidget(left_top)
        self.left.addWidget(left_bottom)
        self.left.setStretchFactor(0, 4)
        self.left.setStretchFactor(1, 1)

        self.stale_note = QLabel("")
        self.stale_note.setWordWrap(True)
        style.set_cls(self.stale_note, "error")
        from .network_view import NetworkView

        self.network = style.follow_zoom(NetworkView(viewer="control"))
        self.analysis_view = QTextBrowser()
        self.analysis_view.setObjectName("analysisPreview")
        self.analysis_view.setOpenLinks(False)
        self.copy_button = QPushButton("Copy the whole analysis as text")
        self.copy_button.setToolTip("What “peacetable analyze” prints for this scenario, with "
                                    "the frontier, the network analysis and each role's ideal")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_analysis)
        analysis_page = QWidget()
        ap = QVBoxLayout(analysis_page)
        ap.setContentsMargins(0, 0, 0, 0)
        ap.addWidget(self.analysis_view, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.copy_button)
        ap.addLayout(row)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.network, "Linkage network")
        self.tabs.addTab(analysis_page, "Bargaining analysis")
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.stale_note)
        rl.addWidget(self.tabs, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)
        self.status_label = QLabel("")
        self.statusBar().addWidget(self.status_label, 1)
        self.analysis_label = QLabel("")
        style.set_cls(self.analysis_label, "muted")
        self.statusBar().addPermanentWidget(self.analysis_label)

        self.check_timer = QTimer(self)
        self.check_timer.setSingleShot(True)
        self.check_timer.setInterval(CHECK_DELAY_MS)
        self.check_timer.timeout.connect(self._check_later)
        self.check_generation = 0  # the text version the newest check was asked for
        self._asked_text: str | None = None
        self.checks = LiveCheck()
        self._check_relay = _Relay(self)
        self._check_relay.ready.connect(self._check_ready)
        self.live = LiveAnalysis()
        self._relay = _Relay(self)
        self._relay.ready.connect(self._analysis_ready)

        self._make_actions()
        self._update_title()
        geometry = QSettings().value("workbench/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1400, 900)
            self.splitter.setSizes([700, 700])
        self.run_check()

    # ------------------------------------------------------------------ actions
    def _action(self, text: str, slot, keys=(), tip: str = "") -> QAction:
        a = QAction(text, self)
        if keys:
            a.setShortcuts(shortcuts(*keys))
        if tip:
            a.setStatusTip(tip)
        a.triggered.connect(lambda _c=False: slot())
        return a

    def _make_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.open_action = self._action("&Open scenario…", self.open_other, (K.Open,))
        self.save_action = self._action("&Save", self.save, (K.Save,),
                                        "Save the scenario (a bundled exercise: as a copy)")
        self.save_as_action = self._action("Save &as…", self.save_as, (K.SaveAs, "Ctrl+Shift+S"))
        self.session_action = self._action(
            "&New session from this…", self.new_session_from_this, ("Ctrl+Shift+N",),
            "Start a session from the saved scenario (it must have no problems)")
        self.close_action = self._action("&Close workbench", self.close, (K.Close,))
        e = self.editor
        self.undo_action = self._action("&Undo", e.undo, (K.Undo,))
        self.redo_action = self._action("&Redo", e.redo, (K.Redo,))
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        e.undoAvailable.connect(self.undo_action.setEnabled)
        e.redoAvailable.connect(self.redo_action.setEnabled)
        self.goto_action = self._action("&Next problem", self.next_problem, ("F8",))
        self.check_action = self._action("Check &now", self.run_check, ("F5",))
        mb = self.menuBar()
        m = mb.addMenu("&File")
        for a in (self.open_action, self.save_action, self.save_as_action):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.session_action)
        m.addSeparator()
        m.addAction(self.close_action)
        m = mb.addMenu("&Edit")
        m.addAction(self.undo_action)
        m.addAction(self.redo_action)
        m.addSeparator()
        for text, slot, key in (("Cu&t", e.cut, K.Cut), ("&Copy", e.copy, K.Copy),
                                ("&Paste", e.paste, K.Paste),
                                ("Select &all", e.selectAll, K.SelectAll)):
            m.addAction(self._action(text, slot, (key,)))
        m.addSeparator()
        m.addAction(self.goto_action)
        m.addAction(self.check_action)
        if self.main is not None:  # one text zoom for every window
            m = mb.addMenu("&View")
            for a in (self.main.larger_action, self.main.smaller_action,
                      self.main.normal_action):
                m.addAction(a)
                self.addAction(a)

    # ------------------------------------------------------------------ state
    @property
    def modified(self) -> bool:
        return self.editor.document().isModified()

    def text(self) -> str:
        return self.editor.toPlainText()

    def _update_title(self) -> None:
        doc = self.document
        where = f" ({doc.path.parent})" if doc.path is not None else ""
        self.setWindowTitle(f"{doc.name}[*]{where} — Scenario workbench — PeaceTable")
        self.setWindowModified(self.modified)
        self.bundled_note.setVisible(doc.bundled)

    def _modified_changed(self, changed: bool) -> None:
        self.setWindowModified(changed)

    def _text_changed(self) -> None:
        self.check_timer.start()  # restarts: checked CHECK_DELAY_MS after the last keystroke

    # ------------------------------------------------------------------ checking
    def _check_later(self) -> None:
        """After a pause in typing: check the text on the worker thread (the window goes on
        taking keys); :meth:`_check_ready` shows the result if the text is still the one
        checked last."""
        text = self.text()
        if text == self._asked_text:
            return
        self._asked_text = text
        self.check_generation += 1
        self.checks.request(self.check_generation, text, self.document.name,
                            self._check_relay.ready.emit)

    def _check_ready(self, key: Any, check: Check) -> None:
        if key == self.check_generation:  # else a newer text is being checked
            self._apply_check(self._asked_text or "", check)

    def run_check(self) -> Check:
        """Check the text now, on this thread (Check now, New session from this): the
        problem list, the marks in the text, and, when the text is valid, the previews."""
        self.check_timer.stop()
        text = self.text()
        if text == self._checked_text and self.check is not None:
            return self.check
        self.check_generation += 1  # a check still running on the worker is now stale
        self._asked_text = text
        check = self.checks.checker.check(text, self.document.name)
        self._apply_check(text, check)
        return check

    def _apply_check(self, text: str, check: Check) -> None:
        self._checked_text = text
        self.check = check
        self._show_problems(check)
        lines = check.problem_lines()
        if lines != self.editor.problem_lines:
            self.editor.set_problem_lines(lines)
        if check.ok:
            assert check.scenario is not None
            self._show_preview(ScenarioPreview(check.scenario))
            self.stale_note.setVisible(False)
        else:
            if self.preview is None:
                for view in (self.network.details, self.analysis_view):
                    view.setHtml("<p style='font-size:13pt'>This preview appears once the "
                                 "scenario has no problem.</p>")
            self.stale_note.setText(
                "The previews show the last valid version of the text: fix the problems to "
                "update them." if self.preview is not None else
                "The previews appear once the text has no problem.")
            self.stale_note.setVisible(True)
        self.status_label.setText(check.summary())
        self.checked.emit(check)

    def _show_problems(self, check: Check) -> None:
        if check.problems == self._problems_shown:
            return  # the same list (an edit that changed no problem)
        self._problems_shown = check.problems
        self.problems.clear()
        n = len(check.problems)
        self.problems_title.setText("Problems" if not n else
                                    f"Problems ({n:,})")
        if not n:
            item = QListWidgetItem("No problems: the scenario is valid.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            item.setForeground(QColor(style.OK_GREEN))
            self.problems.addItem(item)
            return
        for line, text in listed_problems(check):
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, line or 1)
            item.setToolTip(f"Go to line {line or 1}")
            self.problems.addItem(item)

    def _problem_clicked(self, item: QListWidgetItem) -> None:
        line = item.data(Qt.ItemDataRole.UserRole)
        if line:
            self.editor.go_to_line(int(line))

    def next_problem(self) -> None:
        """Go to the first problem after the cursor's line (or the first one)."""
        if self.check is None or not self.check.problems:
            return
        lines = sorted({p.line or 1 for p in self.check.problems})
        cur = self.editor.current_line()
        self.editor.go_to_line(next((x for x in lines if x > cur), lines[0]))

    def _show_preview(self, preview: ScenarioPreview) -> None:
        self.preview = preview
        key = preview.network_key
        shown = preview.preview_key
        if key != self._network_key:
            shape = preview.network_shape_key
            # the same graph with new labels: the titles change in place
            if not (shape == self._network_shape and self.network.relabel(preview)):
                selected = self.network.selected
                self.network.set_session(preview)
                if selected and selected in self.network.nodes:
                    self.network.select_issue(selected)
            self._network_key = key
            self._network_shape = shape
        elif shown != self._preview_key:
            # same graph: the details (descriptions, preferences) follow the text
            self.network.session = preview
            self.network.refresh()
        else:  # an edit of the narrative: the network and the analysis read none of it
            self.network.session = preview
        if shown == self._preview_key:
            return  # the analysis asked for (or shown) is this one
        self._preview_key = shown
        self.generation += 1
        self.analysis_label.setText("Analysing…")
        self.live.request(self.generation, preview.scenario, self._relay.ready.emit)

    def _analysis_ready(self, key: Any, result: AnalysisPreview) -> None:
        if key != self.generation:
            return  # a newer text is being analysed
        self.analysis_result = result
        self.shown_generation = key
        self.analysis_label.setText("")
        self.analysis_view.setHtml(analysis_html(result))
        self.copy_button.setEnabled(bool(result.text))
        self.analysed.emit(result)

    def copy_analysis(self) -> None:
        r = self.analysis_result
        if r is not None and r.text:
            QApplication.clipboard().setText(r.text)
            self.statusBar().showMessage("The analysis is on the clipboard", 3000)

    # ------------------------------------------------------------------ files
    def ask_save_path(self, suggested: Path) -> str | None:
        """Where to save (a file dialog); None when the user cancels."""
        title = "Save a copy of the exercise" if self.document.bundled else "Save the scenario as"
        path, _ = QFileDialog.getSaveFileName(self, title, str(suggested), SCENARIO_FILTER)
        return path or None

    def save(self) -> bool:
        """Save to the file (a bundled exercise or a new text: ask where first). True when
        the text is on disk."""
        if self.document.path is None or self.document.bundled:
            return self.save_as()
        return self._write(None)

    def save_as(self) -> bool:
        doc = self.document
        if doc.path is None:
            from ..app.start import default_session_folder

            suggested = default_session_folder() / "scenario.toml"
        elif doc.bundled:
            suggested = suggest_copy_path(doc.path)
        else:
            suggested = doc.path
        path = self.ask_save_path(suggested)
        if not path:
            return False
        target = Path(path)
        if target.suffix.lower() != ".toml":
            target = target.with_name(target.name + ".toml")
        if is_bundled(target):
            messages.show_error(self, "Not saved", f"{target} is an exercise installed with "
                                "PeaceTable and is not overwritten. Choose another place for "
                                "your copy (your documents folder, for example).")
            return False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            messages.show_error(self, "Not saved", f"{target.parent}: {exc.strerror or exc}")
            return False
        return self._write(target)

    def _write(self, target: Path | None) -> bool:
        try:
            where = self.document.save(self.text(), target)
        except BundledScenarioError as exc:
            messages.show_error(self, "Not saved", str(exc))
            return False
        except (OSError, ValueError) as exc:
            detail = getattr(exc, "strerror", None) or str(exc)
            messages.show_error(self, "Not saved", f"{target or self.document.path}: {detail}. "
                                "The text is still here; try another place.")
            return False
        self.editor.document().setModified(False)
        self._update_title()
        self.statusBar().showMessage(f"Saved {where}", 4000)
        return True

    def maybe_save(self) -> bool:
        """Unsaved changes: ask Save / Discard / Cancel. True when it is fine to go on (saved
        or discarded, or nothing to save)."""
        if not self.modified:
            return True
        answer = messages.ask_choice(
            self, "Unsaved changes", f"{self.document.name} has changes that are not saved.",
            "Save them, discard them, or cancel and keep editing.", ["Save", "Discard"])
        if answer == "Save":
            return self.save()
        return answer == "Discard"

    def open_other(self) -> None:
        if self.main is not None:
            self.main.open_workbench_dialog()

    # ------------------------------------------------------------------ sessions
    def new_session_from_this(self):
        """Open the New Session dialog on the saved scenario; refused (saying why) while
        the text has problems, and offered a save first when it has unsaved changes.
        Returns the dialog, or None."""
        check = self.run_check()
        if not check.ok:
            n = len(check.problems)
            messages.show_error(self, "Fix the problems first",
                                f"The scenario has {n:,} problem{'s' if n != 1 else ''} (listed "
                                "under the text). A session can start only from a valid "
                                "scenario.")
            return None
        if self.modified or self.document.path is None:
            answer = messages.ask_choice(
                self, "Save first?", "A session starts from the saved file, and this text has "
                "changes that are not saved.", "Save them now and go on, or cancel.",
                ["Save and continue"])
            if answer is None or not self.save():
                return None
        if self.main is None or self.document.path is None:
            return None
        dlg = self.main.new_session(self.document.path)
        self.main.raise_()
        self.main.activateWindow()
        return dlg

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event) -> None:
        if not self._closing_ok and not self.maybe_save():
            event.ignore()
            return
        QSettings().setValue("workbench/geometry", self.saveGeometry())
        self.check_timer.stop()
        self.checks.close()
        self.live.close()
        if self.main is not None:
            self.main.workbench_closed(self)
        super().closeEvent(event)

    def close_without_asking(self) -> None:
        """Close after the caller has asked about unsaved changes."""
        self._closing_ok = True
        self.close()


# --------------------------------------------------------------------------- analysis text


def _share(n: int, total: int) -> str:
    """"412 · 43%" (one decimal below 10%, "<0.1%" for a handful)."""
    if not total:
        return f"{n:,}"
    pct = 100 * n / total
    shown = "<0.1%" if 0 < pct < 0.1 else f"{pct:.1f}%" if pct < 10 else f"{pct:.0f}%"
    return f"{n:,} · {shown}"


def analysis_html(r: AnalysisPreview) -> str:
    """The analysis pane (every scenario text escaped)."""
    out = ["<h2 style='margin-bottom:4px'>Bargaining analysis</h2>"]
    if r.status in ("too_large", "failed"):
        out.append(f"<p><b>{esc(r.message)}</b></p>")
        return "\n".join(out)
    out.append(f"<p>{r.packages:,} full packages. <b>ZOPA</b> (packages at least as good as "
               f"no deal for every player role): {esc(r.zopa)}</p>")
    if r.status == "refused":
        out.append(f"<p><b>Not analysed:</b> {esc(r.message)}</p>")
    for title, point in (("Nash bargaining point", r.nash),
                         ("Kalai–Smorodinsky point", r.kalai_smorodinsky)):
        if r.status == "refused":
            break
        out.append(f"<h3>{title}</h3>")
        if point is not None and point is r.kalai_smorodinsky and r.nash is not None \
                and point.package == r.nash.package:
            out.append("<p>The same package as the Nash point.</p>")
            continue
        if point is None:
            out.append("<p>None: no package gives every player role at least its no-deal "
                       "value.</p>")
            continue
        out.append("<table cellspacing='0' cellpadding='2'>" + "".join(
            f"<tr><td>{esc(i)}</td><td>&nbsp;<b>{esc(o)}</b></td></tr>" for i, o in point.package)
            + "</table>")
        out.append("<p>" + " · ".join(f"{esc(name)} {u:.3f} ({g:+.3f})"
                                      for name, u, g in point.values)
                   + " <i>(value, and gain over no deal)</i></p>")
    if r.issues:
        out.append("<h3>ZOPA per issue</h3>")
        total = r.issues[0].zopa
        if not total:
            out.append("<p>The ZOPA is empty: no option of any issue is part of a deal every "
                       "player role prefers to no deal.</p>")
        else:
            out.append(f"<p>How many of the {total:,} ZOPA packages settle each issue on each "
                       "option (and what share). An option in none of them is outside the "
                       "zone of agreement whatever the other issues settle on.</p>")
            out.append("<table border='1' cellspacing='0' cellpadding='3'><tr><th>Issue</th>"
                       "<th>Options in the ZOPA</th><th>In no ZOPA package</th></tr>")
            for z in r.issues:
                inside = "<br>".join(f"{esc(label)} ({_share(n, total)})"
                                     for label, n in z.inside)
                outside = "<br>".join(esc(label) for label in z.outside) or "—"
                out.append(f"<tr><td>{esc(z.issue)}</td><td>{inside}</td>"
                           f"<td>{outside}</td></tr>")
            out.append("</table>")
    return "\n".join(out)
