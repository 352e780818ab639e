"""Benchmark: exact Nash and Kalai-Smorodinsky points of 12 issues x 4 options x 6 roles
(16,777,216 packages) without the Pareto frontier (:func:`bargaining_points`).

Targets: ≤ 3 s and ≤ 1.5 GB peak memory. Same-run references: (a) the least any
exhaustive method must do, one plain streamed numpy pass summing every role's utility of
every package (chunks of 2^20, as the points use); (b) the frontier analysis as ``analyze`` ran it before, which stops at the
10,000-package frontier limit (time until it stops). Each measurement runs in a fresh
process, so the peak resident memory is that measurement's own. Not run by pytest::

    .venv/bin/python bench/bench_points.py            # print the figures
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

ISSUES, ROLES = 12, 6


def space(opposed: bool):
    import bench_analytics as B

    B.ISSUES, B.ROLES = ISSUES, ROLES
    return B.make_space(opposed=opposed)


def child(what: str, opposed: bool) -> dict:
    from peacetable.domain.analytics import bargaining as Bg

    sp = space(opposed)
    t = time.perf_counter()
    c = time.process_time()
    out: dict = {}
    if what == "points":
        b = Bg.bargaining_points(sp)
        out["nash"] = b.package(b.nash) if b.nash is not None else None
    elif what == "baseline":  # every role's utility of every package, streamed, nothing else
        inner = Bg._enum_units(sp.tables[5:], sp.n_roles)  # last 7 issues: 16,384 packages
        outer = Bg._enum_units(sp.tables[:5], sp.n_roles)  # first 5: 1,024
        top = 0
        for s in range(0, len(outer), 64):  # 64 x 16,384 = 1,048,576 packages per chunk
            u = outer[s:s + 64, None, :] + inner[None, :, :]
            top = max(top, int(u[..., 0].max()))
    elif what == "analyze":  # the whole bargaining section of `analyze`
        from peacetable.domain.analytics.report import bargaining_section

        out["status"] = bargaining_section(sp)[0]["status"]
    elif what == "frontier-limited":
        try:
            Bg.analyze_bargaining(sp, count=False)
            out["refused"] = False
        except Bg.AnalyticsLimitError:
            out["refused"] = True
    out["seconds"] = time.perf_counter() - t
    out["cpu"] = time.process_time() - c
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run(what: str, opposed: bool) -> dict:
    p = subprocess.run([sys.executable, __file__, "--child", what, str(int(opposed))],
                       capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3] == "1")))
        return
    print(f"{platform.python_version()} numpy {np.__version__}, {ISSUES} issues x 4 options x "
          f"{ROLES} roles = {4 ** ISSUES:,} packages; load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    for opposed in (False, True):
        base = run("baseline", opposed)
        old = run("frontier-limited", opposed)
        pts = run("points", opposed)
        ana = run("analyze", opposed)
        print(f"{'opposed' if opposed else 'independent'} preferences:")
        print(f"  baseline (utilities of every package): {base['seconds']:.2f} s, "
              f"peak {base['peak_mb']:.0f} MB")
        print(f"  frontier analysis (before): {'stops at the limit' if old.get('refused') else 'done'}"
              f" after {old['seconds']:.2f} s, peak {old['peak_mb']:.0f} MB")
        print(f"  Nash + KS points: {pts['seconds']:.2f} s (CPU {pts['cpu']:.2f} s, "
              f"{pts['seconds'] / base['seconds']:.2f}x baseline), peak {pts['peak_mb']:.0f} MB"
              f"  [target <= 3 s, <= 1,536 MB]")
        print(f"  analyze's bargaining section (ZOPA count and points): "
              f"{ana['seconds']:.2f} s, peak {ana['peak_mb']:.0f} MB, status {ana['status']}")


if __name__ == "__main__":
    main()
