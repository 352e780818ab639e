"""Events: immutable typed records of everything a session does.

Each event is an :class:`Event` envelope (sequence number, wall-clock time kept for the
record, visibility) around a typed body. Bodies are msgspec structs tagged by ``type`` so
that the log stays readable JSON in SQLite and decodes fast. The fold never reads ``ts``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Literal

import msgspec


class Visibility(msgspec.Struct, frozen=True, omit_defaults=True, gc=False):
    """Who may see an event: everyone, the control cell only, or named roles (+ control)."""

    scope: Literal["public", "roles", "control"] = "public"
    roles: tuple[str, ...] = ()

    def allows(self, viewer: str) -> bool:
        """``viewer`` is "control", "audience" or a role id."""
        if viewer == "control" or self.scope == "public":
            return True
        if self.scope == "control" or viewer == "audience":
            return False
        return viewer in self.roles

    def describe(self) -> str:
        if self.scope == "roles":
            return "private: " + ", ".join(self.roles)
        return self.scope


PUBLIC = Visibility()
CONTROL = Visibility("control")


def private_to(*roles: str) -> Visibility:
    return Visibility("roles", tuple(dict.fromkeys(roles)))


class Body(msgspec.Struct, frozen=True, tag_field="type", omit_defaults=True, gc=False):
    """Base of every event body."""

    #: events that Edit > Undo may compensate
    undoable = True


class SessionStarted(Body, tag="session_started"):
    scenario_id: str
    scenario_sha256: str
    seed: int
    title: str = ""
    teams: dict[str, str] = {}
    undoable = False


class PhaseStarted(Body, tag="phase_started"):
    phase: str
    index: int


class MoveSubmitted(Body, tag="move_submitted"):
    role: str
    template: str
    kind: str
    magnitude: int = 1
    channel: Literal["public", "private"] = "public"
    recipients: tuple[str, ...] = ()
    package: dict[str, str] = {}
    parties: tuple[str, ...] = ()
    target: int | None = None
    condition: dict[str, Any] | None = None
    rationale: str = ""
    sealed: bool = False


class RevealedMove(msgspec.Struct, frozen=True, omit_defaults=True):
    """What a sealed move said, as shown to those who may see it once revealed."""

    move: int
    role: str
    template: str
    kind: str
    magnitude: int = 1
    package: dict[str, str] = {}
    target: int | None = None
    rationale: str = ""


class MovesRevealed(Body, tag="moves_revealed"):
    """Sealed moves made visible: one public event for public-channel moves, one private
    event per private-channel move (visible to its role and recipients)."""

    moves: tuple[int, ...]
    revealed: tuple[RevealedMove, ...] = ()


class AgreementPublished(Body, tag="agreement_published"):
    """Control announces an agreement reached in private: from now on everyone sees it."""

    agreement: int
    reason: str = ""


class MoveAdjudicated(Body, tag="move_adjudicated"):
    move: int
    decision: Literal["accepted", "rejected"]
    magnitude: int = 1
    modified: bool = False
    reason: str = ""  # what the room hears


class DiceRolled(Body, tag="dice_rolled"):
    move: int
    odds: int
    draw: int
    success: bool
    reason: str = ""


class InjectFired(Body, tag="inject_fired"):
    inject: str | None
    title: str
    synopsis: str
    targets: tuple[str, ...] = ()
    expected_action: str = ""
    effects: dict[str, Any] = {}
    scheduled: bool = True


class InjectRescheduled(Body, tag="inject_rescheduled"):
    """Control moved a scheduled inject to another minute (a delay) or another phase."""

    inject: str
    phase: str
    at_minute: float
    reason: str = ""
    #: the in-game day it now happens on, when the move takes it out of its own date's
    #: phase (domain/calendar.py ``carried_date``); None: its own date
    date: _dt.date | None = None


class InjectSkipped(Body, tag="inject_skipped"):
    """Control decided a scheduled inject will not be played."""

    inject: str
    reason: str = ""


class ActionRecorded(Body, tag="action_recorded"):
    """What a team actually did in answer to an inject (for the debrief)."""

    inject_event: int
    role: str
    text: str


class RulingNote(Body, tag="ruling_note"):
    """Control's own note on a ruling, kept in an event of its own that only control sees
    (the ruling itself may be public). It goes with its ruling: undo passes over it."""

    move: int
    text: str
    undoable = False


class Withdrawn(Body, tag="withdrawn"):
    """A role takes back its own proposal or conditional offer."""

    move: int
    reason: str = ""


class MessageSent(Body, tag="message_sent"):
    """A private message: seen by its sender, its recipients and control. A message once
    sent cannot be taken back, so undo passes over it."""

    sender: str  # a role id or "control"
    to: tuple[str, ...]
    text: str
    undoable = False


class CarriedOver(Body, tag="carried_over"):
    """Moves still awaiting adjudication when a phase ended, carried into the next one."""

    moves: tuple[int, ...]
    phase: str


class Note(Body, tag="note"):
    text: str


class ClockPaused(Body, tag="clock_paused"):
    #: "closed" when closing the session paused the clock (reopening offers to resume)
    reason: str = ""
    undoable = False  # a fact about time, not a decision


class ClockResumed(Body, tag="clock_resumed"):
    undoable = False


class ClockCorrected(Body, tag="clock_corrected"):
    """Control corrects the elapsed time: ``seconds`` are added to the phase and exercise
    clocks from this event on (negative to take time off)."""

    seconds: int
    reason: str = ""
    undoable = False


class Undone(Body, tag="undone"):
    target: int
    undoable = False


class Redone(Body, tag="redone"):
    target: int
    undoable = False


AnyBody = (
    SessionStarted
    | PhaseStarted
    | MoveSubmitted
    | MovesRevealed
    | AgreementPublished
    | MoveAdjudicated
    | DiceRolled
    | InjectFired
    | InjectRescheduled
    | InjectSkipped
    | ActionRecorded
    | Withdrawn
    | MessageSent
    | CarriedOver
    | Note
    | RulingNote
    | ClockPaused
    | ClockResumed
    | ClockCorrected
    | Undone
    | Redone
)

#: bodies that do not change the fold's state (the clock is read from timestamps)
NO_STATE = (Note, RulingNote, CarriedOver, ClockPaused, ClockResumed, ClockCorrected, ActionRecorded,
            MessageSent)


class Event(msgspec.Struct, frozen=True, gc=False):
    seq: int
    ts: str
    visibility: Visibility
    body: AnyBody  # type: ignore[valid-type]

    @property
    def type(self) -> str:
        return type(self.body).__struct_config__.tag  # type: ignore[return-value]


_body_decoder = msgspec.json.Decoder(AnyBody)  # type: ignore[arg-type]
_vis_decoder = msgspec.json.Decoder(Visibility)
_encoder = msgspec.json.Encoder(order="sorted")


def encode_body(body: Body) -> str:
    return _encoder.encode(body).decode()


def decode_body(raw: str | bytes) -> Body:
    return _body_decoder.decode(raw)


def encode_visibility(v: Visibility) -> str:
    return _encoder.encode(v).decode()


def decode_visibility(raw: str | bytes) -> Visibility:
    return _vis_decoder.decode(raw)


def body_type(body: Body) -> str:
    return type(body).__struct_config__.tag  # type: ignore[return-value]


def event_time(ts: str) -> _dt.datetime | None:
    """An event's wall-clock time (UTC where the text names no zone); None if unreadable.
    Kept for the record and the debrief: the fold never reads it."""
    try:
        t = _dt.datetime.fromisoformat(ts)
    except (TypeError, ValueError):
        return None
    return t if t.tzinfo else t.replace(tzinfo=_dt.timezone.utc)


def to_builtins(obj: Any) -> Any:
    return msgspec.to_builtins(obj)
