"""Engine and storage benchmarks, each against a baseline measured in the same run.

    .venv/bin/python bench/bench_engine.py [--events 100000] [--scenario PATH] [--session PATH]
                                          [--replay-only | --cold-only] [--rounds 5]

1. Replay of a N-event session to its last event as `peacetable replay` does it (open the
   file, newest proven snapshot + the events after it) vs reading all the session's rows
   with plain sqlite3.                                                   target <= 2x
   Also reported: a cold full fold (read + decode + fold every event, no snapshot), the
   worst case, met only when snapshots are missing (e.g. after a fold-version change).
                                                                         target <= 3x
   It includes the check of every row against the hash chain (SHA-256 per row, as every
   read of a file's events does) and the decoding; both parts are printed apart. Each
   round is timed right after a plain read; medians of the paired ratios, by the wall
   clock and by the process's CPU time (what one core does on a shared machine).
2. Durable single-event commit (SessionStore.append, WAL + synchronous=FULL) vs a bare
   sqlite3 INSERT + COMMIT of the same row with the same pragmas.       target <= 1.5x
3. Seek to random events (Session.state_at through snapshots).          target p95 <= 20 ms
4. `peacetable info` on the N-event session — open, recompute and check the whole hash
   chain (every event decoded, its references checked), state — vs the same plain sqlite3
   read of all rows.                                                     target <= 3x
   Replay (1.) uses the newest snapshot this computer has proven (storage/proofs.py: the
   bench's own snapshots, written after folding) and checks the tail against the chain.
                                                                         target <= 1x
   Also reported: the first replay on a computer that has proven none of the snapshots (a
   file from elsewhere), which compares them with the fold of the events.
   `info` also checks every snapshot (proven ones by their digest).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from peacetable.app.session import SNAPSHOT_EVERY, Session  # noqa: E402
from peacetable.domain import commands as C  # noqa: E402
from peacetable.domain.engine import Ledger, Refused, decide  # noqa: E402
from peacetable.domain.events import CONTROL, Event, Note  # noqa: E402
from peacetable.domain.loader import load_scenario  # noqa: E402
from peacetable.domain.state import SnapshotTooRecent, fold  # noqa: E402
from peacetable.storage.session_file import SessionStore, _now  # noqa: E402


def build_session(path: Path, scenario: Path, n: int, seed: int = 1) -> None:
    """Play ``n`` events with the real engine (decide + fold) and store them in batches."""
    loaded = load_scenario(scenario)
    sc = loaded.scenario
    s = Session.create_from(loaded, path, seed=seed)
    rng = random.Random(seed)
    state = s.state
    ledger = Ledger()
    for ev in s.events:
        ledger.feed(ev)
    store = s.store
    batch: list[Event] = []
    players = list(sc.player_ids)
    templates = [t for t in sc.moves if t.kind not in ("proposal", "acceptance", "rejection")]
    pending_adv = 0
    history: list[Event] = list(s.events)
    cached: dict[int, object] = {}

    def do(cmd) -> None:
        nonlocal state
        items = decide(sc, state, cmd, ledger)
        seq0 = store.last_seq + len(batch)
        new = []
        for k, (body, vis) in enumerate(items):
            ev = Event(seq=seq0 + k + 1, ts=_now(), visibility=vis, body=body)
            new.append(ev)
            ledger.feed(ev)
        batch.extend(new)
        history.extend(new)
        if isinstance(cmd, (C.Undo, C.Redo)):  # refold from a cached state before the target
            limit = new[0].body.target
            while True:
                base = max((k for k in cached if k < limit), default=0)
                try:
                    state = fold(sc, history[base:], start=cached.get(base))  # type: ignore[arg-type]
                    break
                except SnapshotTooRecent:
                    limit = base
        else:
            state = fold(sc, new, start=state)
        if state.seq % 1000 == 0:
            cached[state.seq] = state
        if state.seq - store.last_snapshot_seq >= SNAPSHOT_EVERY:
            _flush(store, batch)  # a snapshot records the chain hash of its event
            store.save_snapshot(state)  # as Session.execute does

    do(C.Advance())
    while store.last_seq + len(batch) < n:
        r = rng.random()
        try:
            if r < 0.002 and pending_adv < len(sc.phases) - 1:
                if any(m.sealed for m in state.moves.values()):
                    do(C.Reveal())
                do(C.Advance())
                pending_adv += 1
            elif r < 0.01:
                do(C.Undo())
            elif r < 0.05:
                do(C.AddNote(text=f"note {r:.5f}"))
            else:
                sealed = [m.id for m in state.moves.values() if m.sealed]
                if sealed:
                    do(C.Reveal())
                pending = [m.id for m in state.moves.values() if m.status == "pending"]
                if pending and rng.random() < 0.6:
                    mid = rng.choice(pending)
                    do(C.Adjudicate(move=mid, decision=rng.choice(["accept", "accept", "reject"]),
                                    reason="bench"))
                else:
                    tpl = rng.choice(templates)
                    role = rng.choice(list(tpl.roles) or players)
                    do(C.SubmitMove(role=role, template=tpl.id, rationale="bench move"))
        except Refused:
            continue
        if len(batch) >= 5000:
            _flush(store, batch)
    _flush(store, batch)
    s.close()


def _flush(store: SessionStore, batch: list[Event]) -> None:
    from peacetable.domain.events import body_type, encode_body, encode_visibility
    from peacetable.domain.events import MoveSubmitted

    rows = [{"seq": e.seq, "ts": e.ts, "type": body_type(e.body),
             "actor": e.body.role if isinstance(e.body, MoveSubmitted) else "control",
             "visibility": encode_visibility(e.visibility), "body": encode_body(e.body)}
            for e in batch]
    store._write_rows(rows)  # the store's own write path: rows chained like append() does
    batch.clear()


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_replay(path: Path) -> dict:
    conn = sqlite3.connect(path)
    baseline = best_of(lambda: conn.execute(
        "SELECT * FROM events ORDER BY seq").fetchall())
    conn.close()
    s = Session.open(path, readonly=True)
    n = s.store.last_seq
    s.close()

    def product() -> None:  # what `peacetable replay` does: open, snapshot + tail
        x = Session.open(path, readonly=True)
        x.view()
        x.close()

    opened = best_of(product, repeat=3)

    def elsewhere() -> None:  # the same, on a computer that has proven none of its snapshots
        from peacetable.storage import proofs

        with tempfile.TemporaryDirectory() as d:
            saved = proofs._book
            proofs._book = proofs.ProofBook(Path(d) / proofs.FILE_NAME)
            try:
                product()
            finally:
                proofs._book.close()
                proofs._book = saved

    first = best_of(elsewhere, repeat=1)
    return {"events": n, "baseline_s": baseline, "open_s": opened,
            "open_ratio": opened / baseline, "first_s": first, "first_ratio": first / baseline}


def _timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    t, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t, time.process_time() - c


def bench_cold(path: Path, rounds: int = 5) -> dict:
    """The cold full fold (every row read, checked against the chain, decoded and folded)
    and its two parts, each round timed right after a plain read of all rows: ratios are
    the medians of the paired ratios, by the wall clock and by the CPU time of the process
    (on a shared machine the CPU time is what one core does)."""
    conn = sqlite3.connect(path)
    s = Session.open(path, readonly=True)
    sc = s.scenario

    def read() -> None:
        conn.execute("SELECT * FROM events ORDER BY seq").fetchall()

    events = s.store.events()
    read()  # the page cache warm, as for every other measure here
    rows = []
    for _ in range(rounds):
        rows.append((_timed(read), _timed(lambda: fold(sc, s.store.events())),
                     _timed(s.store.events), _timed(lambda: fold(sc, events))))
    s.close()
    conn.close()
    out: dict = {}
    for k, clock in enumerate(("wall", "cpu")):
        out[clock] = {"baseline_s": statistics.median(r[0][k] for r in rows),
                      "cold_s": statistics.median(r[1][k] for r in rows)}
        for name, j in (("ratio", 1), ("read_ratio", 2), ("fold_ratio", 3)):
            out[clock][name] = statistics.median(r[j][k] / r[0][k] for r in rows)
    return out


def bench_commit(tmp: Path, scenario: Path, n: int = 300) -> dict:
    """Bare sqlite3 INSERT + COMMIT (same pragmas, the row without a hash) and
    SessionStore.append (the chain and the head with it), alternated so that both see the
    same load; ratios are medians of the paired times."""
    bare = tmp / "bare.db"
    conn = sqlite3.connect(bare)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, ts TEXT, type TEXT, actor TEXT, "
                 "visibility TEXT, body TEXT)")
    conn.commit()
    body = '{"text":"a note","type":"note"}'
    s = Session.create(scenario, tmp / "commit.peacetable", seed=1)
    s.execute(C.Advance())
    bt, ot, st = [], [], []
    for k in range(n):
        t = time.perf_counter()
        conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
                     (k + 1, _now(), "note", "control", '{"scope":"control"}', body))
        conn.commit()
        bt.append(time.perf_counter() - t)
        t = time.perf_counter()
        s.store.append([(Note(text="a note"), CONTROL)])
        ot.append(time.perf_counter() - t)
        t = time.perf_counter()
        s.execute(C.AddNote(text="a note"))
        st.append(time.perf_counter() - t)
    conn.close()
    s.close()
    b, o, e = statistics.median(bt), statistics.median(ot), statistics.median(st)
    return {"baseline_s": b, "ours_s": o, "execute_s": e,
            "ratio": statistics.median(x / y for x, y in zip(ot, bt)),
            "execute_ratio": statistics.median(x / y for x, y in zip(st, bt))}


def bench_info(path: Path, rounds: int = 5) -> dict:
    """`peacetable info` and open + verify_record, each timed right after a plain read of
    all rows: the ratio is the median of the paired ratios (steadier on a busy machine)."""
    import contextlib
    import io

    from peacetable.cli import _info

    conn = sqlite3.connect(path)

    def read() -> None:
        conn.execute("SELECT * FROM events ORDER BY seq").fetchall()

    def info() -> None:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            rc = _info(str(path))
        assert rc == 0 and "record intact" in out.getvalue(), out.getvalue()

    def verify_only() -> None:
        s = Session.open(path, readonly=True)
        assert s.verify_record().intact
        s.close()

    rows: list[tuple[float, float, float]] = []
    read()  # warm the page cache like every other measure here
    for _ in range(rounds):
        b = best_of(read, repeat=1)
        i = best_of(info, repeat=1)
        v = best_of(verify_only, repeat=1)
        rows.append((b, i, v))
    conn.close()
    return {"baseline_s": statistics.median(r[0] for r in rows),
            "ours_s": statistics.median(r[1] for r in rows),
            "ratio": statistics.median(r[1] / r[0] for r in rows),
            "verify_s": statistics.median(r[2] for r in rows),
            "verify_ratio": statistics.median(r[2] / r[0] for r in rows)}


def bench_seek(path: Path, samples: int = 300) -> dict:
    s = Session.open(path, readonly=True)
    n = s.store.last_seq
    rng = random.Random(7)
    times = []
    for _ in range(samples):
        k = rng.randint(1, n)
        t = time.perf_counter()
        s.state_at(k)
        times.append(time.perf_counter() - t)
    s.close()
    times.sort()
    return {"median_ms": statistics.median(times) * 1e3,
            "p95_ms": times[int(0.95 * len(times)) - 1] * 1e3, "max_ms": times[-1] * 1e3}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "peace-of-inches.toml")
    ap.add_argument("--write-doc", action="store_true", help="update docs/performance.md")
    ap.add_argument("--session", type=Path, default=None,
                    help="use (or build, if missing) the N-event session at this path")
    ap.add_argument("--replay-only", action="store_true",
                    help="measure replay and the cold full fold only")
    ap.add_argument("--cold-only", action="store_true",
                    help="measure the cold full fold only")
    ap.add_argument("--rounds", type=int, default=5,
                    help="rounds of the cold full fold, each paired with a plain read")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        path = args.session or tmp / "big.peacetable"
        if not path.exists():
            t = time.perf_counter()
            build_session(path, args.scenario, args.events)
            print(f"built {args.events} events from {args.scenario.name} in "
                  f"{time.perf_counter() - t:.1f} s (snapshots every {SNAPSHOT_EVERY})")
        if not args.cold_only:
            r = bench_replay(path)
            print(f"replay  {r['events']} events (open + snapshot + tail): {r['open_s'] * 1e3:.0f} "
                  f"ms vs plain sqlite3 read of all rows {r['baseline_s'] * 1e3:.0f} ms -> "
                  f"{r['open_ratio']:.2f}x (target <= 1x)")
        load = os.getloadavg()[0]
        cold = bench_cold(path, args.rounds)
        print(f"        cold full fold from event 0 (no snapshot), medians of {args.rounds} rounds "
              f"(load average {load:.2f} before, {os.getloadavg()[0]:.2f} after):")
        for clock, what in (("wall", "wall clock"), ("cpu", "CPU time")):
            x = cold[clock]
            print(f"          {what}: "
                  f"{x['cold_s'] * 1e3:.0f} ms vs plain read {x['baseline_s'] * 1e3:.0f} ms -> "
                  f"{x['ratio']:.2f}x (target <= 3x); its parts: rows read with the chain "
                  f"check and decoded {x['read_ratio']:.2f}x, fold of the decoded events "
                  f"{x['fold_ratio']:.2f}x")
        if args.cold_only:
            return 0
        print(f"        first replay where no snapshot is proven yet (a file from elsewhere: "
              f"the snapshots compared with the fold of the events): {r['first_s'] * 1e3:.0f} ms "
              f"-> {r['first_ratio']:.2f}x")
        if args.replay_only:
            return 0
        c = bench_commit(tmp, args.scenario)
        print(f"commit  one durable event: {c['ours_s'] * 1e6:.0f} us vs bare insert+commit "
              f"{c['baseline_s'] * 1e6:.0f} us -> {c['ratio']:.2f}x (target <= 1.5x); "
              f"whole command (decide+append+fold) {c['execute_s'] * 1e6:.0f} us -> "
              f"{c['execute_ratio']:.2f}x")
        v = bench_info(path)
        print(f"info    {r['events']} events (open + whole chain verified + state): "
              f"{v['ours_s'] * 1e3:.0f} ms vs plain sqlite3 read of all rows "
              f"{v['baseline_s'] * 1e3:.0f} ms -> {v['ratio']:.2f}x (median of paired ratios; "
              f"target <= 3x); open + verify_record alone {v['verify_s'] * 1e3:.0f} ms -> "
              f"{v['verify_ratio']:.2f}x")
        k = bench_seek(path)
        print(f"seek    random event: median {k['median_ms']:.1f} ms, p95 {k['p95_ms']:.1f} ms, "
              f"max {k['max_ms']:.1f} ms (target p95 <= 20 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
