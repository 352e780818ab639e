"""Scenario model: immutable, validated domain objects for one exercise.

A scenario is authored as a TOML file (see ``docs/scenario-format.md``) and parsed by
:mod:`peacetable.domain.loader`. Field-level rules (types, ranges, identifiers) live on the
pydantic models below; rules that span several parts of the file (a linkage names existing
issues, preferences cover every option, ...) live in :func:`cross_check`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

FORMAT_VERSION = 1

Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]

MoveKind = Literal[
    "proposal",
    "acceptance",
    "rejection",
    "concession",
    "conditional_offer",
    "escalation",
    "de_escalation",
    "statement",
    "lever",
]
MOVE_KINDS: tuple[str, ...] = MoveKind.__args__  # type: ignore[attr-defined]
LinkageKind = Literal["precondition", "trade_off", "reinforces", "blocks"]
Channel = Literal["public", "private"]
IssueStatus = Literal["open", "on_table", "agreed", "suspended", "blocked"]
Op = Literal["<", "<=", ">", ">=", "==", "!="]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Meta(Model):
    id: Ident
    title: Text
    summary: Text
    situation: Text
    start_date: str = ""
    duration_minutes: int = Field(default=180, gt=0, le=24 * 60)
    sources: tuple[str, ...] = ()


class Variable(Model):
    id: Ident
    label: Text
    unit: str = ""
    description: str = ""
    min: float
    max: float
    initial: float
    weight: float = Field(ge=0.0)
    polarity: Literal["escalatory", "calming"] = "escalatory"

    @model_validator(mode="after")
    def _range(self) -> Variable:
        if not self.min < self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        if not self.min <= self.initial <= self.max:
            raise ValueError(f"initial ({self.initial}) must lie in [{self.min}, {self.max}]")
        return self

    def normalised(self, value: float) -> float:
        n = (value - self.min) / (self.max - self.min)
        return n if self.polarity == "escalatory" else 1.0 - n

    def clamp(self, value: float) -> float:
        return self.min if value < self.min else self.max if value > self.max else value


class Rung(Model):
    id: Ident
    label: Text
    threshold: float = Field(ge=0.0)
    description: str = ""


class Escalation(Model):
    scale: float = Field(default=100.0, gt=0.0)
    hysteresis: float = Field(default=0.0, ge=0.0)
    variables: tuple[Variable, ...] = Field(min_length=1)
    rungs: tuple[Rung, ...] = Field(min_length=1)


class Condition(Model):
    """A test on the session state: one of four forms (see docs/scenario-format.md)."""

    variable: Ident | None = None
    op: Op | None = None
    value: float | None = None
    issue: Ident | None = None
    status: IssueStatus | None = None
    option: Ident | None = None
    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        forms = []
        if self.variable is not None or self.op is not None or self.value is not None:
            if self.variable is None or self.op is None or self.value is None:
                raise ValueError("a variable test needs all of variable, op and value")
            forms.append("variable")
        if self.issue is not None or self.status is not None or self.option is not None:
            if self.issue is None or (self.status is None) == (self.option is None):
                raise ValueError("an issue test needs issue and exactly one of status or option")
            forms.append("issue")
        if self.all is not None:
            forms.append("all")
        if self.any is not None:
            forms.append("any")
        if len(forms) != 1:
            raise ValueError(
                "a condition has exactly one form: {variable, op, value}, {issue, status}, "
                "{issue, option}, {all = [...]} or {any = [...]}"
            )
        return self

    def walk(self) -> Iterator[Condition]:
        yield self
        for c in (self.all or ()) + (self.any or ()):
            yield from c.walk()


class Effects(Model):
    variables: dict[Ident, float] = Field(default_factory=dict)
    leverage: dict[Ident, float] = Field(default_factory=dict)
    issues: dict[Ident, Literal["blocked", "open"]] = Field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.variables or self.leverage or self.issues)


class Option(Model):
    id: Ident
    label: Text
    description: str = ""


class Issue(Model):
    id: Ident
    label: Text
    description: str = ""
    options: tuple[Option, ...] = Field(min_length=2)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


class Linkage(Model):
    kind: LinkageKind
    source: Ident = Field(alias="from")
    target: Ident = Field(alias="to")
    note: str = ""


class Role(Model):
    id: Ident
    name: Text
    kind: Literal["player", "control"] = "player"
    colour: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")] = "#888888"
    public_brief: Text
    private_brief: str = ""
    objectives: tuple[str, ...] = ()
    red_lines: tuple[str, ...] = ()
    batna: Unit | None = None
    batna_description: str = ""
    leverage: float = Field(default=50.0, ge=0.0, le=100.0)
    weights: dict[Ident, Annotated[float, Field(ge=0.0)]] = Field(default_factory=dict)
    preferences: dict[Ident, dict[Ident, Unit]] = Field(default_factory=dict)
    bot: Literal["hardliner", "conceder", "reciprocator", "leverage"] | None = None  # bot strategy when no one plays it

    @property
    def is_player(self) -> bool:
        return self.kind == "player"


class Phase(Model):
    id: Ident
    label: Text
    description: str = ""
    objectives: tuple[str, ...] = ()
    sequencing: Literal["open", "sealed"] = "open"
    duration_minutes: int = Field(default=30, gt=0, le=24 * 60)
    allowed_moves: tuple[MoveKind, ...] = Field(min_length=1)
    injects: tuple[Ident, ...] = ()


class MoveTemplate(Model):
    id: Ident
    label: Text
    kind: MoveKind
    description: str = ""
    roles: tuple[Ident, ...] = ()
    channel: Channel = "public"
    channel_locked: bool = False  # true: always on `channel` (which must be "private")
    magnitude_max: int = Field(default=1, ge=1, le=10)
    issues: tuple[Ident, ...] = ()
    parties: tuple[Ident, ...] = ()
    effects: Effects = Field(default_factory=Effects)
    condition: Condition | None = None
    odds: int | None = Field(default=None, ge=1, le=100)  # control bot's chance of success, %


class Inject(Model):
    id: Ident
    title: Text
    synopsis: Text
    at_minute: float = Field(default=0.0, ge=0.0)
    targets: tuple[Ident, ...] = ()
    visibility: Literal["public", "targets", "control"] = "public"
    expected_action: str = ""
    effects: Effects = Field(default_factory=Effects)


class Scenario(Model):
    format: Literal[1]
    scenario: Meta
    escalation: Escalation
    roles: tuple[Role, ...] = Field(min_length=2)
    issues: tuple[Issue, ...] = Field(min_length=1)
    linkages: tuple[Linkage, ...] = ()
    phases: tuple[Phase, ...] = Field(min_length=1)
    moves: tuple[MoveTemplate, ...] = Field(min_length=1)
    injects: tuple[Inject, ...] = ()

    # Look-ups. The model is frozen, so cached properties are safe.
    @cached_property
    def role_by_id(self) -> dict[str, Role]:
        return {r.id: r for r in self.roles}

    @cached_property
    def issue_by_id(self) -> dict[str, Issue]:
        return {i.id: i for i in self.issues}

    @cached_property
    def phase_by_id(self) -> dict[str, Phase]:
        return {p.id: p for p in self.phases}

    @cached_property
    def template_by_id(self) -> dict[str, MoveTemplate]:
        return {m.id: m for m in self.moves}

    @cached_property
    def inject_by_id(self) -> dict[str, Inject]:
        return {i.id: i for i in self.injects}

    @cached_property
    def variable_by_id(self) -> dict[str, Variable]:
        return {v.id: v for v in self.escalation.variables}

    @cached_property
    def player_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.roles if r.is_player)

    @cached_property
    def control_id(self) -> str | None:
        return next((r.id for r in self.roles if r.kind == "control"), None)

    @cached_property
    def inject_phase(self) -> dict[str, str]:
        """inject id -> id of the phase that schedules it (reserve injects are absent)."""
        return {i: p.id for p in self.phases for i in p.injects}

    @cached_property
    def template_effects(self) -> dict[str, dict[str, Any]]:
        """Template id -> its effects as plain data (empty dict when it has none)."""
        return {m.id: ({} if m.effects.is_empty() else m.effects.model_dump()) for m in self.moves}

    @cached_property
    def index_terms(self) -> tuple[float, float, tuple[tuple[str, float, float, float, bool], ...]]:
        """(scale, total weight, (id, min, max-min, weight, calming?) per variable)."""
        esc = self.escalation
        return esc.scale, sum(v.weight for v in esc.variables), tuple(
            (v.id, v.min, v.max - v.min, v.weight, v.polarity == "calming")
            for v in esc.variables)

    @cached_property
    def _incoming(self) -> dict[tuple[str, str], tuple[str, ...]]:
        out: dict[tuple[str, str], list[str]] = {}
        for link in self.linkages:
            out.setdefault((link.kind, link.target), []).append(link.source)
        return {k: tuple(v) for k, v in out.items()}

    def preconditions_of(self, issue_id: str) -> tuple[str, ...]:
        """Issues that must be settled before (or together with) ``issue_id``."""
        return self._incoming.get(("precondition", issue_id), ())

    def blockers_of(self, issue_id: str) -> tuple[str, ...]:
        """Issues whose agreement blocks ``issue_id`` (``blocks`` linkages)."""
        return self._incoming.get(("blocks", issue_id), ())


# --------------------------------------------------------------------------- cross-checks


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where (a field path) and what is expected."""

    path: tuple[str | int, ...]
    message: str
    line: int | None = None

    @property
    def dotted(self) -> str:
        out = ""
        for part in self.path:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                out += ("." if out else "") + str(part)
        return out or "(file)"


def _dupes(items, what: str, path: tuple) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in seen:
            first = Problem(path + (seen[item.id],), "").dotted
            yield Problem(
                path + (i, "id"),
                f"duplicate {what} id '{item.id}' (already used by {first}; ids must be unique)",
            )
        else:
            seen[item.id] = i


def _condition_problems(sc: Scenario, cond: Condition, path: tuple) -> Iterator[Problem]:
    for c in cond.walk():
        if c.variable is not None and c.variable not in sc.variable_by_id:
            yield Problem(path, f"condition names unknown variable '{c.variable}' "
                                f"(expected one of: {', '.join(sc.variable_by_id)})")
        if c.issue is not None:
            issue = sc.issue_by_id.get(c.issue)
            if issue is None:
                yield Problem(path, f"condition names unknown issue '{c.issue}' "
                                    f"(expected one of: {', '.join(sc.issue_by_id)})")
            elif c.option is not None and issue.option(c.option) is None:
                yield Problem(path, f"condition names unknown option '{c.option}' of issue "
                                    f"'{c.issue}' (expected one of: "
                                    f"{', '.join(o.id for o in issue.options)})")


def _effects_problems(sc: Scenario, eff: Effects, path: tuple) -> Iterator[Problem]:
    for v in eff.variables:
        if v not in sc.variable_by_id:
            yield Problem(path + ("variables", v), f"unknown escalation variable '{v}' "
                                                   f"(expected one of: {', '.join(sc.variable_by_id)})")
    for r in eff.leverage:
        if r not in sc.role_by_id:
            yield Problem(path + ("leverage", r), f"unknown role '{r}' "
                                                  f"(expected one of: {', '.join(sc.role_by_id)})")
    for i in eff.issues:
        if i not in sc.issue_by_id:
            yield Problem(path + ("issues", i), f"unknown issue '{i}' "
                                                f"(expected one of: {', '.join(sc.issue_by_id)})")


def cross_check(sc: Scenario) -> list[Problem]:
    """Rules that span parts of the file. An empty list means the scenario is coherent."""
    out: list[Problem] = []
    out += _dupes(sc.roles, "role", ("roles",))
    out += _dupes(sc.issues, "issue", ("issues",))
    out += _dupes(sc.phases, "phase", ("phases",))
    out += _dupes(sc.moves, "move template", ("moves",))
    out += _dupes(sc.injects, "inject", ("injects",))
    out += _dupes(sc.escalation.variables, "variable", ("escalation", "variables"))
    out += _dupes(sc.escalation.rungs, "rung", ("escalation", "rungs"))
    for i, issue in enumerate(sc.issues):
        out += _dupes(issue.options, "option", ("issues", i, "options"))

    # Escalation ladder
    rungs = sc.escalation.rungs
    if rungs and rungs[0].threshold != 0:
        out.append(Problem(("escalation", "rungs", 0, "threshold"),
                           f"the first rung must start at threshold 0, not {rungs[0].threshold:g}"))
    for k in range(1, len(rungs)):
        if rungs[k].threshold <= rungs[k - 1].threshold:
            out.append(Problem(("escalation", "rungs", k, "threshold"),
                               f"rung thresholds must rise: {rungs[k].threshold:g} is not above "
                               f"{rungs[k - 1].threshold:g}"))
    for k, rung in enumerate(rungs):
        if rung.threshold >= sc.escalation.scale:
            out.append(Problem(("escalation", "rungs", k, "threshold"),
                               f"threshold {rung.threshold:g} must be below the scale "
                               f"({sc.escalation.scale:g})"))
    if sum(v.weight for v in sc.escalation.variables) <= 0:
        out.append(Problem(("escalation", "variables"), "at least one variable needs a weight above 0"))

    # Roles
    controls = [k for k, r in enumerate(sc.roles) if r.kind == "control"]
    if len(controls) > 1:
        out.append(Problem(("roles", controls[1], "kind"), "only one role may be the control cell"))
    if len(sc.player_ids) < 2:
        out.append(Problem(("roles",), "a scenario needs at least two player roles"))
    issue_ids = list(sc.issue_by_id)
    for k, role in enumerate(sc.roles):
        base = ("roles", k)
        if not role.is_player:
            for fld in ("weights", "preferences"):
                if getattr(role, fld):
                    out.append(Problem(base + (fld,), f"the control role has no {fld} (remove it)"))
            continue
        if role.batna is None:
            out.append(Problem(base + ("batna",), "missing (expected the no-deal utility, 0..1)"))
        for iid in role.weights:
            if iid not in sc.issue_by_id:
                out.append(Problem(base + ("weights", iid), f"unknown issue '{iid}' "
                                                          f"(expected one of: {', '.join(issue_ids)})"))
        missing = [i for i in issue_ids if i not in role.weights]
        if missing:
            out.append(Problem(base + ("weights",), f"no weight for issue(s) {', '.join(missing)} "
                                                    "(every issue needs a weight, 0 allowed)"))
        total = sum(role.weights.values())
        if role.weights and abs(total - 1.0) > 0.01:
            out.append(Problem(base + ("weights",), f"weights sum to {total:.3f} (expected 1.0 ± 0.01)"))
        for iid, prefs in role.preferences.items():
            issue = sc.issue_by_id.get(iid)
            if issue is None:
                out.append(Problem(base + ("preferences", iid), f"unknown issue '{iid}' "
                                                              f"(expected one of: {', '.join(issue_ids)})"))
                continue
            opt_ids = [o.id for o in issue.options]
            for oid in prefs:
                if oid not in opt_ids:
                    out.append(Problem(base + ("preferences", iid, oid),
                                       f"unknown option '{oid}' of issue '{iid}' "
                                       f"(expected one of: {', '.join(opt_ids)})"))
            lacking = [o for o in opt_ids if o not in prefs]
            if lacking:
                out.append(Problem(base + ("preferences", iid),
                                   f"no value for option(s) {', '.join(lacking)} "
                                   "(preferences must cover every option)"))
        missing = [i for i in issue_ids if i not in role.preferences]
        if missing:
            out.append(Problem(base + ("preferences",), f"no preferences for issue(s) "
                                                        f"{', '.join(missing)} (every issue needs them)"))

    # Linkages
    for k, link in enumerate(sc.linkages):
        for fld, iid in (("from", link.source), ("to", link.target)):
            if iid not in sc.issue_by_id:
                out.append(Problem(("linkages", k, fld), f"unknown issue '{iid}' "
                                                         f"(expected one of: {', '.join(issue_ids)})"))
        if link.source == link.target:
            out.append(Problem(("linkages", k, "to"), "a linkage must join two different issues"))

    # Phases and injects
    scheduled: dict[str, int] = {}
    for k, phase in enumerate(sc.phases):
        for j, iid in enumerate(phase.injects):
            inj = sc.inject_by_id.get(iid)
            if inj is None:
                out.append(Problem(("phases", k, "injects", j), f"unknown inject '{iid}' "
                                   f"(expected one of: {', '.join(sc.inject_by_id) or 'no injects defined'})"))
                continue
            if iid in scheduled:
                out.append(Problem(("phases", k, "injects", j), f"inject '{iid}' is already scheduled "
                                                                f"in phases[{scheduled[iid]}]"))
            scheduled[iid] = k
            if inj.at_minute > phase.duration_minutes:
                out.append(Problem(("phases", k, "injects", j),
                                   f"inject '{iid}' is due at minute {inj.at_minute:g}, after the "
                                   f"phase ends (duration {phase.duration_minutes} min)"))
    for k, inj in enumerate(sc.injects):
        for j, rid in enumerate(inj.targets):
            if rid not in sc.role_by_id:
                out.append(Problem(("injects", k, "targets", j), f"unknown role '{rid}' "
                                   f"(expected one of: {', '.join(sc.role_by_id)})"))
        out += _effects_problems(sc, inj.effects, ("injects", k, "effects"))

    # Move templates
    for k, tpl in enumerate(sc.moves):
        base = ("moves", k)
        for j, rid in enumerate(tpl.roles):
            role = sc.role_by_id.get(rid)
            if role is None or not role.is_player:
                out.append(Problem(base + ("roles", j), f"unknown player role '{rid}' "
                                   f"(expected one of: {', '.join(sc.player_ids)})"))
        for j, rid in enumerate(tpl.parties):
            role = sc.role_by_id.get(rid)
            if role is None or not role.is_player:
                out.append(Problem(base + ("parties", j), f"unknown player role '{rid}' "
                                   f"(expected one of: {', '.join(sc.player_ids)})"))
        for j, iid in enumerate(tpl.issues):
            if iid not in sc.issue_by_id:
                out.append(Problem(base + ("issues", j), f"unknown issue '{iid}' "
                                   f"(expected one of: {', '.join(issue_ids)})"))
        if tpl.kind != "proposal" and (tpl.issues or tpl.parties):
            out.append(Problem(base + ("issues" if tpl.issues else "parties",),
                               f"only proposal templates take issues and parties (this one is "
                               f"'{tpl.kind}')"))
        if tpl.channel_locked and tpl.channel != "private":
            out.append(Problem(base + ("channel_locked",), "only a private template can be locked "
                                                           "to its channel (set channel = \"private\")"))
        if tpl.kind == "conditional_offer" and tpl.condition is None:
            out.append(Problem(base + ("condition",), "a conditional_offer template needs a default "
                                                      "condition"))
        if tpl.condition is not None:
            out += _condition_problems(sc, tpl.condition, base + ("condition",))
        out += _effects_problems(sc, tpl.effects, base + ("effects",))
    return out
