"""Replay benchmark: seeking through the replay model, and dragging the scrubber end to end.

    .venv/bin/python bench/bench_replay.py [--events 100000] [--session FILE] [--seeks 300]
                                           [--frames 200] [--paints]

A session of N events is played by the real engine (``bench_engine.build_session``: moves,
adjudications, notes, undos, sealed rounds, phases; a snapshot every 500 events), or
``--session`` names one already built.

* **Seek**: the session is opened for replay and a :class:`ReplayModel` built (timed: the
  one fold that makes its checkpoints and the trace); then ``--seeks`` random cursors,
  each timed by the wall clock and by this thread's CPU time: ``model.seek(n)`` and
  ``model.view("control")`` (what the views ask first). Twice: back to back, and paced as a
  drag or the keys ask for them (one seek per 16 ms frame, the process idle in between,
  as the window's event loop waits for the next mouse move). Baseline, same run, same
  cursors: ``Session.state_at(n)`` + ``view_state``, the seek the session itself offers
  (newest snapshot at or before n, and the tail).
* **Drag**: the main window, 1920x1080 offscreen, replays the session; the scrubber is
  dragged from the first event to the last in ``--frames`` mouse moves, one after another.
  One frame = the mouse move event delivered to the timeline and the event loop run once:
  the coalesced seek, every view following (timeline, chart, event log, tables, network,
  role panel, projector) and the windows' repaint of what changed. Timed by the wall clock
  and by the process's CPU time (Qt's raster engine hands large fills to a pool of threads
  of its own: their time counts). Baseline, same run, right after: a full paint of the
  main window and the projector (``grab()``). Measured with the chart tab and with the
  network tab in front, the event log in front above, the projector open.

``--paints`` times every widget's painting during the drag instead (a QApplication that
times each paint event it delivers, by widget): what the windows paint in a frame and what
each piece costs. Every event then passes through Python, so that run's frame figures are
not printed.

The load average (``os.getloadavg``) is printed before and after each part: on a shared
machine the wall clock counts the time other processes held the cores.

Targets (the product brief): seek p95 <= 5 ms; frame p95 <= 16 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SEEK_TARGET_MS = 5.0
FRAME_TARGET_MS = 16.0


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def summary(ms: list[float]) -> str:
    return (f"median {statistics.median(ms):.2f} ms, p95 {pct(ms, 95):.2f} ms, "
            f"max {max(ms):.2f} ms")


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def bench_seek(path: Path, seeks: int) -> dict:
    from peacetable.app.replay import ReplayModel
    from peacetable.app.session import Session
    from peacetable.domain.views import view_state

    t = time.perf_counter()
    s = Session.open_replay(path)
    opened = time.perf_counter() - t
    t = time.perf_counter()
    m = ReplayModel(s)
    built = time.perf_counter() - t
    rng = random.Random(7)
    cursors = [rng.randint(0, m.last) for _ in range(seeks)]
    model_ms, base_ms, cpu_ms = [], [], []
    for n in cursors:
        c = time.thread_time()
        t = time.perf_counter()
        m.seek(n)
        m.view("control")
        model_ms.append((time.perf_counter() - t) * 1000)
        cpu_ms.append((time.thread_time() - c) * 1000)
    # paced: one seek per 16 ms frame, idle in between (as a drag's mouse moves come)
    paced_ms, paced_cpu = [], []
    m.seek(0)
    frame = 0.016
    due = time.perf_counter()
    for n in cursors:
        due += frame
        time.sleep(max(0.0, due - time.perf_counter()))
        c = time.thread_time()
        t = time.perf_counter()
        m.seek(n)
        m.view("control")
        paced_ms.append((time.perf_counter() - t) * 1000)
        paced_cpu.append((time.thread_time() - c) * 1000)
    for n in cursors:
        t = time.perf_counter()
        view_state(s.scenario, s.state_at(n), "control")
        base_ms.append((time.perf_counter() - t) * 1000)
    # stepping: one event forward and back, as the arrow keys do
    step_ms = []
    m.seek(m.last // 2)
    for k in range(200):
        t = time.perf_counter()
        m.step(1 if k % 4 < 2 else -1)
        m.view("control")
        step_ms.append((time.perf_counter() - t) * 1000)
    s.close()
    return {"events": m.last, "open_s": opened, "build_s": built, "model": model_ms,
            "base": base_ms, "step": step_ms, "cpu": cpu_ms, "paced": paced_ms,
            "paced_cpu": paced_cpu}


def _paint_timing_app(argv: list[str]):
    """A QApplication that times every paint event it delivers, by widget (``--paints``:
    what the windows paint in a frame and what each piece costs). Each event passes
    through Python here, so the frame figures of such a run are not reported."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    class PaintTimingApp(QApplication):
        timing = False
        paints: dict[str, list[float]] = {}

        def notify(self, obj, ev):
            if not self.timing or ev.type() != QEvent.Type.Paint:
                return super().notify(obj, ev)
            t = time.thread_time()
            try:
                return super().notify(obj, ev)
            finally:
                ms = (time.thread_time() - t) * 1000
                def named(w) -> str:
                    n = w.objectName()
                    return type(w).__name__ + (f" {n}" if n and not n.startswith("qt_") else "")

                chain, up = [named(obj)], obj.parent()
                while up is not None and len(chain) < 3:
                    chain.append(named(up))
                    up = up.parent()
                name = " < ".join(chain)
                r = ev.region().boundingRect()
                got = self.paints.setdefault(name, [0, 0.0, 0])
                got[0] += 1
                got[1] += ms
                got[2] += r.width() * r.height()

    return PaintTimingApp(argv)


def bench_drag(path: Path, frames: int, paints: bool = False) -> dict:
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    from peacetable.ui.main import configure_application

    argv = ["bench", "-style", "Fusion"]
    app = QApplication.instance() or (_paint_timing_app(argv) if paints else QApplication(argv))
    configure_application(app)
    from peacetable.ui.main_window import MainWindow

    w = MainWindow()
    w.resize(1920, 1080)
    w.show()
    for _ in range(5):
        app.processEvents()
    t = time.perf_counter()
    assert w.trainer.open_replay(path)
    open_s = time.perf_counter() - t
    page = w.trainer.page
    projector = w.show_projector()
    projector.resize(1920, 1080)
    for _ in range(5):
        app.processEvents()
    tl = page.timeline
    y = tl.height() * 0.62

    def send(kind, x):
        ev = QMouseEvent(kind, QPointF(x, y), tl.mapToGlobal(QPointF(x, y)),
                         Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove
                         else Qt.MouseButton.NoButton,
                         Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(tl, ev)

    # what each view's update costs in a frame (the GUI thread's CPU time), apart from
    # the windows' repaint, which the event loop runs after them
    costs: dict[str, float] = {}

    def timed(obj, name: str, label: str) -> None:
        f = getattr(obj, name)

        def g(*a, **k):
            c = time.thread_time()
            try:
                return f(*a, **k)
            finally:
                costs[label] = costs.get(label, 0.0) + (time.thread_time() - c) * 1000

        setattr(obj, name, g)

    for obj, name, label in ((page.model, "seek", "seek"),
                             (page.timeline, "set_cursor", "timeline"),
                             (page.event_log.model, "follow_cursor", "event log"),
                             (page.issues, "refresh", "tables"),
                             (page.leverage, "refresh", "tables"),
                             (page.chart, "set_cursor", "chart"),
                             (page, "_show_position", "position labels"),
                             (page.network, "follow", "network"),
                             (page.roles, "follow_cursor", "role panel"),
                             (projector, "follow_cursor", "projector")):
        timed(obj, name, label)
    out = {"open_s": open_s}
    for tab in ("chart", "network"):
        page.bottom_tabs.setCurrentWidget(page.chart if tab == "chart" else page.network)
        page.seek(0)
        w.grab()
        x0, x1 = tl._x(0), tl._x(page.model.last)
        # 1. the drag as a user makes it: one mouse move after another, each frame the
        #    move, the coalesced seek and the views that follow every frame, and the
        #    windows' own repaint of what changed (the event loop paints); then, in a block
        #    right after, the baseline: a full paint of both windows (grab)
        frame_ms, frame_cpu, base_ms = [], [], []
        load_before = load()
        costs.clear()
        send(QEvent.Type.MouseButtonPress, x0)
        app.processEvents()
        if paints:
            app.paints.clear()
            app.timing = True
        for k in range(1, frames + 1):
            x = x0 + (x1 - x0) * k / frames
            c = time.process_time()
            t = time.perf_counter()
            send(QEvent.Type.MouseMove, x)
            app.processEvents()
            frame_ms.append((time.perf_counter() - t) * 1000)
            frame_cpu.append((time.process_time() - c) * 1000)
        views = {k: v / frames for k, v in costs.items()}
        if paints:
            app.timing = False
            out.setdefault("paints", {})[tab] = dict(app.paints)
        t = time.perf_counter()
        send(QEvent.Type.MouseButtonRelease, x1)
        app.processEvents()
        release_ms = (time.perf_counter() - t) * 1000
        assert page.model.cursor == page.model.last, page.model.cursor
        assert page.settled
        for _ in range(frames):
            t = time.perf_counter()
            w.grab()
            projector.grab()
            base_ms.append((time.perf_counter() - t) * 1000)
        out[tab] = {"frame": frame_ms, "cpu": frame_cpu, "base": base_ms, "views": views,
                    "release_ms": release_ms, "load": f"{load_before}; after {load()}"}
    w.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--session", type=Path, help="an existing session file to replay")
    ap.add_argument("--seeks", type=int, default=300)
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "peace-of-inches.toml")
    ap.add_argument("--paints", action="store_true",
                    help="time every widget's painting during the drag (its frame figures, "
                         "slowed by the timing, are not printed)")
    args = ap.parse_args()
    path = args.session
    if path is None:
        import bench_engine

        path = Path(tempfile.mkdtemp(prefix="peacetable-bench-replay-")) / "bench.peacetable"
        t = time.perf_counter()
        bench_engine.build_session(path, args.scenario, args.events)
        print(f"built {args.events} events in {time.perf_counter() - t:.1f} s")
    print(f"start   {time.strftime('%Y-%m-%d %H:%M:%S')}, {load()}, "
          f"{os.cpu_count()} cores")
    if args.paints:
        drag = bench_drag(path, args.frames, paints=True)
        for tab in ("chart", "network"):
            print(f"paints  {tab} in front ({drag[tab]['load']}): each widget's painting "
                  "in the drag's frames (GUI thread CPU ms a frame, paints a frame, pixels "
                  "a paint)")
            rows = sorted(drag["paints"][tab].items(), key=lambda kv: -kv[1][1])
            for name, (n, ms, px) in rows:
                if ms / args.frames >= 0.01:
                    print(f"        {ms / args.frames:6.2f} ms {n / args.frames:5.2f} "
                          f"{px / max(1, n):9.0f} px  {name}")
            total = sum(v[1] for v in drag["paints"][tab].values()) / args.frames
            print(f"        {total:6.2f} ms a frame in all")
        return 0
    seek = bench_seek(path, args.seeks)
    r = pct(seek["model"], 95) / pct(seek["base"], 95)
    print(f"replay  {seek['events']} events: open {seek['open_s'] * 1000:.0f} ms, replay model "
          f"built in {seek['build_s']:.2f} s (checkpoints and trace)")
    print(f"seek    replay model, back to back, wall clock: {summary(seek['model'])} "
          f"(target p95 <= {SEEK_TARGET_MS:g} ms)")
    print(f"        CPU time: {summary(seek['cpu'])}")
    print(f"        paced, one per 16 ms frame, wall clock: {summary(seek['paced'])}; "
          f"CPU time: {summary(seek['paced_cpu'])}")
    print(f"        Session.state_at baseline (wall clock): {summary(seek['base'])} -> p95 "
          f"ratio {r:.2f}x (back to back), "
          f"{pct(seek['paced'], 95) / pct(seek['base'], 95):.2f}x (paced)")
    print(f"step    one event, back to back: {summary(seek['step'])}")
    print(f"        {load()}")
    drag = bench_drag(path, args.frames)
    print(f"drag    window open for replay in {drag['open_s']:.2f} s; {args.frames} frames "
          "end to end, every view following every frame, projector open")
    for tab in ("chart", "network"):
        d = drag[tab]
        ratio = pct(d["frame"], 95) / pct(d["base"], 95)
        print(f"        {tab} in front ({d['load']}):")
        print(f"          frame, wall clock: {summary(d['frame'])} (target p95 <= "
              f"{FRAME_TARGET_MS:g} ms)")
        print(f"          frame, the process's CPU time: {summary(d['cpu'])}")
        views = d["views"]
        print("          of which the views' updates (mean GUI thread CPU ms a frame): "
              + ", ".join(f"{k} {v:.2f}" for k, v in sorted(views.items(), key=lambda kv: -kv[1]))
              + f"; the windows' repaint and the rest "
              f"{statistics.mean(d['cpu']) - sum(views.values()):.2f}")
        print(f"          full paint of both windows: {summary(d['base'])} -> p95 ratio "
              f"{ratio:.2f}x; let go: {d['release_ms']:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
