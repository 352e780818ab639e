"""The scenario workbench's logic: scenario text in, problems and previews out (no Qt).

An author edits a scenario's TOML text in the app. After each pause in typing the window
asks :func:`check_text` for every problem of the text at once (the loader's one-pass
validation: field path, message, line) and, when there is none, for a
:class:`ScenarioPreview` — what the linkage network draws, read the way a session's view is
read (``view(viewer)``) from the scenario's starting state, so the network widget needs
nothing of its own. The bargaining analysis (:func:`analysis_preview`: Nash and
Kalai–Smorodinsky points, the ZOPA overall and per issue, and the text of
``peacetable analyze``) is heavier; :class:`LiveAnalysis` runs it on one worker thread,
newest request first, and refuses a space too large to analyse while someone types.

:class:`ScenarioDocument` reads and saves the file: a bundled exercise is never written
(saving it asks for a copy of one's own), and a save replaces the file atomically.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import gc
import math
import os
import re
import stat
import sys
import tempfile
import threading
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain.loader import (
    MAX_BYTES,
    ScenarioError,
    parse_scenario,
    read_scenario_text,
    read_toml,
    toml_problem,
    validate_data,
)
from ..domain.scenario import Problem, Scenario
from ..domain.state import initial_state
from ..domain.views import view_state
from .start import bundled_scenarios, default_session_folder

__all__ = [
    "LIVE_PREVIEW_PACKAGES", "AnalysisPreview", "BundledScenarioError", "Check", "IssueZopa",
    "LiveAnalysis", "PointPreview", "ScenarioDocument", "ScenarioPreview", "TextChecker",
    "analysis_preview", "check_text", "is_bundled", "suggest_copy_path",
]

LIVE_PREVIEW_PACKAGES = 1 << 23
"""Largest package space (product of the option counts) analysed while the author types:
8,388,608 packages, about a second of work on one core. Above it the preview says to run
``peacetable analyze``, which has no such limit."""

MAX_LISTED_PROBLEMS = 500
"""Most problems the window lists for one text (a last entry counts the rest)."""


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class Check:
    """What the loader says about one text: every problem (sorted by line), or the
    scenario when there is none."""

    problems: tuple[Problem, ...]
    scenario: Scenario | None

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.problems

    def problem_lines(self) -> dict[int, list[str]]:
        """Line number -> the messages of the problems on it (for markers in the gutter)."""
        out: dict[int, list[str]] = {}
        for p in self.problems:
            out.setdefault(p.line or 1, []).append(f"{p.dotted}: {p.message}")
        return out

    def summary(self) -> str:
        """One line for a status bar: "Valid: 5 roles, 12 issues …" or "3 problems"."""
        if self.ok:
            sc = self.scenario
            assert sc is not None
            return (f"Valid: {len(sc.roles)} roles, {len(sc.issues)} issues, "
                    f"{len(sc.linkages)} linkages, {len(sc.phases)} phases")
        n = len(self.problems)
        return f"{n:,} problem{'s' if n != 1 else ''}"


def check_text(text: str, source: str = "<scenario>") -> Check:
    """Validate ``text`` in one pass: every problem with its line, or the scenario."""
    try:
        loaded = parse_scenario(text, source)
    except ScenarioError as exc:
        return Check(tuple(exc.problems), None)
    return Check((), loaded.scenario)


_SCALARS = (str, bool, int, float, _dt.date, _dt.time)  # (datetime is a date)


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix of ``a`` and ``b`` (by halving: the
    comparisons run in C)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:len(a) - lo] == b[len(b) - mid:len(b) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _one_key(snippet: str) -> tuple[str, Any] | None:
    """(key, value) when ``snippet`` alone is one TOML ``key = value`` (comments and blank
    lines around it allowed) with a plain key and a scalar value (a string of any kind,
    number, boolean, date or time), else None."""
    try:
        d = tomllib.loads(snippet)
    except tomllib.TOMLDecodeError:
        return None
    if len(d) != 1:
        return None
    ((k, v),) = d.items()
    return (k, v) if isinstance(v, _SCALARS) else None


class _Base:
    """A text that parsed as TOML: its data, the lines of its field paths (the loader's
    scan), and the lines on which a path starts, in order."""

    def __init__(self, text: str, data: dict[str, Any], lines: dict[tuple, int]):
        self.text = text
        self.data = data
        self.lines = lines
        self._at_line: dict[int, list[tuple]] | None = None
        self._noted: list[int] | None = None

    def paths_at(self, line: int) -> list[tuple]:
        if self._at_line is None:
            at: dict[int, list[tuple]] = {}
            for path, n in self.lines.items():
                at.setdefault(n, []).append(path)
            self._at_line = at
            self._noted = sorted(at)
        return self._at_line.get(line, [])

    def statement(self, line: int) -> tuple[int, int | None]:
        """(K, N): the last line at or before ``line`` where a path starts, and the next
        such line after it (None: none); (0, None) when no path starts before it."""
        self.paths_at(0)
        noted = self._noted
        assert noted is not None
        k = bisect.bisect_right(noted, line)
        if k == 0:
            return 0, None
        return noted[k - 1], (noted[k] if k < len(noted) else None)


def _line_start(text: str, pos: int, back: int) -> int:
    """Offset of the start of the line ``back`` lines above the one holding ``pos``."""
    start = text.rfind("\n", 0, pos) + 1
    for _ in range(back):
        start = text.rfind("\n", 0, start - 1) + 1
    return start


def _line_after(text: str, pos: int, ahead: int) -> int:
    """Offset of the start of the line ``ahead`` lines below the one holding ``pos``."""
    for _ in range(ahead):
        pos = text.index("\n", pos) + 1
    return pos


class TextChecker:
    """:func:`check_text` that remembers the last text that parsed as TOML, so that an edit
    within one ``key = value`` statement (the value a string of any kind — a multi-line
    brief too —, number, boolean or date, before and after; the key the same or renamed)
    is checked without parsing the whole text again: the statement alone is parsed, the
    value (or key) put in place in the data, the lines after it moved by the lines it
    gained or lost, and the field checks and the rules across the file run on the data as
    always (the :func:`~peacetable.domain.loader.validate_data` the loader runs, so the
    problems and their lines are the ones a whole parse gives). Anything else — a
    statement that no longer is one such, an edit across statements, a table header, an
    array — is parsed whole. Safe to call from several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._base: _Base | None = None

    def check(self, text: str, source: str = "<scenario>") -> Check:
        with self._lock:
            base = self._base
        quick = self._edited(base, text) if base is not None else None
        if isinstance(quick, Check):  # the edit broke its statement: the text is not TOML
            return quick
        if quick is None:
            try:
                data, lines = read_toml(text, source)
            except ScenarioError as exc:
                return Check(tuple(exc.problems), None)
            quick = _Base(text, data, lines)
        with self._lock:
            self._base = quick
        try:
            loaded = validate_data(quick.data, quick.lines, text, source)
        except ScenarioError as exc:
            return Check(tuple(exc.problems), None)
        return Check((), loaded.scenario)

    @staticmethod
    def _edited(base: _Base, text: str) -> _Base | Check | None:  # noqa: C901 (one walk)
        """``text`` as an edit of ``base`` within one ``key = value`` statement; the check
        of a text that edit made invalid TOML (see :meth:`_broken`); or None."""
        old = base.text
        if text == old:
            return base
        if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            return None
        p = _common_prefix(old, text)
        q = _common_suffix(old, text, min(len(old), len(text)) - p)
        # the statement around the edit: from the line where the last path before it
        # starts, to the line where the next one starts (its comments and blank lines
        # with it; a path starts on every key, table header and array element line)
        at_line = old.count("\n", 0, p) + 1
        first, nxt = base.statement(at_line)
        if not first:
            return None
        start = _line_start(old, p, at_line - first)
        end = len(old) if nxt is None else _line_after(old, start, nxt - first)
        # the edit must leave the newline before the next statement as it was
        if nxt is not None and len(old) - q >= end:
            return None
        delta = len(text) - len(old)
        old_part, new_part = old[start:end], text[start:end + delta]
        was = _one_key(old_part)
        if was is None:
            return None
        at = base.paths_at(first)
        if len(at) != 1 or at[0][-1] != was[0]:
            return None
        now = _one_key(new_part)
        if now is None:
            return TextChecker._broken(old, text, start, p, q, new_part, first)
        path = at[0]
        # the data along the path, copied (the base keeps its own)
        data = dict(base.data)
        node: Any = data
        for part in path[:-1]:
            try:
                child = node[part]
            except (KeyError, IndexError, TypeError):
                return None
            if isinstance(child, dict):
                child = dict(child)
            elif isinstance(child, list):
                child = list(child)
            else:
                return None
            node[part] = child
            node = child
        if not isinstance(node, dict) or was[0] not in node:
            return None
        current = node[was[0]]
        if type(current) is not type(was[1]) or current != was[1]:
            return None
        lines = base.lines
        if now[0] == was[0]:
            node[was[0]] = now[1]
        else:  # the key renamed: in its place, unless the table has that key already
            new_path = path[:-1] + (now[0],)
            if now[0] in node or new_path in lines:
                return None
            items = [(now[0], now[1]) if k == was[0] else (k, v) for k, v in node.items()]
            node.clear()
            node.update(items)
            lines = {new_path if k == path else k: v for k, v in lines.items()}
        moved = new_part.count("\n") - old_part.count("\n")
        if moved:  # the statement gained or lost lines: every later path moves with it
            lines = {k: (v + moved if v > first else v) for k, v in lines.items()}
        edited = _Base(text, data, lines)
        if lines is base.lines:  # the same lines: the same index of them
            edited._at_line, edited._noted = base._at_line, base._noted
        return edited

    @staticmethod
    def _broken(old: str, text: str, start: int, p: int, q: int, new_part: str,
                first: int) -> Check | None:
        """The check of ``text`` when the edit of the statement starting at ``start`` (line
        ``first``) made it fail to parse alone: the same problem a whole parse reports, when
        that is sure — the edit is in the value (after the key and its ``=``) and touches no
        character that opens or closes a string, array, table or comment, or nests a key
        (so the text before and after the statement reads as it did), and the parser
        stops inside the statement, not at its end (where the text after it would have
        been read on). Else None (parse whole)."""
        changed = old[p:len(old) - q] + text[p:len(text) - q]
        if any(ch in changed for ch in "\"'[]{}#=\\.\n\r"):
            return None
        head = old[start:p]
        if "=" not in head:
            return None
        try:
            tomllib.loads(head.split("=", 1)[0] + "= 0")
        except tomllib.TOMLDecodeError:
            return None  # the '=' is part of the key: parse whole
        try:
            tomllib.loads(new_part)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
            if not m:
                return None
            row, col = int(m.group(1)), int(m.group(2))
            offset = _line_after(new_part, 0, row - 1) + col - 1 if row > 1 else col - 1
            if offset >= len(new_part.rstrip()):
                return None
            return Check((toml_problem(exc, first),), None)
        return None  # it parses, as something else than one key and value


def problem_text(p: Problem) -> str:
    """A problem as the list shows it: "line 12 · roles[0].weights: … (expected …)"."""
    where = f"line {p.line}" if p.line else "file"
    return f"{where} · {p.dotted}: {p.message}"


def listed_problems(check: Check, limit: int = MAX_LISTED_PROBLEMS) -> list[tuple[int | None, str]]:
    """(line, text) for the problem list: the first ``limit`` problems, then one entry
    counting the rest (its line: the first of those not listed)."""
    shown = [(p.line, problem_text(p)) for p in check.problems[:limit]]
    rest = len(check.problems) - limit
    if rest > 0:
        nxt = check.problems[limit]
        shown.append((nxt.line, f"{rest:,} more problem{'s' if rest != 1 else ''} not listed "
                                "(fix the ones above and they appear)"))
    return shown


# --------------------------------------------------------------------------- network preview


_NARRATIVE: dict[str, Any] = {
    "phases": True, "moves": True, "injects": True,
    "roles": {"__all__": {"public_brief", "private_brief", "objectives", "red_lines",
                          "batna_description", "bot"}},
}
"""The parts of a scenario no preview reads (see :attr:`ScenarioPreview.preview_key`)."""


class ScenarioPreview:
    """A scenario before any session: what the network view reads from a session
    (``scenario`` and ``view(viewer)``), at the scenario's starting state (every issue
    open, the variables at their initial values)."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self._state = initial_state(scenario)
        self._views: dict[str, dict[str, Any]] = {}
        self._preview_key: str | None = None

    def view(self, viewer: str = "control", at: int | None = None) -> dict[str, Any]:
        v = self._views.get(viewer)
        if v is None:
            v = self._views[viewer] = view_state(self.scenario, self._state, viewer)
        return v

    def linkages(self, viewer: str = "control") -> tuple[Any, ...]:
        """The linkages ``viewer`` knows of (as ``Session.linkages``)."""
        return self.scenario.linkages_for(viewer)

    def linkage_network(self, viewer: str = "control") -> Any:
        """The network of the linkages ``viewer`` knows of (as ``Session.linkage_network``)."""
        from ..domain.analytics.network import LinkageNetwork

        return LinkageNetwork.from_scenario(self.scenario, viewer)

    @property
    def preview_key(self) -> str:
        """Everything of the scenario the previews read (the network's drawing and details,
        the bargaining analysis): the scenario without its narrative — the phases, moves and
        injects, and the roles' briefs, objectives, red lines in words, BATNA description
        and bot. Two previews with the same key show the same network and analysis, so the
        window neither restyles the network nor analyses again after an edit of the
        narrative."""
        if self._preview_key is None:
            self._preview_key = self.scenario.model_dump_json(exclude=_NARRATIVE)
        return self._preview_key

    @property
    def network_shape_key(self) -> tuple:
        """:attr:`network_key` without the issues' and options' labels: two previews with
        the same shape key draw the same graph but for the titles of its nodes (the network
        view then relabels instead of drawing again)."""
        sc = self.scenario
        return (tuple((i.id, tuple(o.id for o in i.options)) for i in sc.issues),
                *self.network_key[1:])

    @property
    def network_key(self) -> tuple:
        """What the drawing of the network depends on (issues, options, linkages, roles):
        two previews with the same key draw the same graph, so the window redraws it only
        when an edit changed one of these."""
        sc = self.scenario
        return (tuple((i.id, i.label, tuple((o.id, o.label) for o in i.options))
                      for i in sc.issues),
                tuple(lk.model_dump_json() for lk in sc.linkages),
                tuple((r.id, r.name, r.kind) for r in sc.roles),
                tuple((v.id, v.label, v.unit) for v in sc.escalation.variables))


# --------------------------------------------------------------------------- analysis preview


@dataclass(frozen=True)
class PointPreview:
    """A bargaining point for a person: the package in words and each role's value."""

    package: tuple[tuple[str, str], ...]  # (issue label, option label) in the file's order
    values: tuple[tuple[str, float, float], ...]  # (role name, utility, gain over no deal)

    @property
    def text(self) -> str:
        return "; ".join(f"{i}: {o}" for i, o in self.package)


@dataclass(frozen=True)
class IssueZopa:
    """One issue across the ZOPA (the feasible full packages that give every player role at
    least its no-deal value): how many of them settle it on each option. An option in none
    of them is outside the zone of agreement however the other issues are settled."""

    issue: str  # label
    options: tuple[tuple[str, int], ...]  # (option label, ZOPA packages that settle on it)
    zopa: int  # ZOPA packages in all

    @property
    def inside(self) -> tuple[tuple[str, int], ...]:
        return tuple(o for o in self.options if o[1] > 0)

    @property
    def outside(self) -> tuple[str, ...]:
        return tuple(label for label, n in self.options if n == 0)


@dataclass(frozen=True)
class AnalysisPreview:
    """The bargaining analysis of a scenario for the workbench. ``status``: "ok",
    "too_large" (not analysed live: ``message`` says to run analyze), "refused" (the
    analytics' own limits) or "failed"."""

    status: str
    message: str = ""
    packages: int = 0
    zopa: str = ""
    nash: PointPreview | None = None
    kalai_smorodinsky: PointPreview | None = None
    issues: tuple[IssueZopa, ...] = ()
    text: str = ""  # what `peacetable analyze` prints for the scenario


def package_count(sc: Scenario) -> int:
    """Number of full packages of ``sc`` (the product of its issues' option counts)."""
    return math.prod(len(i.options) for i in sc.issues)


_INNER = 1 << 12
"""Most packages of the last issues whose utilities :func:`issue_zopas` materialises once."""


def issue_zopas(sc: Scenario, space: Any = None) -> tuple[IssueZopa, ...]:
    """Every issue across the ZOPA (see :func:`_zopa_counts`), with the scenario's labels."""
    return _labelled_zopas(sc, *_zopa_counts(sc, space))


def _zopa_counts(sc: Scenario, space: Any = None) -> tuple[tuple, int]:
    """Every issue across the ZOPA: for each option, the number of feasible full packages
    (constraints kept, no red line crossed) that settle the issue on it and give every
    player role at least its no-deal value. Exact, by enumeration in blocks: the utilities
    of the last issues' packages are summed once, a block of the first issues' packages is
    tested against all of them at once (``outer ≥ r - inner``, as the ZOPA count does), and
    only the packages that pass are built whole, to check the constraints and red lines
    and, when the scenario has interaction terms, their exact value (the test used the
    largest bonus each role can get, so it lets every ZOPA package through). The caller
    bounds the size of the space. Returns, per issue in the file's order, (option id,
    count) pairs, and the number of ZOPA packages."""
    import numpy as np

    from ..domain.analytics.bargaining import PackageSpace, feasible_mask

    space = space if space is not None else PackageSpace.from_scenario(sc)
    tables = space.tables
    k, d = len(tables), space.n_roles
    dims = [len(o) for o in space.options]
    counts = [np.zeros(n, dtype=np.int64) for n in dims]
    cols = {iid: (j, {oid: x for x, oid in enumerate(space.options[j])})
            for j, iid in enumerate(space.issues)}
    r = np.asarray(space.batna_units, dtype=np.int64)
    bonus = np.zeros(d, dtype=np.int64)
    for *_, v in space.interactions:
        bonus += np.maximum(np.asarray(v, dtype=np.int64), 0)
    split, inner = k, 1
    while split > 0 and inner * dims[split - 1] <= _INNER:
        split -= 1
        inner *= dims[split]
    in_dims = dims[split:]
    in_ch = (np.indices(in_dims, dtype=np.int16).reshape(len(in_dims), -1).T if in_dims
             else np.zeros((1, 0), dtype=np.int16))
    in_u = np.zeros((len(in_ch), d), dtype=np.int64)
    for c, j in enumerate(range(split, k)):
        in_u += tables[j].T[in_ch[:, c]]
    need = r[None, :] - bonus[None, :] - in_u
    out_dims = dims[:split]
    n_out = math.prod(out_dims)
    step = max(1, (1 << 20) // len(in_ch))
    exact_needed = bool(space.interactions)
    for s in range(0, n_out, step):
        idx = np.arange(s, min(n_out, s + step), dtype=np.int64)
        if out_dims:
            out_ch = np.stack(np.unravel_index(idx, out_dims), axis=1).astype(np.int16)
        else:
            out_ch = np.zeros((len(idx), 0), dtype=np.int16)
        ou = np.zeros((len(idx), d), dtype=np.int64)
        for j in range(split):
            ou += tables[j].T[out_ch[:, j]]
        ok = ou[:, None, 0] >= need[None, :, 0]
        for c in range(1, d):
            ok &= ou[:, None, c] >= need[None, :, c]
        qo, qi = np.nonzero(ok)
        if not len(qo):
            continue
        ch = np.concatenate([out_ch[qo], in_ch[qi]], axis=1)
        keep = np.ones(len(ch), dtype=bool)
        if exact_needed:
            keep &= (space.utilities(ch) >= r[None, :]).all(axis=1)
        if space.constraints:
            keep &= feasible_mask(space.constraints, ch)
        for _, _, _, cond in space.limits:
            keep &= ~np.asarray(cond.mask(ch, cols), dtype=bool)
        ch = ch[keep]
        for j, n in enumerate(dims):
            counts[j] += np.bincount(ch[:, j], minlength=n)
    total = int(counts[0].sum()) if counts else 0
    return tuple(tuple((oid, int(counts[j][x])) for x, oid in enumerate(space.options[j]))
                 for j in range(len(dims))), total


def _labelled_zopas(sc: Scenario, counts: tuple[tuple[tuple[str, int], ...], ...],
                    total: int) -> tuple[IssueZopa, ...]:
    """:func:`issue_zopas` from its counts by option id (issues in the file's order)."""
    out = []
    for iss, opts in zip(sc.issues, counts):
        labels = {o.id: o.label for o in iss.options}
        out.append(IssueZopa(iss.label, tuple((labels.get(oid, oid), n) for oid, n in opts),
                             total))
    return tuple(out)


def _point(sc: Scenario, rec: dict[str, Any] | None) -> PointPreview | None:
    if rec is None:
        return None
    names = {r.id: r.name for r in sc.roles}
    pkg = []
    for iid, oid in rec["package"].items():
        issue = sc.issue_by_id.get(iid)
        opt = issue.option(oid) if issue is not None else None
        pkg.append((issue.label if issue else iid, opt.label if opt else oid))
    return PointPreview(tuple(pkg), tuple(
        (names.get(rid, rid), float(u), float(rec["gains"][rid]))
        for rid, u in rec["utilities"].items()))


_WORDS: dict[str, Any] = {
    "scenario": {"title": True, "summary": True, "situation": True, "sources": True},
    "roles": {"__all__": {"name": True, "colour": True}},
    "issues": {"__all__": {"label": True, "description": True,
                           "options": {"__all__": {"label": True, "description": True}}}},
}
"""The words of a scenario the bargaining analysis does not compute with (it names things
with them, by id, when it is shown): see :func:`numbers_key`. (Not the variables' labels
and units: the analysis writes the tests of the linkages that read them in words.)"""


def _merged(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Two pydantic ``exclude`` specifications as one (sets of names read as dicts)."""
    def as_dict(x: Any) -> Any:
        return {k: True for k in x} if isinstance(x, set) else x

    out = {k: as_dict(v) for k, v in a.items()}
    for k, v in b.items():
        v = as_dict(v)
        if k not in out or out[k] is True:
            out[k] = True if out.get(k) is True else v
        elif isinstance(v, dict):
            out[k] = _merged(out[k], v)
    return out


_NUMBERS_EXCLUDE: dict[str, Any] | None = None


def numbers_key(sc: Scenario) -> str:
    """Everything of ``sc`` the bargaining analysis computes with: the scenario without its
    narrative (as :attr:`ScenarioPreview.preview_key`) and without the words it names
    things by (the title, the roles' names, the issues' and options' labels and
    descriptions). Two scenarios with the same key
    have the same analysis but for those names."""
    global _NUMBERS_EXCLUDE
    if _NUMBERS_EXCLUDE is None:
        _NUMBERS_EXCLUDE = _merged(_NARRATIVE, _WORDS)
    return sc.model_dump_json(exclude=_NUMBERS_EXCLUDE)


class _Numbers:
    """What :func:`analysis_preview` computes, without the scenario's words: the report
    of ``peacetable analyze`` (ids; its title and role names are put back from the
    scenario shown) and the ZOPA per issue by option id."""

    def __init__(self, report: dict[str, Any], counts: tuple, total: int):
        self.report = report
        self.counts = counts
        self.total = total


def analysis_preview(sc: Scenario, limit: int = LIVE_PREVIEW_PACKAGES,
                     known: dict[str, Any] | None = None) -> AnalysisPreview:
    """The bargaining analysis of ``sc``: the Nash and Kalai–Smorodinsky points and the
    ZOPA of the report ``peacetable analyze`` gives (and its text, with the scenario's
    labels), and the ZOPA per issue; above ``limit`` packages nothing but a message to run
    ``peacetable analyze``. ``known``: numbers computed before (by :func:`numbers_key`;
    the newest is kept in it), so that an edit of a label or a name only renames them."""
    from ..domain.analytics import scenario_report
    from .analysis import render_text

    n = package_count(sc)
    if n > limit:
        return AnalysisPreview(
            "too_large", f"Analysis too large for live preview ({n:,} packages; the live "
            f"preview stops at {limit:,}) — run “peacetable analyze FILE” to compute it.",
            packages=n)
    key = numbers_key(sc) if known is not None else ""
    numbers = known.get(key) if known is not None else None
    if numbers is None:
        numbers = _Numbers(scenario_report(sc), *_zopa_counts(sc))
        if known is not None:
            known.clear()
            known[key] = numbers
    per_issue = _labelled_zopas(sc, numbers.counts, numbers.total)
    report = dict(numbers.report)  # the names as the scenario shown has them
    report["scenario"] = {**report["scenario"], "title": sc.scenario.title}
    report["roles"] = {rid: {**r, "name": sc.role_by_id[rid].name}
                       for rid, r in report["roles"].items()}
    b = report["bargaining"]
    z = b["zopa"]
    if z.get("counted"):
        zopa = f"{z['count']:,} of {n:,} packages ({100 * z['share']:.2f}%)"
    else:
        zopa = z.get("note", "")
    if z.get("empty"):
        zopa += " — no package gives every player role at least its no-deal value"
    text = render_text(report, sc)
    if b["status"] not in ("ok", "points"):
        return AnalysisPreview("refused", str(b.get("reason", "")), packages=n, zopa=zopa,
                               issues=per_issue, text=text)
    return AnalysisPreview("ok", "", packages=n, zopa=zopa, nash=_point(sc, b.get("nash")),
                           kalai_smorodinsky=_point(sc, b.get("kalai_smorodinsky")),
                           issues=per_issue, text=text)


WORKER_SWITCH_INTERVAL = 0.0005
"""The interpreter's switch interval (seconds) while a worker job runs (see
:class:`_NoCollection`)."""


class _NoCollection:
    """While a worker job runs: Python's cycle collector switched off, and a short switch
    interval. A collection runs on whichever thread happens to allocate, and the cycles it
    frees may hold Qt objects that must be destroyed on the window's thread (destroying
    one on a worker deadlocked with the window's thread); the window's thread collects
    once the last job ends. The window's thread lets go of the interpreter in every call
    into Qt, and a busy worker keeps it until the switch interval ends (5 ms by default):
    redrawing the network after a keystroke makes hundreds of such calls, which took
    several times as long while an analysis ran."""

    _lock = threading.Lock()
    _jobs = 0
    _was_enabled = False
    _interval = 0.005

    def __enter__(self) -> None:
        with _NoCollection._lock:
            if _NoCollection._jobs == 0:
                _NoCollection._was_enabled = gc.isenabled()
                gc.disable()
                _NoCollection._interval = sys.getswitchinterval()
                sys.setswitchinterval(min(_NoCollection._interval, WORKER_SWITCH_INTERVAL))
            _NoCollection._jobs += 1

    def __exit__(self, *exc: Any) -> None:
        with _NoCollection._lock:
            _NoCollection._jobs -= 1
            if _NoCollection._jobs == 0:
                sys.setswitchinterval(_NoCollection._interval)
                if _NoCollection._was_enabled:
                    gc.enable()


class LatestOnly:
    """Runs one job at a time on a worker thread, newest first: while a job runs, a newer
    request replaces any waiting one (the text changed again: only the newest matters).
    ``done(key, result)`` is called on the worker thread (a window passes it on to its
    own thread); a job that raises gives ``failed(exc)`` instead."""

    def __init__(self, name: str, failed: Callable[[Exception], Any]):
        self.name = name
        self.failed = failed
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._running = False
        self._pending: tuple | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._closed = False

    def submit(self, key: Any, job: Callable[[], Any], done: Callable[[Any, Any], None]) -> None:
        with self._lock:
            if self._closed:
                return
            if self._running:
                self._pending = (key, job, done)
                return
            self._running = True
            self._idle.clear()
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix=self.name)
            self._pool.submit(self._work, key, job, done)

    def _work(self, key: Any, job: Callable[[], Any], done: Callable[[Any, Any], None]) -> None:
        while True:
            with _NoCollection():
                try:
                    result = job()
                except Exception as exc:  # a failing job must not stop the worker
                    result = self.failed(exc)
                try:
                    done(key, result)
                except Exception:  # the receiver went away (window closed)
                    pass
            with self._lock:
                if self._pending is None or self._closed:
                    self._pending = None
                    self._running = False
                    self._idle.set()
                    return
                key, job, done = self._pending
                self._pending = None

    def wait(self, timeout: float | None = None) -> bool:
        """Until no job runs or waits (True), or ``timeout`` seconds (False)."""
        return self._idle.wait(timeout)

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def close(self) -> None:
        """Take no more requests; a running job finishes on its own."""
        with self._lock:
            self._closed = True
            self._pending = None
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


class LiveCheck(LatestOnly):
    """The check of a text (:class:`TextChecker`, :attr:`checker`: it remembers the last
    text) on a worker thread, newest text first, so that a long check never holds up
    typing (the window's thread only shows the result)."""

    def __init__(self) -> None:
        super().__init__("workbench-check", lambda exc: Check((Problem(
            (), f"the check failed: {type(exc).__name__}: {exc}"),), None))
        self.checker = TextChecker()

    def request(self, key: Any, text: str, source: str,
                done: Callable[[Any, Check], None]) -> None:
        self.submit(key, lambda: self.checker.check(text, source), done)


class LiveAnalysis(LatestOnly):
    """:func:`analysis_preview` on a worker thread, newest request first (see
    :class:`LatestOnly`), so that typing never waits for it. (The window's thread still
    gets its turns: the interpreter switches threads every few milliseconds, and numpy
    lets go of it in its long loops.)"""

    def __init__(self, limit: int = LIVE_PREVIEW_PACKAGES):
        super().__init__("workbench-analysis", lambda exc: AnalysisPreview(
            "failed", f"The analysis failed: {type(exc).__name__}: {exc}"))
        self.limit = limit
        #: the numbers of the newest analysis (jobs run one at a time: no lock needed)
        self.known: dict[str, Any] = {}

    def request(self, key: Any, sc: Scenario,
                done: Callable[[Any, AnalysisPreview], None]) -> None:
        """Analyse ``sc`` and call ``done(key, preview)`` (an edit of labels or names
        only: the numbers of the analysis before, renamed)."""
        self.submit(key, lambda: analysis_preview(sc, self.limit, self.known), done)


# --------------------------------------------------------------------------- the file


class BundledScenarioError(ValueError):
    """A bundled exercise may not be overwritten (save a copy instead)."""


def _bundled_folders() -> set[Path]:
    out = set()
    for p in bundled_scenarios():
        try:
            out.add(p.resolve().parent)
        except OSError:
            pass
    return out


def is_bundled(path: str | Path) -> bool:
    """Is ``path`` one of the exercises installed with PeaceTable (a file in their folder)?"""
    try:
        p = Path(path).expanduser().resolve()
    except OSError:
        return False
    return p.parent in _bundled_folders()


def suggest_copy_path(path: str | Path, folder: Path | None = None) -> Path:
    """Where a copy of ``path`` goes by default: the same name in the PeaceTable documents
    folder, numbered (``name-2.toml`` …) when that name is taken."""
    folder = folder or default_session_folder()
    stem = Path(path).stem or "scenario"
    candidate = folder / f"{stem}.toml"
    k = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{k}.toml"
        k += 1
    return candidate


def _read(path: Path) -> str:
    try:
        text = read_scenario_text(path)
    except ScenarioError:
        # an empty (or blank) regular file is a scenario not written yet: open it to write
        try:
            st = os.stat(path)
            if stat.S_ISREG(st.st_mode) and st.st_size <= 4096:
                with open(path, "rb") as fh:
                    raw = fh.read(4097)
                if not raw.decode("utf-8", "replace").strip():
                    return raw.decode("utf-8", "replace")
        except OSError:
            pass
        raise
    return text.replace("\r\n", "\n")


class ScenarioDocument:
    """A scenario file open in the workbench: where it is, the text as last saved, and
    whether it is a bundled exercise (which is never overwritten)."""

    def __init__(self, path: Path | None = None, text: str = ""):
        self.path = path
        self.saved_text = text

    @classmethod
    def open(cls, path: str | Path) -> ScenarioDocument:
        """Read ``path`` (UTF-8 TOML, at most the loader's size limit); raises
        :class:`ScenarioError` naming the file and what is wrong with it."""
        p = Path(path).expanduser()
        return cls(p, _read(p))

    @property
    def bundled(self) -> bool:
        return self.path is not None and is_bundled(self.path)

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else "untitled.toml"

    def modified(self, text: str) -> bool:
        return text != self.saved_text

    def save(self, text: str, path: str | Path | None = None) -> Path:
        """Write ``text`` to ``path`` (default: the file's own path) and make that the
        document's file. Refuses a bundled exercise (:class:`BundledScenarioError`) and a
        target that is not a regular file; the file is replaced atomically (a failed save
        leaves it as it was). Raises :class:`OSError` when the disk refuses."""
        target = Path(path).expanduser() if path is not None else self.path
        if target is None:
            raise ValueError("no file to save to (choose where to save it)")
        if is_bundled(target):
            raise BundledScenarioError(
                f"{target} is an exercise installed with PeaceTable and is not overwritten; "
                "save your version as a copy of your own")
        data = text.encode("utf-8")
        if len(data) > MAX_BYTES:
            raise ValueError(f"the text is larger than {MAX_BYTES:,} bytes, the most a "
                             "scenario may be")
        if target.exists() and not target.is_file():
            raise IsADirectoryError(f"{target} is not a regular file")
        folder = target.parent
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            try:  # keep the file's permissions (a new file: readable by others, as usual)
                os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode) if target.exists()
                         else 0o644)
            except OSError:
                pass
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        self.path = target
        self.saved_text = text
        return target

