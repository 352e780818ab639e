"""The exercise clock, read from the session's log: the one place that knows the time.

Time counts only while the clock runs. The log holds the facts: when each phase started
(``phase_started``), when control (or closing the session) paused the clock
(``clock_paused``; also when a session is opened after the program that had it open was
killed: see :data:`CRASHED`), when it resumed (``clock_resumed``) and control's corrections
(``clock_corrected``, seconds added or taken off). From these and the events' timestamps
:class:`ExerciseClock` gives the running time of the current phase and of the whole
exercise (from the start of phase 1), against the planned lengths. The fold never reads
it: time decides nothing in the state, only what the clock shows and which injects are due.
"""

from __future__ import annotations

import datetime as _dt
import sys
from dataclasses import dataclass

from ..domain.events import ClockCorrected, ClockPaused, ClockResumed, Event
from ..domain.scenario import Scenario

__all__ = ["ClockReading", "ExerciseClock", "planned_minutes", "parse_ts", "CLOSED", "CRASHED",
           "HEARTBEAT_KEY", "HEARTBEAT_SECONDS"]

#: the reason of the pause recorded when the session is closed
CLOSED = "closed"
#: the reason of the pause recorded when a session is opened after the program that had it
#: open stopped without closing it (killed, a crash, a power cut): the pause is dated at the
#: program's last heartbeat, so the time it was down is not counted
CRASHED = "crashed"
#: the ``meta`` key (beside the record, never an event) where the program that keeps a
#: session's time writes the time now and then while the clock runs; closing the session
#: empties it, so a value found when opening says the last run ended without closing
HEARTBEAT_KEY = "clock_heartbeat"
#: how often the heartbeat is written while the clock runs (at most this much running time
#: is lost, i.e. counted as paused, when the program is killed)
HEARTBEAT_SECONDS = 10.0


def parse_ts(ts: str) -> _dt.datetime:
    t = _dt.datetime.fromisoformat(ts)
    return t if t.tzinfo else t.replace(tzinfo=_dt.timezone.utc)


def planned_minutes(sc: Scenario) -> int:
    """The exercise's planned length: the scenario's ``duration_minutes`` if it states one,
    otherwise the sum of its phases' durations."""
    if "duration_minutes" in sc.scenario.model_fields_set:
        return sc.scenario.duration_minutes
    return sum(p.duration_minutes for p in sc.phases)


@dataclass(frozen=True)
class ClockReading:
    """The clock at one moment. Times are in seconds."""

    started: bool            #: has phase 1 started?
    running: bool            #: does time count now?
    phase: float             #: running time in the current phase
    exercise: float          #: running time since phase 1 started
    phase_planned: float     #: the current phase's planned length (0 before phase 1)
    exercise_planned: float  #: the exercise's planned length
    paused_on_close: bool    #: the clock stopped because the session was closed (or the
    #: program stopped without closing it: see :data:`CRASHED`)
    pause_reason: str = ""   #: why the clock stopped, when it is paused ("closed", ...)

    @property
    def phase_over(self) -> float:
        """Seconds over the phase's planned length (0 if within it)."""
        return max(0.0, self.phase - self.phase_planned) if self.started else 0.0

    @property
    def exercise_left(self) -> float:
        """Seconds left of the planned exercise (negative when over)."""
        return self.exercise_planned - self.exercise

    @property
    def phase_left(self) -> float:
        return self.phase_planned - self.phase


@dataclass(frozen=True)
class _Mark:
    seq: int
    at: _dt.datetime
    kind: str  # "pause" | "resume" | "correct"
    seconds: int = 0
    reason: str = ""


class ExerciseClock:
    """Clock marks fed in log order; readings for a phase start and a moment.

    The marks are facts about time and cannot be undone, so they are the clock's whole
    history; which phase is current (and when it started) comes from the state, because
    starting a phase can be undone."""

    def __init__(self, sc: Scenario):
        self.sc = sc
        self.marks: list[_Mark] = []

    def feed(self, ev: Event) -> None:
        b = ev.body
        at = parse_ts(ev.ts) if isinstance(b, (ClockPaused, ClockResumed, ClockCorrected)) \
            else None
        if isinstance(b, ClockPaused):
            self.marks.append(_Mark(ev.seq, at, "pause", reason=b.reason))
        elif isinstance(b, ClockResumed):
            self.marks.append(_Mark(ev.seq, at, "resume"))
        elif isinstance(b, ClockCorrected):
            self.marks.append(_Mark(ev.seq, at, "correct", seconds=b.seconds))

    @property
    def running(self) -> bool:
        """Is the clock running after the last event (before phase 1: not paused)?"""
        for m in reversed(self.marks):
            if m.kind != "correct":
                return m.kind == "resume"
        return True

    @property
    def pause_reason(self) -> str:
        """Why the clock is paused ("" while it runs or when no reason was given)."""
        for m in reversed(self.marks):
            if m.kind != "correct":
                return m.reason if m.kind == "pause" else ""
        return ""

    @property
    def paused_on_close(self) -> bool:
        return self.pause_reason in (CLOSED, CRASHED)

    def elapsed_since(self, seq: int, at: _dt.datetime, now: _dt.datetime) -> float:
        """Running seconds from event ``seq`` (at time ``at``) to ``now``, with the
        corrections made after it."""
        return self._running(seq, at, [(sys.maxsize, now)])[0]

    def elapsed_series(self, seq: int, at: _dt.datetime,
                       points: list[tuple[int, _dt.datetime]]) -> list[float]:
        """Running seconds from event ``seq`` (at time ``at``) to each of ``points`` ((event,
        time) in event order), counting the pauses and corrections recorded up to each
        point; 0 for a point before ``seq``. One pass, for charts over exercise time."""
        return [0.0 if pseq < seq else max(0.0, v)
                for (pseq, _), v in zip(points, self._running(seq, at, points))]

    def _running(self, seq: int, at: _dt.datetime,
                 points: list[tuple[int, _dt.datetime]]) -> list[float]:
        """The walk behind both: the clock's marks after event ``seq`` taken in order up to
        each point (events in order), the running seconds at each."""
        running = True
        for m in self.marks:
            if m.seq >= seq:
                break
            if m.kind != "correct":
                running = m.kind == "resume"
        marks = [m for m in self.marks if m.seq > seq]
        j = 0
        elapsed = 0.0
        mark = at
        out: list[float] = []
        for pseq, pat in points:
            while j < len(marks) and marks[j].seq <= pseq:
                m = marks[j]
                j += 1
                if m.kind == "correct":
                    elapsed += m.seconds
                elif m.kind == "pause" and running:
                    elapsed += (m.at - mark).total_seconds()
                    running = False
                elif m.kind == "resume" and not running:
                    mark = m.at
                    running = True
            out.append(elapsed + ((pat - mark).total_seconds() if running else 0.0))
        return out

    def reading(self, phase_start: tuple[int, _dt.datetime, float] | None,
                exercise_start: tuple[int, _dt.datetime] | None,
                now: _dt.datetime) -> ClockReading:
        """The clock at ``now``. ``phase_start``: (seq, time, planned seconds) of the current
        phase's start; ``exercise_start``: (seq, time) of phase 1's start (None: not begun)."""
        running = self.running
        planned = planned_minutes(self.sc) * 60.0
        if phase_start is None or exercise_start is None:
            return ClockReading(False, running, 0.0, 0.0, 0.0, planned, self.paused_on_close,
                                self.pause_reason)
        phase = self.elapsed_since(phase_start[0], phase_start[1], now)
        exercise = self.elapsed_since(exercise_start[0], exercise_start[1], now)
        return ClockReading(True, running, max(0.0, phase), max(0.0, exercise), phase_start[2],
                            planned, self.paused_on_close, self.pause_reason)
