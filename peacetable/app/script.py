"""Scripted play: apply commands from a JSON-lines file (one command object a line).

Script lines are the commands of :mod:`peacetable.domain.commands` as JSON, with two
conveniences: a ``"label"`` on a move names it for later lines, and a move reference
(``"move"`` or ``"target"``) may be ``"@label"``, ``"last"`` (the last move submitted) or an
event number. See ``docs/script-format.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from ..domain import commands as C
from ..domain.engine import Refused
from ..domain.events import Event, MoveSubmitted
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
    except UnicodeDecodeError:
        raise ScriptError(str(p), 1, "is not UTF-8 text (expected JSON lines)") from None
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

    def run(self, lines, on_event: Callable[[Event], None] | None = None) -> int:
        count = 0
        for sl in lines:
            for ev in self.apply(sl):
                count += 1
                if on_event:
                    on_event(ev)
        return count
