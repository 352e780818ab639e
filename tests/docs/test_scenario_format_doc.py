"""docs/scenario-format.md lists, for each table it names, exactly the keys the scenario
model requires (peacetable/domain/scenario.py)."""

from __future__ import annotations

import re
from pathlib import Path

from peacetable.domain import scenario as S

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"

TABLES = {
    "top level": S.Scenario, "`[scenario]`": S.Meta, "`[escalation]`": S.Escalation,
    "`[[escalation.variables]]`": S.Variable, "`[[escalation.rungs]]`": S.Rung,
    "`[[roles]]`": S.Role, "`[[issues]]`": S.Issue, "`[[issues.options]]`": S.Option,
    "`[[linkages]]`": S.Linkage, "`[[phases]]`": S.Phase, "`[[moves]]`": S.MoveTemplate,
    "`[[injects]]`": S.Inject,
}


def _listed() -> dict[str, set[str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Required fields", 1)[1].split("\n## ", 1)[0]
    out: dict[str, set[str]] = {}
    for item in re.split(r"\n- ", "\n" + section)[1:]:
        head, _, rest = item.partition(": ")
        rest = rest.split(" (", 1)[0]  # what follows in brackets is a conditional extra
        out[head.strip()] = {k.strip("[]") for k in re.findall(r"`([^`]+)`", rest)}
    return out


def test_required_fields_match_the_model():
    listed = _listed()
    assert set(listed) == set(TABLES)
    for table, model in TABLES.items():
        required = {(f.alias or name) for name, f in model.model_fields.items() if f.is_required()}
        assert listed[table] == required, table
