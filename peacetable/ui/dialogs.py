"""Dialogs: New Session, unscheduled inject, control note, scenario briefing.

Dialogs that change the session run their command through the bridge in ``accept()``: if
the engine refuses, the refusal is shown and the dialog stays open with what the user
typed. This module is imported when a dialog is first needed, and it imports the domain
inside methods, so that neither delays the first window.
"""

from __future__ import annotations

import datetime as _dt
import html
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .style import set_cls

if TYPE_CHECKING:  # pragma: no cover
    from ..app.session import Session
    from ..domain.loader import LoadedScenario
    from .bridge import SessionBridge

SESSION_FILTER = "PeaceTable sessions (*.peacetable)"
SCENARIO_FILTER = "Scenarios (*.toml)"
OPEN_FILTER = f"Sessions and scenarios (*.peacetable *.toml);;{SESSION_FILTER};;{SCENARIO_FILTER}"


# --------------------------------------------------------------------------- places


def bundled_scenarios() -> list[Path]:
    """The exercises shipped with PeaceTable (``scenarios/*.toml`` beside the package)."""
    from ..app.start import bundled_scenarios as bundled

    return bundled()


def _documents_dir() -> Path:
    saved = QSettings().value("paths/last_session_dir", "")
    if saved and Path(str(saved)).is_dir():
        return Path(str(saved))
    from ..app.start import default_session_folder

    folder = default_session_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path.home()
    return folder


def suggest_session_path(scenario_id: str, folder: Path | None = None) -> Path:
    folder = folder or _documents_dir()
    stem = f"{scenario_id.replace('_', '-')}-{_dt.date.today().isoformat()}"
    p = folder / f"{stem}.peacetable"
    k = 2
    while p.exists():
        p = folder / f"{stem}-{k}.peacetable"
        k += 1
    return p


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


# --------------------------------------------------------------------------- new session


class NewSessionDialog(QDialog):
    """Choose a scenario, the session file, a title, the dice seed and the teams.

    On "Create session" the session file is written (``Session.create_from``); the new,
    open :class:`Session` is then in :attr:`session`. Problems (an invalid scenario, an
    existing file) are shown in the dialog or in a message, and nothing is lost."""

    def __init__(self, parent: QWidget | None = None, scenario_path: str | Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("New session from a scenario")
        self.setMinimumWidth(720)
        self.loaded: LoadedScenario | None = None
        self.session: Session | None = None
        self.team_edits: dict[str, QLineEdit] = {}
        self._session_path_touched = False
        self._auto_title = ""

        outer = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(form)

        self.bundled_combo = QComboBox()
        self.bundled_combo.addItem("Choose a bundled exercise…", None)
        for p in bundled_scenarios():
            self.bundled_combo.addItem(p.stem.replace("-", " ").title(), str(p.resolve()))
        self.bundled_combo.activated.connect(self._bundled_chosen)
        if self.bundled_combo.count() > 1:
            form.addRow("Exercise", self.bundled_combo)

        row = QHBoxLayout()
        self.scenario_edit = QLineEdit()
        self.scenario_edit.setPlaceholderText("path to a scenario .toml file")
        self.scenario_edit.editingFinished.connect(lambda: self.set_scenario(self.scenario_edit.text()))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_scenario)
        row.addWidget(self.scenario_edit, 1)
        row.addWidget(browse)
        form.addRow("Scenario file", row)

        self.scenario_info = QTextBrowser()
        self.scenario_info.setFrameShape(QFrame.Shape.NoFrame)
        self.scenario_info.setFixedHeight(self.fontMetrics().lineSpacing() * 6)
        self.scenario_info.viewport().setAutoFillBackground(False)
        self.scenario_info.setPlainText("No scenario chosen yet.")
        form.addRow("", self.scenario_info)

        row = QHBoxLayout()
        self.session_edit = QLineEdit()
        self.session_edit.setPlaceholderText("where to save the session (.peacetable)")
        self.session_edit.textEdited.connect(self._session_touched)
        browse = QPushButton("Save as…")
        browse.clicked.connect(self._browse_session)
        row.addWidget(self.session_edit, 1)
        row.addWidget(browse)
        form.addRow("Session file", row)

        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("e.g. Staff college, group B, 14 May")
        form.addRow("Title of this run", self.title_edit)

        row = QHBoxLayout()
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setValue(secrets.randbelow(1_000_000))
        self.seed_spin.setToolTip("Dice rolls are drawn from this number: the same seed and the "
                                  "same moves give the same rolls.")
        reseed = QPushButton("New seed")
        reseed.clicked.connect(lambda: self.seed_spin.setValue(secrets.randbelow(1_000_000)))
        row.addWidget(self.seed_spin)
        row.addWidget(reseed)
        row.addStretch(1)
        form.addRow("Dice seed", row)

        self.teams_box = QGroupBox("Teams: who plays which role")
        self.teams_form = QFormLayout(self.teams_box)
        outer.addWidget(self.teams_box)
        self.seats_check = QCheckBox("Teams take turns at this laptop: set up their seats and "
                                     "PINs next")
        outer.addWidget(self.seats_check)

        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_cls(self.problem_label, "error")
        self.problem_label.hide()
        outer.addWidget(self.problem_label)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton("Create session",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        set_cls(self.create_button, "primary")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.create_button.setEnabled(False)

        if scenario_path:
            self.set_scenario(scenario_path)

    # -- scenario
    def _bundled_chosen(self, index: int) -> None:
        path = self.bundled_combo.itemData(index)
        if path:
            self.set_scenario(path)

    def _browse_scenario(self) -> None:
        start = self.scenario_edit.text() or str(bundled_scenarios()[0].parent
                                                 if bundled_scenarios() else Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Choose a scenario", start, SCENARIO_FILTER)
        if path:
            self.set_scenario(path)

    def set_scenario(self, path: str | Path) -> bool:
        from ..domain.loader import ScenarioError, load_scenario

        path = str(path).strip()
        if self.scenario_edit.text() != path:
            self.scenario_edit.setText(path)
        if not path:
            return False
        try:
            loaded = load_scenario(path)
        except ScenarioError as exc:
            self.loaded = None
            self._show_problem(f"This scenario cannot be used ({len(exc.problems)} "
                               f"problem{'s' if len(exc.problems) != 1 else ''}):\n{exc}")
            self.scenario_info.setPlainText("—")
            self._set_roles([])
            self.create_button.setEnabled(False)
            return False
        self.loaded = loaded
        sc = loaded.scenario
        self._show_problem("")
        k = self.bundled_combo.findData(str(Path(path).resolve()))
        self.bundled_combo.setCurrentIndex(max(0, k))
        self.scenario_info.setHtml(
            f"<b>{_escape(sc.scenario.title)}</b> — {len(sc.player_ids)} player roles, "
            f"{len(sc.issues)} issues, {len(sc.phases)} phases, about "
            f"{sc.scenario.duration_minutes} minutes.<br>{_escape(sc.scenario.summary)}")
        self._set_roles([(r.id, r.name) for r in sc.roles if r.is_player])
        if self.title_edit.text() in ("", self._auto_title):  # not typed by the user
            self._auto_title = sc.scenario.title
            self.title_edit.setText(sc.scenario.title)
        if not self._session_path_touched or not self.session_edit.text():
            self.session_edit.setText(str(suggest_session_path(sc.scenario.id)))
        self.create_button.setEnabled(True)
        return True

    def _set_roles(self, roles: list[tuple[str, str]]) -> None:
        old = {rid: e.text() for rid, e in self.team_edits.items()}
        while self.teams_form.rowCount():
            self.teams_form.removeRow(0)
        self.team_edits = {}
        for rid, name in roles:
            edit = QLineEdit(old.get(rid, ""))
            edit.setPlaceholderText("team name (optional)")
            self.teams_form.addRow(name, edit)
            self.team_edits[rid] = edit
        self.teams_box.setVisible(bool(roles))

    # -- session file
    def _session_touched(self, _text: str) -> None:
        self._session_path_touched = True

    def _browse_session(self) -> None:
        start = self.session_edit.text() or str(_documents_dir())
        path, _ = QFileDialog.getSaveFileName(self, "Save the session as", start, SESSION_FILTER)
        if path:
            if not path.endswith(".peacetable"):
                path += ".peacetable"
            self.session_edit.setText(path)
            self._session_path_touched = True

    def _show_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))

    def teams(self) -> dict[str, str]:
        return {rid: e.text().strip() for rid, e in self.team_edits.items() if e.text().strip()}

    def session_path(self) -> Path:
        p = Path(self.session_edit.text().strip()).expanduser()
        if p.suffix != ".peacetable":
            p = p.with_name(p.name + ".peacetable")
        return p

    def accept(self) -> None:
        from ..app.session import Refused, Session, SessionFileError

        if self.loaded is None and not self.set_scenario(self.scenario_edit.text()):
            return
        if not self.session_edit.text().strip():
            self._show_problem("Choose where to save the session file.")
            return
        path = self.session_path()
        try:
            self.session = Session.create_from(self.loaded, path, seed=self.seed_spin.value(),
                                               teams=self.teams(), title=self.title_edit.text().strip())
        except (SessionFileError, Refused, OSError) as exc:
            self._show_problem(str(exc))
            return
        QSettings().setValue("paths/last_session_dir", str(path.parent))
        super().accept()


# --------------------------------------------------------------------------- inject


class InjectDialog(QDialog):
    """Fire an unscheduled inject: title, synopsis, targets, visibility, effects."""

    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        sc = bridge.session.scenario
        self.setWindowTitle("Fire an unscheduled inject")
        self.setMinimumWidth(640)
        self.fired_seq: int | None = None
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("headline, e.g. 'Drone strike on an airbase'")
        form.addRow("Title", self.title_edit)
        self.synopsis_edit = QPlainTextEdit()
        self.synopsis_edit.setPlaceholderText("what happened, as the teams will hear it")
        self.synopsis_edit.setFixedHeight(110)
        form.addRow("Synopsis", self.synopsis_edit)
        self.visibility_combo = QComboBox()
        for key, label in (("public", "Everyone (public)"), ("targets", "Only the target roles"),
                           ("control", "Control cell only")):
            self.visibility_combo.addItem(label, key)
        form.addRow("Who hears it", self.visibility_combo)
        targets = QWidget()
        grid = QGridLayout(targets)
        grid.setContentsMargins(0, 0, 0, 0)
        self.target_checks: dict[str, QCheckBox] = {}
        for k, role in enumerate(sc.roles):
            cb = QCheckBox(role.name)
            self.target_checks[role.id] = cb
            grid.addWidget(cb, k // 3, k % 3)
        form.addRow("Target roles", targets)
        self.expected_edit = QLineEdit()
        self.expected_edit.setPlaceholderText("what control expects the teams to do (optional)")
        form.addRow("Expected action", self.expected_edit)

        eff_box = QGroupBox("Effects on the escalation variables (optional)")
        eff_form = QFormLayout(eff_box)
        self.effect_spins: dict[str, QDoubleSpinBox] = {}
        for v in sc.escalation.variables:
            spin = QDoubleSpinBox()
            span = v.max - v.min
            spin.setRange(-span, span)
            spin.setDecimals(0 if span >= 20 else 1)
            spin.setSingleStep(max(1.0, round(span / 20)) if span >= 20 else 0.5)
            spin.setSuffix(f" {v.unit}" if v.unit else "")
            spin.setToolTip(f"{v.label}: {v.min:g}..{v.max:g}, now "
                            f"{bridge.session.state.variables[v.id]:g}")
            eff_form.addRow(v.label, spin)
            self.effect_spins[v.id] = spin
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(eff_box)
        scroll.setMaximumHeight(260)
        outer.addWidget(scroll)

        # a veto or a unilateral act (see docs/scenario-format.md, Vetoes and declared postures)
        act_box = QGroupBox("Effect on an issue (optional)")
        act_form = QFormLayout(act_box)
        self.act_combo = QComboBox()
        for key, label in (("", "None"), ("blocked", "Block it: no proposal may include it"),
                           ("open", "Lift a block"),
                           ("declare", "Settle it by a declaration, without an agreement")):
            self.act_combo.addItem(label, key)
        act_form.addRow("Act", self.act_combo)
        self.act_issue_combo = QComboBox()
        for issue in sc.issues:
            self.act_issue_combo.addItem(issue.label, issue.id)
        act_form.addRow("Issue", self.act_issue_combo)
        self.act_option_combo = QComboBox()
        act_form.addRow("Option", self.act_option_combo)
        self.act_by_combo = QComboBox()
        self.act_by_combo.addItem("No one (events)", None)
        for role in sc.roles:
            if role.is_player:
                self.act_by_combo.addItem(role.name, role.id)
        self.act_by_combo.setToolTip("whose veto or declaration it is (a declaration needs a team)")
        act_form.addRow("Made by", self.act_by_combo)
        self.act_combo.currentIndexChanged.connect(self._act_changed)
        self.act_issue_combo.currentIndexChanged.connect(self._act_changed)
        self._act_changed()
        outer.addWidget(act_box)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.fire_button = buttons.addButton("Fire inject", QDialogButtonBox.ButtonRole.AcceptRole)
        set_cls(self.fire_button, "primary")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)

    def command(self):
        from ..domain import commands as C

        effects: dict[str, Any] = {}
        variables = {k: s.value() for k, s in self.effect_spins.items() if s.value() != 0}
        if variables:
            effects["variables"] = variables
        act, iid = self.act_combo.currentData(), self.act_issue_combo.currentData()
        oid = self.act_option_combo.currentData()
        if act == "declare":
            effects["declare"] = {iid: oid}
        elif act and oid is None:
            effects["issues"] = {iid: act}
        elif act:
            effects["options"] = {iid: {oid: act}}
        if act and self.act_by_combo.currentData() is not None:
            effects["by"] = self.act_by_combo.currentData()
        return C.FireInject(
            title=self.title_edit.text().strip(), synopsis=self.synopsis_edit.toPlainText().strip(),
            targets=tuple(r for r, cb in self.target_checks.items() if cb.isChecked()),
            visibility=self.visibility_combo.currentData(),
            expected_action=self.expected_edit.text().strip(), effects=effects)

    def _act_changed(self, *_args) -> None:
        """The option list follows the issue; a block or a lift may take the whole issue,
        a declaration always names an option."""
        act = self.act_combo.currentData()
        issue = self.bridge.session.scenario.issue_by_id[self.act_issue_combo.currentData()]
        keep = self.act_option_combo.currentData()
        self.act_option_combo.clear()
        if act != "declare":
            self.act_option_combo.addItem("The whole issue", None)
        for opt in issue.options:
            self.act_option_combo.addItem(opt.label, opt.id)
        k = self.act_option_combo.findData(keep)
        if k >= 0:
            self.act_option_combo.setCurrentIndex(k)
        for w in (self.act_issue_combo, self.act_option_combo, self.act_by_combo):
            w.setEnabled(bool(act))

    def accept(self) -> None:
        events = self.bridge.execute(self.command(), parent=self)
        if events:
            self.fired_seq = events[-1].seq
            super().accept()


# --------------------------------------------------------------------------- note


class NoteDialog(QDialog):
    """A control-cell note in the record (visible to control only)."""

    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.setWindowTitle("Add a control note")
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("The note goes into the record, visible to the control cell only."))
        self.text_edit = QPlainTextEdit()
        self.text_edit.setFixedHeight(140)
        lay.addWidget(self.text_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = buttons.addButton("Add note", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def accept(self) -> None:
        from ..domain import commands as C

        if self.bridge.execute(C.AddNote(text=self.text_edit.toPlainText()), parent=self):
            super().accept()


# --------------------------------------------------------------------------- briefing


def briefing_html(session: Session) -> str:
    """The scenario's public material and, for control, every role's private brief."""
    sc = session.scenario
    teams = session.teams
    e = _escape
    out = [f"<h2>{e(sc.scenario.title)}</h2>", f"<p><i>{e(sc.scenario.summary)}</i></p>",
           f"<p>{e(sc.scenario.situation)}</p>", "<h3>Roles</h3>"]
    for r in sc.roles:
        team = f" — team: {e(teams[r.id])}" if r.id in teams else ""
        out.append(f"<h4 style='color:{r.colour}'>{e(r.name)}{team}</h4>"
                   f"<p>{e(r.public_brief)}</p>")
        if r.private_brief:
            out.append(f"<p><b>Private brief (control only):</b> {e(r.private_brief)}</p>")
        if r.objectives:
            out.append("<p><b>Objectives:</b></p><ul>" +
                       "".join(f"<li>{e(o)}</li>" for o in r.objectives) + "</ul>")
        if r.red_lines:
            out.append("<p><b>Red lines:</b></p><ul>" +
                       "".join(f"<li>{e(o)}</li>" for o in r.red_lines) + "</ul>")
        if r.batna_description:
            out.append(f"<p><b>No-deal alternative:</b> {e(r.batna_description)}</p>")
    out.append("<h3>Phases</h3><ol>")
    for p in sc.phases:
        out.append(f"<li><b>{e(p.label)}</b> ({p.duration_minutes} min, {p.sequencing})"
                   + (f"<br>{e(p.description)}" if p.description else "") + "</li>")
    out.append("</ol>")
    if sc.scenario.sources:
        out.append("<h3>Sources</h3><ul>" +
                   "".join(f"<li>{e(s)}</li>" for s in sc.scenario.sources) + "</ul>")
    return "\n".join(out)


class BriefingDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Scenario briefing — {session.scenario.scenario.title}")
        self.resize(900, 760)
        lay = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(briefing_html(session))
        lay.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
