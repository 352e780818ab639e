"""The loader's words for a linkage from a variable test (``while``) that is wrong in two
ways at once, or tests an issue: each problem once, with its example.

Written against mutants that survived the broader tests (docs/testing.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetable.domain.loader import ScenarioError, parse_scenario

RIVER = Path(__file__).resolve().parents[1] / "fixtures" / "river-accord.toml"


def _problems(extra: str) -> list[tuple[str, str]]:
    text = RIVER.read_text(encoding="utf-8") + extra
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, "x.toml")
    return [(p.dotted, p.message) for p in exc.value.problems]


def test_a_while_test_on_an_issue_is_refused_with_the_example():
    got = _problems('''
[[linkages]]
kind = "blocks"
while = { issue = "monitoring", status = "agreed" }
to = "release"
''')
    assert len(got) == 1 and got[0][0].endswith(".while"), got
    assert got[0][1] == ('tests an issue; only escalation variables may be tested here '
                         '(expected e.g. while = { variable = "troops", op = ">", value = 6 })')


def test_an_unknown_kind_on_a_while_linkage_is_one_problem_not_two():
    got = _problems('''
[[linkages]]
kind = "precon"
while = { variable = "troops", op = ">", value = 6 }
to = "release"
''')
    # the kind's own check names it; the rule for "while" linkages does not add another
    assert len(got) == 1 and got[0][0].endswith(".kind"), got
    good = _problems('''
[[linkages]]
kind = "precondition"
while = { variable = "troops", op = ">", value = 6 }
to = "release"
''')
    assert good == [(good[0][0], 'a linkage from a variable test (while) is kind = "blocks", '
                                 "not 'precondition'")]
