"""The loader's words for a linkage from a variable test (``while``) that is wrong in two
ways at once, or tests an issue: each problem once, with its example.

Written against mutants that survived the broader tests (docs/testing.md).
"""

from __future__ import annotations

import os
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


def test_an_inline_table_at_the_depth_limit_is_refused_at_its_line():
    from peacetable.domain.loader import MAX_DEPTH

    text = RIVER.read_text(encoding="utf-8")
    value = "[" * MAX_DEPTH + "{a = 1}" + "]" * MAX_DEPTH  # the table one level too deep
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text + f"\n[extra]\nx = {value}\n", "x.toml")
    (p,) = exc.value.problems
    assert (p.line, p.dotted) == (text.count("\n") + 3, "extra.x")
    assert p.message.startswith(f"nested more than {MAX_DEPTH} levels deep")


def test_a_file_name_the_system_refuses_is_named_in_the_problem(tmp_path):
    from peacetable.domain.loader import load_scenario

    path = tmp_path / ("x" * 300 + ".toml")  # longer than a file name may be
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert exc.value.source == str(path)
    assert str(exc.value) == f"{path}:1: (file): cannot be read: File name too long"


def test_an_invalid_phase_length_is_one_problem_not_a_late_inject_as_well():
    text = RIVER.read_text(encoding="utf-8")
    talks = 'duration_minutes = 30\nallowed_moves = ["proposal", "acceptance", "rejection", ' \
            '"statement", "escalation"'
    assert text.count(talks) == 1
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text.replace(talks, talks.replace("= 30", "= -5")), "x.toml")
    got = [(p.dotted, p.message) for p in exc.value.problems]
    assert got == [("phases[0].duration_minutes", "got -5 (input should be greater than 0)")]


@pytest.mark.parametrize("broken", ["bad = 'left open", "'left open = 1"],
                         ids=["literal-value", "literal-key"])
def test_nesting_after_a_literal_string_left_open_is_still_bounded(broken):
    """The line scanner (which bounds the nesting before the TOML parser recurses) picks up
    again at the end of a line whose literal string is left open, as TOML does, and so
    still finds the depth of what follows, at its line."""
    from peacetable.domain.loader import MAX_DEPTH

    text = RIVER.read_text(encoding="utf-8")
    deep = "deep = " + "[" * 40 + "]" * 40
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text + f"\n[extra]\n{broken}\n{deep}\n", "x.toml")
    (p,) = exc.value.problems
    assert (p.line, p.dotted) == (text.count("\n") + 4, "extra.deep")
    assert p.message.startswith(f"nested more than {MAX_DEPTH} levels deep")


def test_a_file_the_system_will_not_let_us_read_is_named_with_why(tmp_path, monkeypatch):
    """Permission denied (as for a file of another user; root reads every file, so the
    refusal is raised where the reading starts): the file named, the reason in words."""
    from peacetable.domain import loader

    p = tmp_path / "locked.toml"
    p.write_text("[scenario]\n", encoding="utf-8")
    if os.geteuid() != 0:
        p.chmod(0)
    else:
        def refuse(path, src):
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr(loader, "_read_capped", refuse)
    with pytest.raises(ScenarioError) as exc:
        loader.read_scenario_text(p)
    assert str(p) in str(exc.value)
    assert [pr.message for pr in exc.value.problems] == ["cannot be read: permission denied"]


def test_a_sixth_quote_after_a_literal_string_is_refused_where_it_stands():
    """A multi-line literal string closes with three quotes and keeps at most two more as
    its text, as TOML reads it; a sixth quote is left outside it. The line scanner reads it
    the same way, so text after it on the line is not taken for a value: the refusal is the
    TOML parser's, at that quote, not a nesting depth of what follows."""
    text = RIVER.read_text(encoding="utf-8")
    deep = "[" * 40 + "]" * 40
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text + f"\n[extra]\nx = ['''a'''''', {deep}]\n", "x.toml")
    (p,) = exc.value.problems
    assert (p.line, p.dotted) == (text.count("\n") + 3, "(file)")
    assert p.message.startswith("not valid TOML: Unclosed array at column 15 "), p.message
