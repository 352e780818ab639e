"""Linkages that name an option: only that option waits, or is blocked."""

from __future__ import annotations

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.engine import Refused
from peacetable.domain.loader import ScenarioError, parse_scenario

OLD = '''[[linkages]]
kind = "precondition"
from = "monitoring"
to = "release"
'''
# only a high release waits, and only for international monitors
NEW = '''[[linkages]]
kind = "precondition"
from = "monitoring"
from_option = "international"
to = "release"
to_option = "high"
'''


@pytest.fixture
def optioned(tmp_path, river_path):
    text = river_path.read_text(encoding="utf-8")
    assert OLD in text
    path = tmp_path / "optioned.toml"
    path.write_text(text.replace(OLD, NEW, 1), encoding="utf-8")
    s = Session.create(path, tmp_path / "optioned.peacetable", seed=7)
    s.execute(C.Advance())
    return s


def propose(s: Session, package: dict[str, str]) -> int:
    return s.execute(C.SubmitMove(role="upland", template="propose", package=package))[0].seq


def why(s: Session, package: dict[str, str]) -> str:
    before = s.store.last_seq
    with pytest.raises(Refused) as info:
        propose(s, package)
    assert s.store.last_seq == before
    return str(info.value)


def test_only_the_named_option_waits(optioned):
    s = optioned
    assert s.view()["issues"]["release"]["status"] == "open"  # the issue as a whole does not wait
    propose(s, {"release": "medium"})
    assert why(s, {"release": "high"}) == (
        "'Water release: High release' needs 'Monitoring: International monitors' agreed "
        "first or in the same package (precondition linkage)")
    assert why(s, {"release": "high", "monitoring": "joint"}).startswith(
        "'Water release: High release' needs 'Monitoring: International monitors'")
    propose(s, {"release": "high", "monitoring": "international"})


def test_a_whole_issue_link_still_waits(tmp_path, river_path):
    s = Session.create(river_path, tmp_path / "plain.peacetable", seed=7)
    s.execute(C.Advance())
    assert s.view()["issues"]["release"]["status"] == "blocked"
    assert why(s, {"release": "medium"}) == (
        "'Water release' needs 'Monitoring' settled first or in the same package "
        "(precondition linkage)")


def test_an_option_level_block(tmp_path, river_path):
    text = river_path.read_text(encoding="utf-8").replace(OLD, '''[[linkages]]
kind = "blocks"
from = "monitoring"
from_option = "none"
to = "release"
to_option = "high"
''', 1)
    path = tmp_path / "blocks.toml"
    path.write_text(text, encoding="utf-8")
    s = Session.create(path, tmp_path / "blocks.peacetable", seed=7)
    s.execute(C.Advance())
    p = propose(s, {"monitoring": "none"})
    s.execute(C.Adjudicate(move=p, decision="accept"))
    a = s.execute(C.SubmitMove(role="lowland", template="accept", target=p))[0].seq
    s.execute(C.Adjudicate(move=a, decision="accept"))
    assert s.view()["issues"]["release"]["status"] == "open"
    assert why(s, {"release": "high"}) == (
        "'Water release: High release' is blocked by the agreement on Monitoring")
    propose(s, {"release": "low"})


def test_an_unknown_option_in_a_linkage_is_reported_with_its_line(river_path):
    text = river_path.read_text(encoding="utf-8").replace(OLD, NEW.replace('"high"', '"flood"'), 1)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "river.toml")
    (p,) = [p for p in info.value.problems if p.dotted == "linkages[0].to_option"]
    assert "unknown option 'flood' of issue 'release'" in p.message
    assert text.splitlines()[p.line - 1].startswith("to_option =")
