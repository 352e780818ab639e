"""Session state as a pure fold over events.

``fold(scenario, events, start)`` returns the state after ``events``; it never mutates
``start`` or the events, never reads the clock and never draws random numbers (dice draws
are recorded in their events). Internally it works on a private copy for speed.

Undo is an :class:`~peacetable.domain.events.Undone` event naming the event it cancels
(and :class:`~peacetable.domain.events.Redone` reinstates it): the fold skips cancelled
events, so the state after an undo equals the state as if the undone event had never been
made, while the log keeps both.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from typing import Any, Literal

import msgspec

from .events import (
    NO_STATE,
    AgreementPublished,
    DiceRolled,
    Event,
    InjectFired,
    InjectRescheduled,
    InjectSkipped,
    MoveAdjudicated,
    MovesRevealed,
    MoveSubmitted,
    PhaseStarted,
    Redone,
    SessionStarted,
    Undone,
    Visibility,
    Withdrawn,
)
from .conditions import typed
from .scenario import Linkage, Scenario

FOLD_VERSION = 2  # 2: blocks (holds) and declared postures replace issue flags


class MoveRecord(msgspec.Struct):
    """A move still in play: awaiting adjudication, sealed, or a proposal on the table."""

    id: int
    role: str
    template: str
    kind: str
    phase: str
    magnitude: int
    channel: str
    recipients: tuple[str, ...]
    visibility: Visibility
    package: dict[str, str] = {}
    parties: tuple[str, ...] = ()
    target: int | None = None
    condition: dict[str, Any] | None = None
    rationale: str = ""
    sealed: bool = False
    status: Literal["pending", "accepted"] = "pending"
    acceptances: list[str] = []


class Agreement(msgspec.Struct):
    id: int  # the proposal's move id
    package: dict[str, str]
    parties: tuple[str, ...]
    proposer: str
    visibility: Visibility
    formed_at: int
    condition: dict[str, Any] | None = None
    #: in force; suspended (its condition fails, or a block holds one of its issues or
    #: options); superseded (a later agreement settled one of its issues: it never returns)
    status: Literal["in_force", "suspended", "superseded"] = "in_force"
    #: its condition held when last tested (always true without a condition)
    condition_holds: bool = True
    #: a block (a hold) is on one of its issues, or on the option it settles one on
    blocked: bool = False
    #: the agreement that superseded it
    superseded_by: int | None = None

    def standing(self) -> Literal["in_force", "suspended", "superseded"]:
        if self.superseded_by is not None:
            return "superseded"
        return "in_force" if self.condition_holds and not self.blocked else "suspended"


class Hold(msgspec.Struct):
    """A block in force: proposals may not include ``issue`` (or, with ``option``, may not
    settle it on that option), and an agreement that does is suspended while it holds."""

    issue: str
    option: str | None
    by: str | None  # the role whose veto it is (None: an inject that names no one)
    event: int  # the event that put it on (an inject, or the ruling on a move)
    visibility: Visibility
    source: str = ""  # what put it on, as a person reads it: the inject's title, the move's label

    def covers(self, package: dict[str, str]) -> bool:
        opt = package.get(self.issue)
        return opt is not None and (self.option is None or self.option == opt)


class Posture(msgspec.Struct):
    """An issue settled on an option by one role's declaration, without an agreement."""

    issue: str
    option: str
    role: str
    event: int
    visibility: Visibility
    source: str = ""


class Offer(msgspec.Struct):
    """An accepted conditional offer: its effects hold only while its condition holds."""

    id: int
    role: str
    template: str
    condition: dict[str, Any]
    variables: dict[str, float]
    leverage: dict[str, float]
    visibility: Visibility
    status: Literal["waiting", "in_force"] = "waiting"


class State(msgspec.Struct):
    seq: int = 0
    started: bool = False
    seed: int = 0
    phase: str | None = None
    phase_index: int = -1
    phase_started_at: int = 0
    base: dict[str, float] = {}
    variables: dict[str, float] = {}
    base_leverage: dict[str, float] = {}
    leverage: dict[str, float] = {}
    #: blocks in force, in the order they were put on
    holds: list[Hold] = []
    #: every declared posture in the order made; on each issue the latest stands (while
    #: no agreement in force settles the issue)
    postures: list[Posture] = []
    moves: dict[int, MoveRecord] = {}
    agreements: dict[int, Agreement] = {}
    offers: dict[int, Offer] = {}
    injects_fired: dict[str, int] = {}
    #: scheduled injects control moved: inject -> (phase, minute)
    inject_plan: dict[str, tuple[str, float]] = {}
    #: scheduled injects control skipped: inject -> event
    injects_skipped: dict[str, int] = {}
    inject_events: list[int] = []
    rolls: int = 0
    index: float = 0.0
    rung: str = ""
    accepted_moves: int = 0
    rejected_moves: int = 0


_enc = msgspec.msgpack.Encoder()
_dec = msgspec.msgpack.Decoder(State)


def encode_state(state: State) -> bytes:
    return _enc.encode(state)


def decode_state(raw: bytes) -> State:
    return _dec.decode(raw)


def initial_state(sc: Scenario) -> State:
    base = {v.id: float(v.initial) for v in sc.escalation.variables}
    lev = {r.id: float(r.leverage) for r in sc.roles if r.is_player}
    st = State(base=base, variables=dict(base), base_leverage=lev, leverage=dict(lev))
    st.index = escalation_index(sc, st.variables)
    st.rung = rung_for(sc, st.index, None, st.variables)
    return st


# --------------------------------------------------------------------------- escalation


def escalation_index(sc: Scenario, values: dict[str, float]) -> float:
    """scale × Σ wᵥ·n(v) / Σ wᵥ, n(v) the variable's position in its range (1 = worst)."""
    scale, total_w, terms = sc.index_terms
    if not total_w:
        return 0.0
    acc = 0.0
    for vid, lo, span, w, calming in terms:
        n = (values[vid] - lo) / span
        acc += w * (1.0 - n if calming else n)
    return _round6(scale * acc / total_w)


#: x -> round(x, 6): an index takes few distinct values in a session, and round() with
#: digits is slow (a decimal conversion each time)
_ROUNDED: dict[float, float] = {}


def _round6(x: float) -> float:
    """``round(x, 6)``, remembered."""
    r = _ROUNDED.get(x)
    if r is None:
        r = round(x, 6)
        if x:  # not ±0.0 (a dict does not tell their signs apart)
            if len(_ROUNDED) >= 1 << 16:
                _ROUNDED.clear()
            _ROUNDED[x] = r
    return r


def rung_for(sc: Scenario, index: float, current: str | None,
             variables: dict[str, float] | None = None) -> str:
    """The named rung for ``index``; stepping down needs the index ``hysteresis`` below.

    A rung with ``requires`` counts only while its test on ``variables`` holds: it is
    neither reached nor held otherwise (the rung falls to the highest one below that may
    be). Without ``variables``, requirements are not tested."""
    rungs = sc.escalation.rungs

    def ok(k: int) -> bool:
        return variables is None or rungs[k].requires is None or \
            sc.rung_available(k, variables)

    cand = 0
    for k, r in enumerate(rungs):
        if r.threshold <= index and ok(k):
            cand = k
    if current is None:
        return rungs[cand].id
    cur = next((k for k, r in enumerate(rungs) if r.id == current), cand)
    if cand >= cur:
        return rungs[cand].id
    h = sc.escalation.hysteresis
    down = 0
    for k, r in enumerate(rungs[:cur + 1]):
        if r.threshold <= index + h and ok(k):
            down = k
    return rungs[max(cand, down)].id


# --------------------------------------------------------------------------- issues and conditions


def hold_text(sc: Scenario, h: Hold, viewer: str = "control") -> str:
    """Why an issue or option is blocked, as ``viewer`` may read it: who and what put the
    block on only for a viewer who may see the event that did."""
    if not h.visibility.allows(viewer):
        return "blocked"
    who = sc.role_by_id[h.by].name if h.by in sc.role_by_id else None
    if who and h.source:
        return f"blocked by {who} ({h.source})"
    if who:
        return f"blocked by {who}"
    return f"blocked ({h.source})" if h.source else "blocked"


def standing_postures(postures: Iterable[Posture]) -> dict[str, Posture]:
    """Issue id -> the posture that stands on it (the latest declaration) among ``postures``."""
    out: dict[str, Posture] = {}
    for p in postures:
        out[p.issue] = p
    return out


class IssueStatuses(dict):
    """Issue id -> status record, computed on first look-up (a mapping of every issue).

    Status order: agreed > declared > blocked (a block in force, put on by a move or an
    inject) > blocked (an agreement a ``blocks`` linkage names, a ``blocks`` linkage's
    variable test) > suspended > on_table > blocked (waiting for a precondition) > open.
    Every record also lists ``blocked_options`` (options under a block) and who declared
    the posture that stands (``declared_by``), if any. ``linkages``: the linkages that
    count (default: all; a viewer's statuses count only those it knows of); ``postures``
    (default: all) and ``viewer``: what a particular viewer may know."""

    def __init__(self, sc: Scenario, st: State, agreements: Iterable[Agreement] | None = None,
                 tabled: Iterable[MoveRecord] | None = None,
                 linkages: Iterable[Linkage] | None = None,
                 postures: Iterable[Posture] | None = None, viewer: str = "control"):
        super().__init__()
        self.sc = sc
        self.holds = st.holds
        self._holds_by_issue: dict[str, tuple[list[Hold], list[str]]] | None = None
        self.viewer = viewer
        self.variables = st.variables
        self.linkages = sc.linkages if linkages is None else tuple(linkages)
        self._index = _linkage_index(self.linkages)
        agreements = st.agreements.values() if agreements is None else agreements
        if tabled is None:
            tabled = [m for m in st.moves.values() if m.kind == "proposal" and m.status == "accepted"]
        self.agreed: dict[str, tuple[str, int]] = {}
        self.suspended: set[str] = set()
        for a in sorted(agreements, key=lambda a: a.id):
            for iid, opt in a.package.items():
                if a.status == "in_force":
                    self.agreed[iid] = (opt, a.id)
                elif a.status == "suspended":
                    self.suspended.add(iid)
        self.declared = {iid: p for iid, p in standing_postures(
            st.postures if postures is None else postures).items() if iid not in self.agreed}
        #: issue id -> settled option, agreed or declared (what linkages read)
        self.held = {**{iid: p.option for iid, p in self.declared.items()},
                     **{iid: v[0] for iid, v in self.agreed.items()}}
        self.on_table: dict[str, list[int]] = {}
        for m in tabled:
            for iid in m.package:
                self.on_table.setdefault(iid, []).append(m.id)

    def __missing__(self, iid: str) -> dict[str, Any]:
        sc, agreed = self.sc, self.agreed
        if iid not in sc.issue_by_id:
            raise KeyError(iid)
        rec: dict[str, Any] = {"status": "open", "option": None, "agreement": None, "reason": "",
                               "declared_by": None, "blocked_options": []}
        whole: list[Hold] = []
        if self.holds:  # most states have no block in force
            if self._holds_by_issue is None:  # grouped once: (whole issue, options)
                by: dict[str, tuple[list[Hold], list[str]]] = {}
                for h in self.holds:
                    w, o = by.setdefault(h.issue, ([], []))
                    if h.option is None:
                        w.append(h)
                    else:
                        o.append(h.option)
                self._holds_by_issue = by
            got = self._holds_by_issue.get(iid)
            if got is not None:
                whole = got[0]
                rec["blocked_options"] = list(dict.fromkeys(got[1]))
        if iid in agreed:
            rec.update(status="agreed", option=agreed[iid][0], agreement=agreed[iid][1])
        elif iid in self.declared:
            p = self.declared[iid]
            name = sc.role_by_id[p.role].name if p.role in sc.role_by_id else p.role
            rec.update(status="declared", option=p.option, declared_by=p.role,
                       reason=f"declared by {name}, without an agreement")
            if whole:
                rec["reason"] += "; proposals " + "; ".join(
                    dict.fromkeys(hold_text(sc, h, self.viewer) for h in whole))
        elif whole:
            rec.update(status="blocked", reason="; ".join(
                dict.fromkeys(hold_text(sc, h, self.viewer) for h in whole)))
        elif (blocks := self._index.get(("blocks", iid))) and (blockers := [
                k.source for k in blocks if k.met_by(self.held)]):
            rec.update(status="blocked", reason="blocked by the agreement on " + ", ".join(
                sc.issue_by_id[b].label for b in blockers))
        elif blocks and (held := [k for k in blocks
                                  if k.condition is not None and k.holds(self.variables)]):
            rec.update(status="blocked", reason="blocked while " + "; ".join(
                k.condition.typed().describe(sc) for k in held))  # type: ignore[union-attr]
        elif iid in self.suspended:
            rec.update(status="suspended", reason="its agreement is suspended")
        elif iid in self.on_table:
            rec.update(status="on_table",
                       reason="proposals " + ", ".join(map(str, self.on_table[iid])))
        elif (pres := self._index.get(("precondition", iid))) and (waits := [
                k.source for k in pres if not k.met_by(self.held)]):
            rec.update(status="blocked", reason="waits for " + ", ".join(
                sc.issue_by_id[w].label for w in waits))
        self[iid] = rec
        return rec

    def inputs(self) -> tuple:
        """Everything the statuses are made from, as a key: two IssueStatuses of the same
        scenario with equal keys give the same records."""
        viewer = self.viewer
        return (
            id(self.sc), id(self.linkages),
            tuple(self.agreed.items()), tuple(sorted(self.suspended)),
            tuple((iid, p.option, p.role) for iid, p in self.declared.items()),
            tuple((iid, tuple(ids)) for iid, ids in self.on_table.items()),
            # what hold_text reads of each block, as this viewer may read it
            tuple((h.issue, h.option, h.by, h.source, h.visibility.allows(viewer))
                  for h in self.holds),
            # a linkage's variable test reads the values
            tuple(self.variables.items()) if any(
                k.condition is not None for k in self.linkages) else None,
        )

    def _into(self, kind: str, iid: str) -> list[Linkage]:
        """Linkages of ``kind`` on the whole of ``iid`` among those that count."""
        return self._index.get((kind, iid), [])

    def all(self) -> dict[str, dict[str, Any]]:
        get, missing = self.get, self.__missing__
        return {iid: get(iid) or missing(iid) for iid in self.sc.issue_by_id}


_LINK_INDEX: dict[int, tuple[tuple, dict[tuple[str, str], list]]] = {}


def _linkage_index(linkages: tuple) -> dict[tuple[str, str], list]:
    """(kind, target) -> the linkages on the whole of that issue, in order: made once per
    tuple of linkages (a scenario's, or a viewer's) instead of a scan per issue looked up."""
    got = _LINK_INDEX.get(id(linkages))
    if got is not None and got[0] is linkages:
        return got[1]
    index: dict[tuple[str, str], list] = {}
    for k in linkages:
        if k.to_option is None:
            index.setdefault((k.kind, k.target), []).append(k)
    if len(_LINK_INDEX) > 256:
        _LINK_INDEX.clear()
    _LINK_INDEX[id(linkages)] = (linkages, index)  # the tuple kept: its id stays its own
    return index


def issue_statuses(
    sc: Scenario,
    st: State,
    agreements: Iterable[Agreement] | None = None,
    tabled: Iterable[MoveRecord] | None = None,
    linkages: Iterable[Linkage] | None = None,
    postures: Iterable[Posture] | None = None,
    viewer: str = "control",
) -> dict[str, dict[str, Any]]:
    """Status of every issue (see :class:`IssueStatuses`). Pass ``agreements``/``tabled``/
    ``linkages``/``postures`` and ``viewer`` to compute what a particular viewer may know."""
    stat = IssueStatuses(sc, st, agreements, tabled, linkages, postures, viewer)
    key = stat.inputs()
    got = _STATUSES.get(key)
    if got is None or got[0] is not sc or got[1] is not stat.linkages:
        if len(_STATUSES) > 512:
            _STATUSES.clear()
        got = _STATUSES[key] = (sc, stat.linkages, stat.all())  # both kept: their ids stay theirs
    # fresh records each time: a caller may change what it is given
    return {iid: {**rec, "blocked_options": list(rec["blocked_options"])}
            for iid, rec in got[2].items()}


#: IssueStatuses.inputs() -> (scenario, linkages, every status): views of the same session
#: by several viewers, and at events that change nothing the statuses read, share them
_STATUSES: dict[tuple, tuple[Scenario, tuple, dict[str, dict[str, Any]]]] = {}


class _LazyStatuses:
    """Issue statuses built only if a condition asks for one (most test variables)."""

    __slots__ = ("sc", "st", "real")

    def __init__(self, sc: Scenario, st: State):
        self.sc, self.st, self.real = sc, st, None

    def __getitem__(self, iid: str) -> dict[str, Any]:
        if self.real is None:
            self.real = IssueStatuses(self.sc, self.st)
        return self.real[iid]


def condition_deps(c: dict[str, Any]) -> tuple[frozenset[str], bool]:
    """(variables a condition reads, whether it reads issue statuses)."""
    return typed(c).deps()


def compile_condition(c: dict[str, Any]) -> Callable[[State, Any], bool]:
    """A condition (see docs/scenario-format.md) as a function of (state, issue statuses)."""
    return typed(c).compile()


def red_lines_crossed(sc: Scenario, st: State, role: str,
                      agreed: dict[str, str] | None = None) -> list[str]:
    """The red lines of ``role`` whose test (``red_line_tests``) holds at ``st``. With
    ``agreed`` (what a viewer can see), issue tests read only that package: an issue in it
    is agreed on its option, any other is open."""
    r = sc.role_by_id.get(role)
    if r is None or not r.red_line_tests:
        return []
    if agreed is None:
        stat: Any = _LazyStatuses(sc, st)
    else:
        stat = {i.id: ({"status": "agreed", "option": agreed[i.id]} if i.id in agreed
                       else {"status": "open", "option": None}) for i in sc.issues}
    return list(dict.fromkeys(t.red_line for t in r.red_line_tests
                              if typed(t.crossed_if).compile()(st, stat)))


# --------------------------------------------------------------------------- fold


def toggles(events: Iterable[Event]) -> dict[int, bool]:
    """For every event that undo/redo names in ``events``: is it cancelled at the end?"""
    out: dict[int, bool] = {}
    undo_redo = _UNDO_REDO
    for b in [b for ev in events if type(b := ev.body) in undo_redo]:  # final types
        out[b.target] = type(b) is Undone
    return out


_UNDO_REDO = frozenset((Undone, Redone))


def cancelled_set(events: Iterable[Event]) -> set[int]:
    """Seqs of events cancelled by undo (and not reinstated by redo) in ``events``."""
    return {k for k, v in toggles(events).items() if v}


class SnapshotTooRecent(ValueError):
    """The tail undoes an event that the starting state already includes."""


def fold(
    sc: Scenario,
    events: Iterable[Event],
    start: State | None = None,
    on_event: Callable[[Event, State], None] | None = None,
    recheck_all: bool = False,
    copy_start: bool = True,
) -> State:
    """The state after ``events`` applied to ``start`` (or to the scenario's initial state).

    ``on_event`` is called after every applied (not cancelled) event with the working
    state; it must not keep or change it (copy what it needs). ``recheck_all`` re-tests
    every condition after every change instead of only those whose inputs changed: the
    reference the tests compare the fast path with. ``copy_start=False``: ``start`` is the
    caller's to give away (e.g. just decoded) and is folded in place instead of copied.
    """
    events = list(events)
    if start is None:
        st = initial_state(sc)
    elif copy_start:
        st = msgspec.convert(msgspec.to_builtins(start), State)
    else:
        st = start
    named = toggles(events)
    cancelled = {k for k, v in named.items() if v}
    if start is not None and named and min(named) <= start.seq:
        raise SnapshotTooRecent(f"tail undoes or redoes event {min(named)}, which state "
                                f"{start.seq} already accounts for")
    applier = _Applier(sc, st, recheck_all)
    handler = applier._handlers.get
    moves, kinds = st.moves, applier._kinds
    quiet, quiet_plan, quiet_accept = applier._quiet, applier._quiet_plan, applier._quiet_accept
    adjudicated = applier._adjudicated
    for ev in events:
        s = ev.seq
        st.seq = s
        if s in cancelled:
            continue
        b = ev.body
        t = type(b)
        if t is MoveSubmitted:  # _Applier._submitted, inline: half of all events
            p = b.package
            moves[s] = MoveRecord(
                s, b.role, b.template, kinds[b.template], st.phase or "", b.magnitude,
                b.channel, b.recipients, ev.visibility, dict(p) if p else {}, b.parties,
                b.target, b.condition, b.rationale, b.sealed, "pending", [])
        elif t is MoveAdjudicated:
            # _Applier._adjudicated's two common cases, inline (keep the two the same): a
            # move rejected, and a move accepted that _quiet_accept settles; the rest there
            m = moves.get(b.move)
            if m is None:
                pass
            elif b.decision != "accepted":
                if m.kind == "proposal":
                    adjudicated(ev)
                else:
                    st.rejected_moves += 1
                    del moves[b.move]
            else:
                q = quiet.get(m.template, _UNSET)
                if q is _UNSET:
                    q = quiet_plan(m.template)
                if q is not None and applier.calm and m.kind not in _SETTLING_KINDS:
                    st.accepted_moves += 1
                    m.magnitude = k = b.magnitude
                    del moves[b.move]
                    if q:
                        quiet_accept(q[0], q[1], k)
                else:
                    adjudicated(ev)
        else:
            h = handler(t, _nothing)
            if h is None:  # a body that changes nothing the fold keeps
                continue
            h(ev)
        if on_event is not None:
            on_event(ev, st)
    return st


def _nothing(ev: Event) -> None:
    """What the fold does with a body of a type it does not know: nothing."""


#: bodies the fold passes over (undo/redo work through ``cancelled``; the rest change nothing)
_SKIP = frozenset((Undone, Redone, *NO_STATE))


class IncrementalFold:
    """A fold kept open: :meth:`apply` adds events to a state this object owns (no copy per
    call), so that after any number of calls ``state`` equals ``fold(sc, all events)``.
    For logs without undo/redo (bot runs in memory); refuses an undo or redo event."""

    def __init__(self, sc: Scenario):
        self.state = initial_state(sc)
        self._applier = _Applier(sc, self.state)

    def apply(self, events: Iterable[Event]) -> State:
        st = self.state
        apply = self._applier.apply
        for ev in events:
            st.seq = ev.seq
            t = type(ev.body)
            if t in _SKIP:
                if t is Undone or t is Redone:
                    raise ValueError("an incremental fold does not take undo or redo events")
                continue
            apply(ev)
        return st


_NONE: frozenset[str] = frozenset()
_UNSET = object()
#: kinds whose acceptance does more than apply effects: offers, tables, agreements
_SETTLING_KINDS = frozenset(("conditional_offer", "proposal", "acceptance", "rejection"))


class _Tables:
    """What the fold looks up in a scenario, made once per scenario (see :func:`_tables`)."""

    def __init__(self, sc: Scenario):
        self.bounds = {v.id: (v.min, v.max) for v in sc.escalation.variables}
        rungs = sc.escalation.rungs
        self.thresholds = th = tuple(r.threshold for r in rungs)
        self.rung_ids = tuple(r.id for r in rungs)
        self.rung_requires = any(r.requires is not None for r in rungs)
        self.rung_pos: dict[str, int] = {}
        for k, r in enumerate(rungs):
            self.rung_pos.setdefault(r.id, k)
        self.rung_bisect = all(a < b for a, b in zip(th, th[1:]))
        terms = sc.index_terms[2]
        self.term_pos = {t[0]: k for k, t in enumerate(terms)}
        self.terms_kept = len(self.term_pos) == len(terms)
        self.kinds = {tid: t.kind for tid, t in sc.template_by_id.items()}


_TABLES: dict[int, tuple[Scenario, _Tables]] = {}


def _tables(sc: Scenario) -> _Tables:
    """The fold's tables of ``sc``, kept while the scenario is (a fold of a few events, as
    each command makes, would otherwise spend more on them than on the events)."""
    got = _TABLES.get(id(sc))
    if got is not None and got[0] is sc:
        return got[1]
    if len(_TABLES) > 64:
        _TABLES.clear()
    t = _Tables(sc)
    _TABLES[id(sc)] = (sc, t)  # the scenario kept: its id stays its own
    return t


class _Applier:
    """Applies one event to the working state. ``dirty`` marks a change that can move
    variables, leverage, issue statuses or conditions: only then is the state settled."""

    def __init__(self, sc: Scenario, st: State, recheck_all: bool = False):
        self.sc = sc
        self.st = st
        self.dirty = False
        self.issues_dirty = False  # something issue statuses depend on has changed
        self.holds_dirty = False  # blocks were put on or lifted: agreements are re-checked
        #: _calm() as of the last settle: set there, cleared wherever what it reads changes
        #: (an offer or agreement added, removed or toggled, base values moved, a block)
        self.calm = False
        self.ev: Event | None = None  # the event being applied
        # inputs changed by a toggle late in the last pass, unseen by conditions before it
        self.carry_vars: set[str] | frozenset[str] = _NONE
        self.carry_issues = False
        self.recheck_all = recheck_all
        self.effects = sc.template_effects
        self._linkage_vars = sc.linkage_variables
        tables = _tables(sc)
        self.bounds = tables.bounds
        # condition key -> (test, variables it reads, reads issue statuses?)
        self.compiled: dict[tuple[str, int], tuple[Callable[[State, Any], bool],
                                                   frozenset[str], bool]] = {}
        #: the variables the index and rung were last computed from (None: not yet here)
        self.last_values: dict[str, float] | None = None
        #: bumped whenever offers or agreements are added or removed, or offers toggle:
        #: the cached conditional items and offer deltas below are rebuilt when it moves
        self.version = 0
        self._conditional_version = -1
        self._conditional: list[tuple[Any, tuple[str, int], bool]] = []
        #: what the conditional items read (see _conditional_reads; None: not yet known)
        self._cond_deps: set[str] | None = None
        self._cond_issues = False
        self._cond_new = False
        self._deltas_version = -1
        self.base_version = 0  # bumped whenever _effects changes base values or leverage
        self._recomputed: tuple[int, int] | None = None  # (base, offers) versions last used
        self._deltas: tuple[dict[str, list[float]], dict[str, list[float]]] = ({}, {})
        #: base values and leverage changed since the last recompute (None: all of them)
        self._touched_vars: set[str] | None = None
        self._touched_lev: set[str] | None = None
        #: the effective variables the last recompute may have moved (None: any of them)
        self.moved: set[str] | None = None
        self.template_by_id = sc.template_by_id
        # each template's effects as tuples: (variable, delta, min, max), (role, delta),
        # (issue, flag), for the hot path of an accepted move
        self._plans: dict[str, tuple[tuple, tuple, tuple]] = {}
        self._thresholds = tables.thresholds
        self._rung_ids = tables.rung_ids
        #: some rung requires a variable test: the rung is decided by rung_for
        self._rung_requires = tables.rung_requires
        self._rung_pos = tables.rung_pos
        #: thresholds rise (the loader requires it): the rung is found by bisection
        self._rung_bisect = tables.rung_bisect
        # the escalation index from each variable's term kept at hand (see _quiet_accept)
        self._index_scale, self._index_weight, self._index_terms = sc.index_terms
        self._term_pos = tables.term_pos
        #: one term per variable: the index can be summed from the terms kept at hand
        self._terms_kept = tables.terms_kept
        self._terms: list[float] = []
        #: the variables ``_terms`` were computed from (None: not computed)
        self._terms_of: dict[str, float] | None = None
        self._kinds = tables.kinds
        #: template -> what _quiet_accept applies when one of its moves is accepted
        self._quiet: dict[str, tuple[tuple, tuple] | tuple[()] | None] = {}
        self._handlers = self._table()

    def apply(self, ev: Event) -> None:
        h = self._handlers.get(type(ev.body))  # bodies are final structs: the type decides
        if h is not None:
            h(ev)

    def _table(self) -> dict[type, Callable[[Event], None] | None]:
        """Body type -> what applies it; None for the bodies the fold passes over."""
        table: dict[type, Callable[[Event], None] | None] = dict.fromkeys(_SKIP)
        table.update({
            MoveSubmitted: self._submitted, MoveAdjudicated: self._adjudicated,
            DiceRolled: self._rolled, MovesRevealed: self._revealed,
            AgreementPublished: self._published, PhaseStarted: self._phase_started,
            InjectRescheduled: self._rescheduled, InjectSkipped: self._inject_skipped,
            InjectFired: self._fired, Withdrawn: self._withdrawn,
            SessionStarted: self._started,
        })
        return table

    def _submitted(self, ev: Event) -> None:
        b = ev.body
        st = self.st
        s = ev.seq
        p = b.package
        # positional, in MoveRecord's field order (the hot path of every move); most
        # moves have no package, and a new empty one costs less than a copy of one
        st.moves[s] = MoveRecord(
            s, b.role, b.template, self._kinds[b.template], st.phase or "", b.magnitude,
            b.channel, b.recipients, ev.visibility, dict(p) if p else {}, b.parties, b.target,
            b.condition, b.rationale, b.sealed, "pending", [])

    def _adjudicated(self, ev: Event) -> None:
        b = ev.body
        st = self.st
        mid = b.move
        m = st.moves.get(mid)
        if m is None:
            return
        if b.decision != "accepted":  # as _adjudicate, inline: a ruling is half of all events
            st.rejected_moves += 1
            del st.moves[mid]
            # a tabled proposal is never adjudicated again: only a pending one can go
            if m.kind == "proposal":
                self.issues_dirty = True
                self._settle()
            return
        q = self._quiet.get(m.template, _UNSET)
        if q is _UNSET:
            q = self._quiet_plan(m.template)
        if q is not None and self.calm and m.kind not in _SETTLING_KINDS:
            st.accepted_moves += 1
            m.magnitude = k = b.magnitude
            del st.moves[mid]
            if q:
                self._quiet_accept(q[0], q[1], k)
            return
        self.dirty = False
        self.ev = ev
        self._adjudicate(mid, True, b.magnitude)
        if self.dirty:
            self._settle()

    def _rolled(self, ev: Event) -> None:
        b = ev.body
        st = self.st
        self.dirty = False
        self.ev = ev
        st.rolls += 1
        m = st.moves.get(b.move)
        self._adjudicate(b.move, b.success, m.magnitude if m else 1)
        if self.dirty:
            self._settle()

    def _revealed(self, ev: Event) -> None:
        moves = self.st.moves
        for mid in ev.body.moves:
            m = moves.get(mid)
            if m is not None:
                m.sealed = False
                m.visibility = channel_visibility(m.role, m.channel, m.recipients)

    def _published(self, ev: Event) -> None:
        a = self.st.agreements.get(ev.body.agreement)
        if a is not None:
            a.visibility = Visibility()

    def _phase_started(self, ev: Event) -> None:
        b = ev.body
        st = self.st
        st.phase = b.phase
        st.phase_index = b.index
        st.phase_started_at = ev.seq

    def _rescheduled(self, ev: Event) -> None:
        b = ev.body
        self.st.inject_plan[b.inject] = (b.phase, float(b.at_minute))

    def _inject_skipped(self, ev: Event) -> None:
        self.st.injects_skipped[ev.body.inject] = ev.seq

    def _fired(self, ev: Event) -> None:
        b = ev.body
        st = self.st
        self.dirty = False
        self.ev = ev
        if b.inject:
            st.injects_fired[b.inject] = ev.seq
        st.inject_events.append(ev.seq)
        self._effects(b.effects, 1, b.effects.get("by"), b.title)
        if self.dirty:
            self._settle()

    def _withdrawn(self, ev: Event) -> None:
        b = ev.body
        st = self.st
        self.ev = ev
        st.moves.pop(b.move, None)
        if st.offers.pop(b.move, None) is not None:
            self.version += 1
            self.calm = False
        self.dirty = self.issues_dirty = True
        self._settle()

    def _started(self, ev: Event) -> None:
        st = self.st
        st.started = True
        st.seed = ev.body.seed

    # -- effects
    def _effects(self, eff: dict[str, Any], k: float, by: str | None = None,
                 source: str = "") -> None:
        """Apply effects scaled by ``k``; blocks and postures act for ``by`` (the mover of a
        move, the role an inject names), ``source`` saying what made them."""
        if not eff:
            return
        self.dirty = True
        st = self.st
        if eff.get("variables") or eff.get("leverage"):
            self.base_version += 1
            self.calm = False
        tv, tl = self._touched_vars, self._touched_lev
        for var, d in (eff.get("variables") or {}).items():
            v = self.sc.variable_by_id[var]
            st.base[var] = v.clamp(st.base[var] + d * k)
            if tv is not None:
                tv.add(var)
        for role, d in (eff.get("leverage") or {}).items():
            if role in st.base_leverage:
                st.base_leverage[role] = min(100.0, max(0.0, st.base_leverage[role] + d * k))
                if tl is not None:
                    tl.add(role)
        for iid, flag in (eff.get("issues") or {}).items():
            self._hold(iid, None, flag, by, source)
        for iid, flags in (eff.get("options") or {}).items():
            for oid, flag in flags.items():
                self._hold(iid, oid, flag, by, source)
        for iid, oid in (eff.get("declare") or {}).items():
            if by is None:  # validation requires a role; a record without one declares nothing
                continue
            assert self.ev is not None
            st.postures.append(Posture(issue=iid, option=oid, role=by, event=self.ev.seq,
                                       visibility=self.ev.visibility, source=source))
            self.issues_dirty = True

    def _hold(self, iid: str, oid: str | None, flag: str, by: str | None, source: str) -> None:
        """Put a block on (``flag`` "blocked") or lift blocks ("open"): a lift acting for a
        role lifts that role's blocks on ``iid``/``oid`` and those that name no one; one
        acting for no one lifts them all."""
        st = self.st
        self.issues_dirty = self.holds_dirty = True
        self.calm = False
        if flag == "blocked":
            if any(h.issue == iid and h.option == oid and h.by == by for h in st.holds):
                return  # the same block again changes nothing
            assert self.ev is not None
            st.holds.append(Hold(issue=iid, option=oid, by=by, event=self.ev.seq,
                                 visibility=self.ev.visibility, source=source))
        else:
            st.holds = [h for h in st.holds if not (
                h.issue == iid and h.option == oid and (by is None or h.by in (None, by)))]

    def _template_effects(self, template: str, k: float, by: str | None = None,
                          source: str = "") -> None:
        """``_effects(template_effects[template], k, by, source)``, from the template's
        plan."""
        plan = self._plans.get(template)
        if plan is None:
            plan = self._plan(template)
        variables, leverage, issues = plan
        if not (variables or leverage or issues):
            if self.effects[template]:  # effects that change nothing still settle
                self.dirty = True
            return
        self.dirty = True
        st = self.st
        if variables or leverage:
            self.base_version += 1
            self.calm = False
        base = st.base
        tv = self._touched_vars
        for var, d, lo, hi in variables:
            # Variable.clamp, inline
            x = base[var] + d * k
            base[var] = lo if x < lo else hi if x > hi else x
            if tv is not None:
                tv.add(var)
        if leverage:
            bl = st.base_leverage
            tl = self._touched_lev
            for role, d in leverage:
                if role in bl:
                    x = bl[role] + d * k  # min(100.0, max(0.0, x)), inline
                    x = x if x > 0.0 else 0.0
                    bl[role] = x if x < 100.0 else 100.0
                    if tl is not None:
                        tl.add(role)
        if issues:
            self._effects(dict(issues), 1, by, source)

    def _plan(self, template: str) -> tuple[tuple, tuple, tuple]:
        """A template's effects as tuples, made once: (variable, delta, min, max),
        (role, delta), and (key, value) of its blocks, lifts and postures."""
        eff = self.effects[template]
        if not eff:
            plan: tuple[tuple, tuple, tuple] = ((), (), ())
        else:
            var_by_id = self.sc.variable_by_id
            plan = (tuple((v, d, var_by_id[v].min, var_by_id[v].max)
                          for v, d in (eff.get("variables") or {}).items()),
                    tuple((eff.get("leverage") or {}).items()),
                    # blocks, lifts and postures (applied by _effects, for the mover)
                    tuple((key, eff[key]) for key in ("issues", "options", "declare")
                          if eff.get(key)))
        self._plans[template] = plan
        return plan

    def _calm(self) -> bool:
        """Nothing but a move's own effects on values and leverage can move now: no
        conditional offer or agreement whose condition could read them, no block put on or
        lifted, and the effective values current (so equal to the base ones: with no
        conditional offer, none is in force). An accepted move whose effects hold no block
        or posture is then settled by :meth:`_quiet_accept`, the common case."""
        return not self._conditional and self._conditional_version == self.version and \
            self._recomputed == (self.base_version, self.version) and \
            not self.recheck_all and not self.holds_dirty

    def _quiet_plan(self, template: str) -> tuple[tuple, tuple] | tuple[()] | None:
        """What :meth:`_quiet_accept` applies for an accepted move of ``template``: its
        plan's values and the leverage of roles the state holds (the roles never change
        in a fold); () if that is nothing; None if accepting it can do more (an offer, a
        proposal tabled or answered, a block or a posture)."""
        plan = self._plans.get(template)
        if plan is None:
            plan = self._plan(template)
        q: tuple[tuple, tuple] | tuple[()] | None
        if plan[2] or self._kinds.get(template) in _SETTLING_KINDS:
            q = None
        else:
            bl = self.st.base_leverage
            lev = tuple((role, d) for role, d in plan[1] if role in bl)
            # each value with its term of the index: (position, min, span, weight, calming)
            pos, terms = self._term_pos, self._index_terms
            var = tuple((v, d, lo, hi, *((pos[v], *terms[pos[v]][1:]) if v in pos
                                         else (-1, 0.0, 1.0, 0.0, False)))
                        for v, d, lo, hi in plan[0])
            q = (var, lev) if var or lev else ()
        self._quiet[template] = q
        return q

    def _quiet_accept(self, variables: tuple, leverage: tuple, k: float) -> None:
        """An accepted move's effects on values and leverage (of roles the state holds),
        settled, when nothing else can move (see :meth:`_calm`): what
        ``_template_effects`` then ``_settle`` do, in fewer steps. No offer is in force,
        so each effective value is its base value. The values and leverage are changed
        in place (the working state is the fold's own; ``on_event`` copies what it keeps),
        base and effective together: they stay current, and nothing waits for a recompute.
        """
        st = self.st
        if leverage:
            bl = st.base_leverage
            lev = st.leverage
            for role, d in leverage:
                x = bl[role] + d * k  # min(100.0, max(0.0, x)), inline
                x = x if x > 0.0 else 0.0
                bl[role] = lev[role] = x if x < 100.0 else 100.0
        if not variables:
            return
        base = st.base
        var = st.variables
        last = self.last_values  # equal to st.variables: the index is current
        # the index's terms kept at hand were made from those values: only the terms of
        # the values that move are made again
        keep = self._terms_kept and self._terms_of is last and last is not None
        terms = self._terms
        changed = False
        for v, d, lo, hi, j, tlo, span, w, calming in variables:
            x = base[v] + d * k  # Variable.clamp, inline
            x = lo if x < lo else hi if x > hi else x
            y = var[v]
            base[v] = var[v] = x
            if x is not y and x != y:  # as dict equality compares values
                changed = True
                if keep:
                    n = (x - tlo) / span  # as escalation_index makes the term
                    terms[j] = w * (1.0 - n if calming else n)
        if not changed:  # as _settle: same values, same index and rung
            return
        self.last_values = var
        if not self._terms_kept:
            index = escalation_index(self.sc, var)
        else:
            # escalation_index(sc, var) from the terms: the same terms added in the same
            # order make the same float
            if not keep:
                terms = self._terms = []
                for vid, tlo, span, w, calming in self._index_terms:
                    n = (var[vid] - tlo) / span
                    terms.append(w * (1.0 - n if calming else n))
            self._terms_of = var
            if self._index_weight:
                acc = 0.0
                for x in terms:
                    acc += x
                index = _round6(self._index_scale * acc / self._index_weight)
            else:
                index = 0.0
        st.index = index
        st.rung = self._rung(index, st.rung or None) if not self._rung_requires \
            else rung_for(self.sc, index, st.rung or None, var)

    def _adjudicate(self, move_id: int, accepted: bool, magnitude: int) -> None:
        st = self.st
        m = st.moves.get(move_id)
        if m is None:
            return
        if not accepted:
            st.rejected_moves += 1
            del st.moves[move_id]
            # a tabled proposal is never adjudicated again: only a pending one can go
            self.dirty = self.issues_dirty = m.kind == "proposal"
            return
        st.accepted_moves += 1
        m.magnitude = magnitude
        if m.kind not in _SETTLING_KINDS and self.calm:
            q = self._quiet.get(m.template, _UNSET)
            if q is _UNSET:
                q = self._quiet_plan(m.template)
            if q is not None:
                del st.moves[move_id]
                if q:
                    self._quiet_accept(q[0], q[1], magnitude)
                return
        tpl = self.template_by_id[m.template]
        if m.kind != "statement":
            self.dirty = True
        if m.kind in ("proposal", "acceptance", "rejection"):
            self.issues_dirty = True  # tabled proposals and agreements make issue statuses
        if m.kind == "conditional_offer":
            del st.moves[move_id]
            self.version += 1
            self.calm = False
            st.offers[move_id] = Offer(
                id=move_id, role=m.role, template=m.template,
                condition=m.condition or tpl.condition.model_dump(exclude_none=True),  # type: ignore[union-attr]
                variables={k: v * magnitude for k, v in tpl.effects.variables.items()},
                leverage={k: v * magnitude for k, v in tpl.effects.leverage.items()},
                visibility=m.visibility,
            )
            if tpl.effects.acts():  # blocks and postures are not conditional: once accepted
                self._effects({"issues": tpl.effects.issues, "options": tpl.effects.options,
                               "declare": tpl.effects.declare}, 1, m.role, tpl.label)
            return
        self._template_effects(m.template, magnitude, m.role, tpl.label)
        if m.kind == "proposal":
            m.status = "accepted"  # tabled: parties may now accept or reject it
            return
        del st.moves[move_id]
        if m.kind in ("acceptance", "rejection") and m.target is not None:
            prop = st.moves.get(m.target)
            if prop is None:
                return
            if m.kind == "rejection":
                del st.moves[m.target]
                return
            if m.role not in prop.acceptances:
                prop.acceptances.append(m.role)
            if all(p in prop.acceptances for p in prop.parties):
                del st.moves[m.target]
                self.version += 1
                self.calm = False
                # a later agreement on an issue replaces every earlier one that settles it
                for other in st.agreements.values():
                    if other.superseded_by is None and not other.package.keys().isdisjoint(
                            prop.package):
                        other.superseded_by = prop.id
                        other.status = "superseded"
                a = Agreement(
                    id=prop.id, package=dict(prop.package), parties=prop.parties,
                    proposer=prop.role, visibility=prop.visibility, formed_at=m.id,
                    condition=prop.condition,
                    blocked=any(h.covers(prop.package) for h in st.holds),
                )
                a.status = a.standing()
                st.agreements[prop.id] = a

    def _settle(self) -> None:
        """Recompute effective values, conditional offers and agreements, index and rung.

        Conditions are checked in the order the offers and agreements were made, each on
        the state as it stands after the ones before it (one pass, deterministic)."""
        st = self.st
        sc = self.sc
        before = st.variables
        self._recompute()
        if self.holds_dirty:  # a block on or off: an agreement under one is suspended
            self.holds_dirty = False
            for a in st.agreements.values():
                a.blocked = any(h.covers(a.package) for h in st.holds)
                a.status = a.standing()
        if self._conditional_version != self.version:
            items = [(o.id, o) for o in st.offers.values()] + \
                [(a.id, a) for a in st.agreements.values() if a.condition]
            items.sort(key=lambda t: t[0])
            self._conditional = [(item, (type(item).__name__, item.id), isinstance(item, Offer))
                                 for _, item in items]
            self._conditional_version = self.version
            self._conditional_reads()
        conditional = self._conditional
        if conditional:
            # a condition needs re-testing only if what it reads has changed (or it is new)
            changed = self._moved_since(before)
            if self.carry_vars:
                changed |= self.carry_vars
            # a linkage's variable test makes issue statuses read those variables
            issues_changed = (self.issues_dirty or self.carry_issues
                              or not changed.isdisjoint(self._linkage_vars))
            if not (self.recheck_all or self._cond_new or self._cond_deps is None
                    or (self._cond_issues and issues_changed)
                    or not self._cond_deps.isdisjoint(changed)):
                # none of them reads what changed: the pass below would test none
                self.carry_vars, self.carry_issues = _NONE, False
                conditional = []
            toggled_vars: set[str] = set()
            toggled_issues = False
            statuses = _LazyStatuses(sc, st) if conditional else None
            for item, key, is_offer in conditional:
                entry = self.compiled.get(key)
                if entry is None:
                    entry = self.compiled[key] = (compile_condition(item.condition),  # type: ignore[arg-type]
                                                  *condition_deps(item.condition))  # type: ignore[arg-type]
                elif not (self.recheck_all or (entry[2] and issues_changed)
                          or not entry[1].isdisjoint(changed)):
                    continue
                holds = entry[0](st, statuses)
                if is_offer:
                    new = "in_force" if holds else "waiting"
                else:
                    item.condition_holds = holds  # type: ignore[union-attr]
                    new = item.standing()  # type: ignore[union-attr]
                if new != item.status:
                    item.status = new  # type: ignore[assignment]
                    if is_offer:
                        self.version += 1  # the offers in force changed
                        self.calm = False
                        self._conditional_version = self.version  # (same items)
                    before = st.variables
                    self._recompute()
                    moved = self._moved_since(before)
                    changed |= moved
                    toggled_vars |= moved
                    if not is_offer or not moved.isdisjoint(self._linkage_vars):
                        issues_changed = toggled_issues = True
                    statuses = _LazyStatuses(sc, st)
            if conditional:
                self.carry_vars, self.carry_issues = toggled_vars, toggled_issues
            if self._cond_new:
                self._conditional_reads()
        self.issues_dirty = False
        if st.variables != self.last_values:  # same values: same index, and the rung holds
            st.index = escalation_index(sc, st.variables)
            st.rung = self._rung(st.index, st.rung or None) if not self._rung_requires \
                else rung_for(sc, st.index, st.rung or None, st.variables)
            self.last_values = st.variables
        self.calm = self._calm()

    def _conditional_reads(self) -> None:
        """What the conditional items read together: ``_cond_deps`` (variables),
        ``_cond_issues`` (issue statuses); ``_cond_new``: one is not compiled yet."""
        deps: set[str] = set()
        issues = new = False
        compiled = self.compiled
        for _item, key, _is_offer in self._conditional:
            entry = compiled.get(key)
            if entry is None:
                new = True
                continue
            deps |= entry[1]
            issues = issues or entry[2]
        self._cond_deps, self._cond_issues, self._cond_new = deps, issues, new

    def _recompute(self) -> None:
        """Effective values and leverage: the base ones plus the deltas of the offers in
        force, clamped. When only some base values changed since the last time (the offers
        in force the same), only those are recomputed; :attr:`moved` then names them."""
        st = self.st
        if self._recomputed == (self.base_version, self.version):
            self.moved = set()
            return  # neither the base values nor the offers in force changed: same values
        tv, tl = self._touched_vars, self._touched_lev
        incremental = self._recomputed is not None and self._recomputed[1] == self.version \
            and tv is not None and tl is not None \
            and (not st.offers or self._deltas_version == self.version)
        self._recomputed = (self.base_version, self.version)
        self._touched_vars, self._touched_lev = set(), set()
        if incremental:
            # the same computation as below, for the values whose base changed only: every
            # other value has the same base and the same deltas as last time
            var = dict(st.variables)
            lev = dict(st.leverage)
            base, bl = st.base, st.base_leverage
            if st.offers:
                dv, dl = self._deltas
                b = self.bounds
                for k in tv:
                    x = base[k]
                    ds = dv.get(k)
                    if ds:
                        for d in ds:
                            x = x + d
                        lo, hi = b[k]
                        x = x if x > lo else lo  # min(hi, max(lo, x)), inline
                        x = x if x < hi else hi
                    var[k] = x
                for k in tl:
                    x = bl[k]
                    ds = dl.get(k)
                    if ds:
                        for d in ds:
                            x = x + d
                        x = x if x > 0.0 else 0.0
                        x = x if x < 100.0 else 100.0
                    lev[k] = x
            else:
                for k in tv:
                    var[k] = base[k]
                for k in tl:
                    lev[k] = bl[k]
            st.variables, st.leverage = var, lev
            self.moved = tv
            return
        self.moved = None
        var = dict(st.base)
        lev = dict(st.base_leverage)
        st.variables, st.leverage = var, lev
        if not st.offers:
            return
        if self._deltas_version != self.version:
            # each value's deltas from the offers in force, in the order the offers were
            # made: the same additions in the same order as adding offer by offer
            dv: dict[str, list[float]] = {}
            dl: dict[str, list[float]] = {}
            for o in st.offers.values():
                if o.status != "in_force":
                    continue
                for k, d in o.variables.items():
                    dv.setdefault(k, []).append(d)
                for k, d in o.leverage.items():
                    if k in lev:
                        dl.setdefault(k, []).append(d)
            self._deltas = (dv, dl)
            self._deltas_version = self.version
        dv, dl = self._deltas
        # base values are kept within bounds (_effects), so only moved values need clamping
        b = self.bounds
        for k, ds in dv.items():
            x = var[k]
            for d in ds:
                x = x + d
            lo, hi = b[k]
            x = x if x > lo else lo  # min(hi, max(lo, x)), inline
            var[k] = x if x < hi else hi
        for k, ds in dl.items():
            x = lev[k]
            for d in ds:
                x = x + d
            x = x if x > 0.0 else 0.0
            lev[k] = x if x < 100.0 else 100.0

    def _moved_since(self, before: dict[str, float]) -> set[str]:
        """The effective variables that differ from ``before`` after a recompute."""
        var = self.st.variables
        if var is before:
            return set()
        keys = var if self.moved is None else self.moved
        return {k for k in keys if before.get(k) != var[k]}

    def _rung(self, index: float, current: str | None) -> str:
        """``rung_for(sc, index, current)`` from the rungs' thresholds kept at hand (for a
        scenario whose rungs require no variable test)."""
        th = self._thresholds
        if self._rung_bisect:  # the last threshold at or below the index
            cand = bisect_right(th, index) - 1
            if cand < 0:
                cand = 0
        else:
            cand = 0
            for k, t in enumerate(th):
                if t <= index:
                    cand = k
        if current is None:
            return self._rung_ids[cand]
        cur = self._rung_pos.get(current, cand)
        if cand >= cur:
            return self._rung_ids[cand]
        h = self.sc.escalation.hysteresis
        if self._rung_bisect:
            down = bisect_right(th, index + h) - 1
            if down < 0:
                down = 0
        else:
            down = 0
            for k, t in enumerate(th):
                if t <= index + h:
                    down = k
        return self._rung_ids[min(cur, max(cand, down))]


def channel_visibility(role: str, channel: str, recipients: tuple[str, ...]) -> Visibility:
    if channel == "public":
        return Visibility()
    return Visibility("roles", tuple(dict.fromkeys((role, *recipients))))

