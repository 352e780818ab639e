"""In-game dates: how they are written, checked, labelled and shown to each viewer."""

from __future__ import annotations

import datetime as dt

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.calendar import date_label, game_date, parse_game_date, span_label
from peacetable.domain.loader import ScenarioError, parse_scenario

D = dt.date


def _river_text(river_path) -> str:
    return river_path.read_text(encoding="utf-8")


def _problems(text: str) -> list[tuple[int | None, str, str]]:
    try:
        parse_scenario(text, "s.toml")
    except ScenarioError as exc:
        return [(p.line, p.dotted, p.message) for p in exc.problems]
    return []


# ---------------------------------------------------------------- writing a date


def test_dates_as_text_or_toml_dates(river):
    assert [p.date for p in river.phases] == [D(2031, 4, 7), D(2031, 4, 14), D(2031, 4, 21)]
    assert river.inject_by_id["leak"].date == D(2031, 4, 16)
    assert river.inject_by_id["flash_flood"].date is None


@pytest.mark.parametrize("written,expected", [
    ('"2025-02-29"', "a day the calendar does not have (February 2025 has 28 days)"),
    ('"2024-04-31"', "April 2024 has 30 days"),
    ('"2025-13-01"', "there is no month 13"),
    ('"11 March 2025"', 'expected a date written "YYYY-MM-DD"'),
    ('"2025-3-11"', 'expected a date written "YYYY-MM-DD"'),
    ("2025-03-11T09:00:00", "expected a date without a time of day"),
    ("20250311", 'expected a date written "YYYY-MM-DD"'),
    ("true", 'got true (expected a date written "YYYY-MM-DD"'),
])
def test_a_bad_date_is_refused_naming_the_line(river_path, written, expected):
    text = _river_text(river_path).replace('date = "2031-04-07"', f"date = {written}")
    problems = _problems(text)
    assert len(problems) == 1, problems
    line, field, message = problems[0]
    assert (line, field) == (151, "phases[0].date")
    assert expected in message


def test_a_leap_day_is_a_date():
    assert parse_game_date("2024-02-29") == D(2024, 2, 29)
    assert parse_game_date(D(2025, 3, 11)) == D(2025, 3, 11)


def test_a_phase_ends_after_it_starts(river_path):
    text = _river_text(river_path).replace('date = "2031-04-07"',
                                           'date = "2031-04-07"\nend_date = "2031-04-05"')
    assert _problems(text) == [(152, "phases[0].end_date",
                                "ends on 2031-04-05, before the phase starts (2031-04-07)")]


def test_an_end_date_needs_a_start(river_path):
    text = _river_text(river_path).replace('date = "2031-04-07"', 'end_date = "2031-04-09"')
    assert [p[:2] for p in _problems(text)] == [(151, "phases[0].end_date")]


def test_phases_run_in_order(river_path):
    text = _river_text(river_path).replace('date = "2031-04-21"', 'date = "2031-04-10"')
    (problem,) = _problems(text)
    assert problem[:2] == (165, "phases[2].date")
    assert "before phases[1] starts on 2031-04-14" in problem[2]


def test_a_phase_may_start_the_day_the_previous_one_ends(river_path):
    text = _river_text(river_path).replace(
        'date = "2031-04-07"', 'date = "2031-04-07"\nend_date = "2031-04-14"')
    assert _problems(text) == []
    text = text.replace('end_date = "2031-04-14"', 'end_date = "2031-04-15"')
    (problem,) = _problems(text)
    assert problem[1] == "phases[1].date" and "ends on 2031-04-15" in problem[2]


def _date_flood(river_path, day: str, end: str | None = None) -> str:
    text = _river_text(river_path)
    if end:
        text = text.replace('date = "2031-04-07"', f'date = "2031-04-07"\nend_date = "{end}"')
    return text.replace('at_minute = 10\n', f'at_minute = 10\ndate = "{day}"\n')


@pytest.mark.parametrize("day,end,ok", [
    ("2031-04-07", None, True),     # the phase's first day
    ("2031-04-13", None, True),     # the day before the next phase
    ("2031-04-14", None, False),    # the next phase's first day
    ("2031-04-06", None, False),    # before the phase
    ("2031-04-09", "2031-04-09", True),
    ("2031-04-10", "2031-04-09", False),  # after the phase's end date
])
def test_an_inject_is_dated_within_its_phase(river_path, day, end, ok):
    problems = _problems(_date_flood(river_path, day, end))
    if ok:
        assert problems == []
    else:
        (problem,) = problems
        assert problem[1] == "injects[0].date"
        assert "outside its phase 'talks'" in problem[2]


def test_every_date_problem_in_one_run(river_path):
    text = (_date_flood(river_path, "2031-04-02")
            .replace('date = "2031-04-21"', 'date = "2031-04-31"')
            .replace('date = 2031-04-14', 'date = 2031-04-01'))
    fields = [p[1] for p in _problems(text)]
    assert fields == ["phases[1].date", "phases[2].date", "injects[0].date"], fields


# ---------------------------------------------------------------- labels


def test_labels():
    assert date_label(D(2025, 3, 11)) == "11 Mar 2025"
    assert date_label(None) == ""
    assert span_label(D(2025, 3, 11)) == "11 Mar 2025"
    assert span_label(D(2025, 3, 11), D(2025, 3, 14)) == "11–14 Mar 2025"
    assert span_label(D(2025, 2, 28), D(2025, 3, 3)) == "28 Feb – 3 Mar 2025"
    assert span_label(D(2025, 12, 30), D(2026, 1, 2)) == "30 Dec 2025 – 2 Jan 2026"


# ---------------------------------------------------------------- the date in play


def test_game_date_follows_phases_and_the_injects_each_viewer_hears(tmp_path, river_path):
    # the targeted "leak" (heard by Upland and control) is dated 16 Apr; fired in the sealed
    # round (14 Apr), it moves Upland's and control's calendar, not the room's or Lowland's
    s = Session.create(river_path, tmp_path / "s.peacetable", seed=1)
    try:
        assert s.view("audience")["game_date"] is None  # before phase 1
        s.execute(C.Advance())
        for viewer in ("control", "audience", "upland", "lowland"):
            v = s.view(viewer)
            assert v["game_date"] == "2031-04-07"
            assert v["phase"]["date"] == "2031-04-07" and v["phase"]["end_date"] is None
        s.execute(C.Advance())
        s.execute(C.FireInject(id="leak"))
        seen = {v: s.view(v)["game_date"] for v in ("control", "audience", "upland", "lowland")}
        assert seen == {"control": "2031-04-16", "upland": "2031-04-16",
                        "audience": "2031-04-14", "lowland": "2031-04-14"}
        s.execute(C.Advance())  # the summit, 21 Apr: later than the leak for everyone
        assert {s.view(v)["game_date"] for v in seen} == {"2031-04-21"}
        assert game_date(s.scenario, s.state_at(2), "upland") == D(2031, 4, 7)
    finally:
        s.close()


def test_exercise_minutes_leave_pauses_out(tmp_path, river_path):
    s = Session.create(river_path, tmp_path / "s.peacetable", seed=1)
    try:
        s.execute(C.AddNote(text="before the start"), ts="2026-01-01T09:55:00+00:00")
        s.execute(C.Advance(), ts="2026-01-01T10:00:00+00:00")                       # 3
        s.execute(C.AddNote(text="a"), ts="2026-01-01T10:12:00+00:00")               # 4
        s.execute(C.PauseClock(reason="lunch"), ts="2026-01-01T10:20:00+00:00")      # 5
        s.execute(C.ResumeClock(), ts="2026-01-01T11:20:00+00:00")                   # 6
        s.execute(C.AddNote(text="b"), ts="2026-01-01T11:25:00+00:00")               # 7
        s.execute(C.CorrectClock(seconds=300), ts="2026-01-01T11:26:00+00:00")       # 8
        s.execute(C.AddNote(text="c"), ts="2026-01-01T11:30:00+00:00")               # 9
        got = s.exercise_minutes([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        assert got == pytest.approx([0, 0, 0, 0, 12, 20, 20, 25, 31, 35])
        assert s.exercise_minutes([7, 9]) == pytest.approx([25, 35])
    finally:
        s.close()
