"""Scripted play: apply commands from a JSON-lines file (one command object a line).

Script lines are the commands of :mod:`peacetable.domain.commands` as JSON, with two
conveniences: a ``"label"`` on a move names it for later lines, and a move reference
(``"move"`` or ``"target"``) may be ``"@label"``, ``"last"`` (the last move submitted) or an
event number. See ``docs/script-format.md``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from ..domain import commands as C
from ..domain.engine import Refused
from ..domain.events import ClockCorrected, ClockPaused, ClockResumed, Event, MoveSubmitted, Note
from .session import Session


class ScriptError(Exception):
    def __init__(self, source: str, line: int, message: str):
        self.source = source
        self.line = line
        super().__init__(f"{source}:{line}: {message}")


@dataclass(frozen=True)
class ScriptLine:
    line: int
    data: dict[str, Any]


def read_script(path: str | Path) -> Iterator[ScriptLine]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ScriptError(str(p), 0, f"cannot be read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # named at the line of the first byte that is not
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ScriptError(str(p), line, "is not UTF-8 text (expected JSON lines)") from None
    for n, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if not s or s.startswith("#") or s.startswith("//"):
            continue
        try:
            data = json.loads(s)
        except json.JSONDecodeError as exc:
            raise ScriptError(str(p), n, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(data, dict):
            raise ScriptError(str(p), n, "expected a JSON object with a \"cmd\" field")
        yield ScriptLine(n, data)


class ScriptRunner:
    """Turns script lines into commands against one session, resolving move references."""

    def __init__(self, session: Session, source: str = "<script>"):
        self.session = session
        self.source = source
        self.labels: dict[str, int] = {}
        self.last_move: int | None = None

    def _ref(self, value: Any, line: int, field: str) -> int:
        if isinstance(value, bool):
            raise ScriptError(self.source, line, f"{field}: expected a move reference")
        if isinstance(value, int):
            return value
        if value == "last":
            if self.last_move is None:
                raise ScriptError(self.source, line, f"{field}: 'last' but no move has been made yet")
            return self.last_move
        if isinstance(value, str) and value.startswith("@"):
            if value[1:] not in self.labels:
                raise ScriptError(self.source, line, f"{field}: unknown label '{value[1:]}' "
                                                     "(label a move with \"label\" first)")
            return self.labels[value[1:]]
        raise ScriptError(self.source, line, f"{field}: expected an event number, \"last\" or "
                                             f"\"@label\", got {value!r}")

    def command(self, sl: ScriptLine) -> tuple[C.Command, str | None]:
        data = dict(sl.data)
        label = data.pop("label", None)
        if label is not None and (not isinstance(label, str) or not label):
            raise ScriptError(self.source, sl.line, "label: expected a non-empty string")
        if "cmd" not in data:
            raise ScriptError(self.source, sl.line, "missing \"cmd\" (expected one of: "
                                                    f"{', '.join(C.COMMAND_NAMES)})")
        if data["cmd"] not in C.COMMAND_NAMES:
            raise ScriptError(self.source, sl.line, f"unknown cmd {data['cmd']!r} (expected one of: "
                                                    f"{', '.join(C.COMMAND_NAMES)})")
        for field in ("move", "target", "agreement", "inject_event"):
            if field in data and data[field] is not None and not (
                    field == "inject_event" and isinstance(data[field], int)):
                data[field] = self._ref(data[field], sl.line, field)
        try:
            cmd = C.command_from_dict(data)
        except msgspec.ValidationError as exc:
            raise ScriptError(self.source, sl.line, f"{exc}") from None
        return cmd, label

    def apply(self, sl: ScriptLine) -> list[Event]:
        cmd, label = self.command(sl)
        try:
            events = self.session.execute(cmd)
        except Refused as exc:
            raise ScriptError(self.source, sl.line, f"refused: {exc}") from None
        for ev in events:
            if isinstance(ev.body, MoveSubmitted):
                self.last_move = ev.seq
                if label:
                    self.labels[label] = ev.seq
        return events

    def restore(self, progress: ScriptProgress) -> None:
        """Continue after ``progress``: the labels and the last move of the lines applied."""
        self.labels = dict(progress.labels)
        self.last_move = progress.last_move

    def run(self, lines, on_event: Callable[[Event], None] | None = None) -> int:
        count = 0
        for sl in lines:
            for ev in self.apply(sl):
                count += 1
                if on_event:
                    on_event(ev)
        return count


# --------------------------------------------------------------------------- progress

PROGRESS_KEY = "script_progress"
#: events that may come between two runs of a script without stopping it: they change
#: nothing the script's later lines depend on (closing the window pauses the clock)
_HARMLESS = (ClockPaused, ClockResumed, ClockCorrected, Note)


def _line_digest(digest: str, data: dict[str, Any]) -> str:
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((digest + "\n" + raw).encode("utf-8")).hexdigest()


@dataclass
class ScriptProgress:
    """How far a script has been played into a session, kept in the session's meta table
    (not in the record): the number of command lines applied, a digest of those lines, the
    event the last of them ended at, and the labels they defined."""

    source: str
    applied: int = 0
    digest: str = ""
    last_seq: int = 0
    labels: dict[str, int] = None  # type: ignore[assignment]
    last_move: int | None = None

    def __post_init__(self) -> None:
        self.labels = dict(self.labels or {})

    @classmethod
    def load(cls, session: Session) -> ScriptProgress | None:
        raw = session.store.meta().get(PROGRESS_KEY)
        if not raw:
            return None
        try:
            d = json.loads(raw)
            return cls(source=str(d["source"]), applied=int(d["applied"]), digest=str(d["digest"]),
                       last_seq=int(d["last_seq"]), labels={str(k): int(v) for k, v in
                                                             d.get("labels", {}).items()},
                       last_move=d.get("last_move"))
        except (ValueError, KeyError, TypeError):
            return None  # unreadable: treated as no record (the file's events are untouched)

    def save(self, session: Session) -> None:
        session.store.set_meta(PROGRESS_KEY, json.dumps({
            "source": self.source, "applied": self.applied, "digest": self.digest,
            "last_seq": self.last_seq, "labels": self.labels, "last_move": self.last_move},
            sort_keys=True))

    def step(self, sl: ScriptLine, runner: ScriptRunner, last_seq: int) -> None:
        self.applied += 1
        self.digest = _line_digest(self.digest, sl.data)
        self.last_seq = last_seq
        self.labels = dict(runner.labels)
        self.last_move = runner.last_move


def resume_point(session: Session, lines: list[ScriptLine], source: str
                 ) -> tuple[int, ScriptProgress]:
    """Where to start playing a script into ``session``: (index of the first line to apply,
    the progress to continue). ``lines``: the script's first lines, at least as many as the
    session has recorded as played; ``source`` names the script (its resolved path). A
    script whose first commands are the ones already played continues after them, whatever
    its name; another script starts from its first line. Raises :class:`ScriptError` when
    the session holds the first commands of this script as they were before it changed, or
    events added after the script stopped, so that no command is ever applied twice."""
    prev = ScriptProgress.load(session)
    if prev is None or prev.applied == 0:
        return 0, ScriptProgress(source=source, last_seq=session.store.last_seq)
    digest = ""
    for k, sl in enumerate(lines[:prev.applied]):
        digest = _line_digest(digest, sl.data)
    n = min(prev.applied, len(lines))
    fresh = ScriptProgress(source=source, last_seq=session.store.last_seq)
    if (n < prev.applied or digest != prev.digest) and prev.source != source:
        return 0, fresh  # another script: it starts from its first line
    if n < prev.applied or digest != prev.digest:
        raise ScriptError(source, lines[0].line if lines else 0,
                          f"{session.path} already holds the first {prev.applied} command"
                          f"{'s' if prev.applied != 1 else ''} of this script as it was then, "
                          "and the script has changed since; refusing to apply commands twice "
                          "(start a new session with 'peacetable new' to play it afresh)")
    later = [e for e in session.events[prev.last_seq:] if not isinstance(e.body, _HARMLESS)]
    if later:
        extra = len(later)
        raise ScriptError(source, lines[n - 1].line,
                          f"{session.path} has {extra} event{'s' if extra != 1 else ''} after "
                          f"the script stopped (at event {prev.last_seq}); refusing to "
                          "continue the script over changes made elsewhere")
    return n, prev
