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
   The machine's other load is printed with the figures (os.getloadavg); when other work
   holds the cores, the wall clock cannot show the scaling, so the workers' CPU time per
   run (getrusage of the exited workers, start-up subtracted) is printed beside it: with
   the same CPU per run in each worker as in one job, two free cores give twice the rate.
"""

from __future__ import annotations

import argparse
import os
import resource
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


def _pool(loaded, runs: int) -> tuple[float, float, str]:
    """(wall seconds of the timed runs, CPU seconds the workers used in all, CSV)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with ProcessPoolExecutor(2, initializer=_warm, initargs=(loaded.text, str(loaded.source))) as ex:
        list(ex.map(_noop, range(4)))  # both workers up, analytics computed
        simulate(loaded, 20, seed=99, executor=ex)
        t = time.perf_counter()
        result = simulate(loaded, runs, seed=1, executor=ex) if runs else None
        wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers have exited
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, csv_text(loaded.scenario, result.rows) if result else ""


def two_jobs(path: Path, runs: int, reference: str) -> tuple[float, float]:
    """(sessions a minute by the wall clock, by the workers' CPU time) over two workers."""
    loaded = load_scenario(path)
    _w0, cpu0, _ = _pool(loaded, 0)  # start-up and warm-up alone
    wall, cpu, text = _pool(loaded, runs)
    assert text == reference, "two jobs changed the CSV"
    return runs / wall * 60, runs / max(1e-9, cpu - cpu0) * 60


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
        wall2, cpu2 = two_jobs(path, args.runs, ref)
        load2 = os.getloadavg()[0]
        print(f"{path.name}: {args.runs} runs, load average {load:.1f}–{load2:.1f} on "
              f"{os.cpu_count()} cores")
        print(f"  one core  {wall1:7.0f} sessions/min by the wall clock, {cpu1:7.0f} by CPU time "
              f"(target >= 1000)")
        print(f"  two jobs  {wall2:7.0f} sessions/min by the wall clock -> {wall2 / wall1:.2f}x "
              f"one job (target >= 1.8x); same CSV")
        print(f"            {cpu2:7.0f} sessions/min per CPU-second of the workers "
              f"({cpu2 / cpu1:.2f}x one job's): two free cores would give "
              f"{2 * min(cpu2, cpu1) / cpu1:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
