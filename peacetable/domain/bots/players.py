"""Player bots: one role, one strategy, moves chosen from what that role may see.

A bot is given an :class:`Observation` on its turn — the role's view of the state
(:func:`~peacetable.domain.views.view_state` for that role), the events that role could see
since its last turn, and the turn clock — plus, once, the scenario (it reads only the
public parts and its own role) and the shared :class:`~.knowledge.Knowledge`. It answers
with one command for the engine to check, or ``None`` (pass). The engine refuses what it
would refuse a person; the bots are written so that it never has to.

On each turn a bot does the first of these that applies (see ``docs/models.md``, Bots):

1. **Answer a proposal** addressed to it: accept when the package (with the agreements in
   force) is worth at least its aspiration, reject when it is worse than no deal on those
   issues, otherwise let it stand.
2. **Answer escalation** (Richardson): its drive ``a·y − m·x + g`` — ``y`` the escalation
   it has suffered, ``x`` its own, both decaying — reaches 1: it escalates in kind.
3. **Answer a conciliatory step** (Osgood's GRIT, Axelrod's tit-for-tat): another role's
   concession or de-escalation that took effect is answered with one of its own.
4. **Withdraw** its own proposal that has stood unanswered for two of its turns.
5. **Propose** a package from the analytics worth at least its aspiration to it and, of
   those, the one whose worst-off party gains most.
6. **Conditional offer**, **GRIT initiative**, **lever** — as its strategy says.

Aspiration (Faratin, Sierra & Jennings 1998): on the issues of a package, from the value
of no deal on them (``floor``) to the best value the package could have (``best``):
``floor + (best − floor)·s``, with ``s`` the strategy's *aspiration share*.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import commands as C
from ..engine import Refused, check_constraints
from ..events import DiceRolled, Event, InjectFired, MoveAdjudicated, MovesRevealed, MoveSubmitted
from ..scenario import MoveTemplate, Scenario
from .knowledge import Knowledge

CONCILIATORY = ("concession", "de_escalation")


@dataclass(frozen=True)
class Clock:
    """Where the game is: phase ``phase_index`` of ``phases``, round ``round`` of ``rounds``."""

    phase_index: int
    phases: int
    round: int
    rounds: int

    @property
    def t(self) -> float:
        """Normalised time in (0, 1]: 1 on the last round of the last phase."""
        total = max(1, self.phases * self.rounds)
        done = max(0, self.phase_index) * self.rounds + self.round + 1
        return min(1.0, done / total)


@dataclass(frozen=True)
class Observation:
    """Everything a bot is shown on its turn."""

    view: dict[str, Any]  # view_state(scenario, state, role)
    events: tuple[Event, ...]  # events visible to the role since its last turn
    clock: Clock


@dataclass(frozen=True)
class Strategy:
    name: str
    description: str
    exponent: float  # Faratin's e: < 1 Boulware, > 1 conceder
    reactivity: float  # Richardson a
    restraint: float  # Richardson m
    grievance: float  # Richardson g
    answers_steps: bool  # answers conciliatory steps (GRIT / tit-for-tat)
    initiates: bool  # makes unprompted GRIT steps
    offers_from: float  # makes conditional offers from this normalised time on
    probe: float  # chance per turn of an unprovoked escalation (pressure) in the first half


_STRATEGIES = (
    Strategy("hardliner", "Boulware: holds out for nearly its best package until late, "
             "answers escalation in kind, rarely reciprocates", 0.2, 0.9, 0.3, 0.2,
             False, False, 0.6, 0.15),
    Strategy("conceder", "Concedes early (Faratin e = 3), answers and initiates "
             "de-escalation steps, seldom escalates", 3.0, 0.2, 0.8, 0.0, True, True, 0.0, 0.0),
    Strategy("reciprocator", "Tit-for-tat on concessions: concedes as far as the others have, "
             "answers every step and every escalation in kind", 1.0, 1.0, 0.5, 0.0,
             True, False, 0.0, 0.03),
    Strategy("leverage", "Concedes as its leverage falls below where it started, holds "
             "firm while it keeps it; uses levers to win leverage back", 0.5, 0.6, 0.4, 0.1,
             True, False, 0.3, 0.08),
)
STRATEGY_BY_NAME = {s.name: s for s in _STRATEGIES}

STRATEGIES: dict[str, str] = {s.name: s.description for s in _STRATEGIES}
"""Strategy name -> one-line description."""


@dataclass
class _Memory:
    seen: dict[int, tuple[str, str, int]] = field(default_factory=dict)  # move -> role, kind, mag
    suffered: float = 0.0  # Richardson y: escalation by others
    own: float = 0.0  # Richardson x: own escalation
    owed: list[tuple[str, int]] = field(default_factory=list)  # conciliatory steps to answer
    steps_received: float = 0.0  # magnitude of others' conciliatory steps so far
    escalations_received: float = 0.0
    tabled_turns: dict[int, int] = field(default_factory=dict)  # own tabled proposal -> turns
    offered: dict[str, float] = field(default_factory=dict)  # proposer -> best share offered
    judged: set[int] = field(default_factory=set)  # proposals already weighed
    start_leverage: float | None = None
    last_index: float | None = None
    turns: int = 0


class PlayerBot:
    """A bot playing ``role`` with ``strategy``; deterministic under ``seed``."""

    def __init__(self, sc: Scenario, role: str, strategy: str, knowledge: Knowledge,
                 seed: int = 0):
        if strategy not in STRATEGY_BY_NAME:
            raise ValueError(f"unknown bot strategy '{strategy}' (expected one of: "
                             f"{', '.join(STRATEGIES)})")
        me = sc.role_by_id.get(role)
        if me is None or not me.is_player:
            raise ValueError(f"'{role}' is not a player role (expected one of: "
                             f"{', '.join(sc.player_ids)})")
        self.role = role
        self.strategy = STRATEGY_BY_NAME[strategy]
        self.sc = sc
        self.k = knowledge
        self.a = knowledge.role_index(role)
        self.rng = random.Random(f"peacetable-bot:{seed}:{role}:{strategy}")
        self.mem = _Memory()
        self.players = sc.player_ids
        # the role's own moves, by kind, in file order (public scenario data)
        self.templates: dict[str, list[MoveTemplate]] = {}
        for tpl in sc.moves:
            if not tpl.roles or role in tpl.roles:
                self.templates.setdefault(tpl.kind, []).append(tpl)
        sp = knowledge.space
        self._best = np.array([t[self.a].max() for t in sp.tables], dtype=np.int64)
        self._issue_ids = sp.issues
        self._noise = 0.0
        self._frames: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._rankings: dict[tuple, tuple] = {}
        self._eligibles: dict[tuple, tuple[int, ...]] = {}
        #: (the issue statuses of the last view checked, what they say is settled)
        self._settled: tuple[Any, dict[str, str]] = (None, {})
        # rules a package is checked against before it is proposed (see _allowed)
        self._checks = bool(self.sc.constraints) or any(
            k.to_option is not None and k.kind in ("precondition", "blocks")
            for k in self.sc.linkages)

    # ------------------------------------------------------------------ the turn
    def act(self, obs: Observation) -> C.Command | None:
        mem = self.mem
        self._absorb(obs)
        mem.turns += 1
        # a little seeded noise in the aspiration: runs with different seeds differ
        self._noise = self.rng.uniform(-0.04, 0.04)
        view = obs.view
        if view.get("phase") is None:
            return None
        allowed = set(self.sc.phase_by_id[view["phase"]["id"]].allowed_moves)
        t = obs.clock.t
        for rule in (self._answer, self._escalate, self._reciprocate, self._withdraw,
                     self._propose, self._offer, self._initiate, self._lever):
            cmd = rule(view, allowed, t)
            if cmd is not None:
                return cmd
        return None

    # ------------------------------------------------------------------ memory
    def _absorb(self, obs: Observation) -> None:
        mem = self.mem
        for ev in obs.events:
            b = ev.body
            if isinstance(b, MoveSubmitted):
                mem.seen[ev.seq] = (b.role, b.kind, b.magnitude)
            elif isinstance(b, MovesRevealed):
                for r in b.revealed:
                    mem.seen[r.move] = (r.role, r.kind, r.magnitude)
            elif isinstance(b, (MoveAdjudicated, DiceRolled)):
                ok = b.decision == "accepted" if isinstance(b, MoveAdjudicated) else b.success
                info = mem.seen.get(b.move)
                if not ok or info is None:
                    continue
                role, kind, mag = info
                if isinstance(b, MoveAdjudicated):
                    mag = b.magnitude
                if role == self.role:
                    if kind == "escalation":
                        mem.own += mag
                elif kind == "escalation":
                    mem.suffered += mag
                    mem.escalations_received += mag
                elif kind in CONCILIATORY:
                    mem.owed.append((role, mag))
                    mem.steps_received += mag
            elif isinstance(b, InjectFired):
                pass  # felt through the index (tension) below
        lev = obs.view.get("leverage", {}).get(self.role)
        if mem.start_leverage is None and lev is not None:
            mem.start_leverage = lev
        index = obs.view["escalation"]["index"]
        if mem.last_index is not None and index > mem.last_index:
            # a rise of the index the role did not answer yet: tension, felt as grievance
            mem.suffered += 0.5 * (index - mem.last_index) / obs.view["escalation"]["scale"] * 10
        mem.last_index = index

    # ------------------------------------------------------------------ aspiration
    def share(self, t: float, view: dict[str, Any]) -> float:
        """Aspiration share s in [0, 1]: 1 = insists on its best, 0 = accepts no deal's value."""
        st = self.strategy
        if st.name == "reciprocator":
            # tit-for-tat: concede as far as the others have conceded (steps, offers made)
            conceded = self.mem.steps_received - 0.5 * self.mem.escalations_received
            level = min(1.0, max(0.0, 0.15 + 0.12 * conceded + 0.7 * t * t))
            return 1.0 - level
        s = 1.0 - t ** (1.0 / st.exponent)
        if st.name == "leverage":
            start = self.mem.start_leverage or 0.0
            now = view.get("leverage", {}).get(self.role, start)
            ratio = 1.0 if start <= 0 else min(1.0, now / start)
            s *= ratio ** 3
        return max(0.0, min(1.0, s + self._noise))

    # ------------------------------------------------------------------ helpers
    def _templates(self, kind: str, allowed: set[str]) -> list[MoveTemplate]:
        return self.templates.get(kind, []) if kind in allowed else []

    def _recipients(self, tpl: MoveTemplate) -> tuple[str, ...]:
        if tpl.channel == "public":
            return ()
        return tuple(p for p in self.players if p != self.role)

    def _agreed(self, view: dict[str, Any]) -> dict[str, str]:
        return {iid: rec["option"] for iid, rec in view["issues"].items()
                if rec["status"] == "agreed"}

    def _frame(self, agreed: dict[str, str], issues: tuple[int, ...]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rest, floor, best) per role for a package on ``issues``: the value of the other
        issues (agreed option, or the no-deal share of an unsettled issue: the
        BATNA-equivalent rule); and, with it, no deal on ``issues`` and their best options."""
        key = (tuple(sorted(agreed.items())), issues)
        got = self._frames.get(key)
        if got is None:
            if len(self._frames) > 64:
                self._frames.clear()
            k = self.k
            settled = k.share_matrix.copy()
            for iid, opt in agreed.items():
                j, opts = k.option_index[iid]
                settled[:, j] = k.space.tables[j][:, opts[opt]]
            cols = list(issues)
            rest = settled.sum(axis=1) - settled[:, cols].sum(axis=1)
            floor = rest + k.share_matrix[:, cols].sum(axis=1)
            best = rest + k.best_matrix[:, cols].sum(axis=1)
            got = self._frames[key] = (rest, floor, best)
        return got

    def _ranked(self, agreed: dict[str, str], idx: tuple[int, ...], parties: tuple[str, ...]
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Candidate packages on ``idx`` ranked for proposing to ``parties``: (rows in rank
        order, the role's value of each ranked row, the parties' smallest share of their
        possible gain for each ranked row, floor, best). Rank: that share, then the role's
        value, then file order."""
        key = (tuple(sorted(agreed.items())), idx, parties)
        got = self._rankings.get(key)
        if got is None:
            if len(self._rankings) > 64:
                self._rankings.clear()
            rest, floor, best = self._frame(agreed, idx)
            cand = self.k.candidates(idx)
            values = cand.values + rest[None, :]
            mine = values[:, self.a]
            cols = [self.k.space.roles.index(p) for p in parties]
            span = np.maximum(best[cols] - floor[cols], 1)
            score = ((values[:, cols] - floor[cols][None, :]) / span[None, :]).min(axis=1)
            order = np.lexsort((np.arange(len(mine)), -mine, -score))
            got = self._rankings[key] = (order, mine[order], score[order], floor, best)
        return got

    # ------------------------------------------------------------------ 1. answer
    def _answer(self, view, allowed, t):
        acc = self._templates("acceptance", allowed)
        rej = self._templates("rejection", allowed)
        if not acc and not rej:
            return None
        mine_pending = {m["target"] for m in view["moves_open"]
                        if m["role"] == self.role and m["kind"] in ("acceptance", "rejection")}
        agreed = self._agreed(view)
        s = self.share(t, view)
        sp = self.k.space
        for m in view["moves_open"]:
            if (m["kind"] != "proposal" or m["status"] != "tabled" or m["role"] == self.role
                    or self.role not in m["parties"] or self.role in m["acceptances"]
                    or m["id"] in mine_pending):
                continue
            pkg = m["package"]
            issues = tuple(sorted(sp._index[i][0] for i in pkg))
            rest, floor, best = self._frame(agreed, issues)
            value = int(rest[self.a]) + sum(int(sp.tables[sp._index[i][0]][self.a, sp._index[i][1][o]])
                                            for i, o in pkg.items())
            span = max(1, int(best[self.a] - floor[self.a]))
            if m["id"] not in self.mem.judged:
                # a package better for us than the proposer's last is a concession to answer
                self.mem.judged.add(m["id"])
                offered = (value - int(floor[self.a])) / span
                before = self.mem.offered.get(m["role"])
                if before is not None and offered > before + 0.05:
                    self.mem.steps_received += 1
                self.mem.offered[m["role"]] = max(offered, before if before is not None else -1.0)
            aspiration = floor[self.a] + (best[self.a] - floor[self.a]) * s
            if value >= aspiration and acc:
                return C.SubmitMove(role=self.role, template=acc[0].id, target=m["id"],
                                    to=self._recipients(acc[0]) if acc[0].channel != "public" else (),
                                    rationale="worth our aspiration")
            if value < floor[self.a] and rej:
                return C.SubmitMove(role=self.role, template=rej[0].id, target=m["id"],
                                    to=self._recipients(rej[0]) if rej[0].channel != "public" else (),
                                    rationale="worse for us than no deal")
        return None

    # ------------------------------------------------------------------ 2. escalation
    def _escalate(self, view, allowed, t):
        st, mem = self.strategy, self.mem
        drive = st.reactivity * mem.suffered - st.restraint * mem.own + st.grievance
        if t < 0.5 and self.rng.random() < st.probe:
            drive += 1.0  # pressure: an unprovoked step up the ladder
        if st.name == "leverage":
            start = mem.start_leverage or 0.0
            now = view.get("leverage", {}).get(self.role, start)
            drive *= 0.5 + (now / start if start > 0 else 1.0) / 2
        # both levels decay every turn (restraint: fatigue, cost)
        mem.suffered *= 0.5
        mem.own *= 1.0 - st.restraint
        if drive < 1.0:
            return None
        options = self._templates("escalation", allowed)
        if not options:
            return None
        tpl = options[self.rng.randrange(len(options))]
        mag = max(1, min(tpl.magnitude_max, int(drive)))
        mem.suffered = 0.0  # answered
        return C.SubmitMove(role=self.role, template=tpl.id, magnitude=mag,
                            to=self._recipients(tpl), rationale="answer to escalation")

    # ------------------------------------------------------------------ 3. reciprocity
    def _conciliatory(self, allowed: set[str]) -> list[MoveTemplate]:
        return [tpl for kind in CONCILIATORY for tpl in self._templates(kind, allowed)]

    def _reciprocate(self, view, allowed, t):
        st, mem = self.strategy, self.mem
        if not mem.owed:
            return None
        answers = st.answers_steps or t >= 0.6
        if st.name == "leverage":
            start = mem.start_leverage or 0.0
            answers = view.get("leverage", {}).get(self.role, start) <= start
        if not answers:
            mem.owed.clear()
            return None
        options = self._conciliatory(allowed)
        if not options:
            return None
        _role, mag = mem.owed.pop(0)
        tpl = options[self.rng.randrange(len(options))]
        return C.SubmitMove(role=self.role, template=tpl.id,
                            magnitude=max(1, min(tpl.magnitude_max, mag)),
                            to=self._recipients(tpl), rationale="answering a step in kind")

    # ------------------------------------------------------------------ 4. withdraw
    def _withdraw(self, view, allowed, t):
        mem = self.mem
        tabled = [m for m in view["moves_open"] if m["role"] == self.role
                  and m["kind"] == "proposal" and m["status"] == "tabled"]
        current = {m["id"] for m in tabled}
        mem.tabled_turns = {k: v for k, v in mem.tabled_turns.items() if k in current}
        for m in tabled:
            mem.tabled_turns[m["id"]] = mem.tabled_turns.get(m["id"], 0) + 1
            if mem.tabled_turns[m["id"]] > 2:
                return C.Withdraw(move=m["id"], reason="no answer; we will table another")
        return None

    # ------------------------------------------------------------------ 5. propose
    def _eligible(self, view, tpl: MoveTemplate) -> tuple[int, ...]:
        """Issue indices a proposal with ``tpl`` may cover now: not agreed, not blocked
        outright, and with every precondition agreed or covered too."""
        statuses = view["issues"]
        # whole issues under a block (a declared issue can be blocked too)
        vetoed = frozenset(b["issue"] for b in view.get("blocks", ()) if b["option"] is None)
        key = (tpl.id, vetoed, tuple((rec["status"], rec["status"] == "blocked"
                                      and rec["reason"].startswith("waits for"))
                                     for rec in statuses.values()))
        got = self._eligibles.get(key)
        if got is not None:
            return got
        pool = tpl.issues or tuple(i.id for i in self.sc.issues)
        chosen = [i for i in pool if statuses[i]["status"] != "agreed" and i not in vetoed and not (
            statuses[i]["status"] == "blocked" and not statuses[i]["reason"].startswith("waits for"))]
        # the preconditions this role knows of (its view lists the linkages it knows)
        pres: dict[str, list[str]] = {}
        for lk in view.get("linkages", ()):
            if lk["kind"] == "precondition" and lk["from"] and not lk["to_option"]:
                pres.setdefault(lk["to"], []).append(lk["from"])
        changed = True
        while changed:  # drop issues whose preconditions are neither agreed nor included
            changed = False
            for i in list(chosen):
                for pre in pres.get(i, ()):
                    if pre not in chosen and statuses[pre]["status"] != "agreed":
                        chosen.remove(i)
                        changed = True
                        break
        index = self.k.option_index
        got = self._eligibles[key] = tuple(sorted(index[i][0] for i in chosen))
        if len(self._eligibles) > 256:
            self._eligibles.clear()
        return got

    def _allowed(self, view, package: dict[str, str]) -> bool:
        """Whether the engine would take ``package`` as far as this role can tell: no
        option under a block it knows of, no constraint broken with what is settled."""
        if any(b["option"] is not None and package.get(b["issue"]) == b["option"]
               for b in view.get("blocks", ())):
            return False
        statuses = view["issues"]
        if self._settled[0] is not statuses:  # once per view: what it says is settled
            self._settled = (statuses, {iid: rec["option"] for iid, rec in statuses.items()
                                        if rec["status"] in ("agreed", "declared")})
        settled = self._settled[1]
        held = {**settled, **package}
        sc = self.sc
        try:  # the engine's own rule, on what this role's view says is settled
            check_constraints(sc, statuses, package, settled)
        except Refused:
            return False
        for iid, opt in package.items():
            # option-level linkages this role knows of (issue-level ones shape _eligible)
            if any(k.known_to(self.role) and not k.met_by(held)
                   for k in sc.links_into("precondition", iid, opt)):
                return False
            if any(k.to_option is not None and k.condition is None and k.known_to(self.role)
                   and k.met_by(settled) for k in sc.links_into("blocks", iid, opt)):
                return False
        return True

    def _propose(self, view, allowed, t):
        props = self._templates("proposal", allowed)
        if not props:
            return None
        if any(m["role"] == self.role and m["kind"] == "proposal" for m in view["moves_open"]):
            return None  # one proposal of its own at a time
        agreed = self._agreed(view)
        s = self.share(t, view)
        sp = self.k.space
        options = []
        for tpl in props:
            parties = tuple(p for p in (tpl.parties or self.players) if p != self.role)
            if not parties:
                continue
            idx = self._eligible(view, tpl)
            if not idx:
                continue
            order, mine, score, floor, best = self._ranked(agreed, idx, parties)
            aspiration = math.ceil(floor[self.a] + (best[self.a] - floor[self.a]) * s)
            ok = np.flatnonzero(mine >= aspiration)  # the three best it can live with
            if self._checks or view.get("blocks"):
                choices = self.k.candidates(idx).choices
                ok = list(itertools.islice((r for r in ok if self._allowed(view, {
                    sp.issues[j]: sp.options[j][int(c)]
                    for j, c in zip(idx, choices[int(order[r])])})), 3))
            for rank in ok[:3]:
                options.append((float(score[rank]), len(idx), int(mine[rank]), tpl, idx,
                                int(order[rank])))
        if not options:
            return None
        options.sort(key=lambda o: (-o[0], -o[1], -o[2]))  # stable: template order breaks ties
        top = [o for o in options[:3] if o[0] >= options[0][0] - 0.05]
        _score, _n, _mine, tpl, idx, row = top[self.rng.randrange(len(top))]
        cand = self.k.candidates(idx)
        pkg = {sp.issues[j]: sp.options[j][int(c)] for j, c in zip(idx, cand.choices[row])}
        return C.SubmitMove(role=self.role, template=tpl.id, package=pkg,
                            rationale="a package worth our aspiration")

    # ------------------------------------------------------------------ 6. initiatives
    def _offer(self, view, allowed, t):
        st = self.strategy
        if t < st.offers_from:
            return None
        if st.name == "reciprocator" and self.mem.steps_received <= 0 and self.mem.turns > 1:
            return None
        if st.name == "leverage":
            start = self.mem.start_leverage or 0.0
            if view.get("leverage", {}).get(self.role, start) >= start:
                return None
        standing = {o["template"] for o in view["offers"] if o["role"] == self.role}
        standing |= {m["template"] for m in view["moves_open"] if m["role"] == self.role}
        for tpl in self._templates("conditional_offer", allowed):
            if tpl.id not in standing:
                return C.SubmitMove(role=self.role, template=tpl.id, to=self._recipients(tpl),
                                    rationale="offered on its condition")
        return None

    def _initiate(self, view, allowed, t):
        st, mem = self.strategy, self.mem
        first = st.name == "reciprocator" and mem.turns == 1  # tit-for-tat opens cooperatively
        if not (first or (st.initiates and self.rng.random() < 0.35)):
            return None
        options = self._conciliatory(allowed)
        if not options:
            return None
        tpl = options[self.rng.randrange(len(options))]
        return C.SubmitMove(role=self.role, template=tpl.id, magnitude=1,
                            to=self._recipients(tpl), rationale="a small step; we invite an answer")

    def _lever(self, view, allowed, t):
        if self.strategy.name != "leverage":
            return None
        start = self.mem.start_leverage or 0.0
        if view.get("leverage", {}).get(self.role, start) >= start:
            return None
        options = [tpl for tpl in self._templates("lever", allowed)
                   if tpl.effects.leverage.get(self.role, 0.0) > 0]
        if not options:
            return None
        tpl = options[self.rng.randrange(len(options))]
        return C.SubmitMove(role=self.role, template=tpl.id, to=self._recipients(tpl),
                            rationale="winning back leverage")
