"""Benchmark: the whole Pareto frontier of 12 issues x 4 options x 6 roles (16,777,216
packages) with interaction terms and constraints (``analyze --frontier``).

Target: ≤ 30 s. The machine is shared: each figure is printed with the CPU time of its
process (the one-core figure) and the load average before and after. Same-run references,
each in a fresh process (so the peak resident memory is that measurement's own): (a) one
plain streamed numpy pass summing every role's utility of every package (the least any
exhaustive method must do); (b) the exact Nash and Kalai-Smorodinsky points without the
frontier (:func:`bargaining_points`). The frontier is checked against those points (they
must be frontier packages). Not run by pytest::

    .venv/bin/python bench/bench_frontier.py [independent|opposed|both] [--additive]
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

ISSUES, ROLES, TERMS, SEED = 12, 6, 12, 20240601


def space(opposed: bool):
    """bench_analytics' seeded preferences (12 issues, 6 roles, values to 0.01, weights to
    0.001, BATNA 0.45) with TERMS interaction terms (two per role, between random issues,
    worth ±0.03 or ±0.05) and three constraints (two incompatible pairs, one "requires")."""
    import bench_analytics as B

    from peacetable.domain.analytics.bargaining import PackageSpace

    B.ISSUES, B.ROLES = ISSUES, ROLES
    captured: dict = {}
    real_build = PackageSpace.build

    def build(*args, **kwargs):  # make_space's numbers, kept to add the terms below
        captured["args"] = args
        return real_build(*args, **kwargs)

    PackageSpace.build = build
    try:
        B.make_space(opposed=opposed)
    finally:
        PackageSpace.build = real_build
    roles, issues, weights, values, batna = captured["args"]
    ids = list(issues)
    rng = np.random.default_rng(SEED + 1)
    terms = {}
    for rid in roles:
        terms[rid] = []
        for _ in range(TERMS // ROLES):
            j1, j2 = (int(x) for x in rng.choice(ISSUES, 2, replace=False))
            o1, o2 = (int(x) for x in rng.integers(0, 4, 2))
            v = float(rng.choice([-0.05, -0.03, 0.03, 0.05]))
            terms[rid].append((ids[j1], issues[ids[j1]][o1], ids[j2], issues[ids[j2]][o2], v))
    sp = real_build(roles, issues, weights, values, batna, terms)
    rules = []
    while len(rules) < 3:
        j1, j2 = (int(x) for x in rng.choice(ISSUES, 2, replace=False))
        rules.append((j1, int(rng.integers(0, 4)), j2, int(rng.integers(0, 4)), len(rules) < 2))
    return sp.with_constraints(rules)


def child(what: str, opposed: bool) -> dict:
    from peacetable.domain.analytics import bargaining as Bg

    sp = space(opposed)
    t = time.perf_counter()
    c = time.process_time()
    out: dict = {}
    if what == "baseline":  # every role's utility of every package, streamed, nothing else
        inner = Bg._enum_units(sp.tables[5:], sp.n_roles)
        outer = Bg._enum_units(sp.tables[:5], sp.n_roles)
        top = 0
        for s in range(0, len(outer), 64):
            u = outer[s:s + 64, None, :] + inner[None, :, :]
            top = max(top, int(u[..., 0].max()))
    elif what == "points":
        b = Bg.bargaining_points(sp)
        out["nash"] = b.package(b.nash) if b.nash is not None else None
        out["ks"] = b.package(b.ks) if b.ks is not None else None
    elif what == "analyze":  # analyze's bargaining section: ZOPA count and the points
        from peacetable.domain.analytics.report import bargaining_section

        out["status"] = bargaining_section(sp)[0]["status"]
    elif what in ("frontier", "additive"):
        if what == "additive":  # the same preferences without terms and constraints
            import dataclasses

            sp = dataclasses.replace(sp, interactions=(), constraints=())
        b = Bg.analyze_bargaining(sp, count=False, max_frontier=sp.size)
        out["size"] = len(b.frontier)
        out["steps"] = list(b.frontier.steps)
        out["nash"] = b.package(b.nash) if b.nash is not None else None
        out["ks"] = b.package(b.ks) if b.ks is not None else None
    out["seconds"] = time.perf_counter() - t
    out["cpu"] = time.process_time() - c
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run(what: str, opposed: bool) -> dict:
    p = subprocess.run([sys.executable, __file__, "--child", what, str(int(opposed))],
                       capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3] == "1")))
        return
    which = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else "both"
    cases = [c for c in (False, True) if which in ("both", "opposed" if c else "independent")]
    print(f"{platform.python_version()} numpy {np.__version__}, {ISSUES} issues x 4 options x "
          f"{ROLES} roles = {4 ** ISSUES:,} packages, {TERMS} interaction terms, 3 constraints; "
          f"load average {load()}")
    for opposed in cases:
        base = run("baseline", opposed)
        pts = run("points", opposed)
        ana = run("analyze", opposed)
        fr = run("frontier", opposed)
        same = fr["nash"] == pts["nash"] and fr["ks"] == pts["ks"]
        print(f"{'opposed' if opposed else 'independent'} preferences:")
        print(f"  baseline (utilities of every package): {base['seconds']:.2f} s "
              f"(CPU {base['cpu']:.2f} s), peak {base['peak_mb']:.0f} MB")
        print(f"  Nash + KS points without the frontier: {pts['seconds']:.2f} s "
              f"(CPU {pts['cpu']:.2f} s, {pts['seconds'] / base['seconds']:.1f}x baseline), "
              f"peak {pts['peak_mb']:.0f} MB")
        print(f"  analyze's bargaining section (ZOPA count and points): {ana['seconds']:.2f} s "
              f"(CPU {ana['cpu']:.2f} s), peak {ana['peak_mb']:.0f} MB, status {ana['status']}")
        if "--additive" in sys.argv:
            ad = run("additive", opposed)
            print(f"  whole frontier + points, no terms or constraints: {ad['seconds']:.2f} s "
                  f"(CPU {ad['cpu']:.2f} s, {ad['seconds'] / base['seconds']:.1f}x baseline), peak "
                  f"{ad['peak_mb']:.0f} MB, {ad['size']:,} packages")
        print(f"  whole frontier + points: {fr['seconds']:.2f} s (CPU {fr['cpu']:.2f} s, "
              f"{fr['seconds'] / base['seconds']:.1f}x baseline), peak {fr['peak_mb']:.0f} MB, "
              f"{fr['size']:,} packages (steps {fr['steps']}); same points: {same}  "
              f"[target <= 30 s]; load average {load()}")


if __name__ == "__main__":
    main()
