"""App-layer behaviour that only the Qt tests read, read here without Qt.

Written against mutants that no test of the mutation run (tests/domain, app, storage, cli)
noticed (docs/testing.md, "Mutation testing"): the start page's recent sessions and guide,
the workbench's preview for a role.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from peacetable.app.session import Session
from peacetable.app.start import guide_path, recent_session
from peacetable.app.workbench import ScenarioPreview, check_text
from peacetable.domain import commands as C
from peacetable.domain.state import initial_state
from peacetable.domain.views import view_state

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"


def test_recent_session_reads_title_phase_reached_and_date(tmp_path):
    started = tmp_path / "started.peacetable"
    s = Session.create(RIVER, started, seed=1, title="Tuesday seminar")
    s.execute(C.Advance())
    s.execute(C.Advance())
    s.execute(C.Undo())  # back in phase 1: the undone phase start does not count
    s.close()
    fresh = tmp_path / "fresh.peacetable"
    Session.create(RIVER, fresh, seed=1).close()
    broken = tmp_path / "broken.peacetable"
    broken.write_text("not a session")

    one = recent_session(started)
    assert (one.title, one.phase, one.problem) == ("Tuesday seminar", "Phase 1 of 3: Talks", None)
    assert one.last_activity.startswith(_dt.date.today().isoformat())
    two = recent_session(fresh)
    assert (two.title, two.phase, two.problem) == ("River Accord", "Not started", None)
    three = recent_session(broken)
    assert (three.title, three.phase, three.last_activity) == ("broken.peacetable", "", "")
    assert three.problem == f"{broken}: is not a PeaceTable session (not an SQLite database)"


def test_the_facilitator_guide_is_found_in_a_source_checkout():
    found = guide_path()
    assert found is not None and found.name == "facilitator-guide.md" and found.is_file()
    assert found.read_text(encoding="utf-8").startswith("#")


def test_a_preview_shows_each_viewer_its_own_view():
    sc = check_text(RIVER.read_text(encoding="utf-8")).scenario
    preview = ScenarioPreview(sc)
    start = initial_state(sc)
    viewers = ["control", "audience", *sc.role_by_id]
    for viewer in viewers:
        assert preview.view(viewer) == view_state(sc, start, viewer), viewer
    # a role's view is not control's (its brief, the linkages it knows of)
    assert any(preview.view(r) != preview.view("control") for r in sc.role_by_id)


def test_the_schedule_gives_a_rescheduled_inject_the_day_it_will_carry(tmp_path):
    import datetime as dt

    text = RIVER.read_text(encoding="utf-8")
    anchor = 'title = "Flash flood"\n'
    dated = tmp_path / "dated-river.toml"
    dated.write_text(text.replace(anchor, anchor + 'date = "2031-04-09"\n'), encoding="utf-8")
    s = Session.create(dated, tmp_path / "s.peacetable", seed=1)
    try:
        row = next(r for r in s.inject_schedule() if r["id"] == "flash_flood")
        assert (row["date"], row["planned_date"]) == (dt.date(2031, 4, 9), dt.date(2031, 4, 9))
        s.execute(C.Advance())
        # to the summit (from 21 Apr): it happens on the summit's first day
        s.execute(C.RescheduleInject(id="flash_flood", phase="summit", at_minute=2))
        row = next(r for r in s.inject_schedule() if r["id"] == "flash_flood")
        assert (row["phase"], row["date"], row["planned_date"]) == (
            "summit", dt.date(2031, 4, 21), dt.date(2031, 4, 9))
    finally:
        s.close()


def test_the_report_names_its_viewer_by_label(tmp_path):
    from peacetable.app.report import build_report

    s = Session.create(RIVER, tmp_path / "s.peacetable", seed=1)
    try:
        sc = s.scenario
        for viewer, shown in [("control", "control"), ("audience", "audience"),
                              *((r.id, r.name) for r in sc.roles if r.id != "control")]:
            overview = build_report(s, viewer)["overview"]
            assert (overview["viewer"], overview["viewer_id"]) == (shown, viewer)
    finally:
        s.close()


def test_a_fired_inject_moved_to_a_later_phase_happened_on_that_phase_s_day(tmp_path):
    import datetime as dt

    from peacetable.domain.calendar import fired_inject_days

    text = RIVER.read_text(encoding="utf-8")
    anchor = 'title = "Flash flood"\n'
    dated = tmp_path / "dated-river.toml"
    dated.write_text(text.replace(anchor, anchor + 'date = "2031-04-09"\n'), encoding="utf-8")
    s = Session.create(dated, tmp_path / "s.peacetable", seed=1)
    try:
        s.execute(C.Advance())
        s.execute(C.RescheduleInject(id="flash_flood", phase="summit", at_minute=2))
        s.execute(C.Advance())
        s.execute(C.Advance())
        s.execute(C.FireInject(id="flash_flood"))
        fired = s.events[-1]
        assert fired.type == "inject_fired"
        assert fired_inject_days(s.scenario, s.events) == {fired.seq: dt.date(2031, 4, 21)}
    finally:
        s.close()


def test_visible_events_among_given_events_keeps_what_the_viewer_may_see(tmp_path):
    s = Session.create(RIVER, tmp_path / "s.peacetable", seed=1)
    try:
        s.execute(C.Advance())
        (private,) = s.execute(C.SubmitMove(role="upland", template="open_sluices",
                                            to=("lowland",), rationale="just us"))
        (note,) = s.execute(C.AddNote(text="control only"))
        among = [private, note]
        seqs = lambda evs: [e.seq for e in evs]  # noqa: E731
        assert seqs(s.visible_events("control", among=among)) == [private.seq, note.seq]
        assert seqs(s.visible_events("lowland", among=among)) == [private.seq]
        assert seqs(s.visible_events("midland", among=among)) == []
        assert seqs(s.visible_events("control", among=among, upto=private.seq)) == [private.seq]
        # without ``among``: the whole record up to ``upto``
        assert seqs(s.visible_events("control", upto=note.seq)) == list(range(1, note.seq + 1))
    finally:
        s.close()


def test_a_fork_point_that_is_not_a_whole_number_is_refused(tmp_path):
    import pytest

    from peacetable.app.fork import fork_session
    from peacetable.storage.session_file import SessionFileError

    src = tmp_path / "s.peacetable"
    s = Session.create(RIVER, src, seed=1)
    s.execute(C.Advance())
    s.close()
    for at, shown in [("2", "'2'"), (2.0, "2.0"), (True, "True"), (None, "None")]:
        out = tmp_path / f"fork-{shown}.peacetable"
        with pytest.raises(SessionFileError) as exc:
            fork_session(src, at, out)  # type: ignore[arg-type]
        assert str(exc.value) == f"--at must be an event number, not {shown}"
        assert not out.exists()
    assert fork_session(src, 2, tmp_path / "fork.peacetable").is_file()


def test_a_hot_wash_answer_to_an_unknown_question_counts_as_an_observation(tmp_path):
    from peacetable.app.annotations import add_annotation
    from peacetable.app.report import build_report

    s = Session.create(RIVER, tmp_path / "s.peacetable", seed=1)
    try:
        s.execute(C.Advance())
        # a file written by another tool may hold a question this version does not ask
        add_annotation(s, s.store.last_seq, "the room was cold", "hotwash:upland:weather")
        notes = build_report(s, "control")["annotations"]
        texts = {k: [a["text"] for a in v] for k, v in notes.items()}
        assert texts == {"strengths": [], "improvements": [],
                         "observations": ["the room was cold"], "hotwash": ["the room was cold"]}
        assert notes["hotwash"][0]["question"] == "weather"  # asked as it was written
    finally:
        s.close()


def test_a_turning_point_is_named_to_the_roles_that_saw_it(tmp_path):
    from peacetable.app.debrief import debrief_with_timeline

    s = Session.create(RIVER, tmp_path / "s.peacetable", seed=1)
    try:
        s.execute(C.Advance())
        m = s.execute(C.SubmitMove(role="lowland", template="mass_troops", channel="private",
                                   to=("midland",)))[0].seq
        (ruling,) = s.execute(C.Adjudicate(move=m, decision="accept"))
        named = "Lowland: Mass troops at the border, accepted by control"
        for viewer, cause in [("control", named), ("lowland", named), ("midland", named),
                              ("upland", "an event this viewer may not see")]:
            out, _tl, _st = debrief_with_timeline(s, s.store.last_seq, viewer)
            points = [(t["event"], t["cause"]) for t in out["escalation"]["turning_points"]]
            assert points == [(ruling.seq, cause)], viewer
    finally:
        s.close()


def test_an_open_move_shows_its_channel_to_those_who_see_it(tmp_path):
    s = Session.create(RIVER, tmp_path / "s.peacetable", seed=1)
    try:
        s.execute(C.Advance())
        (private,) = s.execute(C.SubmitMove(role="upland", template="open_sluices",
                                            channel="private", to=("lowland",)))
        (public,) = s.execute(C.SubmitMove(role="lowland", template="statement",
                                           rationale="we are listening"))
        for viewer, want in [("control", {private.seq: "private", public.seq: "public"}),
                             ("lowland", {private.seq: "private", public.seq: "public"}),
                             ("midland", {public.seq: "public"})]:
            got = {m["id"]: m["channel"] for m in s.view(viewer)["moves_open"]}
            assert got == want, viewer
    finally:
        s.close()


def test_a_forged_phase_the_scenario_lacks_is_reported_by_its_number_as_open(tmp_path):
    """A record whose chain was recomputed by a forger (events written through the store's
    own append) may start a phase index the scenario does not have. Opening it to continue
    refuses it; replaying it read-only reports that phase by its number, in open sequencing."""
    import pytest

    import xml.etree.ElementTree as ET

    from peacetable.app.report import build_report
    from peacetable.app.report_figures import report_figures
    from peacetable.app.session import RecordBroken
    from peacetable.domain.events import PhaseStarted, Visibility
    from peacetable.storage.session_file import SessionStore

    forgeries = {"known id": [PhaseStarted(phase="talks", index=7)],
                 "unknown id": [PhaseStarted(phase="ghost", index=7),
                                PhaseStarted(phase="summit", index=2)]}
    for name, bodies in forgeries.items():
        p = tmp_path / f"{name}.peacetable"
        s = Session.create(RIVER, p, seed=1)
        s.execute(C.Advance())
        s.close()
        store = SessionStore.open(p)
        try:
            store.append([(b, Visibility()) for b in bodies])
        finally:
            store.close()
        with pytest.raises(RecordBroken, match="it starts phase 7 "):
            Session.open(p)
        r = Session.open(p, readonly=True)
        try:
            assert r.verify_record().message.startswith("the record breaks at event 3")
            data = build_report(r, "control")
            phases = data["phases"]
            chart = report_figures(r, data)["chart"]
        finally:
            r.close()
        # the chart names it "P8" under the axis, with no in-game date under that
        texts = [t for t in ET.fromstring(str(chart)).iter("{http://www.w3.org/2000/svg}text")]
        (p8,) = [t for t in texts if t.text == "P8"]
        under = [t.text for t in texts if t.get("x") == p8.get("x") and t is not p8]
        assert under == [], (name, under)
        forged = [ph for ph in phases if ph["start_event"] == 3]
        assert len(forged) == 1, (name, phases)
        assert forged[0]["label"] == "phase 8", name
        assert forged[0]["sequencing"] == "open", name
        assert (forged[0]["date"], forged[0]["description"], forged[0]["objectives"]) == \
            (None, "", []), name


def _wide_scenario_text(k: int, batna: float) -> str:
    """A valid scenario with k two-option issues on which two roles are exactly opposed,
    weights 2^j: every one of the 2^k packages is Pareto-optimal. With a no-deal value
    above one half for both, no package gives both theirs (the ZOPA is empty)."""
    total = 2 ** k - 1
    issues = "".join(
        f'[[issues]]\nid = "i{j}"\nlabel = "Issue {j}"\n'
        f'[[issues.options]]\nid = "lo"\nlabel = "Low"\n'
        f'[[issues.options]]\nid = "hi"\nlabel = "High"\n\n'
        for j in range(k))

    def role(rid: str, name: str, lo: float, hi: float) -> str:
        weights = "\n".join(f"i{j} = {2 ** j / total!r}" for j in range(k))
        prefs = "\n".join(f"i{j} = {{ lo = {lo}, hi = {hi} }}" for j in range(k))
        return (f'[[roles]]\nid = "{rid}"\nname = "{name}"\npublic_brief = "x"\n'
                f"batna = {batna}\n"
                f"[roles.weights]\n{weights}\n[roles.preferences]\n{prefs}\n\n")

    return (
        'format = 1\n[scenario]\nid = "wide"\ntitle = "Wide"\nsummary = "s"\nsituation = "s"\n\n'
        '[escalation]\n[[escalation.variables]]\nid = "v"\nlabel = "V"\nmin = 0\nmax = 1\n'
        'initial = 0\nweight = 1\n'
        '[[escalation.rungs]]\nid = "calm"\nlabel = "Calm"\nthreshold = 0\n\n'
        + role("a", "Alpha", 0.0, 1.0) + role("b", "Beta", 1.0, 0.0) + issues
        + '[[phases]]\nid = "talks"\nlabel = "Talks"\nallowed_moves = ["proposal"]\n\n'
        '[[moves]]\nid = "propose"\nlabel = "Propose"\nkind = "proposal"\n')


def test_a_refused_preview_still_shows_every_issue_across_the_zopa():
    """Above the points' own limit (268,435,456 packages, streamed) the analysis is refused;
    the window's live preview stops long before (8,388,608), so only a larger ``limit``
    reaches it. The preview then still gives the ZOPA of every issue, by label."""
    from peacetable.app.workbench import analysis_preview
    from peacetable.domain.analytics.bargaining import MAX_STREAMED
    from peacetable.domain.loader import parse_scenario

    k = MAX_STREAMED.bit_length()  # 2^k packages: just above the limit
    sc = parse_scenario(_wide_scenario_text(k, 0.9), "wide.toml").scenario
    p = analysis_preview(sc, limit=1 << (k + 1))
    assert (p.status, p.packages) == ("refused", 2 ** k)
    assert f"up to {MAX_STREAMED:,}" in p.message
    assert p.issues is not None and len(p.issues) == k
    assert [(z.issue, z.options, z.zopa) for z in p.issues] == \
        [(f"Issue {j}", (("Low", 0), ("High", 0)), 0) for j in range(k)]


def test_analyze_builds_a_session_s_whole_frontier_when_asked(tmp_path):
    """A session whose scenario has more than 10,000 packages on its frontier: the points
    without the frontier by default, the whole frontier with ``frontier=True``."""
    from peacetable.app.analysis import analyze_path
    from peacetable.domain.analytics.bargaining import MAX_FRONTIER

    src = tmp_path / "wide.toml"
    src.write_text(_wide_scenario_text(14, 0.2), encoding="utf-8")
    p = tmp_path / "wide.peacetable"
    s = Session.create(src, p, seed=1)
    s.execute(C.Advance())
    s.close()
    plain = analyze_path(p)[0]["bargaining"]
    assert plain["status"] == "points" and "frontier" not in plain
    whole, text = analyze_path(p, frontier=True)
    b = whole["bargaining"]
    assert whole["source"]["kind"] == "session"
    assert b["status"] == "ok" and b["frontier"]["size"] == 2 ** 14 > MAX_FRONTIER
    assert "Pareto frontier not built" not in text
