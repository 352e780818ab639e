"""Simulation: many bot-only runs of one scenario, in memory, over cores or a cluster.

A run is one whole session played by bots (:class:`~.autoplay.Autoplay`) on a
:class:`MemorySession` — the engine's ``decide`` and fold with no SQLite — and becomes one
row of results. Run ``i`` of a simulation with seed ``S`` is seeded from ``(S, i)`` alone,
so the rows, and the CSV written from them, are the same whatever the number of jobs or the
executor. With ``out``, each run is also written as a session file.

Workers (processes of a pool, or dask workers through ``Client.get_executor()``) receive
the scenario text and parse it, and compute its analytics, once per process.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain.bots import Knowledge
from ..domain.engine import decide
from ..domain.events import Body, Event, SessionStarted, Visibility
from ..domain.loader import LoadedScenario, parse_scenario
from ..domain.scenario import Scenario
from ..domain.state import IncrementalFold, State
from ..storage.session_file import sha256_text
from .autoplay import ROUNDS_PER_PHASE, Autoplay, default_bots, parse_bots

CHUNK = 10
"""Runs per task sent to a worker (fewer round trips; progress is reported per task)."""


class MemorySession:
    """A session held in memory: the same ``decide`` and fold as a session file, no I/O."""

    def __init__(self, sc: Scenario, seed: int, sha256: str = "", title: str = "",
                 loaded: LoadedScenario | None = None):
        self.scenario = sc
        self.loaded = loaded  # the scenario text, when known (scorecards simulate from it)
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
        for ev in new:  # one at a time: the peak is the highest index after any event
            self._fold.apply((ev,))
            if self.state.index > self.peak:
                self.peak = self.state.index
        return new


# --------------------------------------------------------------------------- one run


def run_seed(seed: int, index: int) -> int:
    """The session seed of run ``index`` of a simulation seeded ``seed``."""
    digest = hashlib.sha256(f"peacetable-simulate:{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def agreed_package(st: State) -> dict[str, str]:
    out: dict[str, str] = {}
    for a in sorted(st.agreements.values(), key=lambda a: a.id):
        if a.status == "in_force":
            out.update(a.package)
    return out


def run_row(sc: Scenario, knowledge: Knowledge, session: MemorySession, ap: Autoplay,
            index: int, seed: int) -> dict[str, Any]:
    """The results of one finished run as a CSV row (plain values, stable key order)."""
    st = session.state
    agreed = agreed_package(st)
    values = knowledge.space.value(agreed)
    row: dict[str, Any] = {
        "run": index + 1,
        "seed": seed,
        "events": len(session.events),
        "phase_reached": st.phase or "",
        "phases_played": st.phase_index + 1,
        "agreements": sum(1 for a in st.agreements.values() if a.status == "in_force"),
        "issues_settled": len(agreed),
        "escalation_peak": round(session.peak, 4),
        "escalation_final": round(st.index, 4),
        "rung_final": st.rung,
        "refused": ap.refused,
    }
    for issue in sc.issues:
        row[f"issue:{issue.id}"] = agreed.get(issue.id, "")
    for role in knowledge.space.roles:
        row[f"utility:{role}"] = round(values[role], 6)
    return row


def play_run(loaded: LoadedScenario, knowledge: Knowledge, bots: dict[str, str], seed: int,
             index: int, rounds: int = ROUNDS_PER_PHASE) -> tuple[dict[str, Any], MemorySession]:
    """Play run ``index`` in memory; its row and its session."""
    sc = loaded.scenario
    s_seed = run_seed(seed, index)
    session = MemorySession(sc, s_seed, sha256=sha256_text(loaded.text), loaded=loaded)
    ap = Autoplay(session, bots, seed=s_seed, rounds=rounds, knowledge=knowledge)
    ap.run()
    return run_row(sc, knowledge, session, ap, index, s_seed), session


# --------------------------------------------------------------------------- workers


@dataclass(frozen=True)
class Spec:
    """What a worker needs to play runs: plain data, cheap to send."""

    text: str
    source: str
    bots: tuple[tuple[str, str], ...]
    seed: int
    rounds: int = ROUNDS_PER_PHASE
    keep_events: bool = False


_contexts: dict[str, tuple[LoadedScenario, Knowledge]] = {}


def context(text: str, source: str) -> tuple[LoadedScenario, Knowledge]:
    """The parsed scenario and its analytics, once per process (keyed by the text)."""
    key = sha256_text(text)
    got = _contexts.get(key)
    if got is None:
        loaded = parse_scenario(text, source)
        got = _contexts[key] = (loaded, Knowledge.of(loaded.scenario))
    return got


def run_chunk(spec: Spec, indices: Sequence[int]
              ) -> list[tuple[int, dict[str, Any], list[tuple[Body, Visibility]] | None]]:
    """Play the runs ``indices`` (a task for a worker): (index, row, events to save)."""
    loaded, knowledge = context(spec.text, spec.source)
    out = []
    for i in indices:
        row, session = play_run(loaded, knowledge, dict(spec.bots), spec.seed, i, spec.rounds)
        events = [(e.body, e.visibility) for e in session.events[1:]] if spec.keep_events else None
        out.append((i, row, events))
    return out


def _quiet_worker() -> None:
    """Pool workers leave Ctrl-C to the parent, which keeps the runs already finished."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# --------------------------------------------------------------------------- many runs


@dataclass
class Result:
    """Rows of the finished runs (in run order), and whether the simulation was cut short."""

    scenario: Scenario
    bots: dict[str, str]
    runs: int
    seed: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    interrupted: bool = False
    saved: list[Path] = field(default_factory=list)

    @property
    def finished(self) -> int:
        return len(self.rows)


def check_out_dir(out: Path) -> None:
    """``out`` must be a new or empty folder (simulation files are never mixed with others)."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out}: is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        raise ValueError(f"--out {out}: the folder holds other files (expected a new or empty "
                         "folder; nothing was written)")


def simulate(loaded: LoadedScenario, runs: int, seed: int = 0,
             bots: dict[str, str] | None = None, jobs: int = 1,
             executor: Executor | None = None, out: Path | None = None,
             progress: Callable[[int, int], None] | None = None,
             rounds: int = ROUNDS_PER_PHASE, chunk: int = CHUNK) -> Result:
    """Play ``runs`` bot-only sessions of ``loaded``.

    ``bots`` overrides the scenario's default strategies for some roles. ``jobs`` > 1 uses a
    process pool of that size; ``executor`` (any ``concurrent.futures.Executor``, e.g. a dask
    client's) is used as given and not shut down. ``out``: a new or empty folder that gets
    one session file per run. ``progress(done, runs)`` is called as runs finish. Ctrl-C
    (KeyboardInterrupt) stops the simulation and returns the runs finished so far with
    ``interrupted`` set."""
    sc = loaded.scenario
    if runs < 1:
        raise ValueError(f"--runs {runs}: expected at least 1 run")
    if jobs < 1:
        raise ValueError(f"--jobs {jobs}: expected at least 1")
    mix = default_bots(sc)
    mix.update(parse_bots(sc, bots or {}))
    if out is not None:
        check_out_dir(out)
    spec = Spec(loaded.text, str(loaded.source), tuple(sorted(mix.items())), int(seed), rounds,
                keep_events=out is not None)
    result = Result(sc, mix, runs, int(seed))
    rows: dict[int, dict[str, Any]] = {}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)

    def take(done: list) -> None:
        for i, row, events in done:
            if out is not None and events is not None:
                result.saved.append(save_run(loaded, out, i, row["seed"], events))
            rows[i] = row  # a run counts once its session file (if any) is complete
        if progress is not None:
            progress(len(rows), runs)

    chunks = [list(range(k, min(runs, k + chunk))) for k in range(0, runs, chunk)]
    own = None
    try:
        if executor is None and jobs == 1:
            for c in chunks:
                take(run_chunk(spec, c))
        else:
            if executor is None:
                own = executor = ProcessPoolExecutor(max_workers=jobs, initializer=_quiet_worker)
            pending: set[Future] = {executor.submit(run_chunk, spec, c) for c in chunks}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in sorted(done, key=id):
                    take(f.result())
    except KeyboardInterrupt:
        result.interrupted = True
        if own is not None:
            own.shutdown(wait=False, cancel_futures=True)
            own = None
    finally:
        if own is not None:
            own.shutdown()
    if result.interrupted and out is not None:
        # Ctrl-C may land between writing a run's file and counting its row: keep the two
        # in step, so the folder holds exactly the runs the CSV lists
        kept = {f"run-{i + 1:05d}.peacetable" for i in rows}
        for path in out.glob("run-*.peacetable*"):
            if path.name.split("-wal")[0].split("-shm")[0] not in kept:
                path.unlink(missing_ok=True)
        result.saved = [p for p in result.saved if p.name in kept]
    result.rows = [rows[i] for i in sorted(rows)]
    return result


def save_run(loaded: LoadedScenario, out: Path, index: int, seed: int,
             events: list[tuple[Body, Visibility]]) -> Path:
    """Write one run as a session file ``out/run-NNNNN.peacetable``."""
    from .session import Session

    path = out / f"run-{index + 1:05d}.peacetable"
    s = Session.create_from(loaded, path, seed=seed)
    complete = False
    try:
        if events:
            s.store.append(events)
            s.state = s.state_at(s.store.last_seq)
            s.store.save_snapshot(s.state)
        complete = True
    finally:
        s.close()
        if not complete:  # interrupted while writing: no half-written run is left behind
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


# --------------------------------------------------------------------------- output


def fieldnames(sc: Scenario) -> list[str]:
    return (["run", "seed", "events", "phase_reached", "phases_played", "agreements",
             "issues_settled", "escalation_peak", "escalation_final", "rung_final", "refused"]
            + [f"issue:{i.id}" for i in sc.issues]
            + [f"utility:{r}" for r in sc.player_ids])


def csv_text(sc: Scenario, rows: list[dict[str, Any]]) -> str:
    """The rows as CSV text (fixed columns and number formats: same rows, same bytes)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fieldnames(sc), lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: (f"{v:.6f}" if isinstance(v, float) else v) for k, v in row.items()})
    return buf.getvalue()


def summary(result: Result) -> dict[str, Any]:
    """Aggregates for the terminal and the plots (labels come from the scenario)."""
    sc = result.scenario
    rows = result.rows
    n = len(rows)
    out: dict[str, Any] = {"runs": n}
    if not n:
        return out
    finals = sorted(r["escalation_final"] for r in rows)
    peaks = sorted(r["escalation_peak"] for r in rows)
    out["agreement_rate"] = sum(1 for r in rows if r["agreements"]) / n
    out["issues_settled_mean"] = sum(r["issues_settled"] for r in rows) / n
    out["escalation_final"] = _describe(finals)
    out["escalation_peak"] = _describe(peaks)
    out["issue_rates"] = {i.id: sum(1 for r in rows if r[f"issue:{i.id}"]) / n for i in sc.issues}
    out["utility_mean"] = {r: sum(row[f"utility:{r}"] for row in rows) / n for r in sc.player_ids}
    out["rungs"] = {}
    for r in rows:
        out["rungs"][r["rung_final"]] = out["rungs"].get(r["rung_final"], 0) + 1
    out["refused"] = sum(r["refused"] for r in rows)
    return out


def _describe(xs: list[float]) -> dict[str, float]:
    n = len(xs)

    def q(p: float) -> float:
        return xs[min(n - 1, int(p * (n - 1) + 0.5))]

    return {"mean": sum(xs) / n, "min": xs[0], "median": q(0.5), "p90": q(0.9), "max": xs[-1]}
