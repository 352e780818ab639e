"""After-action report benchmark against `peacetable replay --json`, measured in the same run.

    .venv/bin/python bench/bench_report.py [--events 10000] [--scenario PATH] [--repeat 3]

Both run in this process with their imports already loaded, on the same N-event session
(played by the real engine, as in bench_engine.py):

* baseline: what `peacetable replay SESSION --json` does: open the file read-only (its
  checks, the state at the last event), the control view, ``json.dumps``;
* product: what `peacetable report SESSION -o aar.html` does: open the file read-only, build
  the report (debrief, bargaining, annotations), write the chart and the network as SVG,
  render the HTML with the figures in it, write it.

Then the same two as commands, a new process each (start-up and imports included), with
the CPU time each used (``getrusage`` of the finished child). Median and best of
``--repeat`` for each, interleaved; the load average before and after. Target: report <= 3x
replay --json, as commands.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_engine import build_session  # noqa: E402

from peacetable.app.session import SNAPSHOT_EVERY, Session  # noqa: E402
from peacetable.ui.report_export import write_report  # noqa: E402


def add_snapshots(path: Path) -> int:
    """Store a snapshot every SNAPSHOT_EVERY events, as Session.execute does while a session
    is played (the generator writes its events in batches)."""
    s = Session.open(path)
    try:
        for k in range(SNAPSHOT_EVERY, s.store.last_seq + 1, SNAPSHOT_EVERY):
            s.store.save_snapshot(s.state_at(k))
        return s.store.last_snapshot_seq
    finally:
        s.close()


def replay_json(path: Path) -> int:
    s = Session.open(path, readonly=True)
    try:
        return len(json.dumps(s.view("control"), sort_keys=True, indent=2, ensure_ascii=False))
    finally:
        s.close()


def report_html(path: Path, out: Path) -> int:
    write_report(path, out, force=True)
    return out.stat().st_size


def _ms(xs: list[float]) -> str:
    return f"{statistics.median(xs) * 1000:.0f} ms (best {min(xs) * 1000:.0f})"


def _ratio(prod: list[float], base: list[float]) -> str:
    """Median over median (best over best)."""
    return (f"{statistics.median(prod) / statistics.median(base):.2f}x "
            f"(best {min(prod) / min(base):.2f}x; {len(prod)} runs)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "peace-of-inches.toml")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-snapshots", action="store_true",
                    help="leave the session without snapshots (replay then folds every event)")
    args = ap.parse_args()
    # the package as installed: compiled to bytecode (the commands would otherwise compile
    # every module they import, each time, where bytecode is not written)
    compileall.compile_dir(str(ROOT / "peacetable"), quiet=1)
    print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.peacetable"
        t0 = time.perf_counter()
        build_session(path, args.scenario, args.events)
        snaps = 0 if args.no_snapshots else add_snapshots(path)
        print(f"built {args.events} events from {args.scenario.name} in "
              f"{time.perf_counter() - t0:.1f} s; "
              + (f"snapshots every {SNAPSHOT_EVERY} up to {snaps}" if snaps else "no snapshots"))
        out = Path(tmp) / "aar.html"
        report_html(path, out)  # warm-up: imports, fonts, templates
        base, prod = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            replay_json(path)
            base.append(time.perf_counter() - t)
            t = time.perf_counter()
            size = report_html(path, out)
            prod.append(time.perf_counter() - t)
        print(f"in process: replay --json {_ms(base)}, report .html {_ms(prod)} "
              f"({size / 1024:.0f} KiB) -> {_ratio(prod, base)}")
        # the same two commands as a user runs them: a new process each (start-up, imports)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        cmd = [sys.executable, "-m", "peacetable.cli"]
        base, prod, base_cpu, prod_cpu = [], [], [], []
        for _ in range(args.repeat):
            for argv, wall, cpu in (([*cmd, "replay", str(path), "--json"], base, base_cpu),
                                    ([*cmd, "report", str(path), "-o", str(out), "--force"],
                                     prod, prod_cpu)):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
                wall.append(time.perf_counter() - t)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        print(f"commands:   peacetable replay --json {_ms(base)}, peacetable report "
              f"-o aar.html {_ms(prod)} -> {_ratio(prod, base)} (target <= 3x)")
        print(f"CPU time:   replay --json {_ms(base_cpu)}, report .html {_ms(prod_cpu)} -> "
              f"{_ratio(prod_cpu, base_cpu)}")
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
