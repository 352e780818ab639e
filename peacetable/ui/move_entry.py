"""Move entry: a form built from the scenario's move templates.

Pick the role, then one of the templates that role may use in the current phase; the form
shows only what that template takes: a magnitude (1..magnitude_max), a package of issue
options and the parties for a proposal (limited to the template's issues), the tabled
proposal an acceptance or rejection answers, a condition for a conditional offer
(prefilled from the template's default) or a proposal, the channel and recipients, and a
rationale. Submitting runs ``SubmitMove`` through the bridge; in a sealed phase the move
is collected sealed until Reveal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain import commands as C
from ..domain.state import issue_statuses, red_lines_crossed
from ..domain.views import acts_text, condition_text, move_name, possessive
from .style import set_cls

if TYPE_CHECKING:  # pragma: no cover
    from ..app.session import Session
    from ..domain.scenario import MoveTemplate
    from .bridge import SessionBridge

KIND_LABELS = {
    "proposal": "proposal",
    "acceptance": "acceptance",
    "rejection": "rejection",
    "concession": "concession",
    "conditional_offer": "conditional offer",
    "escalation": "escalation",
    "de_escalation": "de-escalation",
    "statement": "statement",
    "lever": "lever",
}
OPS = ("<", "<=", ">", ">=", "==", "!=")
STATUSES = ("open", "on_table", "agreed", "declared", "suspended", "blocked")

# condition modes
NONE, DEFAULT, VARIABLE, STATUS, OPTION = "none", "default", "variable", "status", "option"


def role_icon(colour: str) -> QIcon:
    pm = QPixmap(14, 14)
    pm.fill(QColor(colour))
    return QIcon(pm)


def compact_combo(min_chars: int = 6) -> QComboBox:
    """A combo box that may be narrower than its longest item (the left column is narrow;
    the full text shows when it opens, and as a tooltip)."""
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(min_chars)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    combo.currentTextChanged.connect(combo.setToolTip)
    return combo


def set_combo_data(combo: QComboBox, value: Any) -> bool:
    k = combo.findData(value)
    if k >= 0:
        combo.setCurrentIndex(k)
    return k >= 0


class ConditionEditor(QGroupBox):
    """A condition: a variable test, an issue status, an issue settled on an option, or
    (for a conditional offer) the template's default condition as written."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Condition", parent)
        self._default: dict | None = None
        lay = QVBoxLayout(self)
        self.mode_combo = compact_combo()
        lay.addWidget(self.mode_combo)
        self.pages = QStackedWidget()
        lay.addWidget(self.pages)

        self.default_label = QLabel()
        self.default_label.setWordWrap(True)
        set_cls(self.default_label, "muted")
        self.pages.addWidget(self.default_label)

        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        self.variable_combo = compact_combo()
        self.op_combo = compact_combo(2)
        for op in OPS:
            self.op_combo.addItem(op, op)
        self.value_spin = QDoubleSpinBox()
        self.value_spin.setDecimals(1)
        row.addWidget(self.variable_combo, 3)
        row.addWidget(self.op_combo, 0)
        row.addWidget(self.value_spin, 1)
        self.pages.addWidget(page)
        self.variable_combo.currentIndexChanged.connect(self._variable_changed)

        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        self.status_issue_combo = compact_combo()
        self.status_combo = compact_combo(4)
        for s in STATUSES:
            self.status_combo.addItem(s.replace("_", " "), s)
        row.addWidget(self.status_issue_combo, 3)
        row.addWidget(QLabel("is"))
        row.addWidget(self.status_combo, 1)
        self.pages.addWidget(page)

        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        self.option_issue_combo = compact_combo()
        self.option_combo = compact_combo()
        row.addWidget(self.option_issue_combo, 2)
        row.addWidget(QLabel("settled on"))
        row.addWidget(self.option_combo, 2)
        self.pages.addWidget(page)
        self.option_issue_combo.currentIndexChanged.connect(self._fill_options)
        self.mode_combo.currentIndexChanged.connect(self._mode_changed)
        self._session: Session | None = None

    def set_session(self, session: Session | None) -> None:
        self._session = session
        for c in (self.variable_combo, self.status_issue_combo, self.option_issue_combo):
            c.blockSignals(True)
            c.clear()
        if session is not None:
            sc = session.scenario
            for v in sc.escalation.variables:
                self.variable_combo.addItem(v.label, v.id)
            for i in sc.issues:
                self.status_issue_combo.addItem(i.label, i.id)
                self.option_issue_combo.addItem(i.label, i.id)
        for c in (self.variable_combo, self.status_issue_combo, self.option_issue_combo):
            c.blockSignals(False)
        self._variable_changed()
        self._fill_options()

    def _variable_changed(self, *_a) -> None:
        s = self._session
        vid = self.variable_combo.currentData()
        if s is None or vid is None:
            return
        v = s.scenario.variable_by_id[vid]
        self.value_spin.setRange(v.min, v.max)
        self.value_spin.setSuffix(f" {v.unit}" if v.unit else "")
        self.value_spin.setToolTip(f"{v.label}: {v.min:g}..{v.max:g}, now "
                                   f"{s.state.variables.get(vid, v.initial):g}")

    def _fill_options(self, *_a) -> None:
        self.option_combo.clear()
        s = self._session
        iid = self.option_issue_combo.currentData()
        if s is None or iid is None:
            return
        for o in s.scenario.issue_by_id[iid].options:
            self.option_combo.addItem(o.label, o.id)

    def _mode_changed(self, *_a) -> None:
        mode = self.mode_combo.currentData()
        self.pages.setCurrentIndex({NONE: 0, DEFAULT: 0, VARIABLE: 1, STATUS: 2, OPTION: 3}
                                   .get(mode, 0))
        self.default_label.setVisible(mode in (NONE, DEFAULT))
        if mode == NONE:
            self.default_label.setText("The proposal holds unconditionally.")

    def configure(self, default: dict | None, optional: bool) -> None:
        """``default``: the template's default condition (conditional offers); ``optional``:
        whether "no condition" is a choice (proposals)."""
        self._default = default
        self.mode_combo.blockSignals(True)
        self.mode_combo.clear()
        if optional:
            self.mode_combo.addItem("No condition", NONE)
        if default is not None:
            self.mode_combo.addItem("The template's condition", DEFAULT)
            self.default_label.setText(
                f"Holds while: {condition_text(default, self._session.scenario if self._session else None)}")
        self.mode_combo.addItem("A variable test", VARIABLE)
        self.mode_combo.addItem("An issue's status", STATUS)
        self.mode_combo.addItem("An issue settled on an option", OPTION)
        self.mode_combo.blockSignals(False)
        mode = NONE if optional else DEFAULT
        if default is not None:
            mode = self.load(default) or DEFAULT
        set_combo_data(self.mode_combo, mode)
        self._mode_changed()

    def load(self, cond: dict) -> str | None:
        """Fill the fields from a simple condition; return its mode (None if composite)."""
        if cond.get("variable") is not None:
            set_combo_data(self.variable_combo, cond["variable"])
            set_combo_data(self.op_combo, cond["op"])
            self.value_spin.setValue(float(cond["value"]))
            return VARIABLE
        if cond.get("issue") is not None and cond.get("status") is not None:
            set_combo_data(self.status_issue_combo, cond["issue"])
            set_combo_data(self.status_combo, cond["status"])
            return STATUS
        if cond.get("issue") is not None and cond.get("option") is not None:
            set_combo_data(self.option_issue_combo, cond["issue"])
            set_combo_data(self.option_combo, cond["option"])
            return OPTION
        return None

    def set_condition(self, cond: dict | None) -> None:
        """Show ``cond`` (None: no condition / the template's)."""
        if cond is None:
            set_combo_data(self.mode_combo, NONE) or set_combo_data(self.mode_combo, DEFAULT)
        elif cond == self._default and set_combo_data(self.mode_combo, DEFAULT):
            pass
        else:
            mode = self.load(cond)
            if mode is None:
                raise ValueError(f"only simple conditions can be entered here: {cond}")
            set_combo_data(self.mode_combo, mode)
        self._mode_changed()

    def condition(self) -> dict | None:
        mode = self.mode_combo.currentData()
        if mode in (NONE, DEFAULT, None):
            return None
        if mode == VARIABLE:
            cond: dict = {"variable": self.variable_combo.currentData(),
                          "op": self.op_combo.currentData(), "value": self.value_spin.value()}
        elif mode == STATUS:
            cond = {"issue": self.status_issue_combo.currentData(),
                    "status": self.status_combo.currentData()}
        else:
            cond = {"issue": self.option_issue_combo.currentData(),
                    "option": self.option_combo.currentData()}
        if self._default is not None and _same_condition(cond, self._default):
            return None  # exactly the template's: let the engine record its own default
        return cond


def _same_condition(a: dict, b: dict) -> bool:
    def norm(c: dict) -> dict:
        return {k: (float(v) if k == "value" else v) for k, v in c.items() if v is not None}

    return norm(a) == norm(b)


class MoveEntry(QWidget):
    """The move-entry form (left column of the console)."""

    submitted = Signal(int)
    #: who reads the form's texts (a seat's form: its role; event numbers for control only)
    viewer = "control"

    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.session: Session | None = None
        self._templates_key: tuple = ()
        self.package_checks: dict[str, QCheckBox] = {}
        self.package_combos: dict[str, QComboBox] = {}
        self.party_checks: dict[str, QCheckBox] = {}
        self.recipient_checks: dict[str, QCheckBox] = {}

        # the form scrolls; the title and the Submit button stay in view
        top = QVBoxLayout(self)
        top.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Take a move")
        set_cls(title, "h2")
        top.addWidget(title)
        body = QWidget()
        outer = QVBoxLayout(body)
        outer.setContentsMargins(0, 0, 6, 0)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)
        top.addWidget(self.scroll, 1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(form)
        self.role_combo = compact_combo()
        self.role_combo.currentIndexChanged.connect(self._role_changed)
        form.addRow("Role", self.role_combo)
        self.template_combo = compact_combo()
        self.template_combo.currentIndexChanged.connect(self._template_changed)
        form.addRow("Move", self.template_combo)
        self.template_info = QLabel()
        self.template_info.setWordWrap(True)
        set_cls(self.template_info, "muted")
        form.addRow("", self.template_info)
        self.magnitude_spin = QSpinBox()
        self.magnitude_spin.setRange(1, 1)
        self.magnitude_spin.setPrefix("× ")
        form.addRow("Magnitude", self.magnitude_spin)
        self.channel_combo = compact_combo()
        self.channel_combo.addItem("Public: everyone hears it", "public")
        self.channel_combo.addItem("Private: only the recipients", "private")
        self.channel_combo.currentIndexChanged.connect(self._channel_changed)
        form.addRow("Channel", self.channel_combo)

        self.recipients_box = QGroupBox("Recipients")
        self.recipients_grid = QGridLayout(self.recipients_box)
        outer.addWidget(self.recipients_box)

        self.package_box = QGroupBox("Package: the issues and options proposed")
        self.package_grid = QGridLayout(self.package_box)
        self.package_grid.setColumnStretch(1, 1)
        outer.addWidget(self.package_box)
        #: the acting role's own red lines this package (with what is agreed) would cross
        self.red_line_flag = QLabel()
        self.red_line_flag.setWordWrap(True)
        self.red_line_flag.setVisible(False)
        set_cls(self.red_line_flag, "error")
        outer.addWidget(self.red_line_flag)

        self.parties_box = QGroupBox("Parties who must accept")
        self.parties_grid = QGridLayout(self.parties_box)
        outer.addWidget(self.parties_box)

        self.target_box = QGroupBox("Answering the proposal")
        tl = QVBoxLayout(self.target_box)
        self.target_combo = compact_combo()
        tl.addWidget(self.target_combo)
        outer.addWidget(self.target_box)

        self.condition_editor = ConditionEditor()
        outer.addWidget(self.condition_editor)

        outer.addWidget(QLabel("Rationale (what the team said)"))
        self.rationale_edit = QPlainTextEdit()
        self.rationale_edit.setFixedHeight(70)
        outer.addWidget(self.rationale_edit)

        row = QHBoxLayout()
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        set_cls(self.feedback, "muted")
        row.addWidget(self.feedback, 1)
        self.submit_button = QPushButton("Submit move")
        set_cls(self.submit_button, "primary")
        self.submit_button.clicked.connect(self.submit)
        self.accept_button = QPushButton("Record as accepted")
        self.accept_button.setToolTip("Record the move and accept it in one step, for moves "
                                      "control enters as agreed in the room")
        self.accept_button.clicked.connect(lambda: self.submit(accept=True))
        row.addWidget(self.accept_button)
        row.addWidget(self.submit_button)
        outer.addStretch(1)
        top.addLayout(row)

        bridge.sessionChanged.connect(self.set_session)
        bridge.changed.connect(self._changed)
        self.set_session(bridge.session)

    # ------------------------------------------------------------------ session
    def set_session(self, session: Session | None) -> None:
        self.session = session
        self._templates_key = ()
        self.role_combo.blockSignals(True)
        self.role_combo.clear()
        self._clear_grid(self.recipients_grid, self.recipient_checks)
        self._clear_grid(self.parties_grid, self.party_checks)
        self._build_package(())
        if session is not None:
            sc = session.scenario
            teams = session.teams
            for r in sc.roles:
                if r.is_player:
                    label = f"{r.name} — {teams[r.id]}" if r.id in teams else r.name
                    self.role_combo.addItem(role_icon(r.colour), label, r.id)
            for k, rid in enumerate(sc.player_ids):
                cb = QCheckBox(sc.role_by_id[rid].name)
                self.recipient_checks[rid] = cb
                self.recipients_grid.addWidget(cb, k // 2, k % 2)
                cb = QCheckBox(sc.role_by_id[rid].name)
                self.party_checks[rid] = cb
                self.parties_grid.addWidget(cb, k // 2, k % 2)
        self.role_combo.blockSignals(False)
        self.condition_editor.set_session(session)
        self.feedback.setText("")
        self.refresh()

    @staticmethod
    def _clear_grid(grid: QGridLayout, store: dict) -> None:
        for w in store.values():
            grid.removeWidget(w)
            w.deleteLater()
        store.clear()

    def refresh(self) -> None:
        """Follow the session: allowed templates (phase), tabled proposals, issue status."""
        s = self.session
        writable = s is not None and not self.bridge.readonly
        self.setEnabled(writable)
        self._fill_templates()
        self._fill_targets()
        self._update_package_availability()
        self._update_submit()

    # ------------------------------------------------------------------ role / template
    def role(self) -> str | None:
        return self.role_combo.currentData()

    def template(self) -> MoveTemplate | None:
        tid = self.template_combo.currentData()
        return None if tid is None or self.session is None else self.session.scenario.template_by_id[tid]

    def allowed_templates(self, role: str | None) -> list[MoveTemplate]:
        s = self.session
        if s is None or role is None or s.state.phase is None:
            return []
        phase = s.scenario.phase_by_id[s.state.phase]
        return [t for t in s.scenario.moves
                if (not t.roles or role in t.roles) and t.kind in phase.allowed_moves]

    def _role_changed(self, *_a) -> None:
        self._templates_key = ()
        self._fill_templates()  # (re)configures the form for the role's first template

    def _fill_templates(self) -> None:
        s = self.session
        role = self.role()
        allowed = self.allowed_templates(role)
        key = (role, s.state.phase if s else None, tuple(t.id for t in allowed))
        if key == self._templates_key:
            return
        self._templates_key = key
        current = self.template_combo.currentData()
        self.template_combo.blockSignals(True)
        self.template_combo.clear()
        for t in allowed:
            self.template_combo.addItem(f"{t.label}  ·  {KIND_LABELS.get(t.kind, t.kind)}", t.id)
        if current is not None:
            set_combo_data(self.template_combo, current)
        self.template_combo.setEnabled(bool(allowed))
        self.template_combo.blockSignals(False)
        self._template_changed()

    def _template_changed(self, *_a) -> None:
        tpl = self.template()
        s = self.session
        if tpl is None or s is None:
            if s is not None and s.state.phase is None:
                self.template_info.setText("Start phase 1 to take moves.")
            elif s is not None and self.role() is not None:
                self.template_info.setText("This role has no move allowed in this phase.")
            else:
                self.template_info.setText("")
            for box in (self.recipients_box, self.package_box, self.parties_box, self.target_box,
                        self.condition_editor):
                box.hide()
            self.magnitude_spin.setRange(1, 1)
            self._update_submit()
            return
        info = [tpl.description] if tpl.description else []
        eff = _effects_text(s, tpl)
        if eff:
            info.append(f"Effect per step: {eff}")
        self.template_info.setText("\n".join(info))
        self.magnitude_spin.setRange(1, tpl.magnitude_max)
        self.magnitude_spin.setValue(1)
        self.magnitude_spin.setEnabled(tpl.magnitude_max > 1)
        set_combo_data(self.channel_combo, tpl.channel)
        self._channel_changed()
        is_prop = tpl.kind == "proposal"
        self.recipients_box.setTitle("Recipients (and the parties)"
                                     if is_prop else "Recipients")
        self.package_box.setVisible(is_prop)
        self.parties_box.setVisible(is_prop)
        if is_prop:
            self._build_package(tpl.issues or tuple(i.id for i in s.scenario.issues))
            default = self._default_parties(tpl)
            for rid, cb in self.party_checks.items():
                cb.setChecked(rid in default)
                cb.setEnabled(rid != self.role())
        self.target_box.setVisible(tpl.kind in ("acceptance", "rejection"))
        self._fill_targets()
        if tpl.kind == "conditional_offer":
            self.condition_editor.configure(tpl.condition.model_dump(exclude_none=True)
                                            if tpl.condition else None, optional=False)
            self.condition_editor.show()
        elif is_prop:
            self.condition_editor.configure(None, optional=True)
            self.condition_editor.show()
        else:
            self.condition_editor.hide()
        self._update_package_availability()
        self._update_submit()

    def _default_parties(self, tpl: MoveTemplate) -> tuple[str, ...]:
        s = self.session
        assert s is not None
        return tuple(p for p in (tpl.parties or s.scenario.player_ids) if p != self.role())

    def _channel_changed(self, *_a) -> None:
        private = self.channel_combo.currentData() == "private"
        self.recipients_box.setVisible(private and self.template() is not None)
        role = self.role()
        for rid, cb in self.recipient_checks.items():
            cb.setEnabled(private and rid != role)
            if not private or rid == role:
                cb.setChecked(False)

    # ------------------------------------------------------------------ package
    def _build_package(self, issues: tuple[str, ...]) -> None:
        for store in (self.package_checks, self.package_combos):
            self._clear_grid(self.package_grid, store)
        s = self.session
        if s is None:
            return
        for k, iid in enumerate(issues):
            issue = s.scenario.issue_by_id[iid]
            cb = QCheckBox(issue.label)
            combo = compact_combo()
            for o in issue.options:
                combo.addItem(o.label, o.id)
                if o.description:
                    combo.setItemData(combo.count() - 1, o.description, Qt.ItemDataRole.ToolTipRole)
            combo.setEnabled(False)
            cb.toggled.connect(combo.setEnabled)
            cb.toggled.connect(lambda _on: self._update_submit())
            cb.toggled.connect(lambda _on: self._update_red_line_flag())
            combo.currentIndexChanged.connect(lambda _i: self._update_red_line_flag())
            self.package_grid.addWidget(cb, k, 0)
            self.package_grid.addWidget(combo, k, 1)
            self.package_checks[iid] = cb
            self.package_combos[iid] = combo

    def issue_statuses(self) -> dict[str, dict[str, Any]]:
        """Each issue's status as this form's user may know it (control: all of it)."""
        s = self.session
        assert s is not None
        return issue_statuses(s.scenario, s.state)

    def _update_package_availability(self) -> None:
        """Agreed issues show their agreed option, greyed; hard-blocked ones are greyed; the
        reason is in the tooltip (the column is too narrow for it)."""
        s = self.session
        if s is None or not self.package_checks:
            return
        statuses = self.issue_statuses()
        # whole issues under a block (a declared issue stays open to proposals unless blocked)
        vetoed = {h.issue for h in s.state.holds if h.option is None}
        for iid, cb in self.package_checks.items():
            rec = statuses[iid]
            closed = rec["status"] == "agreed" or iid in vetoed or (
                rec["status"] == "blocked" and not rec["reason"].startswith("waits for"))
            combo = self.package_combos[iid]
            if closed:
                cb.setChecked(False)
                if rec["option"]:
                    set_combo_data(combo, rec["option"])
            cb.setEnabled(not closed)
            status = rec["status"].replace("_", " ")
            tip = f"{s.scenario.issue_by_id[iid].label}: {status}"
            if rec["status"] == "agreed":
                tip += f" on '{_option_label(s, iid, rec['option'])}' (agreement {rec['agreement']})"
            elif rec["reason"]:
                tip += f" — {rec['reason']}"
            if rec.get("blocked_options"):
                tip += " — blocked: " + ", ".join(
                    _option_label(s, iid, o) for o in rec["blocked_options"])
            cb.setToolTip(tip)
        self._update_red_line_flag()

    def _update_red_line_flag(self) -> None:
        """Name the acting role's red lines that the package, with the agreements this form's
        user knows of, would cross (only the acting role's own: red lines are private)."""
        s, role = self.session, self.role()
        crossed: list[str] = []
        tpl = self.template()
        if s is not None and role is not None and tpl is not None and tpl.kind == "proposal" \
                and self.package():
            held = {iid: rec["option"] for iid, rec in self.issue_statuses().items()
                    if rec["status"] in ("agreed", "declared") and rec["option"]}
            held.update(self.package())
            crossed = red_lines_crossed(s.scenario, s.state, role, held)
        self.red_line_flag.setVisible(bool(crossed))
        if crossed:
            name = s.scenario.role_by_id[role].name  # type: ignore[union-attr]
            self.red_line_flag.setText(f"This package crosses a red line of {name}: "
                                       + "; ".join(crossed))

    def package(self) -> dict[str, str]:
        return {iid: self.package_combos[iid].currentData()
                for iid, cb in self.package_checks.items() if cb.isChecked()}

    def set_package(self, package: dict[str, str]) -> None:
        for iid, cb in self.package_checks.items():
            cb.setChecked(iid in package)
            if iid in package:
                set_combo_data(self.package_combos[iid], package[iid])

    def parties(self) -> tuple[str, ...]:
        tpl = self.template()
        if tpl is None:
            return ()
        chosen = tuple(r for r, cb in self.party_checks.items() if cb.isChecked() and r != self.role())
        default = self._default_parties(tpl)
        if set(chosen) == set(default):
            return ()  # the template's parties: let the engine fill them in, in its order
        return chosen

    # ------------------------------------------------------------------ targets
    def _fill_targets(self) -> None:
        s = self.session
        role = self.role()
        current = self.target_combo.currentData()
        self.target_combo.clear()
        if s is None or role is None:
            return
        sc = s.scenario
        for m in self.answerable(role):
            pkg = ", ".join(f"{sc.issue_by_id[i].label}: {_option_label(s, i, o)}"
                            for i, o in m["package"].items())
            num = f" (#{m['id']})" if self.viewer == "control" else ""
            self.target_combo.addItem(
                f"{possessive(sc.role_by_id[m['role']].name)} proposal{num}: {pkg}", m["id"])
        if self.target_combo.count() == 0:
            self.target_combo.addItem(f"No proposal on the table awaits "
                                      f"{sc.role_by_id[role].name}'s answer", None)
        if current is not None:
            set_combo_data(self.target_combo, current)

    def answerable(self, role: str) -> list[dict[str, Any]]:
        """The tabled proposals ``role`` can see and may still answer (from its view)."""
        s = self.session
        assert s is not None
        return [m for m in s.view(role)["moves_open"]
                if m["kind"] == "proposal" and m["status"] == "tabled" and m["role"] != role
                and role in m["parties"] and role not in m["acceptances"]]

    # ------------------------------------------------------------------ submit
    def _update_submit(self) -> None:
        s = self.session
        tpl = self.template()
        ok = s is not None and tpl is not None and not self.bridge.readonly
        if ok and tpl.kind in ("acceptance", "rejection"):
            ok = self.target_combo.currentData() is not None
        if ok and tpl.kind == "proposal":
            ok = any(cb.isChecked() for cb in self.package_checks.values())
        self.submit_button.setEnabled(bool(ok))
        sealed = bool(s and s.state.phase and
                      s.scenario.phase_by_id[s.state.phase].sequencing == "sealed")
        self.submit_button.setText("Seal move" if sealed else "Submit move")
        self.accept_button.setVisible(not sealed)  # sealed moves wait for the reveal
        self.accept_button.setEnabled(bool(ok) and not sealed)

    def command(self) -> C.SubmitMove:
        tpl = self.template()
        role = self.role()
        if tpl is None or role is None:
            raise ValueError("choose a role and a move first")
        channel = self.channel_combo.currentData()
        kwargs: dict[str, Any] = dict(
            role=role, template=tpl.id, magnitude=self.magnitude_spin.value(), channel=channel,
            rationale=self.rationale_edit.toPlainText().strip())
        if channel == "private":
            kwargs["to"] = tuple(r for r, cb in self.recipient_checks.items()
                                 if cb.isChecked() and r != role)
        if tpl.kind == "proposal":
            kwargs["package"] = self.package()
            kwargs["parties"] = self.parties()
        if tpl.kind in ("acceptance", "rejection"):
            kwargs["target"] = self.target_combo.currentData()
        if tpl.kind in ("proposal", "conditional_offer"):
            kwargs["condition"] = self.condition_editor.condition()
        return C.SubmitMove(**kwargs)

    def _changed(self, _change) -> None:
        # the line reports the last submission; any later change (a decision, an undo) may
        # make it untrue, so it goes (submit() writes it after its own change)
        self.feedback.setText("")
        self.refresh()

    def submit(self, accept: bool = False) -> int | None:
        """Record the move (and, with ``accept``, accept it at once: two recorded events,
        each undoable). Returns the move's event number."""
        try:
            cmd = self.command()
        except ValueError as exc:
            self.feedback.setText(str(exc))
            return None
        events = self.bridge.execute(cmd, parent=self.window())
        if not events:
            return None
        ev = events[-1]
        self.rationale_edit.clear()
        self.magnitude_spin.setValue(1)
        for cb in self.recipient_checks.values():  # the next move names its own recipients
            cb.setChecked(False)
        state = "sealed until Reveal" if ev.body.sealed else "awaiting adjudication"
        if accept and not ev.body.sealed:
            if self.bridge.execute(C.Adjudicate(move=ev.seq, decision="accept"),
                                   parent=self.window()):
                state = "accepted"
        what = move_name(self.session.scenario, ev.body, viewer=self.viewer, seq=ev.seq)
        self.feedback.setText(f"Recorded: {what} — {state}.")
        self.submitted.emit(ev.seq)
        return ev.seq


def _option_label(s: Session, issue: str, option: str) -> str:
    opt = s.scenario.issue_by_id[issue].option(option)
    return opt.label if opt else option


def _effects_text(s: Session, tpl: MoveTemplate) -> str:
    sc = s.scenario
    parts = [f"{sc.variable_by_id[k].label} {v:+g}" for k, v in tpl.effects.variables.items()]
    parts += [f"leverage of {sc.role_by_id[k].name} {v:+g}" for k, v in tpl.effects.leverage.items()]
    if tpl.effects.acts():  # blocks and postures, for the role making the move
        parts += acts_text(sc, tpl.effects.model_dump(), None)
    return "; ".join(parts)
