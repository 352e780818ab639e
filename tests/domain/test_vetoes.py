"""Vetoes (blocks on an issue or one option) and declared postures, on real session files.

Each test plays one precedence rule of docs/scenario-format.md ("Vetoes and declared
postures"): a block refuses proposals and suspends the agreements under it; lifting it puts
them back in force unless a later agreement superseded them; blocks are held per role; the
same block twice is one; undo of the event that put a block on (or took it off) works like
any undo; a declared posture settles an issue until an agreement in force settles it.
"""

from __future__ import annotations

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.analytics.session import agreed_package
from peacetable.domain.engine import Refused
from peacetable.domain.loader import ScenarioError, parse_scenario
from peacetable.domain.views import describe_for_room

EXTRA = '''
[[constraints]]
kind = "incompatible"
first = { issue = "monitoring", option = "joint" }
second = { issue = "release", option = "low" }
note = "a joint commission will not sign off a low release"
[[moves]]
id = "veto_release"
label = "Veto the release talks"
kind = "escalation"
roles = ["upland", "lowland"]
[moves.effects]
issues = { release = "blocked" }

[[moves]]
id = "lift_veto"
label = "Lift the veto on the release talks"
kind = "de_escalation"
roles = ["upland", "lowland"]
[moves.effects]
issues = { release = "open" }

[[moves]]
id = "veto_high"
label = "Veto a high release"
kind = "escalation"
roles = ["upland"]
[moves.effects]
options = { release = { high = "blocked" } }

[[moves]]
id = "lift_high"
label = "Accept that a high release may be discussed"
kind = "de_escalation"
roles = ["upland"]
[moves.effects]
options = { release = { high = "open" } }

[[moves]]
id = "declare_joint"
label = "Set up a joint commission alone"
kind = "statement"
roles = ["lowland"]
[moves.effects]
declare = { monitoring = "joint" }

[[moves]]
id = "veto_monitoring"
label = "Veto the monitoring talks"
kind = "escalation"
roles = ["upland"]
[moves.effects]
issues = { monitoring = "blocked" }

[[injects]]
id = "court_order"
title = "Regional court freezes the release talks"
synopsis = "An injunction halts every talk on the release."
visibility = "control"
[injects.effects]
issues = { release = "blocked" }

[[injects]]
id = "court_lifts"
title = "The court lifts its injunction"
synopsis = "Talks on the release may resume."
[injects.effects]
issues = { release = "open" }

[[injects]]
id = "midland_monitors"
title = "Midland posts monitors on its bank"
synopsis = "Midland announces international monitors on its stretch of the river."
targets = ["midland"]
visibility = "targets"
[injects.effects]
declare = { monitoring = "international" }
by = "midland"
'''


@pytest.fixture
def vetoes_path(tmp_path, river_path):
    path = tmp_path / "vetoes.toml"
    path.write_text(river_path.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    return path


@pytest.fixture
def s(tmp_path, vetoes_path):
    session = Session.create(vetoes_path, tmp_path / "vetoes.peacetable", seed=7)
    session.execute(C.Advance())
    yield session
    session.close()


def act(s: Session, role: str, template: str) -> int:
    """A move that control accepts at once; returns the ruling's event number."""
    m = s.execute(C.SubmitMove(role=role, template=template))[0].seq
    return s.execute(C.Adjudicate(move=m, decision="accept"))[0].seq


def agree(s: Session, package: dict[str, str]) -> int:
    """Upland proposes ``package``, Lowland accepts, control rules both: the agreement's id."""
    p = s.execute(C.SubmitMove(role="upland", template="propose", package=package))[0].seq
    s.execute(C.Adjudicate(move=p, decision="accept"))
    a = s.execute(C.SubmitMove(role="lowland", template="accept", target=p))[0].seq
    s.execute(C.Adjudicate(move=a, decision="accept"))
    return p


def refusal(s: Session, cmd: C.Command) -> str:
    before = s.store.last_seq
    with pytest.raises(Refused) as info:
        s.execute(cmd)
    assert s.store.last_seq == before  # nothing written
    return str(info.value)


def propose(role: str, package: dict[str, str]) -> C.SubmitMove:
    return C.SubmitMove(role=role, template="propose", package=package)


def standing(s: Session, aid: int, viewer: str = "control") -> str:
    return next(a["status"] for a in s.view(viewer)["agreements"] if a["id"] == aid)


def test_a_block_refuses_proposals_naming_the_issue_by_its_label(s):
    act(s, "upland", "veto_release")
    assert s.view()["issues"]["release"]["status"] == "blocked"
    assert s.view()["issues"]["release"]["reason"] == \
        "blocked by Upland (Veto the release talks)"
    assert refusal(s, propose("lowland", {"release": "medium", "monitoring": "joint"})) == (
        "'Water release' is blocked by Upland (Veto the release talks): no proposal may "
        "include it while the block holds")
    # the other issue is free
    s.execute(propose("lowland", {"monitoring": "joint"}))


def test_who_blocked_is_named_only_to_those_who_see_the_event(s):
    s.execute(C.FireInject(id="court_order"))  # control only
    said = refusal(s, propose("upland", {"release": "medium", "monitoring": "joint"}))
    assert said == "'Water release' is blocked: no proposal may include it while the block holds"
    for viewer in ("audience", "upland", "lowland", "midland"):
        v = s.view(viewer)
        assert v["issues"]["release"]["status"] == "blocked"  # the rule binds everyone
        assert v["issues"]["release"]["reason"] == "blocked"
        assert v["blocks"] == [{"issue": "release", "option": None, "reason": "blocked",
                                "by": None, "event": None, "source": ""}]
        assert "freezes" not in str(v)
    assert s.view("control")["blocks"][0]["source"] == "Regional court freezes the release talks"


def test_a_block_suspends_the_agreement_and_lifting_it_restores_it(s):
    aid = agree(s, {"monitoring": "joint", "release": "medium"})
    assert standing(s, aid) == "in_force"
    act(s, "upland", "veto_release")
    view = s.view()
    assert standing(s, aid) == "suspended"
    assert next(a for a in view["agreements"] if a["id"] == aid)["blocked"] is True
    assert aid in s.state.agreements  # kept, not deleted
    assert view["issues"]["release"]["status"] == "blocked"
    assert view["issues"]["monitoring"]["status"] == "suspended"  # the package is suspended whole
    assert agreed_package(s.state) == {}  # analytics: not in force while suspended
    act(s, "upland", "lift_veto")
    assert standing(s, aid) == "in_force"
    assert agreed_package(s.state) == {"monitoring": "joint", "release": "medium"}


def test_an_option_block_holds_back_that_option_only(s):
    high = agree(s, {"monitoring": "international", "release": "high"})
    act(s, "upland", "veto_high")
    assert standing(s, high) == "suspended"
    rec = s.view()["issues"]["release"]
    assert rec["status"] == "suspended" and rec["blocked_options"] == ["high"]
    assert refusal(s, propose("lowland", {"release": "high"})) == (
        "'Water release: High release' is blocked by Upland (Veto a high release): no proposal "
        "may settle Water release on it while the block holds")
    # the issue's other options are free
    s.execute(propose("lowland", {"release": "medium", "monitoring": "joint"}))
    act(s, "upland", "lift_high")
    assert standing(s, high) == "in_force"


def test_a_later_agreement_supersedes_a_suspended_one_for_good(s):
    high = agree(s, {"monitoring": "international", "release": "high"})
    act(s, "upland", "veto_high")
    medium = agree(s, {"monitoring": "joint", "release": "medium"})
    assert standing(s, high) == "superseded"
    assert s.state.agreements[high].superseded_by == medium
    act(s, "upland", "lift_high")  # lifting the block does not bring the old one back
    assert standing(s, high) == "superseded"
    assert standing(s, medium) == "in_force"
    assert agreed_package(s.state) == {"monitoring": "joint", "release": "medium"}


def test_blocks_are_held_per_role_and_a_lift_for_no_one_lifts_all(s):
    act(s, "upland", "veto_release")
    act(s, "lowland", "veto_release")
    act(s, "upland", "veto_release")  # the same block again is still one
    s.execute(C.FireInject(id="court_order"))  # a block that names no one
    assert [(h.by, h.issue) for h in s.state.holds] == [
        ("upland", "release"), ("lowland", "release"), (None, "release")]
    # Upland lifts its own block and the one that names no one: Lowland's holds
    act(s, "upland", "lift_veto")
    assert [h.by for h in s.state.holds] == ["lowland"]
    assert s.view()["issues"]["release"]["reason"] == \
        "blocked by Lowland (Veto the release talks)"
    s.execute(C.FireInject(id="court_lifts"))  # names no one: lifts every block on the issue
    assert s.state.holds == []
    assert s.view()["issues"]["release"]["status"] == "blocked"  # still waits for monitoring
    assert s.view()["issues"]["release"]["reason"] == "waits for Monitoring"


def test_undo_of_the_blocking_event_and_of_the_lift(s):
    aid = agree(s, {"monitoring": "joint", "release": "medium"})
    act(s, "upland", "veto_release")
    assert standing(s, aid) == "suspended"
    s.execute(C.Undo())  # the ruling that put the block on
    assert standing(s, aid) == "in_force" and s.state.holds == []
    s.execute(C.Redo())
    assert standing(s, aid) == "suspended"
    act(s, "upland", "lift_veto")
    assert standing(s, aid) == "in_force"
    s.execute(C.Undo())  # the lift: the block holds again
    assert standing(s, aid) == "suspended"
    assert [h.by for h in s.state.holds] == ["upland"]
    # the record keeps everything; the state is the fold of it
    reopened = Session.open(s.path, readonly=True)
    try:
        assert reopened.state == s.state
    finally:
        reopened.close()


def test_a_proposal_on_the_table_cannot_be_accepted_under_a_block(s):
    p = s.execute(propose("upland", {"monitoring": "joint", "release": "medium"}))[0].seq
    s.execute(C.Adjudicate(move=p, decision="accept"))
    answer = s.execute(C.SubmitMove(role="lowland", template="accept", target=p))[0].seq
    act(s, "upland", "veto_release")  # lands between the answer and its ruling
    assert refusal(s, C.Adjudicate(move=answer, decision="accept")) == (
        "'Water release' is blocked by Upland (Veto the release talks): the proposal cannot "
        "be accepted while the block holds")
    s.execute(C.Adjudicate(move=answer, decision="reject", reason="blocked"))
    assert refusal(s, C.SubmitMove(role="lowland", template="accept", target=p)).startswith(
        "'Water release' is blocked by Upland")


def test_a_declared_posture_settles_the_issue_without_an_agreement(s):
    ruling = act(s, "lowland", "declare_joint")
    rec = s.view()["issues"]["monitoring"]
    assert rec["status"] == "declared" and rec["option"] == "joint"
    assert rec["declared_by"] == "lowland"
    assert rec["reason"] == "declared by Lowland, without an agreement"
    assert s.view()["agreements"] == []
    assert s.view()["postures"] == [{"issue": "monitoring", "option": "joint", "role": "lowland",
                                     "event": ruling, "source": "Set up a joint commission alone",
                                     "standing": True, "visibility": "public"}]
    # it settles the issue for linkages: the release no longer waits for monitoring
    assert s.view()["issues"]["release"]["status"] == "open"
    s.execute(propose("upland", {"release": "medium"}))
    # constraints hold it like an agreed option
    assert refusal(s, propose("upland", {"release": "low"})) == (
        "'Water release: Low release' cannot go with 'Monitoring: Joint commission', already "
        "declared (a joint commission will not sign off a low release)")
    # and a condition on the option holds for it
    from peacetable.domain.conditions import typed
    from peacetable.domain.state import IssueStatuses
    stat = IssueStatuses(s.scenario, s.state)
    assert typed({"issue": "monitoring", "option": "joint"}).compile()(s.state, stat)
    assert typed({"issue": "monitoring", "status": "declared"}).compile()(s.state, stat)
    assert not typed({"issue": "monitoring", "status": "agreed"}).compile()(s.state, stat)
    # the text says it is a declaration, with labels
    ev = s.events[ruling - 1]
    assert s.describe(ev).endswith("— Lowland declared: Monitoring: Joint commission")
    room = describe_for_room(s.scenario, ev, {e.seq: e for e in s.events})
    assert room == ("Accepted: Lowland: Set up a joint commission alone — "
                    "Lowland declared: Monitoring: Joint commission")


def test_an_agreement_in_force_prevails_over_a_posture_and_the_posture_returns(s):
    act(s, "lowland", "declare_joint")
    aid = agree(s, {"monitoring": "international"})  # proposals on a declared issue are allowed
    view = s.view()
    assert view["issues"]["monitoring"]["status"] == "agreed"
    assert view["postures"][0]["standing"] is False
    act(s, "upland", "veto_monitoring")  # suspends the agreement: the posture stands again
    view = s.view()
    assert standing(s, aid) == "suspended"
    assert view["issues"]["monitoring"]["status"] == "declared"
    assert view["issues"]["monitoring"]["option"] == "joint"
    assert view["issues"]["monitoring"]["reason"] == (
        "declared by Lowland, without an agreement; proposals blocked by Upland "
        "(Veto the monitoring talks)")


def test_a_private_declaration_is_seen_by_those_who_see_its_event(s):
    fired = s.execute(C.FireInject(id="midland_monitors"))[0]
    assert s.describe(fired) == ("inject: Midland posts monitors on its bank (unscheduled) — "
                                 "Midland declared: Monitoring: International monitors")
    for viewer in ("control", "midland"):
        v = s.view(viewer)
        assert v["issues"]["monitoring"]["status"] == "declared", viewer
        assert v["postures"][0]["role"] == "midland"
    for viewer in ("audience", "upland", "lowland"):
        v = s.view(viewer)
        assert v["issues"]["monitoring"]["status"] == "open", viewer
        assert v["postures"] == [] and "Midland posts" not in str(v)


def test_a_later_declaration_replaces_the_earlier_one(s):
    act(s, "lowland", "declare_joint")
    s.execute(C.FireInject(id="midland_monitors"))
    rec = s.view()["issues"]["monitoring"]
    assert (rec["option"], rec["declared_by"]) == ("international", "midland")
    assert [p["standing"] for p in s.view()["postures"]] == [False, True]
    s.execute(C.Undo())
    assert s.view()["issues"]["monitoring"]["declared_by"] == "lowland"


def test_unscheduled_injects_that_would_change_nothing_are_refused(s):
    def fire(**effects) -> C.FireInject:
        return C.FireInject(title="Order", synopsis="An order.", effects=effects)

    assert refusal(s, fire(issues={"release": "open"})) == (
        "inject effects: 'Water release' is not blocked (there is no block to lift)")
    s.execute(fire(issues={"release": "blocked"}, by="upland"))
    assert refusal(s, fire(issues={"release": "blocked"}, by="upland")) == (
        "inject effects: 'Water release' is already blocked by Upland (nothing would change)")
    s.execute(fire(issues={"release": "blocked"}, by="lowland"))  # another role's own block
    assert refusal(s, fire(options={"release": {"low": "open"}})) == (
        "inject effects: 'Water release: Low release' is not blocked (there is no block to lift)")
    assert refusal(s, fire(declare={"monitoring": "joint"})) == (
        "inject effects: an inject that declares a posture names the role that declares it "
        "(by = a player role id)")
    assert refusal(s, fire(declare={"monitoring": "everything"}, by="midland")).startswith(
        "inject effects: unknown option 'everything' of issue 'monitoring'")
    s.execute(fire(declare={"monitoring": "joint"}, by="midland"))
    assert refusal(s, fire(declare={"monitoring": "joint"}, by="midland")) == (
        "inject effects: Midland has already declared 'Monitoring: Joint commission' "
        "(nothing would change)")


@pytest.mark.parametrize("effects, where, message", [
    ('declare = { monitoring = "joint" }', "injects[2].effects.declare",
     "an inject that declares a posture names the role that declares it"),
    ('declare = { monitoring = "joint" }\nby = "control"', "injects[2].effects.by",
     "unknown player role 'control'"),
    ('options = { release = { huge = "blocked" } }', "injects[2].effects.options.release.huge",
     "unknown option 'huge' of issue 'release'"),
    ('issues = { release = "blocked" }\noptions = { release = { high = "blocked" } }',
     "injects[2].effects.options.release.high", "is blocked whole by the same effect"),
    ('declare = { dams = "joint" }\nby = "upland"', "injects[2].effects.declare.dams",
     "unknown issue 'dams'"),
    ('issues = { release = "shut" }', "injects[2].effects.issues.release", "blocked"),
])
def test_validation_names_the_field(river_path, effects, where, message):
    text = river_path.read_text(encoding="utf-8") + f'''
[[injects]]
id = "extra"
title = "Extra"
synopsis = "An extra inject."
[injects.effects]
{effects}
'''
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "x.toml")
    lines = [f"{p.dotted}: {p.message}" for p in info.value.problems]
    assert any(line.startswith(where + ":") and message in line for line in lines), lines


def test_a_move_acts_for_its_mover(river_path):
    text = river_path.read_text(encoding="utf-8") + '''
[[moves]]
id = "veto"
label = "Veto"
kind = "escalation"
[moves.effects]
issues = { release = "blocked" }
by = "lowland"
'''
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "x.toml")
    assert [(p.dotted, p.message) for p in info.value.problems] == [
        ("moves[7].effects.by", "a move acts for the role that makes it: remove 'by' (it names "
                                "who acts in an inject's effects)")]


def test_lifting_a_block_leaves_an_agreement_whose_condition_fails_suspended(s):
    p = s.execute(C.SubmitMove(role="upland", template="propose",
                               package={"monitoring": "joint", "release": "medium"},
                               condition={"variable": "troops", "op": "<=", "value": 5}))[0].seq
    s.execute(C.Adjudicate(move=p, decision="accept"))
    a = s.execute(C.SubmitMove(role="lowland", template="accept", target=p))[0].seq
    s.execute(C.Adjudicate(move=a, decision="accept"))
    assert standing(s, p) == "in_force"  # troops 4
    act(s, "upland", "veto_release")
    act(s, "lowland", "mass_troops")  # troops 6: its condition fails meanwhile
    act(s, "upland", "lift_veto")
    assert standing(s, p) == "suspended"  # broken meanwhile: still suspended
    act(s, "lowland", "pull_back")  # troops 4: the condition holds again, no block
    assert standing(s, p) == "in_force"
