"""The report's figures, drawn from the bundled scripts' sessions, equal the SVG kept in
``tests/app/golden/`` byte for byte: a change to how a figure is drawn (a colour, a margin,
a label's weight or place, a legend's words) shows here, where the other tests check only
what a figure names.

The figures are pure functions of the record (no Qt, no fonts: text widths come from the
report's own tables), so they are the same on every machine. After a deliberate change,
look at the new figures (the failure names where they were written) and keep them:
``PEACETABLE_UPDATE_GOLDEN=1 python -m pytest tests/app/test_report_figures_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from trainer_support import SCRIPTS, play_bundled

from peacetable.app.report import build_report
from peacetable.app.report_figures import report_figures
from peacetable.app.session import Session

GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
#: (script, viewer): control, the room, and a team (which sees its own private moves)
CASES = [(s.name.split(".")[0], v) for s in SCRIPTS for v in ("control", "audience")] + [
    ("peace-of-inches", "ukraine"), ("highland-talks", "control")]


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    d = tmp_path_factory.mktemp("golden")
    scripts = {s.name.split(".")[0]: s for s in SCRIPTS}
    scripts["highland-talks"] = FIXTURES / "highland-talks.moves.jsonl"
    return {name: play_bundled(d, script) for name, script in scripts.items()}


@pytest.mark.parametrize(("script", "viewer"), CASES)
def test_the_figures_are_drawn_as_kept(played, script, viewer, tmp_path):
    s = Session.open(played[script], readonly=True)
    try:
        figures = report_figures(s, build_report(s, viewer))
    finally:
        s.close()
    for kind in ("chart", "network"):
        drawn = str(figures[kind])
        kept = GOLDEN / f"{script}.{viewer}.{kind}.svg"
        if os.environ.get("PEACETABLE_UPDATE_GOLDEN") == "1":
            kept.write_text(drawn, encoding="utf-8")
        assert kept.exists(), f"{kept} is missing (PEACETABLE_UPDATE_GOLDEN=1 writes it)"
        if drawn != kept.read_text(encoding="utf-8"):
            now = tmp_path / kept.name
            now.write_text(drawn, encoding="utf-8")
            pytest.fail(f"the {kind} for {viewer} after {script} is not drawn as kept in "
                        f"{kept}; the new one is in {now}")
