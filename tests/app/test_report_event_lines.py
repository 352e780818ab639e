"""A report written for a team or the room describes each event as that reader's event log
does: by labels, without event numbers, and never naming a move the reader may not see."""

from __future__ import annotations

import csv
import io
import json
import re

from trainer_support import ROOT

from peacetable.app.report import build_report, render_csv, render_json
from peacetable.app.script import ScriptRunner, read_script
from peacetable.app.session import Session

SCRIPT = ROOT / "scenarios" / "peace-of-inches.moves.jsonl"
SCENARIO = ROOT / "scenarios" / "peace-of-inches.toml"


def test_csv_and_json_lines_are_the_reader_s_own(tmp_path):
    path = tmp_path / "p.peacetable"
    s = Session.create(SCENARIO, path, seed=11)
    ScriptRunner(s, str(SCRIPT)).run(read_script(SCRIPT))
    s.close()
    s = Session.open(path, readonly=True)
    try:
        for viewer in ("audience", "ukraine"):
            data = build_report(s, viewer)
            rows = list(csv.DictReader(io.StringIO(render_csv(s, data))))
            events = json.loads(render_json(s, data))["events"]
            want = {e.seq: s.describe(e, viewer) for e in s.visible_events(viewer)}
            assert {int(r["event"]): r["description"].lstrip("'") for r in rows} == want
            assert {e["seq"]: e["description"] for e in events} == want
            assert not any(re.search(r"\(#\d+\)", line) for line in want.values())
        # the audience heard the reveal of Europe's sealed move, not its submission: the
        # ruling names it by what the reveal said
        room = {e.seq: s.describe(e, "audience") for e in s.visible_events("audience")}
        assert any(line.startswith("Control accepted European allies' move: Rush air defence")
                   for line in room.values())
    finally:
        s.close()
