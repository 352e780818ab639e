"""The typed condition model: one interpreter and one describer for the stored JSON form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peacetable.domain.conditions import AllOf, AnyOf, OptionTest, StatusTest, VariableTest, typed
from peacetable.domain.loader import load_scenario
from peacetable.domain.scenario import Condition
from peacetable.domain.state import State, compile_condition, condition_deps
from peacetable.domain.views import condition_text

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"


def _lists(x):
    if isinstance(x, (list, tuple)):
        return [_lists(v) for v in x]
    if isinstance(x, dict):
        return {k: _lists(v) for k, v in x.items()}
    return x


def _stored_conditions():
    """Every condition written in the bundled scenarios and their scripts."""
    found = []
    for path in sorted((ROOT / "scenarios").glob("*.moves.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            stack = [json.loads(line)] if line.strip() else []
            while stack:
                x = stack.pop()
                if isinstance(x, dict):
                    if isinstance(x.get("condition"), dict):
                        found.append(x["condition"])
                    stack.extend(x.values())
                elif isinstance(x, list):
                    stack.extend(x)
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        sc = load_scenario(path).scenario
        found += [m.condition.model_dump(exclude_none=True) for m in sc.moves if m.condition]
    return found


def test_bundled_conditions_round_trip_to_the_same_json():
    conds = _stored_conditions()
    assert len(conds) >= 3
    for c in conds:
        assert typed(c).to_json() == _lists(c)
        assert typed(Condition.model_validate(c)) == typed(c)


def test_the_form_decides_the_type():
    assert typed({"variable": "troops", "op": "<", "value": 3.0}) == VariableTest("troops", "<", 3.0)
    assert typed({"issue": "release", "status": "agreed"}) == StatusTest("release", "agreed")
    assert typed({"issue": "release", "option": "low"}) == OptionTest("release", "low")
    both = typed({"any": [{"issue": "release", "option": "low"}, {"all": []}]})
    assert type(both) is AnyOf and type(both.parts[1]) is AllOf


@pytest.fixture(scope="module")
def river():
    return load_scenario(RIVER).scenario


def test_describer_uses_labels_and_units(river):
    c = {"all": [{"variable": "troops", "op": "<=", "value": 4.0},
                 {"any": [{"issue": "monitoring", "option": "joint"},
                          {"issue": "release", "status": "on_table"}]}]}
    assert condition_text(c, river) == (
        "Troops at the border ≤ 4 battalions and "
        "(Monitoring settled on Joint commission or Water release is on the table)")
    assert condition_text(c) == "troops ≤ 4 and (monitoring settled on joint or release is on the table)"


def test_interpreter_and_dependencies():
    c = {"any": [{"variable": "troops", "op": ">", "value": 2.0},
                 {"issue": "monitoring", "option": "joint"}]}
    test = compile_condition(c)
    calm = State(variables={"troops": 1.0})
    hot = State(variables={"troops": 3.0})
    agreed = {"monitoring": {"status": "agreed", "option": "joint"}}
    other = {"monitoring": {"status": "agreed", "option": "none"}}
    assert test(hot, other) is True
    assert test(calm, other) is False
    assert test(calm, agreed) is True
    assert condition_deps(c) == (frozenset({"troops"}), True)
    assert condition_deps({"variable": "flow", "op": "==", "value": 1.0}) == (frozenset({"flow"}), False)
    assert compile_condition({"all": []})(calm, {}) is True
    assert compile_condition({"any": []})(calm, {}) is False
