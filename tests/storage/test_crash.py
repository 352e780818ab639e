"""kill -9 during `peacetable play`: no acknowledged event is lost and the file reopens clean.

Each trial starts `peacetable play` on a long script, waits until the process has printed
its first applied event (so that every trial has something to lose; a fixed delay mostly
killed the process while it was still starting), kills it with SIGKILL a random moment
later, then checks that the file opens, `PRAGMA integrity_check` is ok, and every event
the process printed as applied is in the log with the same type. 20 trials run in the
normal suite; `pytest -m slow` runs 100 more.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from peacetable.app.session import Session

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "river-accord.toml"


def _script(path: Path, rounds: int = 3000) -> None:
    lines = [{"cmd": "advance"}]
    for k in range(rounds):
        lines.append({"cmd": "move", "role": ["upland", "lowland", "midland"][k % 3],
                      "template": "statement", "rationale": f"statement {k}", "label": f"s{k}"})
        lines.append({"cmd": "adjudicate", "move": f"@s{k}", "decision": "accept"})
        if k % 7 == 0:
            lines.append({"cmd": "note", "text": f"note {k}"})
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")


FIRST_EVENT_TIMEOUT = 120.0  # seconds for the process to start and apply its first line


def _trial(tmp: Path, script: Path, delay: float, k: int) -> int:
    """One kill; returns how many events the process had acknowledged (printed)."""
    session = tmp / f"crash{k}.peacetable"
    Session.create(FIXTURE, session, seed=k).close()
    proc = subprocess.Popen([sys.executable, "-m", "peacetable.cli", "play", str(session),
                             str(script)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, bufsize=1)
    printed: list[str] = []
    first = threading.Event()

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            printed.append(line)
            first.set()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    started = first.wait(FIRST_EVENT_TIMEOUT)
    time.sleep(delay)  # from the first acknowledged event: the kill lands mid-run
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    t.join(5)
    assert started, f"trial {k}: no event applied within {FIRST_EVENT_TIMEOUT} s"
    assert proc.returncode == -signal.SIGKILL, f"trial {k}: play ended before the kill"
    acknowledged = []
    for line in printed:
        parts = line.split()
        if len(parts) >= 2 and parts[0].isdigit() and line.endswith("\n"):
            acknowledged.append((int(parts[0]), parts[1]))
    conn = sqlite3.connect(session)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = dict(conn.execute("SELECT seq, type FROM events"))
    finally:
        conn.close()
    for seq, typ in acknowledged:
        assert rows.get(seq) == typ, f"trial {k}: event {seq} ({typ}) was printed but is missing"
    assert sorted(rows) == list(range(1, len(rows) + 1))  # no gaps
    s = Session.open(session)  # reopens for writing, state folds
    assert s.state.seq == len(rows)
    s.close()
    return len(acknowledged)


def _run_trials(tmp_path: Path, n: int, seed: int) -> list[int]:
    script = tmp_path / "long.jsonl"
    _script(script)
    rng = random.Random(seed)
    return [_trial(tmp_path, script, rng.uniform(0.0, 0.5), k) for k in range(n)]


def _check_meaningful(acked: list[int]) -> None:
    # every trial killed a process that had acknowledged events, at varied points
    assert sum(1 for a in acked if a >= 1) == len(acked), acked
    assert len(set(acked)) > len(acked) // 2, acked


def test_sigkill_loses_no_acknowledged_event(tmp_path):
    _check_meaningful(_run_trials(tmp_path, 20, seed=2026))


@pytest.mark.slow
def test_sigkill_100_trials(tmp_path):
    _check_meaningful(_run_trials(tmp_path, 100, seed=1965))
