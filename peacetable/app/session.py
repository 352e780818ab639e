"""Use cases on a session, with no Qt: create, open, execute commands, seek, view, clock.

A :class:`Session` owns an open :class:`~peacetable.storage.session_file.SessionStore`, the
scenario copied into it, the events in memory and the current state. Every command goes
through :func:`~peacetable.domain.engine.decide`; its events are appended durably, folded
into the state, and announced to subscribers as a :class:`Change`.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as _dt
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain import commands as C
from ..domain.engine import Ledger, Refused, decide
from ..domain.events import (
    Event,
    InjectFired,
    PhaseStarted,
    Redone,
    SessionStarted,
    Undone,
    Visibility,
)
from ..domain.calendar import carried_date
from ..domain.loader import LoadedScenario, ScenarioError, load_scenario, parse_scenario
from ..domain.scenario import Linkage, Scenario
from ..domain.state import SnapshotTooRecent, State, cancelled_set, fold, initial_state
from ..domain.views import EventsBySeq, describe_event, view_state, viewer_label, visible_events
from ..storage.session_file import (
    RecordBroken,
    RecordCheck,
    SessionFileError,
    SessionNotWritable,
    SessionStore,
    Snapshot,
    not_writable_reason,
    sha256_text,
)
from .clock import (
    CLOSED,
    CRASHED,
    HEARTBEAT_KEY,
    HEARTBEAT_SECONDS,
    ClockReading,
    ExerciseClock,
    parse_ts,
)

if TYPE_CHECKING:
    from ..domain.analytics.network import LinkageNetwork

SNAPSHOT_EVERY = 500

__all__ = ["Session", "Change", "ClockReading", "Refused", "SessionFileError", "ScenarioError"]


@dataclass(frozen=True)
class Change:
    """What a command changed: the new events and the state after them."""

    events: tuple[Event, ...]
    state: State
    rebuilt: bool = False  # True after undo/redo: views should redraw from scratch


class Session:
    def __init__(self, store: SessionStore, loaded: LoadedScenario, writing: bool | None = None,
                 *, defer_state: bool = False):
        self.store = store
        self.loaded = loaded
        self.scenario: Scenario = loaded.scenario
        self.ledger = Ledger()
        self._vis: dict[int, Visibility] = {}
        self._clock = ExerciseClock(loaded.scenario)
        self._phase_starts: list[int] = []
        self._exercise_start: tuple[int, int | None] | None = None  # (events seen, seq)
        self._events: list[Event] | None = None
        self._by_seq: EventsBySeq | None = None
        self._trace: list[tuple[int, int, float, dict[str, float]]] | None = None
        self._auto_refused: set[str] = set()  # injects the engine refused to fire by themselves
        if writing if writing is not None else not store.readonly:
            self._load_events()  # writing needs the undo ledger, built from the whole log
        self._state: State | None = None
        if not defer_state:
            self._state = self.state_at(store.last_seq)
        self._listeners: list[Callable[[Change], None]] = []
        #: why annotations cannot be written to this session's file, or None when they can
        #: (a session opened with :meth:`open_replay` may take annotations)
        self.replay_note: str | None = None if writing or not store.readonly else \
            "it is open read-only"
        #: write a snapshot (a cached fold) after this many events since the last one
        self.snapshot_every = SNAPSHOT_EVERY
        self._last_beat: _dt.datetime | None = None  # when keep_time last wrote
        self._writer_seen: tuple[float, bool] | None = None  # (monotonic time, a writer?)
        #: when opened after the program that had the session open stopped without closing
        #: it while the clock ran: the time (UTC, ISO) the clock was paused at, else ""
        self.stopped_at = ""

    @property
    def state(self) -> State:
        """The state after the last event (folded when first asked for, if the session was
        opened with ``defer_state``)."""
        if self._state is None:
            self._state = self.state_at(self.store.last_seq)
        return self._state

    @state.setter
    def state(self, st: State) -> None:
        self._state = st

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
    def open(cls, path: str | Path, readonly: bool = False, *,
             defer_state: bool = False) -> Session:
        """Open a session file for writing (the default) or read-only.

        Every check runs before anything is written: a file that fails one is refused and
        left exactly as it was. Opening for writing also verifies the whole record
        (:class:`RecordBroken` if it does not) and then migrates an older schema.

        ``defer_state`` (read-only only): do not fold the state at the last event yet. For
        a caller that folds the whole record itself next (the replay model), which then
        hands the session that state and shows its snapshots true or false on the way
        (:meth:`pending_snapshots`, :meth:`settle_snapshots`), so the record is folded once."""
        store = SessionStore.open_checked(path, lock=not readonly)
        try:
            if not readonly:
                why = not_writable_reason(store.path)
                if why:
                    raise SessionNotWritable(f"{path}: {why}; it can be opened read-only for "
                                             "replay, not continued (the file was not changed)")
            loaded = cls._scenario_copy(store, path)
            if not readonly:
                check = cls._verify(store, loaded.scenario)
                if not check.intact:
                    raise RecordBroken(f"{path}: {check.message}; the file was not changed (it can "
                                       "still be replayed read-only)")
            cls._check_start(store, loaded)
            # writing decodes and folds every event: all of it before the file is touched
            session = cls(store, loaded, writing=not readonly,
                          defer_state=readonly and defer_state)
            if not readonly:
                store.begin_writing()
                session._refresh_stale_snapshots()
                session._after_a_stop()
            return session
        except BaseException:
            store.close()
            raise

    @classmethod
    def open_replay(cls, path: str | Path, *, defer_state: bool = False) -> Session:
        """Open for replay: never writes events (``execute`` is refused), takes no write lock
        and changes no byte of the file. Annotations may still be written through
        ``session.store.annotate`` unless :attr:`replay_note` says why not. For
        ``defer_state`` see :meth:`open`."""
        session = cls.open(path, readonly=True, defer_state=defer_state)
        session.replay_note = session.store.replay_note()
        return session

    @staticmethod
    def _scenario_copy(store: SessionStore, path) -> LoadedScenario:
        text, source, _sha = store.scenario()
        try:
            return parse_scenario(text, f"{path} (scenario copy '{source}')")
        except ScenarioError as exc:
            raise SessionFileError(f"{path}: its scenario copy is not valid:\n{exc}") from None

    @staticmethod
    def _verify(store: SessionStore, sc: Scenario) -> RecordCheck:
        return store.verify_record(check_body=lambda seq, b: body_problem(sc, b))

    @staticmethod
    def _check_start(store: SessionStore, loaded: LoadedScenario) -> None:
        first = store.events(0, 1)
        if not first or not isinstance(first[0].body, SessionStarted):
            raise SessionFileError(f"{store.path}: has no session_started event (damaged session)")
        if first[0].body.scenario_sha256 != sha256_text(loaded.text):
            raise SessionFileError(f"{store.path}: its scenario copy is not the scenario the "
                                   "session was started from (its sha256 differs from the one "
                                   "recorded in event 1); the file was not changed")

    # ------------------------------------------------------------------ the record
    @property
    def fingerprint(self) -> str:
        """The record's fingerprint (the newest event's chain hash, hex): compare it with
        the one printed on a report to know the file is the one the report came from."""
        return self.store.fingerprint()

    def verify_record(self) -> RecordCheck:
        """Recompute the chain and check every event against the scenario: "record intact"
        or the first event where the record breaks and what is wrong there."""
        return self._verify(self.store, self.scenario)

    @property
    def warnings(self) -> list[str]:
        """Things a reader should know that did not stop the file from opening (e.g. a
        snapshot ignored because it does not match the record)."""
        return self.store.warnings

    def close(self, *, pause_clock: bool = False) -> None:
        """Close the file. ``pause_clock``: the person running the session is leaving it
        (the window or the session is closed), so a running clock is paused first and
        reopening offers to resume it."""
        if pause_clock and not self.store.readonly and self.state.phase is not None \
                and self._clock.running:
            try:
                self.execute(C.PauseClock(reason=CLOSED))
            except (Refused, SessionFileError):
                pass  # closing must not fail; the clock then runs on in the record
        if self._last_beat is not None and not self.store.readonly:
            try:  # a clean close: nothing to recover at the next opening
                self.store.set_meta(HEARTBEAT_KEY, "")
            except SessionFileError:
                pass
        self.store.close()

    # ------------------------------------------------------------------ a stop without close
    def keep_time(self, now: _dt.datetime | None = None) -> bool:
        """Say that this program is keeping the session's time: while the clock runs, write
        the time beside the record (``meta``, never an event) at most every
        :data:`~peacetable.app.clock.HEARTBEAT_SECONDS`. Call it regularly (the window does,
        every second). If the program is killed, the next opening pauses the clock at the
        last of these times (see :meth:`_after_a_stop`). Returns whether it wrote."""
        if self.store.readonly or self.state.phase is None or not self._clock.running:
            return False
        now = now or _dt.datetime.now(_dt.timezone.utc)
        if self._last_beat is not None and \
                (now - self._last_beat).total_seconds() < HEARTBEAT_SECONDS:
            return False
        try:
            self.store.set_meta(HEARTBEAT_KEY, now.astimezone(_dt.timezone.utc)
                                .isoformat(timespec="milliseconds"))
        except SessionFileError:
            return False  # the clock goes on; a later beat may succeed
        self._last_beat = now
        return True

    def _after_a_stop(self, now: _dt.datetime | None = None) -> None:
        """Opened for writing: if the program that had the session open was stopped without
        closing it (a heartbeat is there) while the clock ran, record the pause it could not
        record, dated at its last sign of life (the heartbeat or the last event, whichever
        is later, never later than now): the time it was down is not exercise time."""
        beat = self.store.meta().get(HEARTBEAT_KEY, "")
        if not beat:
            return
        if self.state.phase is not None and self._clock.running:
            now = now or _dt.datetime.now(_dt.timezone.utc)
            at = parse_ts(self.events[-1].ts)
            try:  # the file is untrusted: a value that is not a time is ignored
                at = max(at, min(parse_ts(beat), now))
            except (ValueError, TypeError):
                pass
            at = at.astimezone(_dt.timezone.utc)
            ts = at.isoformat(timespec="milliseconds")
            self.execute(C.PauseClock(reason=CRASHED), ts=ts)
            self.stopped_at = ts
        self.store.set_meta(HEARTBEAT_KEY, "")

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
        if self.store.readonly:
            raise SessionFileError(f"{self.path}: is open read-only (for replay); nothing can be "
                                   "recorded")
        if isinstance(cmd, C.PauseClock) and not self._clock.running:
            raise Refused("the clock is already paused")
        if isinstance(cmd, C.ResumeClock) and self._clock.running:
            raise Refused("the clock is already running")
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
        self._clock.feed(ev)
        if isinstance(ev.body, PhaseStarted):
            self._phase_starts.append(ev.seq)

    # ------------------------------------------------------------------ seeking
    def state_at(self, seq: int | None = None) -> State:
        """The state after event ``seq`` (default: the last), via the nearest usable snapshot."""
        last = self.store.last_seq
        seq = last if seq is None else max(0, min(int(seq), last))
        try:
            start = self._snapshot(seq)
            return self._fold_from(start, seq)
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            # a well-formed record never gets here: say which event is wrong
            check = self.verify_record()
            if check.intact:
                raise
            raise SessionFileError(f"{self.path}: {check.message}") from exc

    def _fold_from(self, snap: State | None, seq: int) -> State:
        while True:
            start_seq = snap.seq if snap else 0
            try:
                return fold(self.scenario, self._slice(start_seq, seq), start=snap)
            except SnapshotTooRecent:  # the tail undoes what the snapshot includes
                snap = self._snapshot(start_seq - 1)

    def _snapshot(self, limit: int) -> State | None:
        """The state at the newest usable snapshot at or before ``limit``, shown true.

        A snapshot is read from the file, which anyone may have edited (two consecutive
        snapshots forged consistently check against each other), so it is used only once
        this computer has shown it to be the fold of the events (see
        :mod:`~peacetable.storage.proofs`): it wrote it after folding, or compared it with a
        fold of the events from a snapshot already shown true (or from the first event).
        Snapshots not shown true yet are compared here, oldest first; one that differs is
        ignored with a warning and the fold of the events stands in its place."""
        if limit < 1:
            return None
        pending = []
        base = None
        for snap in self.store.snapshot_records(limit):
            if snap.proven:
                base = snap
                break
            pending.append(snap)
        if not pending:
            return base.state if base else None
        bases: list[tuple[int, State | None]] = [(0, None)]
        if base is not None:
            bases.append((base.seq, base.state))
        shown = []
        for snap in reversed(pending):  # oldest first, each from the last state shown true
            st = self._fold_bases(bases, snap.seq)
            if st == snap.state:
                shown.append(snap)
                bases.append((snap.seq, snap.state))
            else:
                self.store.distrust(snap.seq, "it does not fold to what the events say")
                bases.append((snap.seq, st))
        self.store.prove(shown)
        return bases[-1][1]

    def pending_snapshots(self) -> dict[int, Snapshot]:
        """The usable snapshots this computer has not shown true yet, by event: for a
        caller about to fold the whole record in order, which compares each with its fold
        there (:meth:`settle_snapshots`) instead of :meth:`state_at` folding for them."""
        return {s.seq: s for s in self.store.snapshot_records(self.store.last_seq)
                if not s.proven and s.seq not in self.store.distrusted}

    def settle_snapshots(self, pending: dict[int, Snapshot], folded: dict[int, bool]) -> None:
        """Record what a fold of the events from the first showed: ``folded[seq]`` is True
        when the snapshot at ``seq`` equals the state that fold had there (the state as it
        stood: no undo or redo after ``seq`` reaching back past it), False when it differs
        (ignored from now on, with a warning). Snapshots not in ``folded`` stay pending."""
        for seq, same in sorted(folded.items()):
            if not same:
                self.store.distrust(seq, "it does not fold to what the events say")
        self.store.prove(pending[seq] for seq, same in folded.items() if same)

    def adopt_state(self, st: State) -> None:
        """Take the state after the last event from a fold of the whole record made
        elsewhere (the replay model's), when it has not been folded yet."""
        if self._state is None and st.seq == self.store.last_seq:
            self._state = st

    def _fold_bases(self, bases: list[tuple[int, State | None]], seq: int) -> State:
        """The fold of events 1..``seq`` from the newest of ``bases`` (states shown true,
        ascending) that the events after it do not reach back past."""
        for bseq, st in reversed(bases):
            if bseq > seq:
                continue
            try:
                return fold(self.scenario, self._slice(bseq, seq), start=st)
            except SnapshotTooRecent:
                continue
        raise AssertionError("unreachable: the fold from event 0 starts from nothing")

    def _refresh_stale_snapshots(self) -> None:
        """Opened for writing: snapshots written by another fold version are never used, so
        such a file would be folded from its first event at every opening. Write fresh ones
        of this fold version at the same events (folds of the events; only the snapshots
        table changes, never the record)."""
        last = self.store.last_seq
        seqs = [q for q in self.store.stale_snapshot_seqs() if 0 < q <= last]
        if not seqs:
            return
        bases: list[tuple[int, State | None]] = [(0, None)]
        for q in seqs:
            bases.append((q, self._fold_bases(bases, q)))
        try:
            self.store.replace_snapshots([st for _q, st in bases[1:] if st is not None])
        except SessionFileError as exc:
            self.store.warnings.append(f"{exc}; they are folded from the events instead")

    def check_snapshots(self) -> dict[int, str]:
        """Show every usable snapshot true or false (those shown true before, on this
        computer, are not folded again). Returns the events of the snapshots found false
        (or unusable), which are ignored from now on with a warning."""
        records = list(self.store.snapshot_records(self.store.last_seq))
        for snap in reversed(records):  # oldest first: each from the one before
            if not snap.proven:
                self._snapshot(snap.seq)
        return dict(sorted(self.store.distrusted.items()))

    def has_state(self) -> bool:
        """Whether the state after the last event is already folded (see ``defer_state``)."""
        return self._state is not None

    def has_trace(self) -> bool:
        """Whether the escalation trace is already computed (see :meth:`trace`)."""
        return self._trace is not None

    def adopt_trace(self, rows: list[tuple[int, int, float, dict[str, float]]]) -> None:
        """Take the trace from a fold of the whole record made elsewhere (the replay model's
        checkpoint fold), so it is not folded a second time. ``rows`` must be what
        :meth:`trace` would compute: the initial row, then one row after every applied event
        of the record as it stands (a record with no undo or redo, folded in order)."""
        if self._trace is None:
            self._trace = rows

    def trace(self, after: int = 0) -> list[tuple[int, int, float, dict[str, float]]]:
        """(seq, phase index, escalation index, variables) after every applied event (after
        event ``after`` only, if given; row 0 is the initial state).

        Computed by one fold of the log on first use, then kept up to date by execute()
        (an undo or redo recomputes it). Callers get a copy of the list."""
        if self._trace is None:
            init = initial_state(self.scenario)
            out = [(0, -1, init.index, dict(init.variables))]

            def hook(ev: Event, st: State) -> None:
                out.append((ev.seq, st.phase_index, st.index, dict(st.variables)))

            fold(self.scenario, self.events, on_event=hook)
            self._trace = out
        if after > 0:
            return self._trace[bisect.bisect_right(self._trace, after, key=lambda r: r[0]):]
        return list(self._trace)

    # ------------------------------------------------------------------ views
    def view(self, viewer: str = "control", at: int | None = None) -> dict[str, Any]:
        st = self.state if at is None else self.state_at(at)
        return view_state(self.scenario, st, viewer)

    def linkages(self, viewer: str = "control") -> tuple[Linkage, ...]:
        """The scenario's linkages ``viewer`` knows of (control: all; see
        ``Linkage.visible_to``). Views draw and list linkages from here, never from the
        scenario."""
        viewer_label(self.scenario, viewer)
        return self.scenario.linkages_for(viewer)

    def linkage_network(self, viewer: str = "control") -> LinkageNetwork:
        """The linkage network (deadlocks, phased order, keystones) of the linkages
        ``viewer`` knows of."""
        from ..domain.analytics.network import LinkageNetwork

        viewer_label(self.scenario, viewer)
        return LinkageNetwork.from_scenario(self.scenario, viewer)

    def visible_events(self, viewer: str = "control", upto: int | None = None, *,
                       among: list[Event] | None = None, effective: bool = False) -> list[Event]:
        """The events ``viewer`` may see (control, audience or a role id), up to event
        ``upto`` (default: all); ``among``: only of these events (e.g. a change just
        announced); ``effective``: only those that count now (see :meth:`effective_events`).
        Views list events through this, never by filtering visibility themselves."""
        if among is not None:
            evs = list(among)
        elif effective:
            evs = self.effective_events()
        else:
            evs = self.events if upto is None else self._slice(0, max(0, int(upto)))
        if upto is not None and (among is not None or effective):
            evs = [e for e in evs if e.seq <= upto]
        return visible_events(evs, viewer)

    def events_by_seq(self) -> EventsBySeq:
        """The session's events looked up by number (for the describers of domain/views)."""
        evs = self.events
        by = self._by_seq
        if by is None or by.events is not evs:
            by = self._by_seq = EventsBySeq(evs)
        return by

    def describe(self, ev: Event, viewer: str = "control") -> str:
        """One line for ``ev`` as ``viewer`` reads it (labels; control also gets the event
        numbers of the moves it names). A move ``viewer`` may not see is not described."""
        return describe_event(self.scenario, ev, self.events_by_seq(), viewer)

    def effective_events(self) -> list[Event]:
        """Events that count now (not cancelled by an undo), undo/redo markers left out."""
        cancelled = cancelled_set(self.events)
        return [e for e in self.events
                if e.seq not in cancelled and not isinstance(e.body, (Undone, Redone))]

    # ------------------------------------------------------------------ clock
    def clock(self, now: _dt.datetime | None = None) -> ClockReading:
        """The phase and exercise clocks at ``now`` (default: the current time).

        Time counts from the start of the current phase (and of phase 1) while the clock
        runs; pauses stop it, closing the session pauses it, corrections add or take off
        time. Read for display and for which injects are due; it never enters the fold."""
        now = now or _dt.datetime.now(_dt.timezone.utc)
        left = self._left_off() if self._clock.running else None
        if left is not None and left[0] < now:
            # read-only, and nobody is keeping the session's time: it stands where its
            # writer left it (the time since is no exercise time: see _after_a_stop)
            return dataclasses.replace(self.clock(left[0]), running=False,
                                       paused_on_close=left[1] == CRASHED, pause_reason=left[1])
        events = self.events
        st = self.state
        if st.phase is None:
            return self._clock.reading(None, None, now)
        start = events[st.phase_started_at - 1]
        planned = self.scenario.phase_by_id[st.phase].duration_minutes * 60.0
        first = self._first_phase_start()
        ex = events[first - 1] if first else start
        return self._clock.reading((start.seq, parse_ts(start.ts), planned),
                                   (ex.seq, parse_ts(ex.ts)), now)

    def _left_off(self) -> tuple[_dt.datetime, str] | None:
        """Read-only, with no program writing the session: the writer's last sign of life
        (the later of its heartbeat and the last event) and why it stopped (:data:`CRASHED`
        when it left a heartbeat, i.e. was stopped without closing the session). None when
        this session writes, or another program does (its clock is live)."""
        if not self.store.readonly:
            return None
        t = time.monotonic()
        if self._writer_seen is None or t - self._writer_seen[0] > 2.0:
            self._writer_seen = (t, self.store.writer_active())
        if self._writer_seen[1]:
            return None
        at = parse_ts(self.events[-1].ts)
        beat = self.store.meta().get(HEARTBEAT_KEY, "")
        if beat:
            try:  # the file is untrusted: a value that is not a time is ignored
                at = max(at, parse_ts(beat))
            except (ValueError, TypeError):
                pass
        return at, CRASHED if beat else ""

    def _first_phase_start(self) -> int | None:
        """The event that started phase 1 and still counts (starting a phase can be undone)."""
        n = len(self.events)
        if self._exercise_start is None or self._exercise_start[0] != n:
            cancelled = cancelled_set(self.events)
            first = next((q for q in self._phase_starts if q not in cancelled), None)
            self._exercise_start = (n, first)
        return self._exercise_start[1]

    def exercise_minutes(self, seqs: list[int]) -> list[float]:
        """The exercise clock, in minutes, at each of the events ``seqs`` (in order): running
        time since phase 1 started, pauses left out and corrections counted, as the clock
        showed when the event was recorded; 0 before phase 1 (and for event 0, the start).
        Never less than at an earlier event of ``seqs`` (a clock correction that takes time
        off holds the chart's time axis where it was)."""
        first = self._first_phase_start()
        if first is None or not seqs:
            return [0.0] * len(seqs)
        events = self.events
        start = events[first - 1]
        points = [(q, parse_ts(events[q - 1].ts) if q >= 1 else parse_ts(start.ts))
                  for q in seqs]
        out = self._clock.elapsed_series(first, parse_ts(start.ts), points)
        top = 0.0
        for k, v in enumerate(out):
            top = max(top, v)
            out[k] = top / 60.0
        return out

    def game_date(self, viewer: str = "control", at: int | None = None):
        """The in-game date (a date, or None) after event ``at`` (default: now) as ``viewer``
        knows it: the phase's date, moved on by the dated injects it has heard of."""
        from ..domain.calendar import game_date

        return game_date(self.scenario, self.state if at is None else self.state_at(at), viewer)

    def phase_clock(self, now: _dt.datetime | None = None) -> tuple[float, bool]:
        """(seconds elapsed in the current phase, running?): see :meth:`clock`."""
        r = self.clock(now)
        return (r.phase, r.running) if r.started else (0.0, False)

    def inject_schedule(self, st: State | None = None) -> list[dict[str, Any]]:
        """Every scheduled inject of the whole exercise, in phase and minute order, with the
        phase and minute it is planned for now (after control's reschedules), and whether it
        was fired (event) or skipped (event)."""
        st = st or self.state
        sc = self.scenario
        rows = []
        for k, ph in enumerate(sc.phases):
            for iid in ph.injects:
                inj = sc.inject_by_id[iid]
                phase, minute = st.inject_plan.get(iid, (ph.id, float(inj.at_minute)))
                rows.append({"id": iid, "title": inj.title, "phase": phase,
                             "phase_index": sc.phases.index(sc.phase_by_id[phase]),
                             "at_minute": minute, "planned_minute": float(inj.at_minute),
                             "planned_phase": ph.id, "fired_at": st.injects_fired.get(iid),
                             "date": carried_date(sc, iid, phase),
                             "planned_date": inj.date,
                             "skipped_at": st.injects_skipped.get(iid)})
        rows.sort(key=lambda r: (r["phase_index"], r["at_minute"]))
        return rows

    def injects_due(self, now: _dt.datetime | None = None,
                    elapsed: float | None = None) -> list[dict[str, Any]]:
        """The current phase's scheduled injects (as rescheduled; skipped ones left out) with
        their due time and whether fired/due (``elapsed``: the phase clock in seconds, if the
        caller has just read it)."""
        st = self.state
        if st.phase is None:
            return []
        if elapsed is None:
            elapsed = self.clock(now).phase
        rows = []
        for r in self.inject_schedule(st):
            if r["phase"] != st.phase or r["skipped_at"] is not None:
                continue
            rows.append({"id": r["id"], "title": r["title"], "at_minute": r["at_minute"],
                         "fired_at": r["fired_at"],
                         "due": r["fired_at"] is None and elapsed >= r["at_minute"] * 60})
        return rows

    def fire_due_injects(self, now: _dt.datetime | None = None) -> list[Event]:
        """Fire the scheduled injects of the current phase that are due and that fire by
        themselves (the scenario's ``[scenario] injects = "automatic"`` or an inject's
        ``auto = true``), while the clock runs; returns the events recorded.

        An inject fires by itself once: if control undoes that firing, it waits for control
        like a manual one."""
        if self.state.phase is None:
            return []
        reading = self.clock(now)
        if not reading.running:
            return []
        default = self.scenario.scenario.injects
        candidates = [r["id"] for r in self.injects_due(elapsed=reading.phase)
                      if r["due"] and self.scenario.inject_by_id[r["id"]].fires_itself(default)]
        if not candidates:
            return []
        ever = {ev.body.inject for ev in self.events if isinstance(ev.body, InjectFired)}
        out: list[Event] = []
        for iid in candidates:
            if iid in ever or iid in self._auto_refused:
                continue
            try:
                out += self.execute(C.FireInject(id=iid))
            except Refused:
                self._auto_refused.add(iid)  # left to control (the MSEL shows it due)
        return out


def body_problem(sc: Scenario, b) -> str | None:
    """What in an event body (its :class:`~peacetable.storage.session_file.BodyRefs`) the
    scenario cannot account for, or None."""
    if b.type == "move_submitted":
        if b.template not in sc.template_by_id:
            return f"it uses the move template '{b.template}', which the scenario does not have"
        if b.role not in sc.role_by_id:
            return f"it names the role '{b.role}', which the scenario does not have"
    elif b.type == "phase_started":
        if b.index is None or not 0 <= b.index < len(sc.phases) or \
                sc.phases[b.index].id != b.phase:
            return f"it starts phase {b.index} '{b.phase}', which the scenario does not have"
    elif b.type == "inject_fired":
        if b.inject is not None and b.inject not in sc.inject_by_id:
            return f"it fires the inject '{b.inject}', which the scenario does not have"
        if b.effects:
            return effects_problem(sc, b.effects)
    return None


def effects_problem(sc: Scenario, effects: dict) -> str | None:
    """What in recorded effects (an inject's) the scenario cannot account for, or None: a
    variable, role, issue or option it does not have, a value of the wrong kind."""
    from pydantic import ValidationError

    from ..domain.scenario import Effects, _effects_problems

    try:
        eff = Effects.model_validate(effects)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"its effects are not valid ({where}: {first['msg']})"
    problem = next(_effects_problems(sc, eff, ("effects",)), None)
    return None if problem is None else f"its effects name what the scenario does not have " \
                                        f"({problem.dotted}: {problem.message})"
