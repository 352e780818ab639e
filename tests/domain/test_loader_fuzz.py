"""Fuzz the scenario loader with TOML-ish text: it answers every input quickly, with a
scenario or a :class:`ScenarioError` whose lines are real lines of the text.

Each example has a time bound (hypothesis ``deadline``): an input shape that makes the
loader slow (a long run of spaces, a deep key, a huge array) fails the test with that input.
The bound is generous for a loaded machine; the old line finder took 37 s on 2,000 spaces.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peacetable.domain.loader import MAX_SHOWN, ScenarioError, line_map, parse_scenario

RIVER = (Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "river-accord.toml")
LINES = RIVER.read_text(encoding="utf-8").split("\n")

names = st.sampled_from(["roles", "issues", "moves", "phases", "injects", "linkages",
                         "escalation", "scenario", "options", "weights", "id", "x",
                         '"quoted key"', "'lit'", "a-b_c"])
spaces = st.integers(0, 30_000).map(lambda n: " " * n)
tabs = st.integers(0, 2000).map(lambda n: "\t" * n)
scalars = st.sampled_from(["1", "0.5", "-3", "nan", "inf", "-inf", "true", "false",
                           "1979-05-27", '"x"', "'y'", '""', "1e999", "0x1f"])


@st.composite
def dotted(draw) -> str:
    return ".".join(draw(st.lists(names, min_size=1, max_size=draw(st.sampled_from([3, 40, 400])))))


@st.composite
def ml_string(draw) -> str:
    q = draw(st.sampled_from(['"""', "'''"]))
    body = draw(st.lists(st.one_of(spaces, tabs, st.sampled_from(
        ["[[roles]]", "[issues]", 'id = "x"', "\\", '\\"""', '""', "''", "\n", "#", "[", "]"]),
        st.text(max_size=20)), max_size=12))
    close = draw(st.sampled_from([q, q + q[0], q + q[0] * 2, ""]))  # sometimes unclosed
    return q + "".join(body) + close


@st.composite
def values(draw) -> str:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(scalars)
    if kind == 1:
        return draw(ml_string())
    if kind == 2:  # a huge flat array
        n = draw(st.sampled_from([10, 1000, 20_000]))
        return "[" + ", ".join([draw(scalars)] * n) + "]"
    if kind == 3:  # nesting, balanced or not
        d = draw(st.integers(1, 3000))
        close = draw(st.integers(0, d))
        return "[" * d + draw(scalars) + "]" * close
    if kind == 4:
        d = draw(st.integers(1, 200))
        return "{ a = " * d + draw(scalars) + " }" * d
    return draw(st.text(alphabet='[]{}"\'#=.,\\ \t\nabc1', max_size=200))


@st.composite
def fragment(draw) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.sampled_from(["[", "[["])) + draw(dotted()) + draw(st.sampled_from(["]", "]]", ""]))
    if kind == 1:
        return draw(dotted()) + draw(spaces) + "=" + draw(spaces) + draw(values())
    if kind == 2:
        return draw(spaces) + draw(st.sampled_from(["#", "", "["])) + draw(spaces) + "x"
    return draw(st.text(max_size=50))


@st.composite
def documents(draw) -> str:
    """The river fixture with fragments inserted at random lines, or fragments alone."""
    frags = draw(st.lists(fragment(), min_size=1, max_size=6))
    if draw(st.booleans()):
        lines = list(LINES)
        for f in frags:
            lines.insert(draw(st.integers(0, len(lines))), f)
        return "\n".join(lines)
    return "\n".join(frags)


FUZZ = settings(max_examples=80, deadline=timedelta(seconds=3),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])


@FUZZ
@given(documents())
def test_loader_answers_every_text_quickly(text):
    n_lines = text.count("\n") + 1
    try:
        parse_scenario(text, "fuzz.toml")
    except ScenarioError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.line is None or 1 <= p.line <= n_lines, (p, n_lines)
        out = str(exc).split("\n")
        assert len(out) <= MAX_SHOWN + 1
        assert all(line.startswith("fuzz.toml:") for line in out)


@FUZZ
@given(documents())
def test_line_map_on_any_text_returns_lines_of_the_text_or_says_too_deep(text):
    n_lines = text.count("\n") + 1
    try:
        lines = line_map(text)
    except ValueError as exc:
        assert "nested too deeply" in str(exc)
        return
    assert all(1 <= n <= n_lines for n in lines.values())
