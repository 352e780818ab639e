"""Use cases on a session, with no Qt: create, open, execute commands, seek, view, clock.

A :class:`Session` owns an open :class:`~peacetable.storage.session_file.SessionStore`, the
scenario copied into it, the events in memory and the current state. Every command goes
through :func:`~peacetable.domain.engine.decide`; its events are appended durably, folded
into the state, and announced to subscribers as a :class:`Change`.
"""

from __future__ import annotations

import datetime as _dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain import commands as C
from ..domain.engine import Ledger, Refused, decide
from ..domain.events import (
    ClockPaused,
    ClockResumed,
    Event,
    Redone,
    SessionStarted,
    Undone,
    Visibility,
)
from ..domain.loader import LoadedScenario, ScenarioError, load_scenario, parse_scenario
from ..domain.scenario import Scenario
from ..domain.state import SnapshotTooRecent, State, cancelled_set, fold, initial_state
from ..domain.views import describe_event, view_state, visible_events
from ..storage.session_file import SessionFileError, SessionStore, sha256_text

SNAPSHOT_EVERY = 500

__all__ = ["Session", "Change", "Refused", "SessionFileError", "ScenarioError"]


@dataclass(frozen=True)
class Change:
    """What a command changed: the new events and the state after them."""

    events: tuple[Event, ...]
    state: State
    rebuilt: bool = False  # True after undo/redo: views should redraw from scratch


class Session:
    def __init__(self, store: SessionStore, loaded: LoadedScenario):
        self.store = store
        self.loaded = loaded
        self.scenario: Scenario = loaded.scenario
        self.ledger = Ledger()
        self._vis: dict[int, Visibility] = {}
        self._clock_marks: list[tuple[int, bool]] = []  # (seq, running after it)
        self._events: list[Event] | None = None
        self._trace: list[tuple[int, int, float, dict[str, float]]] | None = None
        if not store.readonly:
            self._load_events()  # writing needs the undo ledger, built from the whole log
        self.state: State = self.state_at(store.last_seq)
        self._listeners: list[Callable[[Change], None]] = []
        #: write a snapshot (a cached fold) after this many events since the last one
        self.snapshot_every = SNAPSHOT_EVERY

    @property
    def events(self) -> list[Event]:
        """Every event of the session in order (event n is ``events[n - 1]``).

        A read-only session decodes the log only when asked: `peacetable replay` needs
        just the newest usable snapshot and the events after it."""
        if self._events is None:
            self._load_events()
        return self._events  # type: ignore[return-value]

    def _load_events(self) -> None:
        self._events = self.store.events()
        for ev in self._events:
            self._feed(ev)

    def _slice(self, after: int, upto: int) -> list[Event]:
        if self._events is not None:
            return self._events[after:upto]  # events are numbered 1..n without gaps
        return self.store.events(after=after, upto=upto)

    # ------------------------------------------------------------------ open / create
    @classmethod
    def create(cls, scenario_path: str | Path, out_path: str | Path, *, seed: int | None = None,
               teams: dict[str, str] | None = None, title: str = "") -> Session:
        loaded = load_scenario(scenario_path)
        return cls.create_from(loaded, out_path, seed=seed, teams=teams, title=title)

    @classmethod
    def create_from(cls, loaded: LoadedScenario, out_path: str | Path, *, seed: int | None = None,
                    teams: dict[str, str] | None = None, title: str = "") -> Session:
        sc = loaded.scenario
        for rid in teams or {}:
            if rid not in sc.role_by_id:
                raise Refused(f"unknown role '{rid}' in the team assignment")
        seed = secrets.randbelow(2**31) if seed is None else int(seed)
        store = SessionStore.create(out_path, loaded.text, Path(loaded.source).name, meta={
            "scenario_id": sc.scenario.id, "scenario_title": sc.scenario.title,
            "app": "peacetable"})
        try:
            store.append([(SessionStarted(
                scenario_id=sc.scenario.id, scenario_sha256=sha256_text(loaded.text), seed=seed,
                title=title or sc.scenario.title, teams=dict(teams or {})), Visibility())])
            return cls(store, loaded)
        except BaseException:
            store.close()
            raise

    @classmethod
    def open(cls, path: str | Path, readonly: bool = False) -> Session:
        store = SessionStore.open(path, readonly=readonly)
        try:
            text, source, _sha = store.scenario()
            try:
                loaded = parse_scenario(text, f"{path} (scenario copy '{source}')")
            except ScenarioError as exc:
                raise SessionFileError(f"{path}: its scenario copy is not valid:\n{exc}") from None
            session = cls(store, loaded)
            first = session._slice(0, 1)
            if not first or not isinstance(first[0].body, SessionStarted):
                raise SessionFileError(f"{path}: has no session_started event (damaged session)")
            return session
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        self.store.close()

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def seed(self) -> int:
        return self.state.seed

    @property
    def teams(self) -> dict[str, str]:
        b = self._slice(0, 1)[0].body
        return dict(b.teams) if isinstance(b, SessionStarted) else {}

    # ------------------------------------------------------------------ subscribe
    def subscribe(self, fn: Callable[[Change], None]) -> Callable[[], None]:
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    # ------------------------------------------------------------------ commands
    def execute(self, cmd: C.Command, ts: str | None = None) -> list[Event]:
        items = decide(self.scenario, self.state, cmd, self.ledger, self._vis)
        new = self.store.append(items, ts=ts)
        rebuilt = False
        for ev in new:
            self.events.append(ev)
            self._feed(ev)
        if any(isinstance(ev.body, (Undone, Redone)) for ev in new):
            self.state = self.state_at(self.store.last_seq)
            rebuilt = True
            self._trace = None
        else:
            trace = self._trace

            def hook(ev: Event, st: State) -> None:
                if trace is not None:
                    trace.append((ev.seq, st.phase_index, st.index, dict(st.variables)))

            self.state = fold(self.scenario, new, start=self.state, on_event=hook)
        if self.state.seq - self.store.last_snapshot_seq >= self.snapshot_every:
            self.store.save_snapshot(self.state)
        change = Change(tuple(new), self.state, rebuilt)
        for fn in list(self._listeners):
            fn(change)
        return new

    def _feed(self, ev: Event) -> None:
        self.ledger.feed(ev)
        self._vis[ev.seq] = ev.visibility
        if isinstance(ev.body, (ClockPaused, ClockResumed)):
            self._clock_marks.append((ev.seq, isinstance(ev.body, ClockResumed)))

    # ------------------------------------------------------------------ seeking
    def state_at(self, seq: int | None = None) -> State:
        """The state after event ``seq`` (default: the last), via the nearest usable snapshot."""
        last = self.store.last_seq
        seq = last if seq is None else max(0, min(int(seq), last))
        limit = seq
        while True:
            snap = self.store.snapshot_at_or_before(limit)
            start_seq = snap.seq if snap else 0
            try:
                return fold(self.scenario, self._slice(start_seq, seq), start=snap)
            except SnapshotTooRecent:
                limit = start_seq - 1
                if limit < 0:
                    return fold(self.scenario, self._slice(0, seq))

    def trace(self) -> list[tuple[int, int, float, dict[str, float]]]:
        """(seq, phase index, escalation index, variables) after every applied event.

        Computed by one fold of the log on first use, then kept up to date by execute()
        (an undo or redo recomputes it). Callers get a copy of the list."""
        if self._trace is None:
            init = initial_state(self.scenario)
            out = [(0, -1, init.index, dict(init.variables))]

            def hook(ev: Event, st: State) -> None:
                out.append((ev.seq, st.phase_index, st.index, dict(st.variables)))

            fold(self.scenario, self.events, on_event=hook)
            self._trace = out
        return list(self._trace)

    # ------------------------------------------------------------------ views
    def view(self, viewer: str = "control", at: int | None = None) -> dict[str, Any]:
        st = self.state if at is None else self.state_at(at)
        return view_state(self.scenario, st, viewer)

    def visible_events(self, viewer: str = "control", upto: int | None = None) -> list[Event]:
        """The events ``viewer`` may see (control, audience or a role id), up to event
        ``upto`` (default: all). Views list events through this, never by filtering
        visibility themselves."""
        evs = self.events if upto is None else self._slice(0, max(0, int(upto)))
        return visible_events(evs, viewer)

    def describe(self, ev: Event) -> str:
        return describe_event(self.scenario, ev)

    def effective_events(self) -> list[Event]:
        """Events that count now (not cancelled by an undo), undo/redo markers left out."""
        cancelled = cancelled_set(self.events)
        return [e for e in self.events
                if e.seq not in cancelled and not isinstance(e.body, (Undone, Redone))]

    # ------------------------------------------------------------------ phase clock
    def phase_clock(self, now: _dt.datetime | None = None) -> tuple[float, bool]:
        """(seconds elapsed in the current phase, running?) from the events' timestamps.

        The clock runs from the current phase's start; pauses stop it. Read only for
        display and for which injects are due: it never enters the fold."""
        now = now or _dt.datetime.now(_dt.timezone.utc)
        if self.state.phase is None:
            return 0.0, False
        start = self.events[self.state.phase_started_at - 1]
        # pause/resume are not undoable, so the marks are the clock's whole history
        running = True
        for seq, run in self._clock_marks:
            if seq < start.seq:
                running = run
        mark = _parse_ts(start.ts)
        elapsed = 0.0
        for seq, run in self._clock_marks:
            if seq <= start.seq or run == running:
                continue
            t = _parse_ts(self.events[seq - 1].ts)
            if not run:
                elapsed += (t - mark).total_seconds()
            else:
                mark = t
            running = run
        if running:
            elapsed += (now - mark).total_seconds()
        return max(0.0, elapsed), running

    def injects_due(self, now: _dt.datetime | None = None,
                    elapsed: float | None = None) -> list[dict[str, Any]]:
        """The current phase's scheduled injects with their due time and whether fired/due
        (``elapsed``: the phase clock in seconds, if the caller has just read it)."""
        if self.state.phase is None:
            return []
        if elapsed is None:
            elapsed, _ = self.phase_clock(now)
        phase = self.scenario.phase_by_id[self.state.phase]
        rows = []
        for iid in phase.injects:
            inj = self.scenario.inject_by_id[iid]
            fired = self.state.injects_fired.get(iid)
            rows.append({"id": iid, "title": inj.title, "at_minute": inj.at_minute,
                         "fired_at": fired, "due": fired is None and elapsed >= inj.at_minute * 60})
        return rows


def _parse_ts(ts: str) -> _dt.datetime:
    t = _dt.datetime.fromisoformat(ts)
    return t if t.tzinfo else t.replace(tzinfo=_dt.timezone.utc)
