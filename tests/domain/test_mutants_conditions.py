"""The condition model, part by part: each comparison, each describer word, each mask.

Written against the mutants that survived the broader tests (docs/testing.md): an operator
swapped, a word of the describer changed, a mask that starts from the wrong value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from peacetable.domain.conditions import (AllOf, AnyOf, OptionTest, StatusTest, VariableTest,
                                          typed)
from peacetable.domain.loader import load_scenario
from peacetable.domain.scenario import Condition
from peacetable.domain.state import State

RIVER = Path(__file__).resolve().parents[1] / "fixtures" / "river-accord.toml"


@pytest.fixture(scope="module")
def river():
    return load_scenario(RIVER).scenario


@pytest.mark.parametrize("op,below,at,above", [
    ("<", True, False, False), ("<=", True, True, False), (">", False, False, True),
    (">=", False, True, True), ("==", False, True, False), ("!=", True, False, True)])
def test_each_operator_compares_the_variable_with_the_value(op, below, at, above):
    test = VariableTest("troops", op, 3).compile()
    got = [test(State(variables={"troops": x}), {}) for x in (2.5, 3.0, 3.5)]
    assert got == [below, at, above]


@pytest.mark.parametrize("op,word", [("<", "<"), ("<=", "≤"), (">", ">"), (">=", "≥"),
                                     ("==", "="), ("!=", "≠")])
def test_each_operator_reads_as_its_sign(river, op, word):
    assert VariableTest("troops", op, 4).describe() == f"troops {word} 4"
    assert VariableTest("troops", op, 4.5).describe(river) == f"Troops at the border {word} 4.5 battalions"


def test_a_variable_without_a_unit_has_no_trailing_space(river):
    var = river.variable_by_id["troops"]
    unitless = var.model_copy(update={"unit": ""})
    sc = river.model_copy(update={"variable_by_id": {**river.variable_by_id, "troops": unitless}})
    assert VariableTest("troops", "<", 2).describe(sc) == "Troops at the border < 2"


@pytest.mark.parametrize("status,words", [
    ("open", "open"), ("on_table", "on the table"), ("agreed", "agreed"),
    ("declared", "declared"), ("suspended", "suspended"), ("blocked", "blocked")])
def test_each_status_reads_as_words(river, status, words):
    assert StatusTest("release", status).describe(river) == f"Water release is {words}"
    assert StatusTest("release", status).describe() == f"release is {words}"


def test_an_option_unknown_to_the_scenario_reads_as_its_id(river):
    assert OptionTest("release", "nowhere").describe(river) == "Water release settled on nowhere"
    assert OptionTest("ghost", "x").describe(river) == "ghost settled on x"


def test_status_and_option_tests_read_the_status_record():
    on = StatusTest("release", "on_table").compile()
    assert on(None, {"release": {"status": "on_table"}}) is True
    assert on(None, {"release": {"status": "open"}}) is False
    joint = OptionTest("monitoring", "joint").compile()
    assert joint(None, {"monitoring": {"status": "agreed", "option": "joint"}}) is True
    assert joint(None, {"monitoring": {"status": "declared", "option": "joint"}}) is True
    assert joint(None, {"monitoring": {"status": "on_table", "option": "joint"}}) is False
    assert joint(None, {"monitoring": {"status": "agreed", "option": "none"}}) is False


def test_nested_groups_read_with_brackets_below_the_top():
    c = typed({"any": [{"issue": "a", "status": "open"},
                       {"all": [{"issue": "b", "status": "agreed"},
                                {"variable": "v", "op": ">", "value": 1}]}]})
    assert c.describe() == "a is open or (b is agreed and v > 1)"
    assert c.describe(top=False) == "(a is open or (b is agreed and v > 1))"
    assert AllOf(()).describe() == ""


def test_dependencies_issues_and_walk():
    c = typed({"all": [{"variable": "v", "op": "<", "value": 1},
                       {"any": [{"variable": "w", "op": ">", "value": 0},
                                {"issue": "i", "option": "o"}]},
                       {"issue": "j", "status": "open"}]})
    assert c.deps() == (frozenset({"v", "w"}), True)
    assert typed({"all": [{"variable": "v", "op": "<", "value": 1}]}).deps() == (frozenset({"v"}), False)
    assert AllOf(()).deps() == (frozenset(), False)
    assert c.issues() == frozenset({"i", "j"})
    assert VariableTest("v", "<", 1).issues() == frozenset()
    assert [type(x).__name__ for x in c.walk()] == [
        "AllOf", "VariableTest", "AnyOf", "VariableTest", "OptionTest", "StatusTest"]
    assert c.to_json() == {"all": [{"variable": "v", "op": "<", "value": 1},
                                   {"any": [{"variable": "w", "op": ">", "value": 0},
                                            {"issue": "i", "option": "o"}]},
                                   {"issue": "j", "status": "open"}]}


def test_masks_over_full_packages():
    # two issues, x (options a, b) in column 0 and y (options c, d) in column 1
    cols = {"x": (0, {"a": 0, "b": 1}), "y": (1, {"c": 0, "d": 1})}
    rows = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    xa = OptionTest("x", "a")
    yd = OptionTest("y", "d")
    assert xa.mask(rows, cols).tolist() == [True, True, False, False]
    assert AllOf((xa, yd)).mask(rows, cols).tolist() == [False, True, False, False]
    assert AnyOf((xa, yd)).mask(rows, cols).tolist() == [True, True, False, True]
    assert AllOf(()).mask(rows, cols).tolist() == [True] * 4
    assert AnyOf(()).mask(rows, cols).tolist() == [False] * 4
    # a full package agrees every issue and decides no variable
    assert StatusTest("x", "agreed").mask(rows, cols).tolist() == [True] * 4
    assert StatusTest("x", "open").mask(rows, cols).tolist() == [False] * 4
    assert VariableTest("v", "<", 1).mask(rows, cols).tolist() == [False] * 4


def test_typed_accepts_the_validated_model_and_keeps_typed_ones():
    data = {"any": [{"issue": "i", "status": "open"}, {"variable": "v", "op": "<", "value": 2.0}]}
    model = Condition.model_validate(data)
    assert typed(model) == AnyOf((StatusTest("i", "open"), VariableTest("v", "<", 2.0)))
    already = OptionTest("i", "o")
    assert typed(already) is already
    assert typed({"all": [{"any": []}]}) == AllOf((AnyOf(()),))


def test_an_unknown_operator_or_status_reads_as_written():
    # stored conditions are validated, but a describer never hides what it was given
    assert VariableTest("v", "~", 1).describe() == "v ~ 1"
    assert StatusTest("i", "frozen").describe() == "i is frozen"


def test_masks_are_boolean_and_groups_pass_the_statuses_on():
    rows = np.array([[0], [1]])
    assert VariableTest("v", "<", 1).mask(rows, {}).dtype == bool
    both = AllOf((StatusTest("x", "agreed"), VariableTest("v", ">", 1))).compile()
    stat = {"x": {"status": "agreed"}}
    assert both(State(variables={"v": 2.0}), stat) is True
    assert both(State(variables={"v": 0.0}), stat) is False
