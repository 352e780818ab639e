"""A measured mutation score from a seeded random sample of mutmut's mutants.

Running every mutant of `domain/`, `storage/` and `app/` takes many hours; a uniform random
sample, stratified by module, measures the share the tests kill with a known margin.
See docs/testing.md, "Mutation testing". Not a test (pytest collects only `test_*.py`).

    python tests/mutation_sample.py draw [--size 300] [--seed 20261130]
    python tests/mutation_sample.py run          # nice -n 10 mutmut run --max-children 1 NAMES
    python tests/mutation_sample.py report [--markdown]
    python tests/mutation_sample.py survivors    # the sampled mutants not killed, by name

`draw` needs the mutants generated (`python -m mutmut run` writes them into `mutants/`
before it runs any) and writes the sample to `mutants/sample.txt`; `report` reads the
verdicts mutmut stored in `mutants/**/*.py.meta`.

Method: every mutant name is listed from the `.meta` files; each module is a stratum;
the sample size is shared out in proportion to the stratum's size (largest remainders,
at least `--floor` per module, all of a module smaller than that); within a module the
names are drawn with `random.Random(seed).sample` from the sorted names. A sampled mutant
counts as killed only when mutmut says "killed"; "survived", "timeout", "no tests" and
anything else count as not killed. The score of a layer, and of all three, weighs each
module by its number of mutants (stratified estimate); its 95 % interval is Wilson's,
taken on the effective sample size of the stratified estimate (never more than the
number sampled).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
SAMPLE = MUTANTS / "sample.txt"
LAYERS = ("domain", "storage", "app")
Z95 = 1.959963984540054
#: the tests mutmut leaves out (pyproject.toml, pytest_add_cli_args): they start processes
PYPROJECT_K = ("not real_process and not across_processes and not installed_entry_point "
               "and not sigkill and not ctrl_c and not closed_output_pipe")

KILLED = {1, 3}
WORDS = {0: "survived", 1: "killed", 3: "killed", 5: "no tests", 33: "no tests", 34: "skipped",
         36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout",
         None: "not checked"}


def verdicts() -> dict[str, dict[str, int | None]]:
    """Module (dotted) -> {mutant name: mutmut's exit code or None}, from the .meta files."""
    found: dict[str, dict[str, int | None]] = {}
    for meta in sorted((MUTANTS / "peacetable").rglob("*.py.meta")):
        rel = meta.relative_to(MUTANTS).with_suffix("").with_suffix("")
        module = ".".join(rel.parts)
        codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        if codes and rel.parts[1] in LAYERS:
            found[module] = codes
    if not found:
        sys.exit("no mutants in mutants/: generate them first (python -m mutmut run ...)")
    return found


def layer_of(module: str) -> str:
    return module.split(".")[1]


def allocate(sizes: dict[str, int], total: int, floor: int) -> dict[str, int]:
    """Share `total` out over the strata in proportion to their sizes, each at least
    `floor` (or its whole size when smaller), by largest remainders."""
    everything = sum(sizes.values())
    exact = {m: total * n / everything for m, n in sizes.items()}
    share = {m: min(n, max(floor, math.floor(exact[m]))) for m, n in sizes.items()}
    left = total - sum(share.values())
    for m in sorted(sizes, key=lambda m: (exact[m] - math.floor(exact[m]), m), reverse=True):
        if left <= 0:
            break
        if share[m] < sizes[m] and share[m] < math.ceil(exact[m]):
            share[m] += 1
            left -= 1
    return share


def draw(size: int, seed: int, floor: int) -> list[str]:
    found = verdicts()
    share = allocate({m: len(codes) for m, codes in found.items()}, size, floor)
    rng = random.Random(seed)
    names: list[str] = []
    for module in sorted(found):
        names += rng.sample(sorted(found[module]), share[module])
    return names


def wilson(p: float, n: float) -> tuple[float, float]:
    if n <= 0:
        return 0.0, 1.0
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def estimate(strata: list[tuple[int, int, int]]) -> tuple[float, float, float, int, int]:
    """(N_h, n_h, killed_h) per stratum -> (score, low, high, killed, sampled)."""
    big_n = sum(n for n, _, _ in strata)
    score = sum(n / big_n * k / s for n, s, k in strata if s)
    var = sum((n / big_n) ** 2 * (k / s) * (1 - k / s) / s * (1 - s / n)
              for n, s, k in strata if s)
    sampled = sum(s for _, s, _ in strata)
    n_eff = sampled if var == 0 else min(sampled, score * (1 - score) / var)
    low, high = wilson(score, n_eff)
    return score, low, high, sum(k for _, _, k in strata), sampled


def report(markdown: bool, quick: bool = False) -> None:
    names = SAMPLE.read_text("utf-8").split()
    found = verdicts()
    if quick:
        ran = json.loads((MUTANTS / "quick.json").read_text("utf-8"))
        names = [n for n in names if n in ran]
        found = {m: {n: ran.get(n) for n in codes} for m, codes in found.items()}
    where = {name: module for module, codes in found.items() for name in codes}
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    unchecked = []
    for name in names:
        if name not in where:
            sys.exit(f"{name} is in the sample but no longer among the mutants: draw again")
        code = found[where[name]][name]
        if code is None:
            unchecked.append(name)
        rows[where[name]][WORDS.get(code, "other")] += 1
    if unchecked:
        print(f"{len(unchecked)} sampled mutants not checked yet (run first)", file=sys.stderr)
    strata = {m: (len(found[m]), sum(rows[m].values()), rows[m]["killed"]) for m in rows}

    def line(label: str, picked: list[str], layer: str | None = None) -> str:
        score, low, high, killed, sampled = estimate([strata[m] for m in picked])
        total = sum(len(found[m]) for m in found if layer in (None, layer_of(m))) \
            if len(picked) > 1 or layer else strata[picked[0]][0]
        other = defaultdict(int)
        for m in picked:
            for word, count in rows[m].items():
                if word != "killed":
                    other[word] += count
        rest = ", ".join(f"{c} {w}" for w, c in sorted(other.items())) or "-"
        if markdown:
            return (f"| {label} | {total:,} | {sampled} | {killed} | {rest} | "
                    f"{100 * score:.1f} % | {100 * low:.1f}–{100 * high:.1f} % |")
        return (f"{label:42} {total:6} {sampled:4} {killed:4}  {100 * score:5.1f} %  "
                f"[{100 * low:5.1f}, {100 * high:5.1f}]  {rest}")

    if markdown:
        print("| module | mutants | sampled | killed | not killed | killed % | 95 % interval |")
        print("|---|---|---|---|---|---|---|")
    for module in sorted(rows):
        print(line(f"`{module.removeprefix('peacetable.').replace('.', '/')}.py`"
                   if markdown else module, [module]))
    for layer in LAYERS:
        picked = [m for m in rows if layer_of(m) == layer]
        if picked:
            print(line(f"**{layer}/**" if markdown else f"== {layer}", picked, layer))
    print(line("**all three**" if markdown else "== all three", list(rows)))


def _test_files(module: str) -> list[str]:
    """The selected test files that name ``module`` (``domain.engine``, ``import engine``),
    its own ``test_mutants_*`` file first: a lower bound on the tests that reach it."""
    short = module.removeprefix("peacetable.")
    leaf = short.rsplit(".", 1)[-1]
    found = []
    for d in ("tests/domain", "tests/app", "tests/storage", "tests/cli"):
        for f in sorted((ROOT / d).glob("test_*.py")):
            text = f.read_text("utf-8")
            if short in text or f"import {leaf}" in text or f" {leaf}," in text:
                found.append(str(f.relative_to(ROOT)))
    return sorted(found, key=lambda f: (leaf not in f, "test_mutants_" not in f))


def quick(count: int, timeout: float) -> None:
    """Without mutmut's statistics run (an hour or more on a busy machine): each of the
    first ``count`` sampled mutants (draw the sample at that size) runs, in a process forked from one that has loaded the
    tests, the test files that name its module (``_test_files``), stopping at the first
    failure; a mutant still running after ``timeout`` seconds counts as not killed.
    Verdicts go to ``mutants/quick.json``; ``report --quick`` reads them."""
    import pytest

    order = SAMPLE.read_text("utf-8").split()
    random.Random(0).shuffle(order)  # a run stopped early is still a random part of it
    order = order[:count]
    sys.path.insert(0, str(MUTANTS))
    os.environ["MUTANT_UNDER_TEST"] = ""
    args = ["-q", "-x", "-p", "no:cacheprovider", "-k", PYPROJECT_K]
    files = sorted({f for n in order for f in _test_files(n.split(".x")[0])})
    pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *files])
    out = MUTANTS / "quick.json"
    verdict = json.loads(out.read_text()) if out.exists() else {}
    for name in order:
        tests = _test_files(name.split(".x")[0])
        pid = os.fork()
        if pid == 0:
            os.environ["MUTANT_UNDER_TEST"] = name
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
            os._exit(int(pytest.main([*args, *tests])))
        import time
        start = time.monotonic()
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                code = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() - start > timeout:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                code = 36
                break
            time.sleep(0.1)
        verdict[name] = code
        out.write_text(json.dumps(verdict, indent=1))
        print(f"{WORDS.get(code, 'other'):10} {time.monotonic() - start:5.1f}s {name}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draw", help="draw the sample into mutants/sample.txt")
    d.add_argument("--size", type=int, default=300)
    d.add_argument("--seed", type=int, default=20261130)
    d.add_argument("--floor", type=int, default=2)
    sub.add_parser("run", help="run the sampled mutants with mutmut (one worker, nice 10)")
    r = sub.add_parser("report", help="killed share per module, per layer and overall")
    r.add_argument("--markdown", action="store_true")
    r.add_argument("--quick", action="store_true", help="the verdicts of `quick`")
    sub.add_parser("survivors", help="the sampled mutants that were not killed")
    q = sub.add_parser("quick", help="run the first N sampled mutants without mutmut's "
                       "statistics run (tests chosen by file; see quick())")
    q.add_argument("--count", type=int, default=60)
    q.add_argument("--timeout", type=float, default=45.0)
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.command == "draw":
        names = draw(args.size, args.seed, args.floor)
        SAMPLE.write_text("\n".join(names) + "\n", "utf-8")
        print(f"{len(names)} mutants drawn (seed {args.seed}) into {SAMPLE.relative_to(ROOT)}")
    elif args.command == "run":
        names = SAMPLE.read_text("utf-8").split()
        sys.exit(subprocess.call(["nice", "-n", "10", sys.executable, "-m", "mutmut", "run",
                                  "--max-children", "1", *names]))
    elif args.command == "quick":
        quick(args.count, args.timeout)
    elif args.command == "report":
        report(args.markdown, args.quick)
    else:
        found = verdicts()
        codes = {name: code for c in found.values() for name, code in c.items()}
        for name in SAMPLE.read_text("utf-8").split():
            if codes.get(name) not in KILLED:
                print(f"{WORDS.get(codes.get(name), 'other'):10} {name}")


if __name__ == "__main__":
    main()
