"""Scenario model: immutable, validated domain objects for one exercise.

A scenario is authored as a TOML file (see ``docs/scenario-format.md``) and parsed by
:mod:`peacetable.domain.loader`. Field-level rules (types, ranges, identifiers) live on the
pydantic models below; rules that span several parts of the file (a linkage names existing
issues, preferences cover every option, ...) live in :func:`cross_check`.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from .calendar import date_problems, parse_game_date
from .conditions import Condition as TypedCondition
from .conditions import typed

FORMAT_VERSION = 1

Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


def _not_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"got {str(value).lower()} (expected a whole number; true and false "
                         "are not numbers)")
    return value


# Numbers: finite (NaN and infinities are refused by the model configuration below) and never
# true/false (strict: a boolean is not a number, though TOML integers are taken as reals)
Real = Annotated[float, Field(strict=True)]
Whole = Annotated[int, BeforeValidator(_not_boolean)]
Unit = Annotated[Real, Field(ge=0.0, le=1.0)]
#: an in-game date: "YYYY-MM-DD" or a TOML date (see domain/calendar.py)
GameDate = Annotated[_dt.date, BeforeValidator(parse_game_date)]

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
IssueStatus = Literal["open", "on_table", "agreed", "declared", "suspended", "blocked"]
Op = Literal["<", "<=", ">", ">=", "==", "!="]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True,
                              allow_inf_nan=False)


class Meta(Model):
    id: Ident
    title: Text
    summary: Text
    situation: Text
    start_date: str = ""
    duration_minutes: Whole = Field(default=180, gt=0, le=24 * 60)
    #: a scheduled inject that falls due fires by itself ("automatic") or waits for control
    injects: Literal["manual", "automatic"] = "manual"
    sources: tuple[str, ...] = ()


def _shown(x: float) -> str:
    """A number in a problem as its author would write it: 12 for 12.0, every digit kept."""
    f = float(x)
    return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)


class Variable(Model):
    id: Ident
    label: Text
    unit: str = ""
    description: str = ""
    min: Real
    max: Real
    initial: Real
    weight: Real = Field(ge=0.0)
    polarity: Literal["escalatory", "calming"] = "escalatory"

    @model_validator(mode="after")
    def _range(self) -> Variable:
        if not self.min < self.max:
            raise ValueError(f"min ({_shown(self.min)}) must be below max ({_shown(self.max)})")
        if not self.min <= self.initial <= self.max:
            raise ValueError(f"initial ({_shown(self.initial)}) must lie in "
                             f"[{_shown(self.min)}, {_shown(self.max)}]")
        return self

    def normalised(self, value: float) -> float:
        n = (value - self.min) / (self.max - self.min)
        return n if self.polarity == "escalatory" else 1.0 - n

    def clamp(self, value: float) -> float:
        return self.min if value < self.min else self.max if value > self.max else value


class Condition(Model):
    """A test on the session state: one of four forms (see docs/scenario-format.md)."""

    variable: Ident | None = None
    op: Op | None = None
    value: Real | None = None
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

    def typed(self) -> TypedCondition:
        """This condition as one of the typed forms of :mod:`.conditions` (which test and
        describe it)."""
        return typed(self)


class Rung(Model):
    id: Ident
    label: Text
    threshold: Real = Field(ge=0.0)
    description: str = ""
    #: the rung is reached (and held) only while this test on escalation variables holds,
    #: as well as the index being at its threshold (see docs/scenario-format.md)
    requires: Condition | None = None


class Escalation(Model):
    scale: Real = Field(default=100.0, gt=0.0)
    hysteresis: Real = Field(default=0.0, ge=0.0)
    variables: tuple[Variable, ...] = Field(min_length=1)
    rungs: tuple[Rung, ...] = Field(min_length=1)


class Effects(Model):
    """What an inject or an accepted move changes (see docs/scenario-format.md): variables
    and leverage (scaled by a move's magnitude), blocks on issues (``issues``) or single
    options (``options``) — ``"blocked"`` puts one on, ``"open"`` lifts it — and declared
    postures (``declare``: issue -> option, settled without an agreement). ``by`` names the
    role that acts (a veto's author, who declares); a move always acts for its mover."""

    variables: dict[Ident, Real] = Field(default_factory=dict)
    leverage: dict[Ident, Real] = Field(default_factory=dict)
    issues: dict[Ident, Literal["blocked", "open"]] = Field(default_factory=dict)
    options: dict[Ident, dict[Ident, Literal["blocked", "open"]]] = Field(default_factory=dict)
    declare: dict[Ident, Ident] = Field(default_factory=dict)
    by: Ident | None = None

    def is_empty(self) -> bool:
        return not (self.variables or self.leverage or self.issues or self.options
                    or self.declare)

    def acts(self) -> bool:
        """Does it block, lift a block or declare a posture (rather than move numbers)?"""
        return bool(self.issues or self.options or self.declare)


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
    #: the issue the linkage runs from; a ``blocks`` linkage may name a test on escalation
    #: variables (``while``) instead
    source: Ident | None = Field(default=None, alias="from")
    target: Ident = Field(alias="to")
    #: option-level links: only this option of ``from`` counts / only this option of ``to``
    #: is held back (see docs/scenario-format.md)
    from_option: Ident | None = None
    to_option: Ident | None = None
    #: ``blocks`` only: ``to`` is blocked while this test on escalation variables holds
    condition: Condition | None = Field(default=None, alias="while")
    #: roles that know of this linkage (None: everyone; control always does)
    visible_to: tuple[Ident, ...] | None = None
    #: trade-off value: player role -> bonus (or, negative, penalty) it adds to a package
    #: holding both ``from_option`` and ``to_option`` (like a role's interaction term)
    value: dict[Ident, Annotated[Real, Field(ge=-1.0, le=1.0)]] = Field(default_factory=dict)
    note: str = ""

    def met_by(self, held: dict[str, str]) -> bool:
        """Is the ``from`` side held (agreed, or in the package) on the option it names?
        (Never for a linkage from a variable test.)"""
        if self.source is None:
            return False
        opt = held.get(self.source)
        return opt is not None and (self.from_option is None or opt == self.from_option)

    def known_to(self, viewer: str) -> bool:
        """May ``viewer`` (control, audience or a role id) know of this linkage?"""
        return self.visible_to is None or viewer == "control" or viewer in self.visible_to

    @property
    def variables(self) -> frozenset[str]:
        """The escalation variables the ``while`` test reads (none for an issue linkage)."""
        return frozenset() if self.condition is None else self.condition.typed().deps()[0]

    def holds(self, variables: dict[str, float]) -> bool:
        """Does the ``while`` test hold for these variable values?"""
        return self._test is not None and self._test(_Values(variables), None)

    @cached_property
    def _test(self) -> Any:
        return None if self.condition is None else self.condition.typed().compile()


class _Values:
    """What a compiled variable test reads: an object with ``variables``."""

    __slots__ = ("variables",)

    def __init__(self, variables: dict[str, float]):
        self.variables = variables


class Choice(Model):
    """One issue settled on one option."""

    issue: Ident
    option: Ident


class Constraint(Model):
    """A rule across two issues that every package must keep (see docs/scenario-format.md):
    ``incompatible``: ``first`` and ``second`` never hold together; ``requires``: a package
    that settles ``first`` must settle ``second`` too (in the same package or before)."""

    kind: Literal["incompatible", "requires"]
    first: Choice
    second: Choice
    note: str = ""

    def broken_by(self, package: dict[str, str]) -> bool:
        """Does ``package`` (issue id -> option id, what is agreed included) break it?
        A ``requires`` is broken only when ``second``'s issue is settled otherwise or not at
        all."""
        a = package.get(self.first.issue) == self.first.option
        b = package.get(self.second.issue) == self.second.option
        return a and (b if self.kind == "incompatible" else not b)


class Interaction(Model):
    """A bonus (or, negative, a penalty) a role adds to a package that holds both choices,
    on top of the weighted values of the two options (see docs/scenario-format.md)."""

    first: Choice
    second: Choice
    value: Annotated[Real, Field(ge=-1.0, le=1.0)]
    note: str = ""


class RedLineTest(Model):
    """When one of the role's red lines is crossed: ``crossed_if`` over the package/state."""

    red_line: Text
    crossed_if: Condition


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
    leverage: Real = Field(default=50.0, ge=0.0, le=100.0)
    weights: dict[Ident, Annotated[Real, Field(ge=0.0)]] = Field(default_factory=dict)
    preferences: dict[Ident, dict[Ident, Unit]] = Field(default_factory=dict)
    interactions: tuple[Interaction, ...] = ()
    red_line_tests: tuple[RedLineTest, ...] = ()
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
    duration_minutes: Whole = Field(default=30, gt=0, le=24 * 60)
    allowed_moves: tuple[MoveKind, ...] = Field(min_length=1)
    injects: tuple[Ident, ...] = ()
    date: GameDate | None = None  # in-game day the phase starts
    end_date: GameDate | None = None  # in-game last day, for a phase spanning several


class MoveTemplate(Model):
    id: Ident
    label: Text
    kind: MoveKind
    description: str = ""
    roles: tuple[Ident, ...] = ()
    channel: Channel = "public"
    channel_locked: bool = False  # true: always on `channel` (which must be "private")
    magnitude_max: Whole = Field(default=1, ge=1, le=10)
    issues: tuple[Ident, ...] = ()
    parties: tuple[Ident, ...] = ()
    effects: Effects = Field(default_factory=Effects)
    condition: Condition | None = None
    odds: Whole | None = Field(default=None, ge=1, le=100)  # control bot's chance of success, %


class Inject(Model):
    id: Ident
    title: Text
    synopsis: Text
    at_minute: Real = Field(default=0.0, ge=0.0)
    targets: tuple[Ident, ...] = ()
    visibility: Literal["public", "targets", "control"] = "public"
    expected_action: str = ""
    effects: Effects = Field(default_factory=Effects)
    date: GameDate | None = None  # in-game day it happens (within its phase's days)
    #: fire by itself when due (true) or wait for control (false); unset: [scenario] injects
    auto: bool | None = None

    def fires_itself(self, default: str) -> bool:
        return self.auto if self.auto is not None else default == "automatic"


class Scenario(Model):
    format: Annotated[Literal[1], BeforeValidator(_not_boolean)]
    scenario: Meta
    escalation: Escalation
    roles: tuple[Role, ...] = Field(min_length=2)
    issues: tuple[Issue, ...] = Field(min_length=1)
    linkages: tuple[Linkage, ...] = ()
    constraints: tuple[Constraint, ...] = ()
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
            if link.to_option is None and link.source is not None:
                out.setdefault((link.kind, link.target), []).append(link.source)
        return {k: tuple(v) for k, v in out.items()}

    def links_into(self, kind: str, issue_id: str, option: str | None = None) -> list[Linkage]:
        """Linkages of ``kind`` into ``issue_id``: those on the whole issue, and with
        ``option`` those on that option too."""
        got = self._links_into.get((kind, issue_id, option))
        if got is None:
            got = self._links_into[(kind, issue_id, option)] = tuple(
                k for k in self.linkages if k.kind == kind and k.target == issue_id
                and (k.to_option is None or k.to_option == option))
        return list(got)

    @cached_property
    def _links_into(self) -> dict[tuple[str, str, str | None], tuple[Linkage, ...]]:
        """(kind, issue, option) -> links_into's answer, found once."""
        return {}

    def preconditions_of(self, issue_id: str) -> tuple[str, ...]:
        """Issues that must be settled before (or together with) ``issue_id`` (linkages on
        the whole issue; an option-level one holds back only its option)."""
        return self._incoming.get(("precondition", issue_id), ())

    def choice_text(self, choice: Choice) -> str:
        """"Issue: Option" with the scenario's labels."""
        issue = self.issue_by_id[choice.issue]
        opt = issue.option(choice.option)
        return f"{issue.label}: {opt.label if opt else choice.option}"

    def blockers_of(self, issue_id: str) -> tuple[str, ...]:
        """Issues whose agreement blocks ``issue_id`` (``blocks`` linkages)."""
        return self._incoming.get(("blocks", issue_id), ())

    def linkages_for(self, viewer: str) -> tuple[Linkage, ...]:
        """The linkages ``viewer`` (control, audience or a role id) knows of: all of them
        for control, those with no ``visible_to`` for the audience, and for a role those
        with no ``visible_to`` or naming it."""
        if viewer == "control" or not self.hidden_linkages:
            return self.linkages
        got = self._linkages_known.get(viewer)
        if got is None:  # the same tuple each time: issue statuses index it once
            got = self._linkages_known[viewer] = tuple(
                k for k in self.linkages if k.known_to(viewer))
        return got

    @cached_property
    def _linkages_known(self) -> dict[str, tuple[Linkage, ...]]:
        return {}

    @cached_property
    def hidden_linkages(self) -> bool:
        """Does some linkage carry ``visible_to``?"""
        return any(k.visible_to is not None for k in self.linkages)

    @cached_property
    def linkage_variables(self) -> frozenset[str]:
        """Variables some ``while`` linkage reads (issue statuses depend on them)."""
        return frozenset().union(*(k.variables for k in self.linkages))

    def rung_available(self, k: int, variables: dict[str, float]) -> bool:
        """May rung ``k`` be reached (or held) with these variable values (its
        ``requires``)?"""
        test = self._rung_tests[k]
        return test is None or test(_Values(variables), None)

    @cached_property
    def _rung_tests(self) -> tuple[Any, ...]:
        return tuple(None if r.requires is None else r.requires.typed().compile()
                     for r in self.escalation.rungs)


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


# The rules below read the file's data as parsed (plain dicts and lists), not the validated
# model, so that they run even when some fields are wrong and one run reports every problem.
# ``reported`` holds the paths of the problems the field checks found: a rule skips a value
# that is already reported as wrong (no second, contradictory line about it).

MAX_LISTED = 12
"""Most ids listed in one 'expected one of: ...' message; the rest are counted."""


def _one_of(ids: Any) -> str:
    ids = [str(i) for i in ids]
    if len(ids) <= MAX_LISTED:
        return ", ".join(ids)
    return ", ".join(ids[:MAX_LISTED]) + f" and {len(ids) - MAX_LISTED:,} more"


def _dict(x: Any) -> dict:
    return x if isinstance(x, dict) else {}


def _items(x: Any) -> list[tuple[int, dict]]:
    return [(k, v) for k, v in enumerate(x) if isinstance(v, dict)] if isinstance(x, list) else []


def _str(x: Any) -> str | None:
    return x if isinstance(x, str) else None


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return x if math.isfinite(x) else None


class _Rules:
    def __init__(self, data: dict, reported: Iterable[tuple]):
        self.d = data
        self.out: list[Problem] = []
        self.reported = set(reported)
        self.prefixes: set[tuple] = set()
        for path in self.reported:
            for k in range(1, len(path) + 1):
                self.prefixes.add(tuple(path[:k]))
        esc = _dict(data.get("escalation"))
        self.variables = _items(esc.get("variables"))
        self.rungs = _items(esc.get("rungs"))
        self.roles = _items(data.get("roles"))
        self.issues = _items(data.get("issues"))
        self.phases = _items(data.get("phases"))
        self.moves = _items(data.get("moves"))
        self.injects = _items(data.get("injects"))
        self.linkages = _items(data.get("linkages"))
        self.constraints = _items(data.get("constraints"))
        self.variable_ids = self._ids(self.variables, ("escalation", "variables"))
        self.role_ids = self._ids(self.roles, ("roles",))
        self.issue_ids = self._ids(self.issues, ("issues",))
        self.inject_ids = self._ids(self.injects, ("injects",))
        self.kinds_ok = all(self.ok(("roles", k, "kind")) for k, _ in self.roles)
        self.player_ids = [i for _, r in self.roles if (i := _str(r.get("id")))
                           and r.get("kind", "player") == "player"]
        # options of each issue (the first definition of a duplicated issue id)
        self.options: dict[str, list[str]] = {}
        for k, v in self.issues:
            iid = _str(v.get("id"))
            if iid is not None and iid not in self.options:
                self.options[iid] = self._ids(_items(v.get("options")), ("issues", k, "options"))
        # ids to be covered by weights and preferences: those written as valid ids
        self.issues_to_cover = [i for k, v in self.issues if (i := _str(v.get("id")))
                                and self.ok(("issues", k, "id"))]
        # a list that is missing or of the wrong type is reported once, not at every
        # reference to what it should hold
        self.checkable = {
            "variable": not self._broken(("escalation", "variables")),
            "role": not self._broken(("roles",)),
            "issue": not self._broken(("issues",)),
            "inject": not self._broken(("injects",)),
        }

    def _broken(self, path: tuple) -> bool:
        return any(tuple(path[:k]) in self.reported for k in range(1, len(path) + 1))

    @staticmethod
    def _ids(items: list[tuple[int, dict]], path: tuple) -> list[str]:
        return list(dict.fromkeys(i for _, v in items if (i := _str(v.get("id")))))

    def ok(self, path: tuple) -> bool:
        """Nothing at or under ``path`` was reported by the field checks."""
        return tuple(path) not in self.prefixes

    def add(self, path: tuple, message: str) -> None:
        if tuple(path) not in self.reported:  # the field check already said it
            self.out.append(Problem(tuple(path), message))

    # ---------------------------------------------------------------- rules
    def dupes(self, items: list[tuple[int, dict]], what: str, path: tuple) -> None:
        seen: dict[str, int] = {}
        for i, item in items:
            iid = _str(item.get("id"))
            if iid is None or not self.ok(path + (i, "id")):
                continue
            if iid in seen:
                first = Problem(path + (seen[iid],), "").dotted
                self.add(path + (i, "id"), f"duplicate {what} id '{iid}' (already used by {first}; "
                                           "ids must be unique)")
            else:
                seen[iid] = i

    def unknown(self, path: tuple, value: Any, known: list[str], what: str) -> None:
        v = _str(value)
        if not self.checkable.get(what.split()[-1], True):
            return
        if v is not None and v not in known and self.ok(path):
            self.add(path, f"unknown {what} '{v}' (expected one of: {_one_of(known) or 'none defined'})")

    def ladder(self) -> None:
        esc = _dict(self.d.get("escalation"))
        base = ("escalation", "rungs")
        th = [(k, _num(r.get("threshold"))) for k, r in self.rungs
              if self.ok(base + (k, "threshold"))]
        th = [(k, t) for k, t in th if t is not None]
        if th and th[0][0] == 0 and th[0][1] != 0:
            self.add(base + (0, "threshold"), f"the first rung must start at threshold 0, not "
                                              f"{th[0][1]:g}")
        for (_, a), (k, b) in zip(th, th[1:]):
            if b <= a:
                self.add(base + (k, "threshold"), f"rung thresholds must rise: {b:g} is not above {a:g}")
        for k, rung in self.rungs:
            path = base + (k, "requires")
            if "requires" not in rung or not self.ok(path):
                continue
            if k == 0:
                self.add(path, "the first rung has no requirement (the index starts on it; "
                               "put the requirement on a higher rung)")
            else:
                self.variables_only(path, rung["requires"],
                                    'requires = { variable = "troops", op = ">=", value = 8 }')
        scale = _num(esc.get("scale", 100.0))
        if scale is not None and self.ok(("escalation", "scale")):
            for k, t in th:
                if t >= scale:
                    self.add(base + (k, "threshold"), f"threshold {t:g} must be below the scale "
                                                      f"({scale:g})")
        weights = [_num(v.get("weight")) for _, v in self.variables]
        if (self.variables and self.ok(("escalation", "variables"))
                and all(w is not None for w in weights) and sum(weights) <= 0):
            self.add(("escalation", "variables"), "at least one variable needs a weight above 0")

    def roles_rules(self) -> None:
        if not self.kinds_ok:
            return
        controls = [k for k, r in self.roles if r.get("kind") == "control"]
        if len(controls) > 1:
            self.add(("roles", controls[1], "kind"), "only one role may be the control cell")
        if len(self.player_ids) < 2 and self.ok(("roles",)):
            self.add(("roles",), "a scenario needs at least two player roles")
        for k, role in self.roles:
            base = ("roles", k)
            if role.get("kind", "player") != "player":
                for fld in ("weights", "preferences"):
                    if role.get(fld):
                        self.add(base + (fld,), f"the control role has no {fld} (remove it)")
                continue
            if "batna" not in role:
                self.add(base + ("batna",), "missing (expected the no-deal utility, 0..1)")
            self.role_weights(base, role.get("weights", {}))
            self.role_preferences(base, role.get("preferences", {}))

    def role_weights(self, base: tuple, weights: Any) -> None:
        if not isinstance(weights, dict) or (base + ("weights",)) in self.reported:
            return
        for iid in weights:
            self.unknown(base + ("weights", iid), iid, self.issue_ids, "issue")
        missing = [i for i in self.issues_to_cover if i not in weights]
        if missing and self.checkable["issue"]:
            self.add(base + ("weights",), f"no weight for issue(s) {_one_of(missing)} "
                                          "(every issue needs a weight, 0 allowed)")
        values = [_num(w) for w in weights.values()]
        if weights and self.ok(base + ("weights",)) and all(v is not None for v in values):
            total = sum(values)
            if abs(total - 1.0) > 0.01:
                self.add(base + ("weights",), f"weights sum to {total:.3f} (expected 1.0 ± 0.01)")

    def role_preferences(self, base: tuple, prefs: Any) -> None:
        if not isinstance(prefs, dict) or (base + ("preferences",)) in self.reported:
            return
        for iid, values in prefs.items():
            path = base + ("preferences", iid)
            if iid not in self.options:
                self.unknown(path, iid, self.issue_ids, "issue")
                continue
            if not isinstance(values, dict) or path in self.reported:
                continue
            opt_ids = self.options[iid]
            for oid in values:
                if oid not in opt_ids and self.ok(path + (oid,)):
                    self.add(path + (oid,), f"unknown option '{oid}' of issue '{iid}' "
                                            f"(expected one of: {_one_of(opt_ids)})")
            lacking = [o for o in opt_ids if o not in values]
            if lacking:
                self.add(path, f"no value for option(s) {_one_of(lacking)} "
                               "(preferences must cover every option)")
        missing = [i for i in self.issues_to_cover if i not in prefs]
        if missing and self.checkable["issue"]:
            self.add(base + ("preferences",), f"no preferences for issue(s) {_one_of(missing)} "
                                              "(every issue needs them)")

    def linkage_rules(self) -> None:
        for k, link in self.linkages:
            base = ("linkages", k)
            has_while = "while" in link
            if has_while and "from" in link and self.ok(base + ("from",)):
                self.add(base + ("while",), "a linkage runs from an issue (from) or from a test "
                                            "on escalation variables (while), not both")
            elif not has_while and "from" not in link:
                self.add(base + ("from",), "missing (expected the issue id this linkage runs "
                                           "from, or a while test on an escalation variable)")
            if has_while:
                kind = _str(link.get("kind"))
                if kind is not None and kind != "blocks" and self.ok(base + ("kind",)):
                    self.add(base + ("kind",), f"a linkage from a variable test (while) is "
                                               f"kind = \"blocks\", not '{kind}'")
                if "from_option" in link:
                    self.add(base + ("from_option",), "a linkage from a variable test (while) "
                                                      "has no from_option")
                if self.ok(base + ("while",)):
                    self.variables_only(base + ("while",), link["while"],
                                        'while = { variable = "troops", op = ">", value = 6 }')
            seen = link.get("visible_to")
            if seen == [] and self.ok(base + ("visible_to",)):
                self.add(base + ("visible_to",), "names no role (expected the ids of the roles "
                                                 "that know of this linkage; leave visible_to "
                                                 "out for everyone)")
            for j, rid in enumerate(seen if isinstance(seen, list) else []):
                self.unknown(base + ("visible_to", j), rid, self.role_ids, "role")
            for fld in ("from", "to"):
                if fld == "from" and has_while:
                    continue
                self.unknown(("linkages", k, fld), link.get(fld), self.issue_ids, "issue")
                iid, oid = _str(link.get(fld)), _str(link.get(fld + "_option"))
                path = ("linkages", k, fld + "_option")
                if (oid is not None and iid in self.options and oid not in self.options[iid]
                        and self.ok(("linkages", k, fld)) and self.ok(path)):
                    self.add(path, f"unknown option '{oid}' of issue '{iid}' "
                                   f"(expected one of: {_one_of(self.options[iid])})")
            a, b = _str(link.get("from")), _str(link.get("to"))
            if a is not None and a == b and self.ok(("linkages", k, "to")):
                self.add(("linkages", k, "to"), "a linkage must join two different issues")
            value = link.get("value")
            if isinstance(value, dict) and value and self.ok(("linkages", k, "value")):
                path = ("linkages", k, "value")
                if link.get("kind") != "trade_off" and self.ok(("linkages", k, "kind")):
                    self.add(path, "only a trade_off linkage carries a value (this one is "
                                   f"'{link.get('kind')}')")
                lacking = [f for f in ("from_option", "to_option") if link.get(f) is None]
                if lacking:
                    self.add(path, "a linkage with a value names the option on both sides "
                                   f"(add {' and '.join(lacking)})")
                for rid in value:
                    if rid in self.role_ids and rid not in self.player_ids:
                        self.add(path + (rid,), f"'{rid}' is the control role, which has no "
                                                "preferences (name player roles)")
                    else:
                        self.unknown(path + (rid,), rid, self.player_ids, "player role")

    def variables_only(self, path: tuple, cond: Any, example: str) -> None:
        """A condition that may test escalation variables only (all/any of such tests)."""
        todo = [cond]
        while todo:
            c = todo.pop()
            if not isinstance(c, dict):
                continue
            if any(key in c for key in ("issue", "status", "option")):
                self.add(path, f"tests an issue; only escalation variables may be tested here "
                               f"(expected e.g. {example})")
                return
            for fld in ("any", "all"):
                sub = c.get(fld)
                if isinstance(sub, list):
                    todo.extend(reversed(sub))
        self.condition(path, cond)

    def constraint_rules(self) -> None:
        for k, con in self.constraints:
            self.choice_pair(("constraints", k), con, "a constraint")
        for k, role in self.roles:
            for m, term in _items(role.get("interactions")):
                self.choice_pair(("roles", k, "interactions", m), term, "an interaction")
            lines = role.get("red_lines", [])
            for m, test in _items(role.get("red_line_tests")):
                path = ("roles", k, "red_line_tests", m)
                text = _str(test.get("red_line"))
                if (text is not None and isinstance(lines, list) and text not in lines
                        and self.ok(path + ("red_line",))):
                    self.add(path + ("red_line",), f"'{text}' is not one of this role's red_lines "
                                                   "(a test names the red line it checks, word "
                                                   "for word)")
                if "crossed_if" in test and self.ok(path + ("crossed_if",)):
                    self.condition(path + ("crossed_if",), test["crossed_if"])

    def choice_pair(self, base: tuple, con: dict, what: str) -> None:
        seen: list[str] = []
        for fld in ("first", "second"):
            choice = _dict(con.get(fld))
            path = base + (fld,)
            self.unknown(path + ("issue",), choice.get("issue"), self.issue_ids, "issue")
            iid = _str(choice.get("issue"))
            if iid in self.options and self.ok(path + ("issue",)):
                oid = _str(choice.get("option"))
                if (oid is not None and oid not in self.options[iid]
                        and self.ok(path + ("option",))):
                    self.add(path + ("option",),
                             f"unknown option '{oid}' of issue '{iid}' "
                             f"(expected one of: {_one_of(self.options[iid])})")
                if iid in seen:
                    self.add(path + ("issue",), f"{what} must join two different issues "
                                                f"('{iid}' is on both sides)")
                seen.append(iid)

    def phase_rules(self) -> None:
        scheduled: dict[str, int] = {}
        at = {i: _num(v.get("at_minute", 0.0)) for _, v in self.injects if (i := _str(v.get("id")))}
        for k, phase in self.phases:
            injects = phase.get("injects", [])
            if not isinstance(injects, list):
                continue
            duration = _num(phase.get("duration_minutes", 30))
            for j, iid in enumerate(injects):
                path = ("phases", k, "injects", j)
                if _str(iid) is None or not self.ok(path):
                    continue
                if iid not in at:
                    if not self.checkable["inject"]:
                        continue
                    self.add(path, f"unknown inject '{iid}' (expected one of: "
                                   f"{_one_of(self.inject_ids) or 'no injects defined'})")
                    continue
                if iid in scheduled:
                    self.add(path, f"inject '{iid}' is already scheduled in phases[{scheduled[iid]}]")
                scheduled[iid] = k
                due = at[iid]
                if (due is not None and duration is not None and due > duration
                        and self.ok(("phases", k, "duration_minutes"))):
                    self.add(path, f"inject '{iid}' is due at minute {due:g}, after the phase "
                                   f"ends (duration {duration:g} min)")

    def inject_rules(self) -> None:
        for k, inj in self.injects:
            targets = inj.get("targets", [])
            if isinstance(targets, list):
                for j, rid in enumerate(targets):
                    self.unknown(("injects", k, "targets", j), rid, self.role_ids, "role")
            self.effects(("injects", k, "effects"), inj.get("effects"), mover=False)

    def effects(self, path: tuple, eff: Any, mover: bool | None = None) -> None:
        """``mover``: True for a move template's effects (they act for the mover), False for
        an inject's (they act for the role named in ``by``), None when either may come."""
        eff = _dict(eff)
        for fld, known, what in (("variables", self.variable_ids, "escalation variable"),
                                 ("leverage", self.role_ids, "role"),
                                 ("issues", self.issue_ids, "issue"),
                                 ("options", self.issue_ids, "issue"),
                                 ("declare", self.issue_ids, "issue")):
            for key in _dict(eff.get(fld)):
                self.unknown(path + (fld, key), key, known, what)
        whole = {i for i, flag in _dict(eff.get("issues")).items() if flag == "blocked"}
        for iid, flags in _dict(eff.get("options")).items():
            if iid not in self.options or not self.ok(path + ("options", iid)):
                continue
            for oid, flag in _dict(flags).items():
                where = path + ("options", iid, oid)
                if oid not in self.options[iid]:
                    if self.ok(where):
                        self.add(where, f"unknown option '{oid}' of issue '{iid}' "
                                        f"(expected one of: {_one_of(self.options[iid])})")
                elif flag == "blocked" and iid in whole and self.ok(where):
                    self.add(where, f"issue '{iid}' is blocked whole by the same effect "
                                    f"(issues.{iid}); blocking its option '{oid}' as well says "
                                    "nothing more (remove one of the two)")
        for iid, oid in _dict(eff.get("declare")).items():
            where = path + ("declare", iid)
            if (isinstance(oid, str) and iid in self.options and oid not in self.options[iid]
                    and self.ok(where)):
                self.add(where, f"unknown option '{oid}' of issue '{iid}' "
                                f"(expected one of: {_one_of(self.options[iid])})")
        by = eff.get("by")
        if by is not None and self.ok(path + ("by",)):
            if mover:
                self.add(path + ("by",), "a move acts for the role that makes it: remove 'by' "
                                         "(it names who acts in an inject's effects)")
            elif self.kinds_ok:
                self.unknown(path + ("by",), by, self.player_ids, "player role")
        if (mover is False and eff.get("declare") and by is None
                and self.ok(path + ("declare",))):
            self.add(path + ("declare",), "an inject that declares a posture names the role "
                                          "that declares it (by = a player role id)")

    def condition(self, path: tuple, cond: Any) -> None:
        todo = [cond]
        while todo:
            c = todo.pop()
            if not isinstance(c, dict):
                continue
            var = _str(c.get("variable"))
            if var is not None and var not in self.variable_ids and self.checkable["variable"]:
                self.add(path, f"condition names unknown variable '{var}' "
                               f"(expected one of: {_one_of(self.variable_ids) or 'none defined'})")
            iid = _str(c.get("issue"))
            if iid is not None and self.checkable["issue"]:
                if iid not in self.options:
                    self.add(path, f"condition names unknown issue '{iid}' "
                                   f"(expected one of: {_one_of(self.issue_ids)})")
                else:
                    oid = _str(c.get("option"))
                    if oid is not None and oid not in self.options[iid]:
                        self.add(path, f"condition names unknown option '{oid}' of issue '{iid}' "
                                       f"(expected one of: {_one_of(self.options[iid])})")
            for fld in ("any", "all"):
                sub = c.get(fld)
                if isinstance(sub, list):
                    todo.extend(reversed(sub))

    def move_rules(self) -> None:
        for k, tpl in self.moves:
            base = ("moves", k)
            for fld in ("roles", "parties"):
                ids = tpl.get(fld, [])
                if isinstance(ids, list):
                    for j, rid in enumerate(ids):
                        if self.kinds_ok:
                            self.unknown(base + (fld, j), rid, self.player_ids, "player role")
            issues = tpl.get("issues", [])
            if isinstance(issues, list):
                for j, iid in enumerate(issues):
                    self.unknown(base + ("issues", j), iid, self.issue_ids, "issue")
            kind = _str(tpl.get("kind"))
            if kind is not None and self.ok(base + ("kind",)):
                if kind != "proposal" and (tpl.get("issues") or tpl.get("parties")):
                    self.add(base + ("issues" if tpl.get("issues") else "parties",),
                             f"only proposal templates take issues and parties (this one is "
                             f"'{kind}')")
                if kind == "conditional_offer" and "condition" not in tpl:
                    self.add(base + ("condition",), "a conditional_offer template needs a default "
                                                    "condition")
            if (tpl.get("channel_locked") is True and tpl.get("channel", "public") != "private"
                    and self.ok(base + ("channel",))):
                self.add(base + ("channel_locked",), "only a private template can be locked to its "
                                                     "channel (set channel = \"private\")")
            if "condition" in tpl and self.ok(base + ("condition",)):
                self.condition(base + ("condition",), tpl["condition"])
            self.effects(base + ("effects",), tpl.get("effects"), mover=True)

    def run(self) -> list[Problem]:
        self.dupes(self.roles, "role", ("roles",))
        self.dupes(self.issues, "issue", ("issues",))
        self.dupes(self.phases, "phase", ("phases",))
        self.dupes(self.moves, "move template", ("moves",))
        self.dupes(self.injects, "inject", ("injects",))
        self.dupes(self.variables, "variable", ("escalation", "variables"))
        self.dupes(self.rungs, "rung", ("escalation", "rungs"))
        for i, issue in self.issues:
            self.dupes(_items(issue.get("options")), "option", ("issues", i, "options"))
        self.ladder()
        self.roles_rules()
        self.linkage_rules()
        self.constraint_rules()
        self.phase_rules()
        self.inject_rules()
        self.move_rules()
        for p in date_problems(self.phases, self.injects, self.ok):
            self.add(p.path, p.message)
        return self.out


def _rules_of(sc: Scenario) -> _Rules:
    """The reference rules with the ids of a validated scenario (for commands at run time)."""
    r = _Rules({}, ())
    r.variable_ids = list(sc.variable_by_id)
    r.role_ids = list(sc.role_by_id)
    r.player_ids = list(sc.player_ids)
    r.issue_ids = list(sc.issue_by_id)
    r.inject_ids = list(sc.inject_by_id)
    r.options = {i.id: [o.id for o in i.options] for i in sc.issues}
    return r


def _condition_problems(sc: Scenario, cond: Condition, path: tuple) -> Iterator[Problem]:
    """Problems of a condition against a scenario's variables, issues and options."""
    r = _rules_of(sc)
    r.condition(path, cond.model_dump(exclude_none=True))
    return iter(r.out)


def _effects_problems(sc: Scenario, eff: Effects, path: tuple,
                      mover: bool | None = None) -> Iterator[Problem]:
    """Problems of effects against a scenario's variables, roles, issues and options
    (``mover`` as for ``_Rules.effects``)."""
    r = _rules_of(sc)
    r.effects(path, eff.model_dump(exclude_none=True), mover)
    return iter(r.out)


def cross_check(data: Any, reported: Iterable[tuple] = ()) -> list[Problem]:
    """Rules that span parts of the file, on the file's data as parsed (a dict, or a
    :class:`Scenario`, which is dumped by its field names as written). ``reported``: paths of
    problems already found by the field checks (those values are not checked again). An
    empty list means the scenario is coherent."""
    if isinstance(data, Scenario):
        data = data.model_dump(by_alias=True, exclude_none=True)
    if not isinstance(data, dict):
        return []
    return _Rules(data, reported).run()
