"""Read a scenario file: TOML text -> validated :class:`Scenario`, or a list of problems.

Loading never runs code from the file: TOML is parsed by the standard library's ``tomllib``
into plain data, which pydantic checks against the model. Every problem carries the field
path and, where it can be found, the line of the file that holds it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .scenario import FORMAT_VERSION, Problem, Scenario, cross_check

MAX_BYTES = 4 * 1024 * 1024


class ScenarioError(Exception):
    """A scenario that cannot be used; ``problems`` says why, one entry per problem."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(format_problem(source, p) for p in problems))


def format_problem(source: str, p: Problem) -> str:
    line = p.line if p.line is not None else 1
    return f"{source}:{line}: {p.dotted}: {p.message}"


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    text: str
    source: str


# --------------------------------------------------------------------------- line finder

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*(\]\]?)\s*(#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")


def _split_key(key: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", key)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def line_map(text: str) -> dict[tuple, int]:
    """Map field paths (as pydantic reports them) to 1-based line numbers.

    A light scanner of TOML's line structure, good for the files people write: table
    headers, arrays of tables and ``key = value`` lines; values on one line (inline
    tables, arrays) are attributed to their key's line.
    """
    lines: dict[tuple, int] = {}
    counters: dict[tuple, int] = {}
    arrays: set[tuple] = set()
    table: tuple = ()
    in_multiline: str | None = None
    # TOML lines end at \n only (str.splitlines would also split at U+2028 and friends)
    for n, raw in enumerate(text.split("\n"), start=1):
        raw = raw.removesuffix("\r")
        if in_multiline:
            if raw.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        m = _HEADER.match(raw)
        if m and not _KEY.match(raw):
            names = _split_key(m.group(2))
            path: list = []
            for k, name in enumerate(names):
                path.append(name)
                if tuple(path) in arrays and k < len(names) - 1:
                    path.append(counters[tuple(path)])
            key = tuple(path)
            if m.group(1) == "[[":
                arrays.add(key)
                counters[key] = counters.get(key, -1) + 1
                lines.setdefault(key, n)
                key = key + (counters[key],)
            lines.setdefault(key, n)
            table = key
            continue
        m = _KEY.match(raw)
        if m:
            key = table + tuple(_split_key(m.group(1)))
            lines.setdefault(key, n)
            rest = _strip_comment(raw[m.end():])
            for q in ('"""', "'''"):
                if rest.count(q) % 2 == 1:
                    in_multiline = q
    return lines


def _strip_comment(rest: str) -> str:
    """The value part of a line without a trailing comment (a # outside quotes)."""
    quote = None
    k = 0
    while k < len(rest):
        ch = rest[k]
        if quote:
            if rest.startswith(quote, k):
                k += len(quote)
                quote = None
                continue
            if ch == "\\" and quote in ('"', '"""'):
                k += 2
                continue
        elif rest.startswith(('"""', "'''"), k):
            quote = rest[k:k + 3]
            k += 3
            continue
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return rest[:k]
        k += 1
    return rest


def locate(lines: dict[tuple, int], path: tuple) -> int | None:
    for k in range(len(path), 0, -1):
        hit = lines.get(tuple(path[:k]))
        if hit is not None:
            return hit
    return None


# --------------------------------------------------------------------------- messages


def _describe_pydantic(err: dict) -> str:
    kind = err.get("type", "")
    got = err.get("input")
    shown = repr(got) if not isinstance(got, (dict, list)) else type(got).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "missing (this field is required)"
    if kind == "extra_forbidden":
        return "unknown field (not part of the scenario format; check the spelling)"
    if kind == "string_pattern_mismatch" and "#" in str(ctx.get("pattern", "")):
        return f"{shown} is not a colour (expected #rrggbb, e.g. #1f77b4)"
    if kind == "string_pattern_mismatch":
        return (f"{shown} is not a valid id (expected lowercase letters, digits and _, "
                "starting with a letter)")
    if kind == "literal_error":
        return f"{shown} is not allowed (expected {ctx.get('expected', 'one of the listed values')})"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        want = "a whole number" if kind.startswith("int") else "a number"
        return f"got {shown} (expected {want})"
    if kind in ("string_type",):
        return f"got {shown} (expected text)"
    if kind in ("bool_type", "bool_parsing"):
        return f"got {shown} (expected true or false)"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"got {shown} (expected a table)"
    if kind in ("tuple_type", "list_type"):
        return f"got {shown} (expected a list)"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return f"got {shown} ({err['msg'].lower()})"
    if kind == "too_short" and ctx.get("min_length") is not None:
        return (f"has {ctx.get('actual_length', 'too few')} item(s) (expected at least "
                f"{ctx['min_length']})")
    if kind in ("too_short", "string_too_short"):
        return f"too short ({err['msg'].lower()})"
    if kind in ("too_long", "string_too_long"):
        return f"too long ({err['msg'].lower()})"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return f"{err['msg']} (got {shown})"


# --------------------------------------------------------------------------- entry points


def parse_scenario(text: str, source: str = "<scenario>") -> LoadedScenario:
    """Validate scenario text; raise :class:`ScenarioError` listing every problem found."""
    try:
        return _parse(text, source)
    except RecursionError:
        raise ScenarioError(source, [Problem((), "values are nested too deeply (a scenario "
                                             "nests tables and lists a few levels at most)")]) from None


def _parse(text: str, source: str) -> LoadedScenario:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = int(m.group(1)) if m else None
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
        if m:
            detail += f" at column {m.group(2)}"
        raise ScenarioError(source, [Problem((), f"not valid TOML: {detail} "
                                             "(expected TOML text; see docs/scenario-format.md)", line)]) from None
    lines = line_map(text)
    fmt = data.get("format")
    if fmt is not None and fmt != FORMAT_VERSION and isinstance(fmt, int) and fmt > FORMAT_VERSION:
        raise ScenarioError(source, [Problem(("format",), f"format {fmt} is newer than this "
                                             f"PeaceTable understands (expected {FORMAT_VERSION}); "
                                             "update PeaceTable", locate(lines, ("format",)))])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            path = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            # pydantic names union branches / tagged members in the path; drop those words
            path = tuple(p for p in path if p not in ("constrained-str", "float", "int"))
            problems.append(Problem(path, _describe_pydantic(err), locate(lines, path) or 1))
        raise ScenarioError(source, _sorted(problems)) from None
    problems = [Problem(p.path, p.message, locate(lines, p.path) or 1) for p in cross_check(scenario)]
    if problems:
        raise ScenarioError(source, _sorted(problems))
    return LoadedScenario(scenario, text, source)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.dotted))


def read_scenario_text(path: str | Path) -> str:
    """Read a scenario file as UTF-8 text, with a clear error for anything else."""
    p = Path(path)
    src = str(path)
    try:
        if p.is_dir():
            raise ScenarioError(src, [Problem((), "is a folder (expected a scenario .toml file)")])
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ScenarioError(src, [Problem((), f"file is {size:,} bytes (a scenario is at most "
                                                  f"{MAX_BYTES:,} bytes)")])
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(src, [Problem((), "no such file (expected a scenario .toml file)")]) from None
    except PermissionError:
        raise ScenarioError(src, [Problem((), "cannot be read: permission denied")]) from None
    except OSError as exc:
        raise ScenarioError(src, [Problem((), f"cannot be read: {exc.strerror or exc}")]) from None
    if raw.startswith(b"SQLite format 3\x00"):
        raise ScenarioError(src, [Problem((), "is an SQLite file, not a scenario (to open a session "
                                              "use 'peacetable info' or the app)")])
    if b"\x00" in raw:
        raise ScenarioError(src, [Problem((), "is a binary file (expected UTF-8 TOML text)")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(src, [Problem((), f"is not UTF-8 text (bad byte at offset {exc.start}; "
                                              "expected UTF-8 TOML)", line)]) from None
    if not text.strip():
        raise ScenarioError(src, [Problem((), "is empty (expected a scenario; see "
                                              "docs/scenario-format.md)")])
    return text


def load_scenario(path: str | Path) -> LoadedScenario:
    return parse_scenario(read_scenario_text(path), str(path))
