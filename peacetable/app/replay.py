"""Replay: a cursor over a session's record, and what every viewer saw at it. No Qt.

A :class:`ReplayModel` holds a cursor (an event number, 0 = before the first event) over
an open :class:`~peacetable.app.session.Session` and answers, for the cursor, what each
view shows: the state (``state``), the per-viewer view (``view(viewer)``, the same dict as
``Session.view``), the events a viewer could see up to the cursor (``visible_count`` /
``events_for``), the undone events as they stood then (``cancelled``), the escalation
trace a viewer may be shown (``trace(viewer)``), the phase starts (bookmarks) and the
annotations (marks). Stepping, jumping to a phase and seeking all move the cursor.

Seeking is fast at any distance: opening folds the record once and keeps the state every
``checkpoint_every`` events (msgpack-encoded), where it is the state as it stood then; a
seek decodes the nearest checkpoint at or before the target and folds at most one chunk.
Stepping forward by a few events folds just those events from the current state. The state
at event ``n`` is the fold of events ``1..n`` as they stood then (an undo recorded after
``n`` does not reach back), exactly :meth:`Session.state_at`.

The live console uses the same viewer rules through :func:`viewer_trace` and
:func:`role_values`, so no widget filters or folds anything by itself.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..domain.events import Event, PhaseStarted, Redone, Undone
from ..domain.state import (
    SnapshotTooRecent,
    State,
    decode_state,
    encode_state,
    fold,
    initial_state,
)
from ..domain.views import view_state, viewer_label

if TYPE_CHECKING:  # pragma: no cover
    from ..domain.analytics.bargaining import PackageSpace
    from ..domain.scenario import Scenario
    from .session import Session

__all__ = ["ReplayModel", "Bookmark", "Mark", "viewer_trace", "role_values", "SPEEDS"]

#: playback speeds offered (events per second at 1x: see ReplayModel.play_interval)
SPEEDS = (1, 2, 5, 10)
#: how many events one second of playback covers at 1x
EVENTS_PER_SECOND = 1.0

TraceRow = tuple[int, int, float, dict[str, float]]


@dataclass(frozen=True)
class Bookmark:
    """A phase start on the timeline."""

    seq: int
    phase_index: int
    label: str


@dataclass(frozen=True)
class Mark:
    """An annotation on the timeline."""

    id: int
    seq: int
    author: str
    text: str


def viewer_trace(rows: Iterable[TraceRow], visible: Callable[[int], bool], viewer: str,
                 last: TraceRow | None = None) -> list[TraceRow]:
    """The escalation trace rows ``viewer`` may be shown.

    Control sees every point. Any other viewer gets a point where the event is visible to
    it or where the escalation picture (phase, index, variables) changed from the last
    point kept (``last``: the last row already shown, for an incremental update); a hidden
    event that changed nothing visible leaves no mark of when it happened."""
    rows = list(rows)
    if viewer == "control":
        return rows
    kept: list[TraceRow] = []
    for r in rows:
        if last is None or visible(r[0]) or (r[1], r[2], r[3]) != (last[1], last[2], last[3]):
            kept.append(r)
            last = r
    return kept


def role_values(space: PackageSpace, state: State, view: dict[str, Any],
                role: str) -> dict[str, Any]:
    """What the packages in play are worth to ``role``, limited to what ``view`` shows.

    ``in_play``: proposals and agreements (as ``package_flags``) that the view's viewer can
    see; ``now``: the role's value of the agreements in force that the viewer can see."""
    from ..domain.analytics.session import package_flags

    flags = package_flags(space, state)
    moves = {m["id"] for m in view["moves_open"]}
    agreements = {a["id"] for a in view["agreements"]}
    in_play = {"proposals": [p for p in flags["proposals"] if p["move"] in moves],
               "agreements": [a for a in flags["agreements"] if a["agreement"] in agreements]}
    agreed: dict[str, str] = {}
    for a in view["agreements"]:  # sorted by id: later agreements win, as in the engine
        if a["status"] == "in_force":
            agreed.update(a["package"])
    return {"in_play": in_play, "now": space.evaluate(agreed)[role],
            "leverage": view["leverage"].get(role, 0.0)}


class ReplayModel:
    """A cursor over ``session``'s record; see the module docstring."""

    def __init__(self, session: Session, *, checkpoint_every: int = 32):
        self.session = session
        self.scenario: Scenario = session.scenario
        self.events: list[Event] = session.events
        self.last = len(self.events)
        self.checkpoint_every = max(1, int(checkpoint_every))
        self._checkpoints: dict[int, bytes] = {}
        self._cp_seqs: list[int] = []
        self._toggles = [(ev.seq, ev.body.target, isinstance(ev.body, Undone))
                         for ev in self.events if isinstance(ev.body, (Undone, Redone))]
        self._toggle_seqs = [t[0] for t in self._toggles]
        # for each undo/redo, the one before it naming the same event (-1: none), so that
        # the undone set follows the cursor both ways by the marks it crosses
        last_of: dict[Any, int] = {}
        self._toggle_prev: list[int] = []
        for i, (_seq, target, _undo) in enumerate(self._toggles):
            self._toggle_prev.append(last_of.get(target, -1))
            last_of[target] = i
        self._undone: dict[Any, bool] = {}  # target -> undone, after the first _undone_k marks
        self._undone_k = 0
        self._build_checkpoints()  # also gives the session its trace when it can
        self._trace_all: list[TraceRow] = session.trace()
        self._trace_seqs = [r[0] for r in self._trace_all]
        self._traces: dict[str, list[TraceRow]] = {}
        self._visible: dict[str, tuple[list[Event], list[int]]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self.bookmarks: list[Bookmark] = self._find_bookmarks()
        self.marks: list[Mark] = []
        self.cursor = self.last
        self._state: State = self._state_at(self.last)

    # ------------------------------------------------------------------ building
    def _build_checkpoints(self) -> None:
        """Fold the record once, keeping the state every ``checkpoint_every`` applied
        events, and collect the escalation trace on the way (handed to the session, so
        opening for replay folds the record once, not twice).

        That one fold applies the record as it stands (every undo and redo counted), which
        is what the trace shows. The state after event ``e`` in it is also the state as it
        stood at ``e`` unless an undo or redo recorded after ``e`` names an event at or
        before ``e``: only such stable points become checkpoints. Stretches longer than two
        chunks without one (an undo reaching far back) are then filled with checkpoints
        folded as they stood."""
        import math

        k = self.checkpoint_every
        seqs = self._toggle_seqs
        # reach[i]: the earliest event named by toggle i or any later toggle
        reach = [math.inf] * (len(self._toggles) + 1)
        for i in range(len(self._toggles) - 1, -1, -1):
            target = self._toggles[i][1]
            reach[i] = min(reach[i + 1], target if isinstance(target, int) else -math.inf)
        rows: list[TraceRow] | None = None
        if not self.session.has_trace():
            init = initial_state(self.scenario)
            rows = [(0, -1, init.index, dict(init.variables))]
        cps = self._checkpoints
        cp_seqs = self._cp_seqs
        last_cp = 0
        toggles = bool(seqs)
        # snapshots of the file not shown true on this computer yet (a file from elsewhere,
        # opened with defer_state): compared with this fold's state at their events
        pending = self.session.pending_snapshots() if not self.session.has_state() else {}
        folded: dict[int, bool] = {}

        def hook(ev: Event, st: State) -> None:
            nonlocal last_cp
            s = ev.seq
            if rows is not None:
                rows.append((s, st.phase_index, st.index, dict(st.variables)))
            if s - last_cp >= k or s in pending:
                stable = not toggles or reach[bisect.bisect_right(seqs, s)] > s
                if stable and s in pending:
                    folded[s] = st == pending[s].state
                if stable and s - last_cp >= k:
                    cps[s] = encode_state(st)
                    cp_seqs.append(s)
                    last_cp = s

        final = fold(self.scenario, self.events, on_event=hook)
        if rows is not None:
            self.session.adopt_trace(rows)
        if pending:
            self.session.settle_snapshots(pending, folded)
        self.session.adopt_state(final)
        if not toggles:
            return
        bounds = [0, *cp_seqs, self.last]
        for a, b in zip(bounds, bounds[1:]):
            if b - a > 2 * k:
                for end in range(a + k, b - k + 1, k):
                    st = self._fold_from_checkpoints(end)
                    cps[end] = encode_state(st)
                    bisect.insort(cp_seqs, end)

    def _fold_from_checkpoints(self, n: int) -> State:
        """Fold to ``n`` from the nearest usable checkpoint at or before it: one that no
        undo or redo between it and ``n`` reaches back past (such a toggle changes what
        the checkpoint already counts)."""
        limit = n
        while True:
            k = bisect.bisect_right(self._cp_seqs, limit) - 1
            if k < 0:
                return fold(self.scenario, self.events[:n])
            c = self._cp_seqs[k]
            lo = bisect.bisect_right(self._toggle_seqs, c)
            hi = bisect.bisect_right(self._toggle_seqs, n)
            reach = min((t[1] for t in self._toggles[lo:hi]), default=c + 1)
            if reach <= c:
                limit = reach - 1  # start before the earliest event toggled in the tail
                continue
            try:
                return fold(self.scenario, self.events[c:n],
                            start=decode_state(self._checkpoints[c]), copy_start=False)
            except SnapshotTooRecent:
                limit = c - 1

    def _find_bookmarks(self) -> list[Bookmark]:
        """Phase starts that count (an undone advance is not a bookmark)."""
        phases = self.scenario.phases
        out: list[Bookmark] = []
        prev = -1
        for seq, ph, _idx, _vars in self._trace_all:
            if ph != prev and ph >= 0:
                ev = self.events[seq - 1] if seq >= 1 else None
                label = phases[ph].label if ph < len(phases) else f"Phase {ph + 1}"
                if ev is not None and isinstance(ev.body, PhaseStarted):
                    out.append(Bookmark(seq, ph, label))
            prev = ph
        return out

    # ------------------------------------------------------------------ cursor
    @property
    def state(self) -> State:
        """The state after event ``cursor``."""
        return self._state

    def game_date(self, viewer: str = "control"):
        """The in-game date at the cursor as ``viewer`` knows it (a date, or None)."""
        from ..domain.calendar import game_date

        return game_date(self.scenario, self._state, viewer)

    def _state_at(self, n: int) -> State:
        cur = getattr(self, "_state", None)
        k = bisect.bisect_right(self._cp_seqs, n) - 1
        best = self._cp_seqs[k] if k >= 0 else 0
        if cur is not None and best <= cur.seq <= n and n - cur.seq <= self.checkpoint_every:
            if n == cur.seq:
                return cur
            try:
                return fold(self.scenario, self.events[cur.seq:n], start=cur)
            except SnapshotTooRecent:
                pass
        return self._fold_from_checkpoints(n)

    def seek(self, seq: int) -> int:
        """Move the cursor to event ``seq`` (clamped to 0..last); returns the cursor."""
        n = max(0, min(int(seq), self.last))
        if n != self.cursor:
            self._state = self._state_at(n)
            self.cursor = n
            self._views.clear()
        return n

    def step(self, delta: int) -> int:
        return self.seek(self.cursor + int(delta))

    def home(self) -> int:
        return self.seek(0)

    def end(self) -> int:
        return self.seek(self.last)

    def next_phase(self) -> int:
        """Jump to the next phase start after the cursor (or the end)."""
        for b in self.bookmarks:
            if b.seq > self.cursor:
                return self.seek(b.seq)
        return self.end()

    def prev_phase(self) -> int:
        """Jump to the start of the phase the cursor is in, or, when already there, to the
        previous phase start (or the beginning)."""
        for b in reversed(self.bookmarks):
            if b.seq < self.cursor:
                return self.seek(b.seq)
        return self.home()

    def bookmark_at(self, seq: int | None = None) -> Bookmark | None:
        """The phase the cursor (or ``seq``) is in, by its start."""
        seq = self.cursor if seq is None else seq
        k = bisect.bisect_right([b.seq for b in self.bookmarks], seq) - 1
        return self.bookmarks[k] if k >= 0 else None

    @staticmethod
    def play_interval(speed: int) -> float:
        """Seconds between two steps when playing at ``speed`` (one of :data:`SPEEDS`)."""
        return 1.0 / (EVENTS_PER_SECOND * max(1, int(speed)))

    # ------------------------------------------------------------------ per viewer
    def view(self, viewer: str = "control") -> dict[str, Any]:
        """``Session.view(viewer, at=cursor)``, computed once per cursor and viewer."""
        v = self._views.get(viewer)
        if v is None:
            v = view_state(self.scenario, self._state, viewer)
            self._views[viewer] = v
        return v

    def _visible_list(self, viewer: str) -> tuple[list[Event], list[int]]:
        got = self._visible.get(viewer)
        if got is None:
            viewer_label(self.scenario, viewer)
            evs = self.session.visible_events(viewer)
            got = (evs, [e.seq for e in evs])
            self._visible[viewer] = got
        return got

    def events_for(self, viewer: str) -> list[Event]:
        """Every event ``viewer`` may see, in order (the cursor cuts it: see
        :meth:`visible_count`)."""
        return self._visible_list(viewer)[0]

    def visible_seqs(self, viewer: str) -> list[int]:
        """The event numbers of :meth:`events_for` (shared: do not change it)."""
        return self._visible_list(viewer)[1]

    def visible_count(self, viewer: str, upto: int | None = None) -> int:
        """How many of :meth:`events_for` are at or before the cursor (or ``upto``)."""
        seqs = self._visible_list(viewer)[1]
        return bisect.bisect_right(seqs, self.cursor if upto is None else upto)

    def visible_events(self, viewer: str) -> list[Event]:
        """``Session.visible_events(viewer, upto=cursor)``."""
        evs, seqs = self._visible_list(viewer)
        return evs[: bisect.bisect_right(seqs, self.cursor)]

    def marks_before(self, upto: int | None = None) -> int:
        """How many undos and redos are recorded at or before the cursor (or ``upto``):
        what is undone can differ between two cursors only if this does."""
        return bisect.bisect_right(self._toggle_seqs, self.cursor if upto is None else upto)

    def _sync_undone(self) -> dict[Any, bool]:
        """The undone state of every event named by an undo or redo up to the cursor,
        brought from the last cursor asked about by the marks crossed in between."""
        k = self.marks_before()
        j = self._undone_k
        state = self._undone
        toggles, prev = self._toggles, self._toggle_prev
        if j - k > k:  # back a long way: from the first mark instead
            state.clear()
            j = 0
        for i in range(j, k):
            _seq, target, undo = toggles[i]
            state[target] = undo
        for i in range(j - 1, k - 1, -1):  # backwards: each mark gives way to the one before
            p = prev[i]
            if p >= 0:
                state[toggles[i][1]] = toggles[p][2]
            else:
                state.pop(toggles[i][1], None)
        self._undone_k = k
        return state

    def is_cancelled(self, seq: int) -> bool:
        """Was event ``seq`` undone (and not redone) by the cursor?"""
        return bool(self._sync_undone().get(seq, False))

    def toggled_between(self, a: int, b: int) -> set[Any]:
        """The events named by an undo or redo recorded after event ``min(a, b)`` and at or
        before ``max(a, b)``: the only ones whose undone state can differ between cursors
        ``a`` and ``b``."""
        lo, hi = sorted((self.marks_before(a), self.marks_before(b)))
        return {t[1] for t in self._toggles[lo:hi]}

    def cancelled(self) -> frozenset[int]:
        """Events undone (and not redone) by the cursor."""
        k = self.marks_before()
        got = getattr(self, "_cancelled_at", None)
        if got is not None and got[0] == k:
            return got[1]
        result = frozenset(t for t, v in self._sync_undone().items() if v)
        self._cancelled_at = (k, result)
        return result

    def trace(self, viewer: str = "control") -> list[TraceRow]:
        """The escalation trace ``viewer`` may be shown, for the whole session (the view
        cuts it at the cursor: :meth:`trace_count`)."""
        rows = self._traces.get(viewer)
        if rows is None:
            viewer_label(self.scenario, viewer)
            evs = self.events
            rows = viewer_trace(self._trace_all,
                                lambda s: s == 0 or evs[s - 1].visibility.allows(viewer), viewer)
            self._traces[viewer] = rows
        return rows

    def effective_events(self, viewer: str, limit: int | None = None) -> list[Event]:
        """The events ``viewer`` may see up to the cursor that count there (not undone by
        then; undo/redo marks left out), the last ``limit`` of them if given."""
        cancelled = self._sync_undone()
        evs = self.events_for(viewer)
        out: list[Event] = []
        for k in range(self.visible_count(viewer) - 1, -1, -1):
            ev = evs[k]
            if cancelled.get(ev.seq) or isinstance(ev.body, (Undone, Redone)):
                continue
            out.append(ev)
            if limit is not None and len(out) >= limit:
                break
        out.reverse()
        return out

    def event(self, seq: int) -> Event | None:
        return self.events[seq - 1] if 1 <= seq <= self.last else None

    def current_event(self, viewer: str = "control") -> Event | None:
        """The last event at or before the cursor that ``viewer`` may see."""
        n = self.visible_count(viewer)
        return self.events_for(viewer)[n - 1] if n else None

    # ------------------------------------------------------------------ annotations
    def set_marks(self, annotations: Sequence[Any]) -> None:
        """The annotations to mark on the timeline (objects with id, seq, author, text)."""
        self.marks = sorted((Mark(a.id, a.seq, a.author, a.text) for a in annotations),
                            key=lambda m: (m.seq, m.id))

    def marks_at(self, seq: int | None = None) -> list[Mark]:
        seq = self.cursor if seq is None else seq
        return [m for m in self.marks if m.seq == seq]


def session_trace(session: Session, viewer: str = "control", after: int = 0,
                  last: TraceRow | None = None) -> list[TraceRow]:
    """The live session's escalation trace after event ``after`` as ``viewer`` may be shown
    it (:func:`viewer_trace`; ``last``: the last row already shown)."""
    evs = session.events
    return viewer_trace(session.trace(after=after),
                        lambda s: s == 0 or evs[s - 1].visibility.allows(viewer), viewer, last)
