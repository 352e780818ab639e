"""Linkages known to some roles only, linkages from a variable test, rungs that require a
variable test: validation with lines, the engine's rules, statuses per viewer, the fold."""

from __future__ import annotations

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.engine import Refused
from peacetable.domain.loader import ScenarioError, parse_scenario
from peacetable.domain.state import fold, rung_for

# Water release is held back while more than 6 battalions stand at the border
TROOPS_BLOCK = '''
[[linkages]]
kind = "blocks"
while = { variable = "troops", op = ">", value = 6 }
to = "release"
note = "No water talks under the guns."
'''
# a block only Upland knows of, from the agreement on monitoring
SECRET_BLOCK = '''
[[linkages]]
kind = "blocks"
from = "monitoring"
from_option = "none"
to = "release"
visible_to = ["upland"]
note = "SECRET-BLOCK: no monitors, no water."
'''
PRECONDITION = '''[[linkages]]
kind = "precondition"
from = "monitoring"
to = "release"
note = "No release figure without a way to check it."
'''


def scenario_text(river_path, *extra: str, drop_precondition: bool = False) -> str:
    text = river_path.read_text(encoding="utf-8")
    if drop_precondition:
        assert PRECONDITION in text
        text = text.replace(PRECONDITION, "", 1)
    return text + "".join(extra)


def session_of(tmp_path, text: str, name: str = "x") -> Session:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    s = Session.create(path, tmp_path / f"{name}.peacetable", seed=3)
    s.execute(C.Advance())
    return s


def why(s: Session, role: str, package: dict[str, str]) -> str:
    before = s.store.last_seq
    with pytest.raises(Refused) as info:
        s.execute(C.SubmitMove(role=role, template="propose", package=package))
    assert s.store.last_seq == before
    return str(info.value)


def troops(s: Session, k: int) -> None:
    """Lowland masses troops (+2 battalions a step), accepted by control."""
    seq = s.execute(C.SubmitMove(role="lowland", template="mass_troops", magnitude=k))[0].seq
    s.execute(C.Adjudicate(move=seq, decision="accept"))


def first_new(river_path) -> int:
    """The index of the first linkage a test appends to the fixture."""
    return river_path.read_text(encoding="utf-8").count("[[linkages]]")


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "x.toml")
    return info.value.lines()


# --------------------------------------------------------------------------- validation


def test_visible_to_names_known_roles_with_its_line(river_path):
    text = scenario_text(river_path, '''
[[linkages]]
kind = "trade_off"
from = "release"
to = "monitoring"
visible_to = ["upland", "lowlnd"]
''')
    line = text.splitlines().index('visible_to = ["upland", "lowlnd"]') + 1
    k = first_new(river_path)
    assert problems(text) == [
        f"x.toml:{line}: linkages[{k}].visible_to[1]: unknown role 'lowlnd' (expected one of: "
        "upland, lowland, midland, control)"]
    empty = problems(text.replace('["upland", "lowlnd"]', "[]"))
    assert empty == [f"x.toml:{line}: linkages[{k}].visible_to: names no role (expected the ids "
                     "of the roles that know of this linkage; leave visible_to out for "
                     "everyone)"]


def test_a_variable_linkage_is_checked_field_by_field(river_path):
    lines = problems(scenario_text(river_path, '''
[[linkages]]
kind = "precondition"
while = { variable = "troopz", op = ">", value = 6 }
from = "monitoring"
to = "release"

[[linkages]]
kind = "blocks"
while = { issue = "monitoring", status = "agreed" }
from_option = "none"
to = "release"

[[linkages]]
kind = "blocks"
to = "release"
'''))
    text = "\n".join(lines)
    k = first_new(river_path)
    assert f"linkages[{k}].kind: a linkage from a variable test (while) is kind = \"blocks\", " \
        "not 'precondition'" in text
    assert f"linkages[{k}].while: a linkage runs from an issue (from) or from a test on " \
        "escalation variables (while), not both" in text
    assert f"linkages[{k + 1}].while: tests an issue; only escalation variables may be tested here" in text
    assert f"linkages[{k + 1}].from_option: a linkage from a variable test (while) has no from_option" in text
    assert f"linkages[{k + 2}].from: missing (expected the issue id this linkage runs from, or a " \
        "while test on an escalation variable)" in text
    unknown = problems(scenario_text(river_path, TROOPS_BLOCK.replace('"troops"', '"troopz"')))
    assert len(unknown) == 1 and unknown[0].endswith(
        f"linkages[{k}].while: condition names unknown variable 'troopz' (expected one of: "
        "troops, flow)")


def test_a_rung_requirement_is_checked(river_path):
    text = river_path.read_text(encoding="utf-8")
    bad_first = text.replace('id = "calm"\n', 'id = "calm"\nrequires = { variable = "troops", '
                             'op = ">=", value = 8 }\n', 1)
    (line,) = problems(bad_first)
    assert line.startswith("x.toml:39: escalation.rungs[0].requires: the first rung has no "
                           "requirement")
    on_issue = text.replace('id = "standoff"\n', 'id = "standoff"\nrequires = { issue = '
                            '"release", status = "agreed" }\n', 1)
    (line,) = problems(on_issue)
    assert "escalation.rungs[2].requires: tests an issue; only escalation variables" in line


# --------------------------------------------------------------------------- variable linkage


def test_talks_are_blocked_while_the_variable_is_over_its_threshold(tmp_path, river_path):
    s = session_of(tmp_path, scenario_text(river_path, TROOPS_BLOCK, drop_precondition=True))
    assert s.view()["issues"]["release"]["status"] == "open"  # 4 battalions
    troops(s, 2)  # 8 battalions
    rec = s.view()["issues"]["release"]
    assert rec["status"] == "blocked"
    assert rec["reason"] == "blocked while Troops at the border > 6 battalions"
    assert why(s, "upland", {"release": "medium"}) == (
        "Talks on 'Water release' are blocked while Troops at the border > 6 battalions "
        "(now: Troops at the border 8 battalions)")
    (link,) = [k for k in s.view("audience")["linkages"] if k.get("while")]
    assert link["holds"] is True and link["variables"] == ["troops"]
    assert link["text"] == ("talks on Water release are blocked while Troops at the border "
                            "> 6 battalions")
    seq = s.execute(C.SubmitMove(role="lowland", template="pull_back"))[0].seq
    s.execute(C.Adjudicate(move=seq, decision="accept"))  # 6 battalions: not over 6
    assert s.view()["issues"]["release"]["status"] == "open"
    s.execute(C.SubmitMove(role="upland", template="propose", package={"release": "medium"}))


def test_a_condition_on_a_status_follows_a_variable_block(tmp_path, river_path):
    """An agreement suspended while an issue is blocked: the fast fold re-tests it when the
    variable behind the block moves (as the fold that re-tests everything does)."""
    s = session_of(tmp_path, scenario_text(river_path, TROOPS_BLOCK, drop_precondition=True))
    prop = s.execute(C.SubmitMove(role="upland", template="propose",
                                  package={"monitoring": "joint"},
                                  condition={"issue": "release", "status": "open"}))[0].seq
    s.execute(C.Adjudicate(move=prop, decision="accept"))
    acc = s.execute(C.SubmitMove(role="lowland", template="accept", target=prop))[0].seq
    s.execute(C.Adjudicate(move=acc, decision="accept"))
    assert s.state.agreements[prop].status == "in_force"
    troops(s, 2)
    assert s.state.agreements[prop].status == "suspended"
    # one fold of the whole record: the fast path re-tests only what changed
    fast = fold(s.scenario, s.events)
    full = fold(s.scenario, s.events, recheck_all=True)
    assert fast.agreements[prop].status == full.agreements[prop].status == "suspended"
    rec = s.view()["issues"]["monitoring"]
    assert (rec["status"], rec["reason"]) == ("suspended", "its agreement is suspended")


def test_an_option_level_variable_block(tmp_path, river_path):
    block = TROOPS_BLOCK.replace('to = "release"\n', 'to = "release"\nto_option = "high"\n')
    s = session_of(tmp_path, scenario_text(river_path, block, drop_precondition=True))
    troops(s, 2)
    assert s.view()["issues"]["release"]["status"] == "open"
    assert why(s, "upland", {"release": "high"}).startswith(
        "Talks on 'Water release: High release' are blocked while Troops at the border > 6")
    s.execute(C.SubmitMove(role="upland", template="propose", package={"release": "low"}))


# --------------------------------------------------------------------------- who knows


def test_a_hidden_block_shows_only_to_those_who_know_it(tmp_path, river_path):
    s = session_of(tmp_path, scenario_text(river_path, SECRET_BLOCK, drop_precondition=True))
    prop = s.execute(C.SubmitMove(role="lowland", template="propose",
                                  package={"monitoring": "none"}))[0].seq
    s.execute(C.Adjudicate(move=prop, decision="accept"))
    acc = s.execute(C.SubmitMove(role="upland", template="accept", target=prop))[0].seq
    s.execute(C.Adjudicate(move=acc, decision="accept"))
    assert s.view()["issues"]["release"]["status"] == "blocked"
    assert s.view("upland")["issues"]["release"]["reason"] == \
        "blocked by the agreement on Monitoring"
    for viewer in ("audience", "lowland", "midland"):
        v = s.view(viewer)
        assert v["issues"]["release"]["status"] == "open", viewer
        assert "SECRET-BLOCK" not in repr(v)
        assert "blocks" not in [k["kind"] for k in v["linkages"]]

    def secret(viewer: str) -> list[dict]:
        return [k for k in s.view(viewer)["linkages"] if k["note"].startswith("SECRET-BLOCK")]

    (mine,) = secret("upland")
    assert mine["text"] == "an agreement on Monitoring (None) blocks Water release"
    assert "visible_to" not in mine  # only control is told who knows
    assert secret("control")[0]["visible_to"] == ["upland"]
    # the refusal says why to the role that knows, and only that there is a reason to another
    assert why(s, "upland", {"release": "medium"}) == \
        "'Water release' is blocked by the agreement on Monitoring"
    told = why(s, "lowland", {"release": "medium"})
    assert told == ("'Water release' cannot be proposed now: it is held back by a linkage "
                    "that Lowland does not know of")


def test_a_hidden_precondition_is_not_named_to_another_role(tmp_path, river_path):
    text = river_path.read_text(encoding="utf-8").replace(
        PRECONDITION, PRECONDITION + 'visible_to = ["lowland"]\n', 1)
    s = session_of(tmp_path, text)
    assert s.view("lowland")["issues"]["release"]["status"] == "blocked"
    assert s.view("upland")["issues"]["release"]["status"] == "open"
    assert s.view("audience")["issues"]["release"]["reason"] == ""
    assert "Monitoring" not in why(s, "upland", {"release": "medium"})
    assert why(s, "lowland", {"release": "medium"}).startswith(
        "'Water release' needs 'Monitoring' settled first")


# --------------------------------------------------------------------------- rung conditions


def test_a_rung_needs_its_variable_test_as_well_as_the_index(tmp_path, river_path):
    text = river_path.read_text(encoding="utf-8").replace(
        'id = "standoff"\n', 'id = "standoff"\nrequires = { variable = "flow", op = "<", '
        'value = 50 }\n', 1)
    s = session_of(tmp_path, text)
    sc = s.scenario
    # index at 66.7 with flow at 60: over the standoff threshold (60), but flow is not < 50
    assert rung_for(sc, 66.7, "tension", {"troops": 8.0, "flow": 60.0}) == "tension"
    assert rung_for(sc, 66.7, "tension", {"troops": 8.0, "flow": 40.0}) == "standoff"
    # held only while the test holds, whatever the hysteresis
    assert rung_for(sc, 66.7, "standoff", {"troops": 8.0, "flow": 60.0}) == "tension"
    assert rung_for(sc, 58.0, "standoff", {"troops": 8.0, "flow": 40.0}) == "standoff"
    troops(s, 2)  # troops 8, flow 60: index (2*0.8 + 0.4) / 3 * 100 = 66.7
    st = s.state
    assert st.index > 60 and st.rung == "tension"
    assert s.view()["escalation"]["rung_label"] == "Tension"
    plain = session_of(tmp_path, river_path.read_text(encoding="utf-8"), "plain")
    troops(plain, 2)
    assert plain.state.rung == "standoff"  # the same index without the requirement
