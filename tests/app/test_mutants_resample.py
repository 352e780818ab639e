"""App-layer behaviour read without Qt, written against the mutants of the second sample
(docs/testing.md, "Mutation testing") that no test of the mutation run noticed: what the
console chart, the network view, the annotation copy and the scorecard show, read here
from the app layer they come from."""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from trainer_support import ROOT, play_bundled

from peacetable.app.analysis import analyze_path
from peacetable.app.annotations import AnnotationError, save_copy
from peacetable.app.network_layout import edge_head
from peacetable.app.replay import ReplayModel, session_trace
from peacetable.app.report import build_report
from peacetable.app.report_figures import report_figures
from peacetable.app.script import ScriptError, read_script
from peacetable.app.session import Session
from peacetable.domain.views import while_label

FIXTURES = ROOT / "tests" / "fixtures"
HIGHLAND = FIXTURES / "highland-talks.toml"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def highland(tmp_path_factory) -> Path:
    return play_bundled(tmp_path_factory.mktemp("resample"),
                        FIXTURES / "highland-talks.moves.jsonl")


def test_a_coalition_is_introduced_by_its_parties_and_those_held_back():
    _report, text = analyze_path(HIGHLAND, parties=["government", "front"])
    heading = [ln for ln in text.splitlines() if ln.startswith("Bargaining among ")]
    assert heading == ["Bargaining among Government of Arvel, Highland Front only (Kessmark, "
                       "UN mission held at their status quo: not asked, and every issue the "
                       "parties leave open stays without a deal)"]


def test_a_copy_is_never_written_over_a_dangling_link(tmp_path, highland):
    """`exists()` is false for a link to nothing, but creating the copy there would write
    through it: refused as a file that already exists, and nothing made at its target."""
    target = tmp_path / "elsewhere.peacetable"
    link = tmp_path / "copy.peacetable"
    os.symlink(target, link)
    s = Session.open(highland, readonly=True)
    try:
        with pytest.raises(AnnotationError) as err:
            save_copy(s, link)
    finally:
        s.close()
    assert str(err.value) == f"{link}: already exists (PeaceTable never overwrites a session)"
    assert not target.exists() and link.is_symlink()


@pytest.mark.parametrize("ctrl", [(0.0, 0.0), (100.0, 0.0), (30.0, 60.0), (-40.0, 170.0)])
def test_a_blocking_linkage_ends_in_a_bar_across_it(ctrl):
    end = (0.0, 100.0)
    head = edge_head("blocks", end, ctrl, deadlock=False)
    assert len(head) == 4
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = head
    tx, ty = end[0] - ctrl[0], end[1] - ctrl[1]
    ux, uy = tx / math.hypot(tx, ty), ty / math.hypot(tx, ty)
    # the bar's front edge: centred on the end, 26 across, square to the linkage
    assert (ax + bx) / 2 == pytest.approx(end[0]) and (ay + by) / 2 == pytest.approx(end[1])
    assert math.hypot(bx - ax, by - ay) == pytest.approx(26.0)
    assert (bx - ax) * ux + (by - ay) * uy == pytest.approx(0.0, abs=1e-9)
    # its back edge 5 behind, along the linkage
    assert (cx, cy) == pytest.approx((bx - 5 * ux, by - 5 * uy))
    assert (dx, dy) == pytest.approx((ax - 5 * ux, ay - 5 * uy))
    assert edge_head("trade-off", end, ctrl, deadlock=False) == []


def test_the_live_trace_for_each_viewer_is_the_replays(highland, tmp_path):
    """The console's chart (live session) and the replay's chart show each viewer the same
    points: one per event that viewer may see."""
    live = Session.open(highland)
    replay = Session.open(highland, readonly=True)
    try:
        model = ReplayModel(replay)
        viewers = ["control", "audience", *live.scenario.role_by_id]
        differs = False
        for viewer in viewers:
            assert session_trace(live, viewer) == model.trace(viewer), viewer
            differs |= model.trace(viewer) != model.trace("control")
        assert differs  # some viewer is shown fewer points than control
        # after event n: the rows past it, as the chart adds them
        n = live.store.last_seq // 2
        for viewer in viewers:
            whole = session_trace(live, viewer)
            tail = session_trace(live, viewer, after=n)
            assert tail == [r for r in whole if r[0] > n][-len(tail):] if tail else True
    finally:
        live.close()
        replay.close()


def test_a_script_that_is_not_utf8_is_named_at_the_line_that_is_not(tmp_path):
    bad = tmp_path / "moves.jsonl"
    bad.write_bytes(b'{"do": "advance"}\n{"do": "advance", "note": "caf\xe9"}\n')
    with pytest.raises(ScriptError) as err:
        list(read_script(bad))
    assert (err.value.source, err.value.line) == (str(bad), 2)
    assert str(err.value) == f"{bad}:2: is not UTF-8 text (expected JSON lines)"


def test_a_script_that_is_not_utf8_from_its_start_is_named_at_line_1(tmp_path):
    bad = tmp_path / "moves.jsonl"
    bad.write_bytes(b"\xff\xfe{}\n")
    with pytest.raises(ScriptError) as err:
        list(read_script(bad))
    assert str(err.value) == f"{bad}:1: is not UTF-8 text (expected JSON lines)"


def test_a_conditional_linkage_is_named_in_bold_on_a_white_tab_at_its_middle(highland):
    s = Session.open(highland, readonly=True)
    try:
        labels = [while_label(s.scenario, lk) for lk in s.scenario.linkages
                  if lk.condition is not None]
        svg = report_figures(s, build_report(s, "control"))["network"]
    finally:
        s.close()
    assert labels == ["while > 4 battalions"]
    elements = list(ET.fromstring(str(svg)).iter())
    at = next(k for k, e in enumerate(elements)
              if e.tag == f"{SVG}text" and e.text == labels[0])
    text, tab = elements[at], elements[at - 1]
    assert text.get("font-weight") == "bold" and text.get("text-anchor") == "middle"
    assert tab.tag == f"{SVG}rect" and tab.get("fill") == "#ffffff"
    x, y = float(text.get("x")), float(text.get("y"))
    left, top = float(tab.get("x")), float(tab.get("y"))
    width, height = float(tab.get("width")), float(tab.get("height"))
    assert x == pytest.approx(left + width / 2, abs=0.1)  # centred on its tab
    assert top < y <= top + height


def test_a_scenario_text_over_the_limit_is_not_saved_and_says_why(tmp_path):
    from peacetable.app.workbench import ScenarioDocument
    from peacetable.domain.loader import MAX_BYTES

    target = tmp_path / "mine.toml"
    target.write_text("title = 'kept'\n", encoding="utf-8")
    doc = ScenarioDocument.open(target)
    with pytest.raises(ValueError) as err:
        doc.save("#" * (MAX_BYTES + 1))
    assert str(err.value) == (f"the text is larger than {MAX_BYTES:,} bytes, the most a "
                              "scenario may be")
    assert target.read_text(encoding="utf-8") == "title = 'kept'\n"


def test_a_name_the_analytics_package_does_not_have_is_refused_by_name():
    import peacetable.domain.analytics as analytics

    with pytest.raises(AttributeError) as err:
        analytics.no_such_measure  # noqa: B018
    assert str(err.value) == "module 'peacetable.domain.analytics' has no attribute " \
                             "'no_such_measure'"
    assert analytics.nash_point is analytics.bargaining.nash_point


def test_an_empty_zopa_is_said_to_be_empty(tmp_path):
    river = (FIXTURES / "river-accord.toml").read_text(encoding="utf-8")
    hard = tmp_path / "hard.toml"
    hard.write_text(river.replace("batna = 0.4", "batna = 0.99", 1)
                    .replace("batna = 0.3", "batna = 0.99", 1), encoding="utf-8")
    report, text = analyze_path(hard)
    zopa = report["bargaining"]["zopa"]
    assert (zopa["empty"], zopa["count"], zopa["on_frontier"]) == (True, 0, 0)
    note = "no package gives every player role at least its no-deal value (BATNA)"
    assert zopa["note"] == note and f"  {note}" in text.splitlines()
    report, text = analyze_path(FIXTURES / "river-accord.toml")
    assert report["bargaining"]["zopa"]["empty"] is False and note not in text


def test_a_session_whose_bargaining_is_refused_says_so_for_its_distance(tmp_path):
    """Above the points' limit the analysis is refused; the session's distance to the
    frontier is then refused with the same reason, not computed."""
    from peacetable.domain import commands as C
    from peacetable.domain.analytics.bargaining import MAX_STREAMED
    from peacetable.domain.analytics.report import session_report
    from test_mutants_app import _wide_scenario_text

    src = tmp_path / "wide.toml"
    src.write_text(_wide_scenario_text(MAX_STREAMED.bit_length(), 0.9), encoding="utf-8")
    s = Session.create(src, tmp_path / "wide.peacetable", seed=1)
    try:
        s.execute(C.Advance())
        report = session_report(s.scenario, s.events, s.state)
    finally:
        s.close()
    assert report["bargaining"]["status"] == "refused"
    assert f"up to {MAX_STREAMED:,}" in report["bargaining"]["reason"]
    assert report["session"]["frontier_distance"] == {
        "status": "refused", "reason": report["bargaining"]["reason"]}


def test_a_scorecard_names_its_scenario_and_role(tmp_path):
    """The solo window heads the scorecard "<role> in <scenario>, compared with N runs"."""
    from peacetable.app.scorecard import scorecard
    from peacetable.app.simulate import simulate
    from peacetable.domain.loader import load_scenario

    loaded = load_scenario(FIXTURES / "river-accord.toml")
    result = simulate(loaded, 4, seed=3, out=tmp_path / "runs")
    s = Session.open(tmp_path / "runs" / "run-00001.peacetable", readonly=True)
    try:
        card = scorecard(s, "upland", baseline=result.rows)
    finally:
        s.close()
    assert (card["scenario"], card["role_name"], card["runs"]) == ("River Accord", "Upland", 4)


def test_the_report_counts_each_phase_s_moves_and_dates_each_note(tmp_path, highland):
    """The objectives table says how many moves each phase saw (key moves and the others);
    every note in the report's data carries when it was written (the .json export)."""
    import datetime as _dt
    import shutil

    from peacetable.app.annotations import add_annotation

    path = tmp_path / "noted.peacetable"
    shutil.copy(highland, path)
    s = Session.open(path)
    try:
        add_annotation(s, 3, "Strength: the Front answered within the round", "Trainer")
        data = build_report(s, "control")
    finally:
        s.close()
    by_label = {ph["label"]: ph for ph in data["phases"]}
    assert data["objectives"]
    for row in data["objectives"]:
        ph = by_label[row["phase"]]
        n = len(ph["key_moves"]) + ph["other_moves"]
        assert f"{n} move{'s' if n != 1 else ''} carried out" in row["record"], row
    assert any(len(by_label[r["phase"]]["key_moves"]) + by_label[r["phase"]]["other_moves"] > 1
               for r in data["objectives"])
    (note,) = data["annotations"]["strengths"]
    assert note["text"].startswith("Strength:")
    written = _dt.datetime.strptime(note["ts"], "%Y-%m-%d %H:%M UTC")
    now = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
    assert abs(now - written) < _dt.timedelta(hours=1)


def test_an_edge_between_columns_arrives_level_from_the_side_it_comes_from():
    """An edge leaves its node from the side facing the other end; the arrowhead's direction
    (``ctrl`` to ``end``) is level, from 40 px out on the side of the column it comes from."""
    from peacetable.app.network_layout import ROW_GAP, deadlock_facts, layered_layout, route_edges
    from peacetable.domain.analytics.network import LinkageNetwork
    from peacetable.domain.loader import load_scenario

    sc = load_scenario(ROOT / "scenarios" / "framework-agreement.toml").scenario
    facts = deadlock_facts(LinkageNetwork.from_scenario(sc))
    layout = layered_layout(sc, facts)
    h, col_gap, node_w = 90.0, 420.0, 280.0
    pos = {iid: (c * col_gap, 300.0 + r * (h + ROW_GAP)) for iid, (c, r) in layout.items()}
    routes = route_edges(layout, pos, sc.linkages, facts.cycle_edges(), node_w, col_gap, h)
    across = [r for r in routes if layout[r.source][0] != layout[r.target][0]]
    assert len(across) >= 5
    for r in across:
        side = 1 if layout[r.source][0] > layout[r.target][0] else -1
        assert r.ctrl == pytest.approx((r.end[0] + side * 40.0, r.end[1])), r
        # it leaves its node from the side facing the other end, 2 px out
        assert r.start[0] == pytest.approx(pos[r.source][0] - side * (node_w / 2 + 2)), r
    assert {layout[r.source][0] > layout[r.target][0] for r in across} == {True, False}


def test_a_team_is_not_told_of_a_red_line_crossed_by_a_deal_it_cannot_see(tmp_path):
    """Lowland and Midland agree on international monitors in private: Upland's red line is
    crossed, which control's debrief says; Upland's own debrief, built from the agreements
    Upland can see, does not (it would tell Upland of the secret deal)."""
    from peacetable.app.debrief import debrief_at
    from peacetable.domain import commands as C

    anchor = 'monitoring = { none = 1.0, joint = 0.5, international = 0.0 }\n'
    test = ('\n[[roles.red_line_tests]]\nred_line = "No foreign monitors at the dam"\n'
            'crossed_if = { issue = "monitoring", option = "international" }\n')
    src = tmp_path / "lines.toml"
    src.write_text((FIXTURES / "river-accord.toml").read_text(encoding="utf-8")
                   .replace(anchor, anchor + test, 1), encoding="utf-8")
    s = Session.create(src, tmp_path / "lines.peacetable", seed=7)
    try:
        s.execute(C.Advance())
        (p,) = s.execute(C.SubmitMove(role="lowland", template="propose", channel="private",
                                      to=("midland",), parties=("lowland", "midland"),
                                      package={"monitoring": "international"}))
        s.execute(C.Adjudicate(move=p.seq, decision="accept"))
        (a,) = s.execute(C.SubmitMove(role="midland", template="accept", target=p.seq,
                                      channel="private", to=("lowland",)))
        s.execute(C.Adjudicate(move=a.seq, decision="accept"))
        crossed = ["No foreign monitors at the dam"]
        assert debrief_at(s, viewer="control")["bargaining"]["teams"]["upland"][
            "red_lines_crossed"] == crossed
        assert debrief_at(s, viewer="upland")["bargaining"]["team"]["red_lines_crossed"] == []
    finally:
        s.close()
