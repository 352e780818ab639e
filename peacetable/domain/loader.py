"""Read a scenario file: TOML text -> validated :class:`Scenario`, or a list of problems.

Loading never runs code from the file: TOML is parsed by the standard library's ``tomllib``
into plain data, which pydantic checks against the model. Every problem carries the field
path and, where it can be found, the line of the file that holds it.
"""

from __future__ import annotations

import math
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .scenario import FORMAT_VERSION, Problem, Scenario, cross_check

MAX_BYTES = 4 * 1024 * 1024
"""Largest scenario file, in bytes actually read (a scenario is rarely above 100 KB)."""

MAX_SHOWN = 50
"""Most problems printed for one file; a last line counts the rest."""

class ScenarioError(Exception):
    """A scenario that cannot be used; ``problems`` says why, one entry per problem.

    ``str()`` of the error (and :meth:`lines`) shows the first :data:`MAX_SHOWN` problems and
    then one line counting the rest, so a file with thousands of mistakes prints a page."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        out = [format_problem(self.source, p) for p in self.problems[:MAX_SHOWN]]
        rest = len(self.problems) - MAX_SHOWN
        if rest > 0:
            nxt = self.problems[MAX_SHOWN]
            out.append(format_problem(self.source, Problem(
                (), f"{rest:,} more problem(s) from here on not shown (the first {MAX_SHOWN} "
                    "are listed above; fix those and validate again)", nxt.line)))
        return out


# control characters (C0, DEL, C1), line/paragraph separators and bidirectional controls
# are shown escaped, so text from a file cannot move the cursor or recolour a terminal
_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_ESCAPES.update({c: f"\\u{c:04x}" for c in (0x2028, 0x2029, *range(0x202A, 0x202F),
                                              *range(0x2066, 0x206A))})


def printable(text: str) -> str:
    """``text`` with control characters escaped (``\\x1b``), safe to print on a terminal."""
    return text.translate(_ESCAPES)


def format_problem(source: str, p: Problem) -> str:
    line = p.line if p.line is not None else 1
    return printable(f"{source}:{line}: {p.dotted}: {p.message}")


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    text: str
    source: str


# --------------------------------------------------------------------------- line finder

MAX_DEPTH = 32
"""Deepest nesting of tables, inline tables, arrays and dotted-key parts a scenario may use
(the deepest path in a scenario the format describes is about a dozen levels)."""

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_BASIC_END = re.compile(r'["\\\n]')
_ML_BASIC_END = re.compile(r'"""|\\')
_SCALAR_END = re.compile(r"[,\]}\n#]")


class _TooDeep(Exception):
    def __init__(self, path: tuple, line: int):
        self.path = path
        self.line = line


class _Scanner:
    """One left-to-right pass over TOML text, in time linear in its length.

    Records the line of every table header, key and array element under the field path
    pydantic reports for it (array-of-tables and array elements by index). Strings of every
    kind (multi-line ones included) are skipped as strings, so text inside them never counts
    as a header or key. Runs on text ``tomllib`` has accepted (for line numbers) and, before
    that, on any text (to bound its nesting): on malformed text it never loops or raises
    anything but :class:`_TooDeep`; its line numbers are then only a best effort.
    """

    def __init__(self, text: str, max_depth: int = MAX_DEPTH):
        self.t = text
        self.i = 0
        self.n = 1
        self.max_depth = max_depth
        self.lines: dict[tuple, int] = {}
        self.counters: dict[tuple, int] = {}
        self.arrays: set[tuple] = set()

    # ---------------------------------------------------------------- low level
    def _advance_to(self, j: int) -> None:
        j = min(max(j, self.i), len(self.t))
        self.n += self.t.count("\n", self.i, j)
        self.i = j

    def _skip_ws(self, newlines: bool) -> None:
        t, i, end = self.t, self.i, len(self.t)
        while i < end:
            ch = t[i]
            if ch in " \t\r":
                i += 1
            elif ch == "\n" and newlines:
                self.n += 1
                i += 1
            elif ch == "#":
                j = t.find("\n", i)
                i = end if j < 0 else j
            else:
                break
        self.i = i

    def _skip_line(self) -> None:
        j = self.t.find("\n", self.i)
        self._advance_to(len(self.t) if j < 0 else j)

    def _string(self, decode: bool = False) -> str:
        """Skip a string of any kind at self.i; with ``decode``, return the value of a
        single-line string (for quoted keys)."""
        t = self.t
        if t.startswith('"""', self.i):
            j = self.i + 3
            while True:
                m = _ML_BASIC_END.search(t, j)
                if m is None:
                    self._advance_to(len(t))
                    return ""
                if m.group() == "\\":
                    j = m.end() + 1
                    continue
                k = m.end()
                extra = 0
                while extra < 2 and k < len(t) and t[k] == '"':
                    k += 1
                    extra += 1
                self._advance_to(k)
                return ""
        if t.startswith("'''", self.i):
            j = t.find("'''", self.i + 3)
            if j < 0:
                self._advance_to(len(t))
                return ""
            k = j + 3
            extra = 0
            while extra < 2 and k < len(t) and t[k] == "'":
                k += 1
                extra += 1
            self._advance_to(k)
            return ""
        if t[self.i] == "'":
            j = self.i + 1
            k = t.find("'", j)
            nl = t.find("\n", j)
            if k < 0 or (0 <= nl < k):
                self._advance_to(len(t) if nl < 0 else nl)
                return t[j:self.i]
            self._advance_to(k + 1)
            return t[j:k]
        # basic string
        j = self.i + 1
        start = j
        while True:
            m = _BASIC_END.search(t, j)
            if m is None or m.group() == "\n":
                stop = len(t) if m is None else m.start()
                self._advance_to(stop)
                return t[start:stop]
            if m.group() == "\\":
                j = m.end() + 1
                continue
            self._advance_to(m.end())
            raw = t[start:m.start()]
            if decode and "\\" in raw:
                try:
                    return tomllib.loads(f'k = "{raw}"')["k"]
                except tomllib.TOMLDecodeError:
                    return raw
            return raw

    def _key(self, base: tuple = ()) -> list[str]:
        """A (dotted) key at self.i; stops before '=' / ']' / anything else. ``base``: the
        path the key extends (for the message when it is too deep)."""
        t, end = self.t, len(self.t)
        parts: list[str] = []
        while self.i < end:
            self._skip_ws(False)
            if self.i >= end:
                break
            ch = t[self.i]
            if ch in "\"'":
                parts.append(self._string(decode=True))
            elif ch in _BARE:
                j = self.i
                while j < end and t[j] in _BARE:
                    j += 1
                parts.append(t[self.i:j])
                self.i = j
            else:
                break
            if len(parts) > self.max_depth:
                raise _TooDeep(base + tuple(parts), self.n)
            self._skip_ws(False)
            if self.i < end and t[self.i] == ".":
                self.i += 1
                continue
            break
        return parts

    def _note(self, path: tuple) -> None:
        if sum(1 for p in path if isinstance(p, str)) > self.max_depth:
            raise _TooDeep(path, self.n)
        self.lines.setdefault(path, self.n)

    # ---------------------------------------------------------------- structure
    def scan(self) -> dict[tuple, int]:
        t, end = self.t, len(self.t)
        table: tuple = ()
        while True:
            self._skip_ws(True)
            if self.i >= end:
                return self.lines
            ch = t[self.i]
            if ch == "[":
                double = t.startswith("[[", self.i)
                self.i += 2 if double else 1
                names = self._key()
                self._skip_ws(False)
                if t.startswith("]]" if double else "]", self.i):
                    self.i += 2 if double else 1
                path: list = []
                for k, name in enumerate(names):
                    path.append(name)
                    if tuple(path) in self.arrays and k < len(names) - 1:
                        path.append(self.counters[tuple(path)])
                key = tuple(path)
                if double:
                    self.arrays.add(key)
                    self.counters[key] = self.counters.get(key, -1) + 1
                    self._note(key)
                    key = key + (self.counters[key],)
                self._note(key)
                table = key
                self._skip_line()
                continue
            if ch in _BARE or ch in "\"'":
                start = self.i
                names = self._key(table)
                if self.i < end and t[self.i] == "=":
                    self.i += 1
                    self._value(table + tuple(names))
                elif self.i == start:
                    self.i += 1
                self._skip_line()
                continue
            self._skip_line()  # not TOML here; the parser reports it

    def _value(self, path: tuple) -> None:
        """Skip one value (of any depth, without recursion), noting the lines of its parts."""
        t, end = self.t, len(self.t)
        self._note(path)
        # stack frames: [kind, path, next index]; kind "a" (array) or "t" (inline table)
        stack: list[list] = []
        expect_value = True
        cur = path
        while True:
            if expect_value:
                self._skip_ws(bool(stack) and stack[-1][0] == "a")
                if self.i >= end:
                    return
                ch = t[self.i]
                if ch == "[":
                    if len(stack) >= self.max_depth:
                        raise _TooDeep(cur, self.n)
                    self.i += 1
                    stack.append(["a", cur, 0])
                    self._skip_ws(True)
                    if self.i < end and t[self.i] == "]":
                        self.i += 1
                        stack.pop()
                        expect_value = False
                        continue
                    cur = cur + (0,)
                    self._note(cur)
                    continue
                if ch == "{":
                    if len(stack) >= self.max_depth:
                        raise _TooDeep(cur, self.n)
                    self.i += 1
                    stack.append(["t", cur, 0])
                    self._skip_ws(False)
                    if self.i < end and t[self.i] == "}":
                        self.i += 1
                        stack.pop()
                        expect_value = False
                        continue
                    cur = self._inline_key(cur)
                    if cur is None:
                        return
                    continue
                if ch in "\"'":
                    self._string()
                else:
                    m = _SCALAR_END.search(t, self.i)
                    j = end if m is None else m.start()
                    if j == self.i:  # nothing here (malformed): let the parser say so
                        return
                    self.i = j
                expect_value = False
                continue
            # after a value: a separator or a closing bracket
            if not stack:
                return
            kind, base, idx = stack[-1]
            self._skip_ws(kind == "a")
            if self.i >= end:
                return
            ch = t[self.i]
            if ch == ",":
                self.i += 1
                if kind == "a":
                    self._skip_ws(True)
                    if self.i < end and t[self.i] == "]":
                        continue  # trailing comma; the ']' closes the array next turn
                    stack[-1][2] = idx + 1
                    cur = base + (idx + 1,)
                    self._note(cur)
                    expect_value = True
                else:
                    cur = self._inline_key(base)
                    if cur is None:
                        return
                    expect_value = True
                continue
            if (ch == "]" and kind == "a") or (ch == "}" and kind == "t"):
                self.i += 1
                stack.pop()
                cur = base
                continue
            return  # malformed: the parser reports it

    def _inline_key(self, base: tuple) -> tuple | None:
        names = self._key(base)
        if not names or self.i >= len(self.t) or self.t[self.i] != "=":
            return None
        self.i += 1
        path = base + tuple(names)
        self._note(path)
        return path


def line_map(text: str) -> dict[tuple, int]:
    """Map field paths (as pydantic reports them) to 1-based line numbers, in time linear in
    the length of the text. Raises :class:`ValueError` when the text nests deeper than
    :data:`MAX_DEPTH` (see :func:`parse_scenario` for the message a user sees)."""
    try:
        return _Scanner(text).scan()
    except _TooDeep as exc:
        raise ValueError(f"nested too deeply at line {exc.line}") from None


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
    if isinstance(got, bool):
        shown = "true" if got else "false"  # as TOML writes it
    elif isinstance(got, float) and not math.isfinite(got):
        shown = str(got)  # nan, inf, -inf
    elif isinstance(got, dict):
        shown = "a table"
    elif isinstance(got, (list, tuple)):
        shown = "a list"
    else:
        shown = repr(got)
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
    if kind == "finite_number":
        return f"got {shown} (expected a finite number; nan and inf are not numbers here)"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        want = "a whole number" if kind.startswith("int") else "a number"
        if isinstance(got, bool):
            want += "; true and false are not numbers"
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
    data, lines = read_toml(text, source)
    return validate_data(data, lines, text, source)


def read_toml(text: str, source: str = "<scenario>") -> tuple[dict[str, Any], dict[tuple, int]]:
    """The first half of :func:`parse_scenario`: the size and nesting bounds and the TOML
    parse. Returns the data and the map of field paths to lines (for
    :func:`validate_data`); raises :class:`ScenarioError` for text that is not TOML or
    exceeds the bounds."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ScenarioError(source, [Problem((), f"text is larger than {MAX_BYTES:,} bytes (a "
                                                 f"scenario is at most {MAX_BYTES:,} bytes)")])
    # one linear pass first: it bounds the nesting before the parser recurses into it, and
    # maps field paths to lines
    try:
        lines = _Scanner(text).scan()
    except _TooDeep as exc:
        head: list = []
        for part in exc.path:
            if not isinstance(part, str) or len(head) == 4:
                break
            head.append(part)
        raise ScenarioError(source, [Problem(tuple(head), f"nested more than {MAX_DEPTH} levels "
                                             "deep (a scenario nests tables, lists and dotted "
                                             f"keys at most {MAX_DEPTH} levels)", exc.line)]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, [toml_problem(exc)]) from None
    return data, lines


def toml_problem(exc: tomllib.TOMLDecodeError, first_line: int = 1) -> Problem:
    """The problem of text ``tomllib`` refused (``first_line``: the line of the file the
    parsed text starts on), with the line and column it names."""
    msg = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    line = int(m.group(1)) + first_line - 1 if m else None
    detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
    if m:
        detail += f" at column {m.group(2)}"
    return Problem((), f"not valid TOML: {detail} "
                       "(expected TOML text; see docs/scenario-format.md)", line)


def validate_data(data: dict[str, Any], lines: dict[tuple, int], text: str,
                  source: str = "<scenario>") -> LoadedScenario:
    """The second half of :func:`parse_scenario`: the field checks and the rules across the
    file on ``data`` (what :func:`read_toml` made of ``text``; ``lines`` locates the
    problems). Raises :class:`ScenarioError` listing every problem."""
    fmt = data.get("format")
    if fmt is not None and fmt != FORMAT_VERSION and isinstance(fmt, int) and fmt > FORMAT_VERSION:
        raise ScenarioError(source, [Problem(("format",), f"format {fmt} is newer than this "
                                             f"PeaceTable understands (expected {FORMAT_VERSION}); "
                                             "update PeaceTable", locate(lines, ("format",)))])
    scenario = None
    problems: list[Problem] = []
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            path = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            # pydantic names union branches / tagged members in the path; drop those words
            path = tuple(p for p in path if p not in ("constrained-str", "float", "int"))
            problems.append(Problem(path, _describe_pydantic(err), locate(lines, path) or 1))
    # the rules across parts of the file run on the data as written, whatever the field
    # checks found, so one run reports every problem; they skip what those already reported
    reported = [p.path for p in problems]
    problems += [Problem(p.path, p.message, locate(lines, p.path) or 1)
                 for p in cross_check(data, reported)]
    if problems or scenario is None:
        raise ScenarioError(source, _sorted(problems))
    return LoadedScenario(scenario, text, source)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.dotted))


_NONBLOCK = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def _not_regular(src: str, mode: int) -> ScenarioError:
    if stat.S_ISDIR(mode):
        return ScenarioError(src, [Problem((), "is a folder (expected a scenario .toml file)")])
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
            "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    return ScenarioError(src, [Problem((), f"is {kind}, not a file (expected a scenario .toml "
                                           "file)")])


def _read_capped(path: str | Path, src: str) -> bytes:
    """The bytes of a regular file, refusing anything else before reading from it, and
    reading at most MAX_BYTES + 1 bytes (whatever the file system says its size is)."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise _not_regular(src, mode)
    fd = os.open(path, os.O_RDONLY | _NONBLOCK)  # non-blocking: a FIFO swapped in cannot hang
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(src, mode)
        chunks: list[bytes] = []
        got = 0
        while got <= MAX_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    finally:
        os.close(fd)
    if got > MAX_BYTES:
        raise ScenarioError(src, [Problem((), f"file is larger than {MAX_BYTES:,} bytes (a "
                                              f"scenario is at most {MAX_BYTES:,} bytes)")])
    return b"".join(chunks)


def read_scenario_text(path: str | Path) -> str:
    """Read a scenario file as UTF-8 text, with a clear error for anything else."""
    src = str(path)
    try:
        raw = _read_capped(path, src)
    except FileNotFoundError:
        raise ScenarioError(src, [Problem((), "no such file (expected a scenario .toml file)")]) from None
    except IsADirectoryError:
        raise ScenarioError(src, [Problem((), "is a folder (expected a scenario .toml file)")]) from None
    except PermissionError:
        raise ScenarioError(src, [Problem((), "cannot be read: permission denied")]) from None
    except OSError as exc:
        raise ScenarioError(src, [Problem((), f"cannot be read: {exc.strerror or exc}")]) from None
    except ValueError as exc:  # e.g. a NUL character in the path
        raise ScenarioError(src, [Problem((), f"cannot be read: {exc}")]) from None
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
