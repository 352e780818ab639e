"""The bundled exercises use the format's constructs where their sources call for them: red
lines written as conditions (both exercises) and the quiet US–Russia channel of Peace of
Inches (a proposal template locked to the private channel with only those two as parties,
and the trade it carries as a linkage between the two options)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peacetable.app.script import ScriptRunner, read_script
from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.analytics.bargaining import PackageSpace, bargaining_points, count_zopa
from peacetable.domain.engine import Refused
from peacetable.domain.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
INCHES = ROOT / "scenarios" / "peace-of-inches.toml"
FRAMEWORK = ROOT / "scenarios" / "framework-agreement.toml"


@pytest.mark.parametrize("path, tested", [(INCHES, {"us", "russia", "ukraine", "europe"}),
                                          (FRAMEWORK, {"us", "russia", "ukraine", "europe",
                                                       "china"})],
                         ids=["peace-of-inches", "framework-agreement"])
def test_red_lines_are_conditions_the_analysis_keeps(path, tested):
    sc = load_scenario(path).scenario
    assert {r.id for r in sc.roles if r.red_line_tests} == tested
    space = PackageSpace.from_scenario(sc)
    b = bargaining_points(space)
    for row in (b.nash, b.ks, *b.best_in_zopa.values()):
        assert space.crossed(b.package(row)) == []


def test_a_red_line_changes_the_peace_of_inches_analysis():
    """Russia's red line on Western monitors rules out the monitored ban that the Nash point
    chose when red lines were words only."""
    sc = load_scenario(INCHES).scenario
    space = PackageSpace.from_scenario(sc)
    words_only = space.with_limits([])
    assert count_zopa(space) < count_zopa(words_only)
    assert bargaining_points(words_only).package(bargaining_points(words_only).nash)[
        "civilian_strikes"] == "monitored_ban"
    b = bargaining_points(space)
    assert b.package(b.nash)["civilian_strikes"] != "monitored_ban"


def test_analyze_parties_finds_the_quiet_channel_deal():
    """Between the US and Russia alone the talks-for-a-tier trade is made, with larger gains
    for both than at the all-party Nash point, which stays away from it."""
    from peacetable.domain.analytics.report import coalition_section

    space = PackageSpace.from_scenario(load_scenario(INCHES).scenario)
    full = bargaining_points(space)
    sec = coalition_section(space, ["us", "russia"])
    pkg = sec["nash"]["package"]
    assert (pkg["arms_control"], pkg["sanctions_tiers"]) == ("stability_talks", "roll_back_one")
    assert full.package(full.nash)["sanctions_tiers"] != "roll_back_one"
    all_party = full.describe(full.nash)["gains"]
    assert all(sec["nash"]["gains"][r] > all_party[r] for r in ("us", "russia"))


def test_the_quiet_channel_is_private_and_between_two(tmp_path):
    sc = load_scenario(INCHES).scenario
    tpl = sc.template_by_id["propose_quiet_channel"]
    assert tpl.channel == "private" and tpl.channel_locked
    assert set(tpl.parties) == set(tpl.roles) == {"us", "russia"}
    trade = [lk for lk in sc.linkages if lk.kind == "trade_off" and lk.from_option
             and lk.to_option]
    assert [(lk.source, lk.from_option, lk.target, lk.to_option) for lk in trade] == [
        ("arms_control", "stability_talks", "sanctions_tiers", "roll_back_one")]
    assert set(trade[0].visible_to) == {"us", "russia"}
    assert trade[0].value["us"] > 0 and trade[0].value["russia"] > 0
    assert all(trade[0].value[r] < 0 for r in ("ukraine", "europe", "china"))
    # only the two (and control) know of the linkage
    note = trade[0].note
    s = Session.create(INCHES, tmp_path / "v.peacetable", seed=2)
    try:
        for viewer in ("us", "russia", "control"):
            assert note in json.dumps(s.view(viewer), ensure_ascii=False), viewer
        for viewer in ("ukraine", "europe", "china", "audience"):
            assert note not in json.dumps(s.view(viewer), ensure_ascii=False), viewer
    finally:
        s.close()
    # played to the end by the bundled script: the track agreed in the channel stays
    # between the two and control
    script = INCHES.with_suffix("").with_suffix(".moves.jsonl")
    s = Session.create(INCHES, tmp_path / "p.peacetable", seed=2)
    try:
        ScriptRunner(s, str(script)).run(read_script(script))
        quiet = [e for e in s.events if e.type == "move_submitted"
                 and e.body.template == "propose_quiet_channel"]
        assert len(quiet) == 1 and quiet[0].body.channel == "private"
        for viewer in ("us", "russia", "control"):
            assert s.view(viewer)["issues"]["arms_control"]["status"] == "agreed", viewer
        for viewer in ("ukraine", "europe", "china", "audience"):
            assert s.view(viewer)["issues"]["arms_control"]["status"] != "agreed", viewer
        # the channel cannot be used in public
        with pytest.raises(Refused, match="only on the private channel"):
            s.execute(C.SubmitMove(role="us", template="propose_quiet_channel", channel="public",
                                   package={"grid_strikes": "halved"}))
    finally:
        s.close()
