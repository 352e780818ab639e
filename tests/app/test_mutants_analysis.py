"""`analyze` text for a coalition's bargaining point that leaves issues open names them.

Written against a mutant that survived (docs/testing.md, "Mutation testing"): the
"left open" line dropped. No bundled scenario has a coalition point that leaves an issue
open, so the report is the fixture's own with that one field set.
"""

from __future__ import annotations

import copy
from pathlib import Path

from peacetable.app.analysis import analyze_path, render_text
from peacetable.domain.loader import load_scenario

HIGHLAND = Path(__file__).resolve().parents[1] / "fixtures" / "highland-talks.toml"


def test_the_issues_a_coalition_point_leaves_open_are_named_by_label():
    report, text = analyze_path(HIGHLAND, parties=["government", "front"])
    assert "left open" not in text  # the fixture's points settle every issue
    sc = load_scenario(HIGHLAND).scenario
    labels = {i.id: i.label for i in sc.issues}
    opened = copy.deepcopy(report)
    for key in ("nash", "kalai_smorodinsky"):
        opened["coalition"][key]["left_open"] = ["amnesty", "autonomy"]
    lines = render_text(opened, sc).splitlines()
    want = f"    left open: {labels['amnesty']}, {labels['autonomy']}"
    assert lines.count(want) == 2, [ln for ln in lines if "left open" in ln]
    # each right under its point, in the coalition's part of the text
    start = next(k for k, ln in enumerate(lines) if ln.startswith("Bargaining among "))
    for label in ("Nash bargaining point", "Kalai–Smorodinsky point"):
        at = next(k for k, ln in enumerate(lines) if k > start and ln.startswith(f"  {label}: "))
        assert lines[at + 1] == want


def test_a_coalition_point_is_shown_as_its_package_by_label():
    from peacetable.domain.views import package_text

    report, text = analyze_path(HIGHLAND, parties=["government", "front"])
    sc = load_scenario(HIGHLAND).scenario
    lines = text.splitlines()
    start = next(k for k, ln in enumerate(lines) if ln.startswith("Bargaining among "))
    for label, key in (("Nash bargaining point", "nash"),
                       ("Kalai–Smorodinsky point", "kalai_smorodinsky")):
        package = report["coalition"][key]["package"]
        assert package, key  # the fixture's coalition points settle something
        want = f"  {label}: {package_text(sc, package)}"
        assert want in lines[start:], (want, lines[start:])
