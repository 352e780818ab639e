"""Start-up benchmark: process start to first main window on screen, PeaceTable vs a bare
PySide6 window, measured in the same run.

    .venv/bin/python bench/bench_start.py [--reps 9] [--platform offscreen|xcb] [--write]

This tree's package is compiled to bytecode first (as an installed copy is) and the runs
import it (``PYTHONPATH``). Each measurement starts a fresh process and times from just
before it is spawned to the moment its main window is first exposed (a ``QEvent.Expose`` with ``isExposed()`` on the
window's native window), which the process reports as a wall-clock timestamp on stdout
before quitting. PeaceTable is run as ``peacetable`` with no arguments and
``PEACETABLE_BENCH_EXIT_ON_SHOW=1``; the baseline is a script that creates a
``QApplication`` and a ``QMainWindow`` with one label and nothing else. Runs alternate
(baseline, PeaceTable, ...) after one discarded warm-up each, and the medians are
compared; the CPU time of each process is shown beside it. The target is a ratio of at
most 1.5.

``--write`` records the figures in ``docs/performance-ui.md``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5

BARE = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

app = QApplication(sys.argv[:1])
win = QMainWindow()
win.setWindowTitle("bare")
win.setCentralWidget(QLabel("bare PySide6 window"))
win.resize(1600, 900)

class Watch(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Expose and obj.isExposed():
            print(f"PEACETABLE_SHOWN {time.time():.6f}", flush=True)
            app.quit()
        return False

win.show()
watch = Watch()
win.windowHandle().installEventFilter(watch)
sys.exit(app.exec())
"""


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds to the first frame, CPU seconds of the whole process)."""
    c0 = _cpu()
    t0 = time.time()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    cpu = _cpu() - c0
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    for line in proc.stdout.splitlines():
        if line.startswith("PEACETABLE_SHOWN "):
            return float(line.split()[1]) - t0, cpu
    raise SystemExit(f"{cmd} never reported a shown window:\n{proc.stdout}\n{proc.stderr}")


def compile_package() -> None:
    """Compile this tree's package to bytecode first, as an installed copy has it (pip and
    the PyInstaller build compile it; PySide6 and the standard library come compiled):
    otherwise, with ``PYTHONDONTWRITEBYTECODE`` set or a read-only tree, every run would
    compile PeaceTable's modules from source (~100 ms) and the bare window none."""
    import compileall

    compileall.compile_dir(str(ROOT / "peacetable"), quiet=1)


def measure(reps: int, platform_name: str) -> dict[str, list[tuple[float, float]]]:
    exe = Path(sys.executable).with_name("peacetable")
    if not exe.exists():
        raise SystemExit(f"{exe} not found: run this with the project's virtualenv python")
    compile_package()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, QT_QPA_PLATFORM=platform_name, HOME=home,
                   XDG_CONFIG_HOME=str(Path(home) / "config"),
                   XDG_STATE_HOME=str(Path(home) / "state"),
                   PEACETABLE_BENCH_EXIT_ON_SHOW="1",
                   PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        bare = [sys.executable, "-c", BARE]
        app = [str(exe)]
        _run(bare, env)  # warm-up: file cache, font cache
        _run(app, env)
        out: dict[str, list[tuple[float, float]]] = {"bare": [], "peacetable": []}
        for _ in range(reps):
            out["bare"].append(_run(bare, env))
            out["peacetable"].append(_run(app, env))
    return out


def report(times: dict[str, list[tuple[float, float]]], platform_name: str) -> tuple[str, float]:
    wall = {k: [w for w, _ in v] for k, v in times.items()}
    cpu = {k: [c for _, c in v] for k, v in times.items()}
    med = {k: statistics.median(v) for k, v in wall.items()}
    cmed = {k: statistics.median(v) for k, v in cpu.items()}
    ratio = med["peacetable"] / med["bare"]
    lines = [
        f"platform: {platform_name}; {len(times['bare'])} runs each (after one warm-up)",
        f"{'':12} {'median':>9} {'min':>9} {'max':>9}   {'CPU time (median)':>17}",
    ]
    for k in ("bare", "peacetable"):
        v = wall[k]
        lines.append(f"{k:12} {med[k] * 1000:7.0f} ms {min(v) * 1000:6.0f} ms "
                     f"{max(v) * 1000:6.0f} ms   {cmed[k] * 1000:14.0f} ms")
    verdict = "within" if ratio <= TARGET else "OVER"
    lines.append(f"ratio (median peacetable / median bare): {ratio:.2f}x — {verdict} the "
                 f"{TARGET}x target")
    lines.append(f"CPU time ratio (less sensitive to the machine's load): "
                 f"{cmed['peacetable'] / cmed['bare']:.2f}x")
    return "\n".join(lines), ratio


def write_doc(results: list[tuple[str, str, float]]) -> Path:
    path = ROOT / "docs" / "performance-ui.md"
    when = time.strftime("%Y-%m-%d")
    py = platform.python_version()
    try:
        import PySide6

        qt = PySide6.__version__
    except ImportError:  # pragma: no cover
        qt = "?"
    body = [
        "# Console start-up time",
        "",
        "Quality bar: *start to first window within 1.5× a bare PySide6 window's start, "
        "measured in one run.*",
        "",
        "Measured by `bench/bench_start.py`: wall-clock time from spawning the process to the "
        "main window's first `Expose` event, for `peacetable` with no arguments "
        "(`PEACETABLE_BENCH_EXIT_ON_SHOW=1` makes it print the moment and quit) and for a "
        "script that shows a bare `QMainWindow`, alternating, after one warm-up each; "
        "medians compared.",
        "",
        f"Last run: {when}, Python {py}, PySide6 {qt}, {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs.",
        "",
    ]
    for name, text, _ratio in results:
        body += [f"## {name}", "", "```", text, "```", ""]
    body += [
        "The figures move with the machine's load (this one is shared); on the same machine "
        "under load the ratio measured between 1.22× and 1.35× once the measures below were "
        "in. Before them it was 1.56×.",
        "",
        "## What keeps start-up short",
        "",
        "- `peacetable.cli` imports only `argparse` and `json` before handing over to "
        "`peacetable.ui.main.run_gui`.",
        "- `peacetable.ui.main_window` imports Qt and the small Qt-only helpers (bridge, "
        "undo, actions, message boxes, style); the first window is the welcome page. The "
        "dialogs, the file dialog and the console's panels are imported when first used.",
        "- The console (move entry, adjudication, MSEL, tables, event log) and with it the "
        "domain and session layers (pydantic, msgspec, sqlite-utils: about half a second "
        "of imports) are imported when the first session is opened.",
        "- The escalation chart (pyqtgraph, numpy) and the issue network (networkx) are "
        "imported after the first frame (`MainWindow.ensure_visuals`, scheduled from the "
        "first `Expose` event), so they never delay it.",
        "- PySide6 builds Python enums for a class on first use, and the `Qt` namespace's "
        "(about 100 enums) costs 25–45 ms. Start-up code never touches it: shortcuts are "
        "set with `QAction.setShortcuts([...])` (the overload check of `setShortcut` builds "
        "the whole namespace), `QtCore.Qt` is read only in methods that run later, the "
        "Fusion style is chosen by a `QApplication` argument rather than `setStyle`, and "
        "styled widgets are re-polished once after the first frame rather than one by one "
        "(`QStyle.polish` has the same overload cost).",
        "- The stylesheet holds colours only and is set once, before any widget exists; "
        "text sizes are fonts.",
        "",
        "Re-run: `.venv/bin/python bench/bench_start.py --write` (under an X server it also "
        "measures the `xcb` platform, e.g. `xvfb-run -a .venv/bin/python "
        "bench/bench_start.py --write`).",
        "",
    ]
    path.write_text("\n".join(body), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("--platform", action="append", default=None,
                    help="Qt platform plugin (offscreen, xcb); repeatable (default: offscreen, "
                         "plus xcb when DISPLAY is set)")
    ap.add_argument("--write", action="store_true", help="write docs/performance-ui.md")
    args = ap.parse_args(argv)
    platforms = args.platform or (["offscreen"] + (["xcb"] if os.environ.get("DISPLAY") else []))
    results = []
    worst = 0.0
    for name in platforms:
        text, ratio = report(measure(args.reps, name), name)
        print(text, end="\n\n", flush=True)
        results.append((f"Qt platform `{name}`", text, ratio))
        worst = max(worst, ratio)
    if args.write:
        print(f"wrote {write_doc(results)}")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
