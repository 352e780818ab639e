"""Typed conditions: one model, one interpreter, one describer.

A condition is stored as plain JSON in scenarios and events (``{variable, op, value}``,
``{issue, status}``, ``{issue, option}``, ``{all = [...]}`` or ``{any = [...]}``, see
docs/scenario-format.md). :func:`typed` turns that JSON into one of five frozen classes,
chosen by which keys are present (the form is the discriminator). Each class knows what it
reads (:meth:`deps`), how to test a state (:meth:`compile`), how a person reads it
(:meth:`describe`), its stored JSON (:meth:`to_json`, the same dict it came from) and,
for the bargaining analysis, which full packages meet it (:meth:`mask`: option rows), so
the fold, the views, the engine and validation all go through the same code.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Union

#: a compiled condition: (state, issue statuses) -> bool
Test = Callable[[Any, Any], bool]

_OP_FUNCS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}
_OP_WORDS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}
_STATUS_WORDS = {"open": "open", "on_table": "on the table", "agreed": "agreed",
                 "declared": "declared", "suspended": "suspended", "blocked": "blocked"}
#: statuses in which an issue is settled on an option (by an agreement in force, or by a
#: declared posture)
SETTLED = ("agreed", "declared")


@dataclass(frozen=True, slots=True)
class VariableTest:
    """An escalation variable compared with a number."""

    variable: str
    op: str
    value: float

    def deps(self) -> tuple[frozenset[str], bool]:
        return frozenset((self.variable,)), False

    def compile(self) -> Test:
        op, var, value = _OP_FUNCS[self.op], self.variable, float(self.value)
        return lambda st, stat: op(st.variables[var], value)

    def describe(self, sc: Any = None, top: bool = True) -> str:
        var = sc.variable_by_id.get(self.variable) if sc is not None else None
        value = f"{float(self.value):g}"
        op = _OP_WORDS.get(self.op, self.op)
        if var is None:
            return f"{self.variable} {op} {value}"
        return f"{var.label} {op} {value}" + (f" {var.unit}" if var.unit else "")

    def to_json(self) -> dict[str, Any]:
        return {"variable": self.variable, "op": self.op, "value": self.value}

    def issues(self) -> frozenset[str]:
        return frozenset()

    def mask(self, choices: Any, columns: Mapping[str, tuple[int, Mapping[str, int]]]) -> Any:
        """A full package decides no variable: the test is false for every package."""
        import numpy as np  # only the bargaining analysis asks (numpy loads with it)
        return np.zeros(len(choices), dtype=bool)

    def walk(self) -> Iterator[Condition]:
        yield self


@dataclass(frozen=True, slots=True)
class StatusTest:
    """An issue in a given status (open, on the table, agreed, declared, suspended,
    blocked)."""

    issue: str
    status: str

    def deps(self) -> tuple[frozenset[str], bool]:
        return frozenset(), True

    def compile(self) -> Test:
        issue, status = self.issue, self.status
        return lambda st, stat: stat[issue]["status"] == status

    def describe(self, sc: Any = None, top: bool = True) -> str:
        return f"{_issue_label(sc, self.issue)} is {_STATUS_WORDS.get(self.status, self.status)}"

    def to_json(self) -> dict[str, Any]:
        return {"issue": self.issue, "status": self.status}

    def issues(self) -> frozenset[str]:
        return frozenset((self.issue,))

    def mask(self, choices: Any, columns: Mapping[str, tuple[int, Mapping[str, int]]]) -> Any:
        """In a full package every issue is agreed."""
        import numpy as np  # only the bargaining analysis asks (numpy loads with it)
        return np.full(len(choices), self.status == "agreed", dtype=bool)

    def walk(self) -> Iterator[Condition]:
        yield self


@dataclass(frozen=True, slots=True)
class OptionTest:
    """An issue settled on a given option: agreed on it, or declared on it (a posture)."""

    issue: str
    option: str

    def deps(self) -> tuple[frozenset[str], bool]:
        return frozenset(), True

    def compile(self) -> Test:
        issue, option = self.issue, self.option
        return lambda st, stat: stat[issue]["status"] in SETTLED and stat[issue]["option"] == option

    def describe(self, sc: Any = None, top: bool = True) -> str:
        issue = sc.issue_by_id.get(self.issue) if sc is not None else None
        opt = issue.option(self.option) if issue is not None else None
        return f"{_issue_label(sc, self.issue)} settled on {opt.label if opt else self.option}"

    def to_json(self) -> dict[str, Any]:
        return {"issue": self.issue, "option": self.option}

    def issues(self) -> frozenset[str]:
        return frozenset((self.issue,))

    def mask(self, choices: Any, columns: Mapping[str, tuple[int, Mapping[str, int]]]) -> Any:
        import numpy as np  # only the bargaining analysis asks (numpy loads with it)
        col, opts = columns[self.issue]
        return np.asarray(choices)[:, col] == opts[self.option]

    def walk(self) -> Iterator[Condition]:
        yield self


@dataclass(frozen=True, slots=True)
class AllOf:
    """Every part holds (an empty list always holds)."""

    parts: tuple[Condition, ...]

    key = "all"
    word = " and "

    def deps(self) -> tuple[frozenset[str], bool]:
        found = [p.deps() for p in self.parts]
        return (frozenset().union(*(d[0] for d in found)) if found else frozenset(),
                any(d[1] for d in found))

    def compile(self) -> Test:
        parts = [p.compile() for p in self.parts]
        return lambda st, stat: all(p(st, stat) for p in parts)

    def describe(self, sc: Any = None, top: bool = True) -> str:
        text = self.word.join(p.describe(sc, top=False) for p in self.parts)
        return text if top else f"({text})"

    def to_json(self) -> dict[str, Any]:
        return {self.key: [p.to_json() for p in self.parts]}

    def issues(self) -> frozenset[str]:
        return frozenset().union(*(p.issues() for p in self.parts))

    def mask(self, choices: Any, columns: Mapping[str, tuple[int, Mapping[str, int]]]) -> Any:
        import numpy as np  # only the bargaining analysis asks (numpy loads with it)
        out = np.full(len(choices), self.key == "all", dtype=bool)
        for p in self.parts:
            out = (out & p.mask(choices, columns)) if self.key == "all" else (out | p.mask(choices, columns))
        return out

    def walk(self) -> Iterator[Condition]:
        yield self
        for p in self.parts:
            yield from p.walk()


@dataclass(frozen=True, slots=True)
class AnyOf(AllOf):
    """At least one part holds (an empty list never holds)."""

    key = "any"
    word = " or "

    def compile(self) -> Test:
        parts = [p.compile() for p in self.parts]
        return lambda st, stat: any(p(st, stat) for p in parts)


Condition = Union[VariableTest, StatusTest, OptionTest, AllOf, AnyOf]


def _issue_label(sc: Any, iid: str) -> str:
    issue = sc.issue_by_id.get(iid) if sc is not None else None
    return issue.label if issue is not None else iid


def typed(data: Mapping[str, Any] | Any) -> Condition:
    """The typed form of a stored condition (a dict, or a validated scenario ``Condition``).

    The form is told by its keys, in the order validation checks them; the input is
    assumed valid (scenarios and commands are validated before a condition reaches here).
    """
    if isinstance(data, (VariableTest, StatusTest, OptionTest, AllOf)):
        return data
    if not isinstance(data, Mapping):
        data = data.model_dump(exclude_none=True)
    if data.get("all") is not None:
        return AllOf(tuple(typed(x) for x in data["all"]))
    if data.get("any") is not None:
        return AnyOf(tuple(typed(x) for x in data["any"]))
    if data.get("variable") is not None:
        return VariableTest(data["variable"], data["op"], data["value"])
    if data.get("status") is not None:
        return StatusTest(data["issue"], data["status"])
    return OptionTest(data["issue"], data["option"])
