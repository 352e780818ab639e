"""Solo play: one student takes a role, bots play the other roles and control.

The student sees only their own seat (:class:`~peacetable.ui.seats.SeatView`: the role's
view, its moves and messages). The bots (:class:`~peacetable.app.autoplay.Autoplay`) act
one at a time, paced by a setting (seconds between bot actions) so that a person can
follow; when it is the student's turn the bots wait until the student moves or ends the
turn. At the end the scorecard places the student's result against bot-only runs of the
same scenario; those runs are played in a worker thread, so the window stays responsive.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from . import messages, style
from .bridge import SessionBridge
from .seats import SeatView, team_label
from .style import set_cls

if TYPE_CHECKING:  # pragma: no cover
    from ..app.autoplay import Autoplay
    from ..app.session import Session
    from ..domain.loader import LoadedScenario

log = logging.getLogger("peacetable.ui")

DEFAULT_PACE = 2.0
TIP = Qt.ItemDataRole.ToolTipRole
BASELINE_RUNS = 200


# --------------------------------------------------------------------------- set-up


class SoloSetupDialog(QDialog):
    """Pick a scenario, a role, the bots' strategies and their pace; start playing."""

    def __init__(self, parent: QWidget | None = None, on_start=None):
        from .dialogs import bundled_scenarios

        super().__init__(parent)
        self.setWindowTitle("Solo play against bots")
        self.setMinimumWidth(680)
        self.loaded: LoadedScenario | None = None
        self.session: Session | None = None
        self.solo_window: SoloWindow | None = None
        self.on_start = on_start
        self.bot_combos: dict[str, QComboBox] = {}
        lay = QVBoxLayout(self)
        form = QFormLayout()
        lay.addLayout(form)
        row = QHBoxLayout()
        self.scenario_combo = QComboBox()
        for p in bundled_scenarios():
            self.scenario_combo.addItem(p.stem.replace("-", " ").title(), str(p.resolve()))
        self.scenario_combo.currentIndexChanged.connect(
            lambda _i: self.set_scenario(self.scenario_combo.currentData()))
        browse = QPushButton("Other scenario…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.scenario_combo, 1)
        row.addWidget(browse)
        form.addRow("Exercise", row)
        self.role_combo = QComboBox()
        self.role_combo.currentIndexChanged.connect(self._role_changed)
        form.addRow("Your role", self.role_combo)
        self.role_info = QLabel()
        self.role_info.setWordWrap(True)
        set_cls(self.role_info, "muted")
        form.addRow("", self.role_info)
        self.pace_spin = QDoubleSpinBox()
        self.pace_spin.setRange(0.0, 30.0)
        self.pace_spin.setSingleStep(0.5)
        self.pace_spin.setDecimals(1)
        self.pace_spin.setSuffix(" s")
        self.pace_spin.setValue(DEFAULT_PACE)
        self.pace_spin.setToolTip("How long the bots wait between two actions, so that you can "
                                  "follow what happens. You can change it while playing.")
        form.addRow("Seconds between bot actions", self.pace_spin)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setValue(1)
        self.seed_spin.setToolTip("The same seed and the same moves give the same game.")
        form.addRow("Seed", self.seed_spin)
        row = QHBoxLayout()
        self.session_edit = QLineEdit()
        self.session_edit.setPlaceholderText("where to save the game (.peacetable)")
        save_as = QPushButton("Save as…")
        save_as.clicked.connect(self._browse_session)
        row.addWidget(self.session_edit, 1)
        row.addWidget(save_as)
        form.addRow("Game file", row)
        self.bots_box = QGroupBox("The other roles are played by bots")
        self.bots_form = QFormLayout(self.bots_box)
        lay.addWidget(self.bots_box)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {style.DANGER};")
        lay.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = buttons.addButton("Start playing",
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        set_cls(self.start_button, "primary")
        self.start_button.clicked.connect(self.start)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        if self.scenario_combo.count():
            self.set_scenario(self.scenario_combo.currentData())

    def _browse(self) -> None:
        from .dialogs import SCENARIO_FILTER

        path, _ = QFileDialog.getOpenFileName(self, "Choose a scenario", "", SCENARIO_FILTER)
        if path:
            self.scenario_combo.blockSignals(True)
            self.scenario_combo.addItem(Path(path).stem, path)
            self.scenario_combo.setCurrentIndex(self.scenario_combo.count() - 1)
            self.scenario_combo.blockSignals(False)
            self.set_scenario(path)

    def _browse_session(self) -> None:
        from .dialogs import SESSION_FILTER

        path, _ = QFileDialog.getSaveFileName(self, "Save the game as", self.session_edit.text(),
                                              SESSION_FILTER)
        if path:
            self.session_edit.setText(path)

    def set_scenario(self, path: str | Path | None) -> bool:
        from ..domain.loader import ScenarioError, load_scenario
        from .dialogs import suggest_session_path

        self.loaded = None
        self.role_combo.clear()
        self.start_button.setEnabled(False)
        if not path:
            return False
        try:
            loaded = load_scenario(path)
        except (ScenarioError, OSError) as exc:
            self.problem.setText(str(exc))
            return False
        self.problem.clear()
        self.loaded = loaded
        sc = loaded.scenario
        self.role_combo.blockSignals(True)
        for r in sc.roles:
            if r.is_player:
                self.role_combo.addItem(r.name, r.id)
        self.role_combo.blockSignals(False)
        self.session_edit.setText(str(suggest_session_path(f"{sc.scenario.id}-solo")))
        self.start_button.setEnabled(self.role_combo.count() > 0)
        self._role_changed()
        return True

    def _role_changed(self, *_a) -> None:
        from ..app.autoplay import default_bots
        from ..domain.bots import STRATEGIES

        while self.bots_form.rowCount():
            self.bots_form.removeRow(0)
        self.bot_combos = {}
        if self.loaded is None:
            return
        sc = self.loaded.scenario
        role = self.role_combo.currentData()
        if role is None:
            return
        self.role_info.setText(sc.role_by_id[role].public_brief)
        defaults = default_bots(sc)
        for rid in sc.player_ids:
            if rid == role:
                continue
            combo = QComboBox()
            for name, desc in STRATEGIES.items():
                combo.addItem(name.replace("_", " ").replace("-", " ").capitalize(), name)
                combo.setItemData(combo.count() - 1, desc, TIP)
            combo.setCurrentIndex(max(0, combo.findData(defaults.get(rid))))
            combo.currentIndexChanged.connect(
                lambda _i, c=combo: c.setToolTip(c.currentData(TIP) or ""))
            combo.setToolTip(combo.currentData(TIP) or "")
            self.bot_combos[rid] = combo
            self.bots_form.addRow(sc.role_by_id[rid].name, combo)

    def bots(self) -> dict[str, str]:
        return {rid: c.currentData() for rid, c in self.bot_combos.items()}

    def start(self) -> SoloWindow | None:
        from ..app.session import Refused, Session, SessionFileError

        role = self.role_combo.currentData()
        if self.loaded is None or role is None:
            self.problem.setText("Choose an exercise and a role first.")
            return None
        text = self.session_edit.text().strip()
        if not text:
            self.problem.setText("Choose where to save the game.")
            return None
        path = Path(text).expanduser()
        if path.suffix != ".peacetable":
            path = path.with_name(path.name + ".peacetable")
        try:
            session = Session.create_from(self.loaded, path, seed=self.seed_spin.value(),
                                          title=f"{self.loaded.scenario.scenario.title} — solo")
        except (SessionFileError, Refused, OSError) as exc:
            self.problem.setText(str(exc))
            return None
        try:
            from ..app.seats import save_solo

            save_solo(session, role, self.bots(), self.seed_spin.value())
            w = SoloWindow(session, role, self.bots(), pace=self.pace_spin.value(),
                           seed=self.seed_spin.value())
        except Exception as exc:
            session.close()
            log.exception("could not start solo play")
            self.problem.setText(f"Could not start: {exc}")
            return None
        self.session = session
        self.solo_window = w
        if self.on_start is not None:
            self.on_start(w)
        w.show()
        self.accept()
        return w


# --------------------------------------------------------------------------- playing


class SoloWindow(QMainWindow):
    """The student's seat while bots play the rest; the scorecard at the end."""

    finished = Signal()
    closed = Signal()

    def __init__(self, session: Session, role: str, bots: dict[str, str],
                 pace: float = DEFAULT_PACE, seed: int = 0, baseline_runs: int = BASELINE_RUNS,
                 parent: QWidget | None = None):
        from ..app.autoplay import Autoplay

        super().__init__(parent)
        self.session = session
        self.role = role
        self.baseline_runs = baseline_runs
        self.seed = seed
        self.autoplay: Autoplay = Autoplay(session, {r: s for r, s in bots.items() if r != role},
                                           control=True, seed=seed)
        if session.state.phase is not None and session.clock().paused_on_close:
            # a game opened again (after a close or a crash): its clock carries on with it
            from ..domain import commands as C

            session.execute(C.ResumeClock())
        self.bridge = SessionBridge(self)
        self.bridge.set_session(session)
        self.scorecard_dialog: ScorecardDialog | None = None
        self.setWindowIcon(style.app_icon())
        self.setWindowTitle(f"{team_label(session, role)} — {session.scenario.scenario.title} — "
                            "solo — PeaceTable")

        root = QWidget()
        lay = QVBoxLayout(root)
        lay.setContentsMargins(0, 0, 0, 0)
        bar = QWidget()
        bar.setObjectName("soloBar")
        bar.setStyleSheet("QWidget#soloBar { background: #eef3fa; border-bottom: 1px solid #b0bec5; }")
        bl = QHBoxLayout(bar)
        bl.setContentsMargins(12, 6, 12, 6)
        self.status = QLabel()
        set_cls(self.status, "h2")
        bl.addWidget(self.status, 1)
        bl.addWidget(QLabel("Seconds between bot actions"))
        self.pace_spin = QDoubleSpinBox()
        self.pace_spin.setRange(0.0, 30.0)
        self.pace_spin.setSingleStep(0.5)
        self.pace_spin.setDecimals(1)
        self.pace_spin.setSuffix(" s")
        self.pace_spin.setValue(pace)
        self.pace_spin.valueChanged.connect(self._pace_changed)
        bl.addWidget(self.pace_spin)
        self.pause_button = QPushButton("Pause the bots")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._paused)
        bl.addWidget(self.pause_button)
        self.scorecard_button = QPushButton("Scorecard")
        self.scorecard_button.setEnabled(False)
        self.scorecard_button.clicked.connect(self.show_scorecard)
        bl.addWidget(self.scorecard_button)
        lay.addWidget(bar)
        self.seat = SeatView(self.bridge, role, hand_over_text="End my turn")
        self.seat.handOver.connect(self.end_turn)
        lay.addWidget(self.seat, 1)
        self.setCentralWidget(root)
        self.resize(1500, 940)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.tick)
        # the console's heartbeat: while the clock runs, the time now and then beside the
        # record, so that if PeaceTable is killed the next opening pauses the clock there
        self.heartbeat = QTimer(self)
        self.heartbeat.setInterval(1000)
        self.heartbeat.timeout.connect(self.session.keep_time)
        self.heartbeat.start()
        self.bridge.changed.connect(lambda _c: self._after_change())
        self._update_status()
        self._schedule()

    # ------------------------------------------------------------------ the game
    @property
    def is_over(self) -> bool:
        return self.autoplay.finished

    def my_turn(self) -> bool:
        return self.role in self.autoplay.waiting_for()

    def _pace_changed(self, _v: float) -> None:
        if self.timer.isActive():
            self._schedule()

    def _paused(self, on: bool) -> None:
        self.pause_button.setText("Resume the bots" if on else "Pause the bots")
        if on:
            self.timer.stop()
        else:
            self._schedule()
        self._update_status()

    def _schedule(self) -> None:
        if self.pause_button.isChecked() or self.is_over:
            return
        self.timer.start(int(self.pace_spin.value() * 1000))

    def tick(self) -> None:
        """One bot action (if it is not the student's turn), then wait the pace."""
        if self.is_over:
            self._game_over()
            return
        if self.my_turn():
            self._update_status()
            return  # the student's move (or End my turn) starts the bots again
        try:
            events = self.autoplay.step()
        except Exception as exc:
            log.exception("a bot failed")
            messages.show_error(self, "The bots stopped", f"{type(exc).__name__}: {exc}\n\n"
                                "The game so far is saved.")
            return
        if not events and self.is_over:
            self._game_over()
            return
        self._update_status()
        self._schedule()

    def end_turn(self) -> None:
        if self.my_turn():
            self.autoplay.end_turn(self.role)
        self._update_status()
        self._schedule()

    def _after_change(self) -> None:
        """After any event: the student's move ends their turn (Autoplay follows it)."""
        self.session.keep_time()  # a phase just started: its time is kept from now
        self._update_status()
        if not self.timer.isActive() and not self.my_turn():
            self._schedule()

    def _update_status(self) -> None:
        ap = self.autoplay
        st = self.session.state
        if ap.finished:
            text = "The exercise is over. Your scorecard compares your result with bot-only runs."
        elif self.my_turn():
            text = "Your turn: take a move (or send messages), then it passes on — or click " \
                   "“End my turn”."
        elif self.pause_button.isChecked():
            text = "The bots are paused."
        elif st.phase is None:
            text = "The bots are about to start the first phase…"
        else:
            text = f"The bots are playing (round {ap.round + 1} of {ap.rounds} in this phase)…"
        self.status.setText(text)
        self.status.setStyleSheet("background: #ffe08a; padding: 2px 8px; border-radius: 4px;"
                                  if self.my_turn() else "")
        self.seat.hand_over_button.setEnabled(self.my_turn())
        self.seat.move_entry.setEnabled(not ap.finished)

    def _game_over(self) -> None:
        self.timer.stop()
        self._update_status()
        if not self.scorecard_button.isEnabled():
            self.scorecard_button.setEnabled(True)
            self.finished.emit()
            self.show_scorecard()

    # ------------------------------------------------------------------ scorecard
    def show_scorecard(self) -> ScorecardDialog:
        if self.scorecard_dialog is None:
            self.scorecard_dialog = ScorecardDialog(self.session, self.role,
                                                    runs=self.baseline_runs, seed=self.seed,
                                                    parent=self)
        self.scorecard_dialog.show()
        self.scorecard_dialog.raise_()
        return self.scorecard_dialog

    def closeEvent(self, event) -> None:
        self.timer.stop()
        self.heartbeat.stop()
        if self.scorecard_dialog is not None:
            self.scorecard_dialog.cancel()
        self.bridge.set_session(None)
        self.session.close(pause_clock=True)  # the break is no playing time
        self.closed.emit()
        super().closeEvent(event)


class _BaselineSignals(QObject):
    done = Signal(object)
    failed = Signal(str)


class _BaselineJob(QRunnable):
    """Plays the bot-only runs in a worker thread (pure computation: no session file)."""

    def __init__(self, loaded: LoadedScenario, runs: int, seed: int):
        super().__init__()
        self.loaded = loaded
        self.runs = runs
        self.seed = seed
        self.signals = _BaselineSignals()
        self.setAutoDelete(False)  # the dialog keeps it

    def run(self) -> None:
        try:
            from ..app.scorecard import baseline_rows

            rows = baseline_rows(self.loaded, self.runs, self.seed)
        except Exception as exc:  # reported in the dialog, not lost in the thread
            log.exception("baseline runs failed")
            self.signals.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.signals.done.emit(rows)


class ScorecardDialog(QDialog):
    """The student's scorecard: each measure, its percentile among bot-only runs."""

    ready = Signal()

    def __init__(self, session: Session, role: str, runs: int = BASELINE_RUNS, seed: int = 0,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.role = role
        self.card: dict[str, Any] | None = None
        self.error: str | None = None
        self.setWindowTitle(f"Scorecard — {team_label(session, role)}")
        self.resize(900, 640)
        lay = QVBoxLayout(self)
        self.heading = QLabel(f"How {team_label(session, role)} did")
        set_cls(self.heading, "h1")
        lay.addWidget(self.heading)
        self.progress_label = QLabel(f"Playing {runs} bot-only runs of the same exercise to "
                                     "compare with…")
        lay.addWidget(self.progress_label)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the runs report no progress
        lay.addWidget(self.progress)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Measure", "You", "Better than … of the bot runs",
                                              "Bot runs: median (lowest–highest)"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.hide()
        lay.addWidget(self.table, 1)
        self.details = QTextBrowser()
        self.details.hide()
        lay.addWidget(self.details, 1)
        self.filler = QWidget()  # keeps the waiting message at the top
        lay.addWidget(self.filler, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay.addWidget(buttons)
        self._cancelled = False
        self.job = _BaselineJob(session.loaded, runs, seed)
        self.job.signals.done.connect(self._baseline_done)
        self.job.signals.failed.connect(self._baseline_failed)
        QThreadPool.globalInstance().start(self.job)

    def cancel(self) -> None:
        self._cancelled = True

    @property
    def done(self) -> bool:
        return self.card is not None or self.error is not None

    def _baseline_failed(self, text: str) -> None:
        if self._cancelled:
            return
        self.error = text
        self.progress.hide()
        self.progress_label.setText(f"The bot-only runs could not be played: {text}")
        self.ready.emit()

    def _baseline_done(self, rows: list[dict]) -> None:
        if self._cancelled:
            return
        from ..app.scorecard import scorecard

        try:
            self.card = scorecard(self.session, self.role, baseline=rows)
        except Exception as exc:
            log.exception("scorecard failed")
            self._baseline_failed(f"{type(exc).__name__}: {exc}")
            return
        self._show(self.card)
        self.ready.emit()

    def _show(self, card: dict[str, Any]) -> None:
        self.progress.hide()
        self.progress_label.setText(f"{card['role_name']} in {card['scenario']}, compared with "
                                    f"{card['runs']} runs in which bots played every role.")
        self.table.setRowCount(len(card["measures"]))
        for k, m in enumerate(card["measures"]):
            b = m["baseline"]
            better = m["percentile"] if m["higher_is_better"] else 100 - m["percentile"]
            cells = [m["label"], _fmt(m["value"]), f"{better:.0f}%",
                     "—" if b["median"] is None else
                     f"{_fmt(b['median'])} ({_fmt(b['min'])}–{_fmt(b['max'])})"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 2:
                    item.setToolTip(("Higher is better" if m["higher_is_better"] else
                                     "Lower is better") + f"; percentile {m['percentile']:.0f} "
                                    "(the share of bot runs below your value, ties counted "
                                    "half).")
                self.table.setItem(k, c, item)
        self.table.show()
        self.filler.hide()
        e = html.escape
        agreed = "".join(f"<li>{e(i)}: {e(o)}</li>" for i, o in card["agreed"].items())
        crossed = "".join(f"<li>{e(i)}</li>" for i in card["crossed"])
        parts = ["<h3>Agreements in force that you know of</h3>",
                 f"<ul>{agreed}</ul>" if agreed else "<p>None.</p>",
                 "<h3>Issues settled on an option you rule out</h3>",
                 f"<ul>{crossed}</ul>" if crossed else "<p>None: your red lines held.</p>",
                 "<h3>Your objectives, as briefed</h3>",
                 "<ul>" + "".join(f"<li>{e(o)}</li>" for o in card["objectives"]) + "</ul>",
                 "<h3>Your red lines, as briefed</h3>",
                 "<ul>" + "".join(f"<li>{e(o)}</li>" for o in card["red_lines"]) + "</ul>"]
        self.details.setHtml("\n".join(parts))
        self.details.show()


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.0f}" if x == int(x) else f"{x:.2f}"
    return str(x)
