"""The scenario loader on hostile and careless input: line numbers, limits, numbers, one pass.

Speed is measured in bench/bench_loader.py; these tests check what is reported."""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path

import pytest

from peacetable.domain import loader
from peacetable.domain.loader import (
    MAX_DEPTH,
    MAX_SHOWN,
    ScenarioError,
    line_map,
    load_scenario,
    parse_scenario,
    read_scenario_text,
)

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"
TEXT = RIVER.read_text(encoding="utf-8")
LINES = TEXT.split("\n")


def _with(*edits: tuple[int, str, str]) -> str:
    """The river fixture with ``old`` replaced by ``new`` on the given (1-based) lines."""
    lines = list(LINES)
    for n, old, new in edits:
        assert old in lines[n - 1], (n, lines[n - 1])
        lines[n - 1] = lines[n - 1].replace(old, new, 1)
    return "\n".join(lines)


def _problems(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "s.toml")
    return [(p.line, p.dotted, p.message) for p in info.value.problems]


def _line_of(text: str, needle: str, nth: int = 1) -> int:
    hits = [k for k, ln in enumerate(text.split("\n"), start=1) if needle in ln]
    return hits[nth - 1]


# --------------------------------------------------------------------------- numbers

# (line, text on that line, replaced text, field path reported)
NUMBER_FIELDS = [
    (12, "90", "scenario.duration_minutes"),
    (15, "100", "escalation.scale"),
    (16, "5", "escalation.hysteresis"),
    (22, "0", "escalation.variables[0].min"),
    (23, "10", "escalation.variables[0].max"),
    (24, "4", "escalation.variables[0].initial"),
    (25, "2.0", "escalation.variables[0].weight"),
    (45, "30", "escalation.rungs[1].threshold"),
    (60, "0.4", "roles[0].batna"),
    (62, "60", "roles[0].leverage"),
    (64, "0.6", "roles[0].weights.release"),
    (67, "1.0", "roles[0].preferences.release.low"),
    (148, "30", "phases[0].duration_minutes"),
    (192, "3", "moves[4].magnitude_max"),
    (194, "2", "moves[4].effects.variables.troops"),
    (195, "5", "moves[4].effects.leverage.lowland"),
    (217, "2", "moves[6].condition.value"),
    (223, "10", "injects[0].at_minute"),
    (228, "10", "injects[0].effects.variables.flow"),
]


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "+inf", "true", "false"])
@pytest.mark.parametrize("line,old,field", NUMBER_FIELDS, ids=[f[2] for f in NUMBER_FIELDS])
def test_every_number_refuses_nan_inf_and_booleans(line, old, field, bad):
    text = _with((line, f"= {old}" if f"= {old}" in LINES[line - 1] else old,
                  f"= {bad}" if f"= {old}" in LINES[line - 1] else bad))
    problems = _problems(text)
    assert [(ln, f) for ln, f, _ in problems] == [(line, field)], problems
    msg = problems[0][2]
    if bad in ("true", "false"):
        assert f"got {bad}" in msg and "true and false are not numbers" in msg
    else:
        assert f"got {bad.lstrip('+')}" in msg
        assert "finite number" in msg or "whole number" in msg


def test_format_true_is_not_format_1():
    problems = _problems(_with((4, "format = 1", "format = true")))
    assert [(ln, f) for ln, f, _ in problems] == [(4, "format")]
    assert "true and false are not numbers" in problems[0][2]


def test_whole_numbers_written_as_reals_are_still_read():
    sc = parse_scenario(_with((12, "= 90", "= 90.0"))).scenario
    assert sc.scenario.duration_minutes == 90


# --------------------------------------------------------------------------- one pass


def test_every_problem_of_a_file_in_one_run():
    text = _with((55, '"#1f77b4"', '"blue"'),           # a field check
                 (60, "0.4", "nan"),                    # a number
                 (62, "60", "true"),                    # a boolean
                 (139, '"monitoring"', '"monitorng"'))  # a rule across the file
    assert [(ln, f) for ln, f, _ in _problems(text)] == [
        (55, "roles[0].colour"), (60, "roles[0].batna"), (62, "roles[0].leverage"),
        (139, "linkages[0].from")]


def test_wrong_ids_in_a_list_are_named_once_each():
    # both parties of the proposal template misspelt: two lines, nothing about the list's size
    text = _with((170, '["upland", "lowland"]', '["uplnd", "lowlnd"]'))
    problems = _problems(text)
    assert [(ln, f) for ln, f, _ in problems] == [(170, "moves[0].parties[0]"),
                                                 (170, "moves[0].parties[1]")]
    assert all("unknown player role" in m for *_, m in problems)


def test_ids_that_break_the_pattern_are_not_reported_again_as_unknown():
    text = _with((170, '["upland", "lowland"]', '["Upland", "lowland"]'))
    problems = _problems(text)
    assert [(ln, f) for ln, f, _ in problems] == [(170, "moves[0].parties[0]")]
    assert "not a valid id" in problems[0][2]


def test_a_missing_list_is_reported_once_not_at_every_reference():
    start = _line_of(TEXT, "[[escalation.variables]]")
    end = _line_of(TEXT, "[[escalation.rungs]]")
    lines = LINES[:start - 1] + LINES[end - 1:]
    problems = _problems("\n".join(lines))
    assert [f for _, f, _ in problems] == ["escalation.variables"]


def test_field_and_rule_problems_together_sorted_by_line():
    text = _with((89, '"midland"', '"upland"'),  # duplicate role id (a rule)
                 (73, '"#d62728"', '"red"'))     # bad colour (a field)
    problems = _problems(text)
    assert [(ln, f) for ln, f, _ in problems] == [(73, "roles[1].colour"), (89, "roles[2].id")]


# --------------------------------------------------------------------------- line numbers


def test_table_headers_inside_multiline_strings_are_text():
    # multi-line strings that start inside an array, on lines of their own or after another
    # string, holding lines that look like headers and keys; then real mistakes further down
    fake = ('objectives = [\n  """\n[[roles]]\nid = "upland"\n[[issues]]\n""", \'\'\'\n'
            '[[moves]]\n\'\'\']')
    text = TEXT.replace('objectives = ["Fill the reservoir"]', fake, 1)
    shift = fake.count("\n")
    text = text.replace('colour = "#d62728"', 'colour = "red"', 1)
    text = text.replace('parties = ["upland", "lowland"]', 'parties = ["upland", "lowlnd"]', 1)
    assert [(ln, f) for ln, f, _ in _problems(text)] == [(73 + shift, "roles[1].colour"),
                                                        (170 + shift, "moves[0].parties[1]")]


def test_array_elements_and_inline_tables_have_their_own_lines():
    text = "k = [\n  1,\n  { a = 1, b = [2,\n 3] },\n  [\n\n 4, # four\n 5]\n]\n"
    m = line_map(text)
    assert m[("k",)] == 1 and m[("k", 0)] == 2 and m[("k", 1)] == 3
    assert m[("k", 1, "a")] == 3 and m[("k", 1, "b")] == 3
    assert m[("k", 1, "b", 1)] == 4
    assert m[("k", 2)] == 5 and m[("k", 2, 0)] == 7 and m[("k", 2, 1)] == 8


def test_every_kind_of_string_and_escape():
    text = ('a = "x\\"[[t]]\\\\"\nb = \'[[t]]\'\nc = """\n\\"""\n[[t]]\n"""\n'
            "d = '''\n[[t]]\n''''\n\"e.f\" = 1\n[[t]]\nx = 1\n")
    m = line_map(text)
    assert m[("a",)] == 1 and m[("b",)] == 2 and m[("c",)] == 3 and m[("d",)] == 7
    assert m[("e.f",)] == 10
    assert m[("t",)] == 11 and m[("t", 0)] == 11 and m[("t", 0, "x")] == 12


def test_long_whitespace_runs_are_read_once():
    # the shape that made the old line finder cubic: a header-like line of spaces inside a
    # string that starts in an array (the speed is in bench/bench_loader.py)
    fake = 'objectives = ["""\n[' + " " * 100_000 + 'x\n"""]'
    text = TEXT.replace('objectives = ["Fill the reservoir"]', fake, 1)
    assert parse_scenario(text).scenario.roles[0].objectives[0].startswith("[ ")


# --------------------------------------------------------------------------- nesting


def test_deep_arrays_are_refused_at_their_line():
    text = _with((13, 'sources = []', "sources = " + "[" * 5000 + "]" * 5000)) \
        if 'sources = []' in LINES[12] else TEXT.replace(
            'duration_minutes = 90', 'duration_minutes = 90\nsources = ' + "[" * 5000 + "]" * 5000, 1)
    problems = _problems(text)
    assert [(ln, f) for ln, f, _ in problems] == [(13, "scenario.sources")]
    assert f"nested more than {MAX_DEPTH} levels" in problems[0][2]


def test_deep_dotted_keys_are_refused():
    key = ".".join(["a"] * 100_000)
    problems = _problems(TEXT + f"\n[extra]\n{key} = 1\n")
    assert len(problems) == 1 and problems[0][0] == len(LINES) + 2
    assert problems[0][1] == "extra.a.a.a"
    assert "nested more than" in problems[0][2]


def test_deep_inline_tables_and_headers_are_refused():
    inline = "x = " + "{a = " * 3000 + "1" + "}" * 3000
    assert "nested more than" in _problems(TEXT + "\n" + inline + "\n")[0][2]
    header = "[" + ".".join(["t"] * 40) + "]"
    assert "nested more than" in _problems(TEXT + "\n" + header + "\n")[0][2]


def test_nesting_within_the_bound_is_fine_for_the_scanner():
    text = "x = " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert line_map(text)[("x",)] == 1


# --------------------------------------------------------------------------- output cap


def test_output_is_capped_with_a_count_of_the_rest():
    extra = "".join(f'\n[[linkages]]\nkind = "precondition"\nfrom = "x{k}"\nto = "release"\n'
                    for k in range(2000))
    with pytest.raises(ScenarioError) as info:
        parse_scenario(TEXT + extra, "s.toml")
    exc = info.value
    assert len(exc.problems) == 2000
    lines = str(exc).split("\n")
    assert len(lines) == MAX_SHOWN + 1 == len(exc.lines())
    assert re.fullmatch(r"s\.toml:\d+: \(file\): 1,950 more problem\(s\) from here on not shown.*",
                        lines[-1])
    assert len(str(exc)) < 200 * (MAX_SHOWN + 1)


def test_long_lists_of_ids_are_cut_in_messages():
    extra = "".join(f'\n[[issues]]\nid = "extra{k}"\nlabel = "E"\noptions = [{{id = "a", '
                    f'label = "A"}}, {{id = "b", label = "B"}}]\n' for k in range(300))
    problems = _problems(TEXT + extra)
    assert problems and all(len(m) < 500 for *_, m in problems)
    assert any("and 288 more" in m for *_, m in problems)


def test_control_characters_are_escaped_in_output():
    # a key the format does not know, spelt with an escape sequence (TOML allows \u001b)
    text = _with((7, 'id = "river_accord"', 'id = "river_accord"\n"\\u001b[2Jx" = 1'))
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "s.toml")
    assert "\x1b" in info.value.problems[0].dotted  # the data is kept as written ...
    out = str(info.value)
    assert "\x1b" not in out and "scenario.\\x1b[2Jx: unknown field" in out  # ... and shown escaped


# --------------------------------------------------------------------------- files


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match="named pipe"):
        read_scenario_text(fifo)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused_before_reading():
    with pytest.raises(ScenarioError, match="is a device"):
        read_scenario_text("/dev/zero")


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="is a folder"):
        read_scenario_text(tmp_path)


def test_the_size_cap_counts_bytes_read(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_BYTES", 64)
    ok = tmp_path / "ok.toml"
    ok.write_bytes(b"#" * 63 + b"\n")
    assert read_scenario_text(ok).startswith("#")
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * 64 + b"\n")
    with pytest.raises(ScenarioError, match="larger than 64 bytes"):
        read_scenario_text(big)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc")
def test_a_file_whose_size_the_file_system_understates_is_still_capped(monkeypatch):
    # files in /proc are regular files of size 0 that read as more than that
    proc = Path("/proc/self/status")
    assert stat.S_ISREG(proc.stat().st_mode) and proc.stat().st_size == 0
    monkeypatch.setattr(loader, "MAX_BYTES", 32)
    with pytest.raises(ScenarioError, match="larger than 32 bytes"):
        read_scenario_text(proc)


def test_text_handed_over_directly_is_capped_too(monkeypatch):
    monkeypatch.setattr(loader, "MAX_BYTES", 1000)
    with pytest.raises(ScenarioError, match="larger than 1,000 bytes"):
        parse_scenario(TEXT)


def test_the_good_fixture_still_loads():
    sc = load_scenario(RIVER).scenario
    assert sc.scenario.id == "river_accord" and len(sc.roles) == 4
