"""The after-action report carries the story's calendar: each phase with its days, each
inject with its day, and the day at the end of the record as the reader's role knows it."""

from __future__ import annotations

import csv
import io
from html import unescape

from trainer_support import ROOT

from peacetable.app.report import build_report, render_csv, render_html
from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.loader import load_scenario

RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"


def _played(tmp_path):
    path = tmp_path / "dated.peacetable"
    s = Session.create(RIVER, path, seed=1)
    for cmd in (C.Advance(), C.Advance(), C.FireInject(id="leak")):
        s.execute(cmd)
    s.close()
    return Session.open(path, readonly=True)


def test_report_shows_phase_and_inject_days(tmp_path):
    s = _played(tmp_path)
    try:
        data = build_report(s, "control")
        talks, sealed = data["phases"]
        assert (talks["date"], talks["end_date"], talks["date_label"]) == \
            ("2031-04-07", "2031-04-13", "7–13 Apr 2031")  # to the day before the next phase
        assert sealed["date_label"] == "14–20 Apr 2031"
        (leak,) = sealed["injects"]
        assert (leak["date"], leak["date_label"]) == ("2031-04-16", "16 Apr 2031")
        assert data["overview"]["story_date"] == "16 Apr 2031"
        page = unescape(render_html(data, {}))
        assert "In the story: 7–13 Apr 2031" in page
        assert "In the story: 14–20 Apr 2031" in page
        assert "· 16 Apr 2031 in the story" in page
        assert "16 Apr 2031 at the end of the record" in page
    finally:
        s.close()


def test_report_csv_gives_each_event_its_phase_days_and_an_inject_its_day(tmp_path):
    s = _played(tmp_path)
    try:
        rows = list(csv.DictReader(io.StringIO(render_csv(s, build_report(s, "control")))))
        by_type = {}
        for row in rows:
            by_type.setdefault(row["type"], []).append(row)
        start = by_type["session_started"][0]
        assert (start["phase"], start["phase_date"], start["inject_date"]) == ("", "", "")
        first, second = by_type["phase_started"]
        assert (first["phase_date"], first["phase_end_date"]) == ("2031-04-07", "2031-04-13")
        assert (second["phase_date"], second["phase_end_date"]) == ("2031-04-14", "2031-04-20")
        assert first["phase"] != second["phase"] and second["phase"]
        (leak,) = by_type["inject_fired"]
        assert (leak["phase_date"], leak["inject_date"]) == ("2031-04-14", "2031-04-16")
        # every event after the first phase starts carries its phase's days
        after = [r for r in rows if int(r["event"]) >= int(first["event"])]
        assert all(r["phase_date"] for r in after)
        assert all(r["inject_date"] == "" for r in rows if r["type"] != "inject_fired")
    finally:
        s.close()


def test_a_role_that_did_not_hear_the_inject_reads_the_phase_day(tmp_path):
    s = _played(tmp_path)
    try:
        data = build_report(s, "lowland")
        assert data["overview"]["story_date"] == "14 Apr 2031"
        assert all(not ph["injects"] for ph in data["phases"])
        assert "16 Apr" not in unescape(render_html(data, {}))
    finally:
        s.close()


def test_bundled_exercises_date_every_phase_and_scheduled_inject():
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        sc = load_scenario(path).scenario
        assert all(ph.date is not None and ph.end_date is not None for ph in sc.phases), path
        scheduled = {i for ph in sc.phases for i in ph.injects}
        assert scheduled and all(sc.inject_by_id[i].date is not None for i in scheduled), path
