"""`analyze` text states the utility scale it prints: with interaction terms a role's ideal
can lie above 1 and its worst below 0, so the heading cannot promise 0..1."""

from __future__ import annotations

import re
from pathlib import Path

HIGHLAND = Path(__file__).resolve().parents[1] / "fixtures" / "highland-talks.toml"


def test_roles_heading_matches_the_values_printed(cli):
    res = cli("analyze", str(HIGHLAND))
    assert res.rc == 0, res.err
    lines = res.out.splitlines()
    k = next(n for n, ln in enumerate(lines) if ln.startswith("Roles ("))
    head = lines[k]
    assert "0..1" not in head
    assert "1 = options valued 1 on every issue" in head
    assert "below 0 or above 1" in head
    rows = []
    for ln in lines[k + 1:]:
        if not ln.strip():
            break
        m = re.search(r"ideal (-?[\d.]+)\s+worst (-?[\d.]+)", ln)
        assert m, ln
        rows.append((float(m[1]), float(m[2])))
    # the fixture's interaction terms take the scale past both ends: the heading is needed
    assert any(ideal > 1 for ideal, _ in rows) and any(worst < 0 for _, worst in rows)
