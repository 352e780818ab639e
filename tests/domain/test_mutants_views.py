"""Sentences of the views, word for word: each linkage kind, each act of a move.

Written against mutants that survived the broader tests (docs/testing.md): a linkage
kind's sentence or an act's wording could be changed without a test noticing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetable.domain.loader import load_scenario
from peacetable.domain.scenario import Linkage
from peacetable.domain.views import acts_text, linkage_text

RIVER = Path(__file__).resolve().parents[1] / "fixtures" / "river-accord.toml"


@pytest.fixture(scope="module")
def river():
    return load_scenario(RIVER).scenario


def _link(**data) -> Linkage:
    return Linkage.model_validate(data)


@pytest.mark.parametrize("kind,sentence", [
    ("precondition", "Monitoring (Joint commission) must be settled before Water release (High release)"),
    ("trade_off", "Monitoring (Joint commission) and Water release (High release) trade off against each other"),
    ("reinforces", "settling Monitoring (Joint commission) makes Water release (High release) easier"),
    ("blocks", "an agreement on Monitoring (Joint commission) blocks Water release (High release)"),
])
def test_each_linkage_kind_reads_as_its_sentence(river, kind, sentence):
    k = _link(kind=kind, **{"from": "monitoring", "to": "release"}, from_option="joint",
              to_option="high")
    assert linkage_text(river, k) == sentence


def test_linkage_sides_without_options_and_unknown_issues(river):
    assert linkage_text(river, _link(kind="precondition", **{"from": "monitoring", "to": "release"})) \
        == "Monitoring must be settled before Water release"
    assert linkage_text(river, _link(kind="precondition", **{"from": "ghost", "to": "release"},
                                     from_option="x")) == "ghost (x) must be settled before Water release"
    assert linkage_text(river, _link(kind="reinforces", **{"from": "release", "to": "monitoring"},
                                     to_option="nowhere")) \
        == "settling Water release makes Monitoring (nowhere) easier"


def test_a_blocking_variable_test_reads_with_labels(river):
    k = _link(kind="blocks", to="release", **{"while": {"variable": "troops", "op": ">", "value": 6}})
    assert linkage_text(river, k) == \
        "talks on Water release are blocked while Troops at the border > 6 battalions"


EFFECTS = {"issues": {"release": "blocked", "monitoring": "lifted"},
           "options": {"monitoring": {"none": "blocked", "joint": "open"}},
           "declare": {"release": "high"}}


def test_acts_of_a_role_read_with_its_name(river):
    assert acts_text(river, EFFECTS, "upland") == [
        "Upland blocks: Water release",
        "Upland lifts its block: Monitoring",
        "Upland blocks: Monitoring: None",
        "Upland lifts its block: Monitoring: Joint commission",
        "Upland declared: Water release: High release",
    ]


def test_acts_without_a_known_role_read_without_one(river):
    assert acts_text(river, EFFECTS, None) == [
        "Blocked: Water release",
        "Block lifted: Monitoring",
        "Blocked: Monitoring: None",
        "Block lifted: Monitoring: Joint commission",
        "Declared: Water release: High release",
    ]
    assert acts_text(river, {"issues": {"ghost": "blocked"}}, "nobody") == ["Blocked: ghost"]
    assert acts_text(river, {"issues": None, "options": None, "declare": None}, "upland") == []
