"""Autoplay: bots play some roles (and control) of a session, one action at a time.

The game runs in **rounds**: each phase has :data:`ROUNDS_PER_PHASE` rounds, and in each
round every player role has one turn, in an order that rotates from round to round. On its
turn a bot makes at most one move; a person playing a role (solo mode, shared laptop) makes
moves through the session as usual — the turn ends with that role's first move of the turn
or with :meth:`Autoplay.end_turn`. Between turns the control bot (if ``control``) does its
duties (:mod:`peacetable.domain.bots.control`): it starts phases, announces agreements,
fires injects as they fall due in the rounds, adjudicates, reveals sealed rounds, and
advances once a phase's rounds are over.

Every action goes through ``session.execute`` — the engine checks it as it checks a
person's — so the session's record holds the whole game. ``session`` is an
:class:`~peacetable.app.session.Session` or anything with ``scenario``, ``state``,
``events`` and ``execute(command)`` (the in-memory session of :mod:`.simulate`).
"""

from __future__ import annotations

import logging
from typing import Any

from ..domain import commands as C
from ..domain.bots import STRATEGIES, Clock, ControlBot, Knowledge, Observation, PlayerBot
from ..domain.bots.knowledge import valued_linkages
from ..domain.engine import Refused
from ..domain.events import Event, MoveSubmitted
from ..domain.scenario import Scenario
from ..domain.views import view_state

ROUNDS_PER_PHASE = 3

log = logging.getLogger(__name__)

_knowledge: dict[tuple[int, tuple[int, ...]], tuple[Scenario, Knowledge]] = {}


def knowledge_for(sc: Scenario, viewer: str = "control") -> Knowledge:
    """The scenario's analytics as ``viewer`` may know them, computed once per scenario
    object and per set of valued linkages known (roles that know the same linkages share
    one)."""
    key = (id(sc), valued_linkages(sc, viewer))
    got = _knowledge.get(key)
    if got is None or got[0] is not sc:
        if len(_knowledge) > 32:
            _knowledge.clear()
        got = _knowledge[key] = (sc, Knowledge.of(sc, viewer))
    return got[1]


def default_bots(scenario: Scenario) -> dict[str, str]:
    """Role -> strategy for every player role: the scenario's ``bot`` field, else
    ``reciprocator``."""
    return {r.id: (r.bot or "reciprocator") for r in scenario.roles if r.is_player}


def parse_bots(scenario: Scenario, specs: list[str] | dict[str, str]) -> dict[str, str]:
    """Check ``ROLE=STRATEGY`` assignments (or a dict); raise ValueError naming the bad one."""
    items = specs.items() if isinstance(specs, dict) else []
    if not isinstance(specs, dict):
        parsed = []
        for spec in specs:
            role, sep, strat = spec.partition("=")
            if not sep or not role.strip() or not strat.strip():
                raise ValueError(f"--bots {spec!r}: expected ROLE=STRATEGY")
            parsed.append((role.strip(), strat.strip()))
        items = parsed
    out: dict[str, str] = {}
    for role, strat in items:
        if role not in scenario.player_ids:
            raise ValueError(f"unknown role '{role}' (expected one of: "
                             f"{', '.join(scenario.player_ids)})")
        if strat not in STRATEGIES:
            raise ValueError(f"unknown strategy '{strat}' for {role} (expected one of: "
                             f"{', '.join(STRATEGIES)})")
        out[role] = strat
    return out


class Autoplay:
    """Bots for the roles in ``bots`` (role -> strategy) and, if ``control``, for control.

    ``step()`` performs the next bot action and returns its events; it returns ``[]`` when
    the bots have nothing to do now: the game waits for a person (``waiting_for()``) or is
    over (``finished``).
    """

    def __init__(self, session: Any, bots: dict[str, str], control: bool = True, seed: int = 0,
                 rounds: int = ROUNDS_PER_PHASE, knowledge: Knowledge | None = None):
        sc: Scenario = session.scenario
        bots = parse_bots(sc, dict(bots))
        if rounds < 1:
            raise ValueError("rounds must be at least 1")
        self.session = session
        self.scenario = sc
        self.rounds = rounds
        self.knowledge = knowledge or knowledge_for(sc)
        self.strategies = dict(bots)
        # each bot reckons with what its own role knows: a linkage hidden from the role
        # carries no value in its analytics
        everything = valued_linkages(sc, "control")
        self.bots: dict[str, PlayerBot] = {
            role: PlayerBot(sc, role, strat,
                            self.knowledge if valued_linkages(sc, role) == everything
                            else knowledge_for(sc, role), seed=seed)
            for role, strat in bots.items()}
        self.control = ControlBot(sc) if control else None
        self.humans = tuple(p for p in sc.player_ids if p not in bots)
        self.refused = 0  # bot commands the engine refused (a bug if ever > 0)
        self._cursor = {role: 0 for role in self.bots}
        self._seen = len(session.events)
        self._phase = -2
        self._round = 0
        self._queue: list[str] = []
        self._finished = False
        self._sync()

    # ------------------------------------------------------------------ public
    @property
    def finished(self) -> bool:
        """True once the last phase's rounds are over and control has nothing left to do."""
        return self._finished

    @property
    def round(self) -> int:
        return self._round

    def waiting_for(self) -> list[str]:
        """The roles the game waits on: a person's role whose turn it is, or ``control``
        when control is played by a person and the phase's rounds are over."""
        self._sync()
        if self._finished:
            return []
        if self._queue and self._queue[0] in self.humans:
            return [self._queue[0]]
        if self.control is None and (self.session.state.phase is None or (
                not self._queue and self._round >= self.rounds - 1)):
            return ["control"]
        return []

    def end_turn(self, role: str) -> None:
        """A person ends ``role``'s turn without (another) move."""
        if self._queue and self._queue[0] == role:
            self._queue.pop(0)

    def step(self) -> list[Event]:
        """Perform the next bot action; [] when the bots have nothing to do now."""
        while True:
            self._sync()
            if self._finished:
                return []
            st = self.session.state
            if st.phase is None and self.control is None:
                return []  # a person starts the first phase
            if self.control is not None:
                cmd = self.control.duty(st, self._round, self.rounds, not self._queue)
                if cmd is not None:
                    return self._execute(cmd, None)
            if self._queue:
                role = self._queue[0]
                if role in self.humans:
                    return []
                cmd = self.bots[role].act(self._observe(role))
                self._queue.pop(0)
                if cmd is not None:
                    events = self._execute(cmd, role)
                    if events:
                        return events
                continue
            # every player has had its turn in this round
            if self._round + 1 < self.rounds:
                self._round += 1
                self._queue = self._order()
                continue
            if st.phase_index + 1 >= len(self.scenario.phases):
                self._finished = True
                return []
            if self.control is None:
                return []  # a person advances the phase
            return self._execute(C.Advance(), None)

    def run(self, max_steps: int = 1_000_000) -> int:
        """Step until the game waits or is over; returns the number of events made."""
        n = 0
        for _ in range(max_steps):
            got = self.step()
            if not got:
                break
            n += len(got)
        return n

    # ------------------------------------------------------------------ internals
    def _order(self) -> list[str]:
        players = list(self.scenario.player_ids)
        k = (max(0, self._phase) * self.rounds + self._round) % len(players)
        return players[k:] + players[:k]

    def _sync(self) -> None:
        """Follow phase changes and moves made by people since the last look."""
        events = self.session.events
        if len(events) > self._seen:
            for ev in events[self._seen:]:
                b = ev.body
                if (isinstance(b, MoveSubmitted) and self._queue and b.role == self._queue[0]
                        and b.role in self.humans):
                    self._queue.pop(0)
            self._seen = len(events)
        idx = self.session.state.phase_index
        if idx != self._phase:
            self._phase = idx
            self._round = 0
            self._queue = self._order() if idx >= 0 else []
            if idx >= 0:
                self._finished = False

    def _observe(self, role: str) -> Observation:
        st = self.session.state
        events = self.session.events
        start = self._cursor[role]
        self._cursor[role] = len(events)
        seen = tuple(e for e in events[start:] if e.visibility.allows(role))
        view = view_state(self.scenario, st, role)
        return Observation(view, seen, Clock(st.phase_index, len(self.scenario.phases),
                                             self._round, self.rounds))

    def _execute(self, cmd: C.Command, role: str | None) -> list[Event]:
        try:
            events = self.session.execute(cmd)
        except Refused as exc:
            self.refused += 1
            who = role or "control"
            log.warning("bot for %s: command refused: %s (%r)", who, exc, cmd)
            if role is None:
                raise RuntimeError(f"the control bot's command was refused: {exc}") from exc
            return []
        self._seen = len(self.session.events)
        return list(events)
