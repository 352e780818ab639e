"""Rescheduling a dated inject keeps its in-game date consistent with the phase it is moved
to: it happens on its own date while that lies within the phase's days, else on the phase's
day nearest to it. The dialog shows the day before control confirms; the recorded event, the
event log line, the MSEL timeline and the in-game date after it fires all say the same."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from peacetable.app.report import build_report, render_csv
from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.events import InjectRescheduled

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"
APR = lambda d: dt.date(2031, 4, d)  # noqa: E731


def _dated_river(tmp_path: Path) -> Path:
    """River Accord with the Flash flood (phase "Talks", 7–13 Apr 2031) dated 9 Apr 2031."""
    text = RIVER.read_text(encoding="utf-8")
    anchor = 'title = "Flash flood"\n'
    assert anchor in text
    p = tmp_path / "dated-river.toml"
    p.write_text(text.replace(anchor, anchor + 'date = "2031-04-09"\n'), encoding="utf-8")
    return p


def test_an_inject_moved_to_a_later_phase_carries_that_phase_s_day(tmp_path):
    s = Session.create(_dated_river(tmp_path), tmp_path / "s.peacetable", seed=1)
    try:
        s.execute(C.Advance())
        # within its phase: its own day, nothing recorded about the date
        s.execute(C.RescheduleInject(id="flash_flood", at_minute=15))
        assert s.events[-1].body.date is None
        row = next(r for r in s.inject_schedule() if r["id"] == "flash_flood")
        assert row["date"] == row["planned_date"] == APR(9)
        # to the summit (from 21 Apr): it happens on the summit's first day, and says so
        s.execute(C.RescheduleInject(id="flash_flood", phase="summit", at_minute=2,
                                     reason="no time today"))
        body = s.events[-1].body
        assert isinstance(body, InjectRescheduled) and body.date == APR(21)
        assert s.describe(s.events[-1]) == (
            "inject rescheduled: Flash flood to minute 2 of Summit (no time today) — in the "
            "story on 21 Apr 2031 instead of 9 Apr 2031")
        row = next(r for r in s.inject_schedule() if r["id"] == "flash_flood")
        assert (row["date"], row["planned_date"]) == (APR(21), APR(9))
        s.execute(C.Advance())
        s.execute(C.Advance())
        s.execute(C.FireInject(id="flash_flood"))
        assert s.game_date("audience") == APR(21)
        # the after-action report gives it the day it happened on, in its CSV too
        data = build_report(s, "audience")
        (fired,) = [i for ph in data["phases"] for i in ph["injects"]]
        assert (fired["title"], fired["date"]) == ("Flash flood", "2031-04-21")
        rows = list(csv.DictReader(io.StringIO(render_csv(s, data))))
        assert [r["inject_date"] for r in rows if r["type"] == "inject_fired"] == ["2031-04-21"]
        # undone, the plan is the scenario's again
        for _ in range(4):
            s.execute(C.Undo())
        row = next(r for r in s.inject_schedule() if r["id"] == "flash_flood")
        assert row["date"] == APR(9) and row["phase"] == "talks"
    finally:
        s.close()


def test_the_dialog_shows_the_day_the_inject_will_carry(window, qtbot, tmp_path):
    path = tmp_path / "s.peacetable"
    Session.create(_dated_river(tmp_path), path, seed=1).close()
    assert window.open_path(path)
    window.phase_actions.advance.trigger()
    msel = window.console.msel
    assert msel.select_inject("flash_flood")
    dlg = msel.open_reschedule_dialog()
    assert dlg.date_label.text() == "9 Apr 2031"
    dlg.phase_combo.setCurrentIndex(dlg.phase_combo.findData("sealed_round"))
    assert dlg.date_label.text() == ("14 Apr 2031 — planned for 9 Apr 2031, which is outside "
                                     "this phase's days")
    dlg.minute_spin.setValue(5)
    dlg.accept()
    assert window.session.events[-1].body.date == APR(14)
    item = msel._items["flash_flood"]
    assert item.text(4) == "14 Apr"
    assert "planned for 9 Apr 2031" in item.toolTip(4)
