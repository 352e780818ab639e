"""What every bot of a scenario may share: the bargaining analytics, computed once.

The package space, the Pareto frontier and the Nash point are the same analytics a player
reads in ``peacetable analyze`` and in the role panel; a simulation of many runs computes
them once and hands the same :class:`Knowledge` to every bot of every run.

Bots look up *candidate packages* for a set of issues here: every combination of options
on those issues when there are few enough (:data:`MAX_EXACT`), otherwise the distinct
restrictions of the frontier packages. Either way only the combinations no other
combination beats for every role are kept (an exact Pareto filter). Values are integer
utility units (see :mod:`..analytics.bargaining`).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

import numpy as np

from ..analytics.bargaining import (
    AnalyticsLimitError,
    Bargaining,
    PackageSpace,
    analyze_bargaining,
    pareto_filter,
)
from ..scenario import Scenario


def valued_linkages(sc: Scenario, viewer: str) -> tuple[int, ...]:
    """The trade-off linkages carrying values that ``viewer`` knows of (their positions in
    ``sc.linkages``): two viewers with the same tuple get the same :class:`Knowledge`."""
    return tuple(n for n, lk in enumerate(sc.linkages)
                 if lk.kind == "trade_off" and lk.value and lk.known_to(viewer))

MAX_EXACT = 4096
"""Largest number of option combinations enumerated for one issue set."""

MAX_CANDIDATES = 256
"""Most candidate packages kept for one issue set: the most balanced ones (largest smallest
share of a role's possible gain), which is where agreements lie."""


@dataclass(frozen=True)
class Candidates:
    """Undominated packages on a set of issues: option indices and every role's value of
    those issues alone (units, the rest of the package not counted)."""

    issues: tuple[int, ...]  # issue indices in file order
    choices: np.ndarray  # (n, len(issues)) option indices
    values: np.ndarray  # (n, n_roles) int64 units


@dataclass
class Knowledge:
    """Shared, read-only analytics of one scenario (thread-safe look-ups)."""

    space: PackageSpace
    bargaining: Bargaining | None
    _cache: dict[tuple[int, ...], Candidates] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def of(cls, sc: Scenario, viewer: str = "control") -> Knowledge:
        """The analytics of ``sc`` as ``viewer`` may know them: a role's bot counts the value
        of a trade-off linkage only when its role knows of the linkage
        (:meth:`PackageSpace.from_scenario`)."""
        space = PackageSpace.from_scenario(sc, viewer)
        try:
            bargaining = analyze_bargaining(space, count=False)
        except AnalyticsLimitError:
            bargaining = None  # bots then enumerate small issue sets only
        return cls(space, bargaining)

    # ------------------------------------------------------------------ look-ups
    def __post_init__(self) -> None:
        sp = self.space
        #: (roles, issues) best value of each issue, and the no-deal share of each issue
        self.best_matrix = np.stack([t.max(axis=1) for t in sp.tables], axis=1)
        self.share_matrix = np.asarray(sp.batna_shares)
        self.option_index = {iid: (j, opts) for iid, (j, opts) in sp._index.items()}

    def role_index(self, role: str) -> int:
        return self.space.roles.index(role)

    def nash_package(self) -> dict[str, str] | None:
        b = self.bargaining
        return None if b is None or b.nash is None else b.package(b.nash)

    def candidates(self, issues: tuple[int, ...]) -> Candidates:
        """Undominated option combinations on ``issues`` (sorted issue indices)."""
        got = self._cache.get(issues)
        if got is not None:
            return got
        cand = self._build(issues)
        with self._lock:
            self._cache.setdefault(issues, cand)
        return self._cache[issues]

    def _build(self, issues: tuple[int, ...]) -> Candidates:
        sp = self.space
        tables = [sp.tables[j] for j in issues]
        size = math.prod(t.shape[1] for t in tables)
        if size <= MAX_EXACT or self.bargaining is None:
            if size > MAX_EXACT * 64:
                # no frontier to fall back on and too many to enumerate: greedy per issue
                unit = np.array([1 / d for d in sp.denominators])[:, None]  # each role's unit
                choices = np.array([[int(np.argmax((t * unit).sum(axis=0))) for t in tables]],
                                   dtype=np.int16)
            else:
                dims = [t.shape[1] for t in tables]
                choices = np.indices(dims, dtype=np.int16).reshape(len(dims), -1).T
        else:
            fr = self.bargaining.frontier.choices[:, list(issues)]
            choices = np.unique(fr, axis=0).astype(np.int16)
        values = np.zeros((len(choices), sp.n_roles), dtype=np.int64)
        for c, t in enumerate(tables):
            values += t.T[choices[:, c]]
        keep = pareto_filter(values)
        choices, values = choices[keep], values[keep]
        if len(choices) > MAX_CANDIDATES:
            floor = sum(sp.batna_shares[:, j] for j in issues)
            best = sum(t.max(axis=1) for t in tables)
            span = np.maximum(best - floor, 1)
            balance = ((values - floor[None, :]) / span[None, :]).min(axis=1)
            top = np.sort(np.argsort(-balance, kind="stable")[:MAX_CANDIDATES])
            choices, values = choices[top], values[top]
        choices.setflags(write=False)
        values.setflags(write=False)
        return Candidates(issues, choices, values)
