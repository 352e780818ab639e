"""Commands: plain serialisable requests to change a session.

A command is checked against the scenario and the current state by
:func:`peacetable.domain.engine.decide`, which either refuses it with a reason or returns
the events to append. Commands are msgspec structs so that a future network transport can
carry them as they are.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec


class Command(msgspec.Struct, frozen=True, tag_field="cmd", forbid_unknown_fields=True):
    pass


class Advance(Command, tag="advance"):
    """Start the next phase (the first advance starts phase 1).

    Moves still awaiting adjudication are carried over into the new phase (recorded as
    such) or, with ``pending="withdraw"``, withdrawn (recorded with the phase they lapsed in).
    """

    pending: Literal["carry_over", "withdraw"] = "carry_over"


class SubmitMove(Command, tag="move"):
    role: str
    template: str
    magnitude: int = 1
    channel: Literal["public", "private"] | None = None
    to: tuple[str, ...] = ()
    package: dict[str, str] = {}
    parties: tuple[str, ...] = ()
    target: int | None = None
    condition: dict[str, Any] | None = None
    rationale: str = ""


class Adjudicate(Command, tag="adjudicate"):
    move: int
    decision: Literal["accept", "reject", "modify"]
    magnitude: int | None = None
    reason: str = ""
    note: str = ""  # for control only: never on the projector


class Roll(Command, tag="roll"):
    """Let chance decide a move: success (draw <= odds) accepts it, failure rejects it."""

    move: int
    odds: int
    reason: str = ""


class Reveal(Command, tag="reveal"):
    """Reveal the moves collected in a sealed phase."""


class FireInject(Command, tag="inject"):
    id: str | None = None
    title: str | None = None
    synopsis: str | None = None
    targets: tuple[str, ...] = ()
    expected_action: str = ""
    visibility: Literal["public", "targets", "control"] = "public"
    effects: dict[str, Any] = {}


class RescheduleInject(Command, tag="reschedule_inject"):
    """Move a scheduled inject to minute ``at_minute`` of ``phase`` (default: its phase)."""

    id: str
    at_minute: float
    phase: str | None = None
    reason: str = ""


class SkipInject(Command, tag="skip_inject"):
    """Decide that a scheduled inject will not be played."""

    id: str
    reason: str = ""


class RecordAction(Command, tag="record_action"):
    inject_event: int
    role: str
    text: str


class Withdraw(Command, tag="withdraw"):
    move: int
    reason: str = ""


class Publish(Command, tag="publish"):
    """Announce an agreement reached on the private channel."""

    agreement: int
    reason: str = ""


class SendMessage(Command, tag="message"):
    """A private message from a role (or control) to named player roles."""

    sender: str
    to: tuple[str, ...]
    text: str


class AddNote(Command, tag="note"):
    text: str


class PauseClock(Command, tag="pause"):
    reason: str = ""


class CorrectClock(Command, tag="correct_clock"):
    """Add ``seconds`` (negative: take them off) to the elapsed phase and exercise time."""

    seconds: int
    reason: str = ""


class ResumeClock(Command, tag="resume"):
    pass


class Undo(Command, tag="undo"):
    pass


class Redo(Command, tag="redo"):
    pass


AnyCommand = (
    Advance
    | SubmitMove
    | Adjudicate
    | Roll
    | Reveal
    | FireInject
    | RescheduleInject
    | SkipInject
    | RecordAction
    | Withdraw
    | Publish
    | SendMessage
    | AddNote
    | PauseClock
    | ResumeClock
    | CorrectClock
    | Undo
    | Redo
)

COMMAND_NAMES = tuple(c.__struct_config__.tag for c in AnyCommand.__args__)  # type: ignore[attr-defined]


def command_from_dict(data: dict[str, Any]) -> Command:
    """Build a command from plain data; raises ``msgspec.ValidationError`` with the field."""
    return msgspec.convert(data, AnyCommand)  # type: ignore[arg-type]
