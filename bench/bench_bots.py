"""Bot-played sessions per minute, in memory (no SQLite), and how they scale over two jobs.

    .venv/bin/python bench/bench_bots.py [--runs 300] [--scenario PATH ...]

1. One core: whole sessions played by the scenario's default bots and the control bot
   through ``decide`` + fold (``peacetable simulate`` without ``--out``), with the
   scenario's analytics computed once before timing (as every worker does once).
   target >= 1,000 sessions a minute
   Reported by wall clock and by the process's CPU time: on a shared machine the CPU time
   is what one core does; the wall clock is what this run got.
2. Two jobs: the same runs over a process pool of two workers (analytics computed in each
   worker before timing) against one job, wall clock.                   target >= 1.8x
   The machine's other load is printed with the figures (os.getloadavg).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from peacetable.app.simulate import context, csv_text, simulate  # noqa: E402
from peacetable.domain.loader import load_scenario  # noqa: E402


def _warm(text: str, source: str) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    context(text, source)


def one_core(path: Path, runs: int) -> tuple[float, float, str]:
    loaded = load_scenario(path)
    context(loaded.text, str(loaded.source))
    simulate(loaded, 20, seed=99)  # warm the package rankings as a long simulation would
    t, c = time.perf_counter(), time.process_time()
    result = simulate(loaded, runs, seed=1)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    assert sum(r["refused"] for r in result.rows) == 0
    return runs / wall * 60, runs / cpu * 60, csv_text(loaded.scenario, result.rows)


def two_jobs(path: Path, runs: int, reference: str) -> float:
    loaded = load_scenario(path)
    with ProcessPoolExecutor(2, initializer=_warm, initargs=(loaded.text, str(loaded.source))) as ex:
        list(ex.map(_noop, range(4)))  # both workers up, analytics computed
        simulate(loaded, 20, seed=99, executor=ex)
        t = time.perf_counter()
        result = simulate(loaded, runs, seed=1, executor=ex)
        wall = time.perf_counter() - t
    assert csv_text(loaded.scenario, result.rows) == reference, "two jobs changed the CSV"
    return runs / wall * 60


def _noop(x: int) -> int:
    time.sleep(0.2)
    return x


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--scenario", action="append", type=Path, default=None)
    args = ap.parse_args()
    paths = args.scenario or sorted((ROOT / "scenarios").glob("*.toml"))
    for path in paths:
        load = os.getloadavg()[0]
        wall1, cpu1, ref = one_core(path, args.runs)
        wall2 = two_jobs(path, args.runs, ref)
        load2 = os.getloadavg()[0]
        print(f"{path.name}: {args.runs} runs, load average {load:.1f}–{load2:.1f} on "
              f"{os.cpu_count()} cores")
        print(f"  one core  {wall1:7.0f} sessions/min by the wall clock, {cpu1:7.0f} by CPU time "
              f"(target >= 1000)")
        print(f"  two jobs  {wall2:7.0f} sessions/min by the wall clock -> {wall2 / wall1:.2f}x "
              f"one job (target >= 1.8x); same CSV")
    return 0


if __name__ == "__main__":
    sys.exit(main())
