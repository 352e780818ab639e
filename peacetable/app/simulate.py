"""Simulation: many bot-only runs of one scenario, in memory, over cores or a cluster.

A run is one whole session played by bots (:class:`~.autoplay.Autoplay`) on a
:class:`MemorySession` — the engine's ``decide`` and ``fold`` with no SQLite — and becomes
one row of results. Run ``i`` of a simulation with seed ``S`` is seeded from ``(S, i)``
alone, so the rows, and the CSV written from them, are the same whatever the number of
jobs or the executor. With ``out``, each run is also written as a session file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, wait, FIRST_COMPLETED
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain.bots import Knowledge
from ..domain.engine import decide
from ..domain.events import Event, SessionStarted, Visibility
from ..domain.loader import LoadedScenario, parse_scenario
from ..domain.scenario import Scenario
from ..domain.state import IncrementalFold, State
from .autoplay import Autoplay, default_bots, knowledge_for, parse_bots

CHUNK = 20
"""Runs per task sent to a worker (fewer round trips; progress is reported per task)."""


class MemorySession:
    """A session held in memory: the same ``decide`` and fold as a session file, no I/O."""

    def __init__(self, sc: Scenario, seed: int, sha256: str = "", title: str = ""):
        self.scenario = sc
        self.events: list[Event] = []
        self._fold = IncrementalFold(sc)
        self.peak = self._fold.state.index
        self._append([(SessionStarted(scenario_id=sc.scenario.id, scenario_sha256=sha256,
                                      seed=int(seed), title=title or sc.scenario.title),
                       Visibility())])

    @property
    def state(self) -> State:
        return self._fold.state

    def execute(self, cmd) -> list[Event]:
        return self._append(decide(self.scenario, self.state, cmd))

    def _append(self, items) -> list[Event]:
        n = len(self.events)
        new = [Event(seq=n + k + 1, ts="", visibility=vis, body=body)
               for k, (body, vis) in enumerate(items)]
        self.events.extend(new)
        self._fold.apply(new)
        if self.state.index > self.peak:
            self.peak = self.state.index
        return new
