"""First replay in the window of a session file from elsewhere, against the two-fold way.

    .venv/bin/python bench/bench_first_replay.py SESSION [--rounds 3]

What the window does to open a file for replay: ``Session.open_replay`` and then the replay
model (checkpoints, trace, cursor at the end). On a computer where none of the file's
snapshots was shown true yet (each round gets an empty proof book), the snapshots must be
compared with a fold of the events before they are used:

* baseline: the session proves them by folding the record itself (``defer_state=False``,
  what `peacetable replay` does), then the replay model folds the record again;
* product: ``defer_state=True``: the replay model's one fold compares the snapshots with its
  state at their events and hands the session its last state.

Rounds alternate the two; medians of wall and CPU time, and their ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from peacetable.app.replay import ReplayModel  # noqa: E402
from peacetable.app.session import Session  # noqa: E402
from peacetable.storage import proofs as proofs_mod  # noqa: E402


def one(path: Path, defer: bool) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as d:
        book = proofs_mod.ProofBook(Path(d) / proofs_mod.FILE_NAME)
        proofs_mod._book = book  # an empty proof book: a file from elsewhere
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            s = Session.open_replay(path, defer_state=defer)
            try:
                model = ReplayModel(s)
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                left = len(s.pending_snapshots())
                assert model.state == s.state
            finally:
                s.close()
        finally:
            book.close()
            proofs_mod._book = None
    return wall, cpu, left


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("session", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    runs: dict[bool, list[tuple[float, float, int]]] = {False: [], True: []}
    for _ in range(args.rounds):
        for defer in (False, True):
            runs[defer].append(one(args.session, defer))
    load = os.getloadavg()
    med = {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v))
           for k, v in runs.items()}
    print(f"first replay in the window of {args.session.name} (load average "
          f"{load[0]:.1f} {load[1]:.1f}), medians of {args.rounds}:")
    print(f"  session proves the snapshots, then the model folds: wall {med[False][0] * 1000:.0f} ms,"
          f" CPU {med[False][1] * 1000:.0f} ms")
    print(f"  one fold (the model's) proves them:                 wall {med[True][0] * 1000:.0f} ms,"
          f" CPU {med[True][1] * 1000:.0f} ms -> {med[True][0] / med[False][0]:.2f}x wall, "
          f"{med[True][1] / med[False][1]:.2f}x CPU; snapshots left unproven: "
          f"{runs[True][-1][2]}")


if __name__ == "__main__":
    main()
