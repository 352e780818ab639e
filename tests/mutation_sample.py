"""A measured mutation score from a seeded random sample of mutmut's mutants.

Running every mutant of `domain/`, `storage/` and `app/` takes many hours; a uniform random
sample, stratified by module, measures the share the tests kill with a known margin.
See docs/testing.md, "Mutation testing". Not a test (pytest collects only `test_*.py`).

    python -m mutmut run --max-children 1   # writes mutants/ first; stop it after "done in"
    python tests/mutation_sample.py draw [--size 200] [--floor 1] [--seed 20261130]
    python tests/mutation_sample.py collect      # each test's lines, by coverage.py contexts
    python tests/mutation_sample.py select       # mutated function -> the tests that run it
    python tests/mutation_sample.py run          # each sampled mutant with those tests
    python tests/mutation_sample.py run --only timeout --factor 10   # timeouts again, alone
    python tests/mutation_sample.py check-kills  # the killing tests pass on the real code
    python tests/mutation_sample.py report [--markdown] [--after]
    python tests/mutation_sample.py survivors    # the sampled mutants not killed, by name
    python tests/mutation_sample.py run --after --tests FILE... -- NAME...   # new tests

`draw` needs the mutants generated (`python -m mutmut run` writes them into `mutants/`
before it runs any) and writes the sample to `mutants/sample.txt`.

Which tests run a mutant: mutmut learns it from a statistics run over the mutated code
(every call through its trampolines; on a shared two-core machine an hour or more, and one
failing test ends it). Here coverage.py learns it instead, from one run of the same test
selection over the real code with a context per test (`collect`): a mutant's tests are
those whose context ran a line of the mutated function's body (`select`). Each mutant then
runs, in a process forked from one that has imported the mutated package (mutants/, as
mutmut does) and collected the tests, with exactly those tests, fastest first, stopping at
the first failure (`run`); the mutant is chosen as mutmut's trampolines read it
(MUTANT_UNDER_TEST). A run still going after FACTOR times its tests' clean time plus SLACK
seconds is stopped ("timeout"); timeouts are run again, alone, with a longer bound.

Method: every mutant name is listed from the `.meta` files; each module is a stratum;
the sample size is shared out in proportion to the stratum's size (largest remainders,
at least `--floor` per module, all of a module smaller than that); within a module the
names are drawn with `random.Random(seed).sample` from the sorted names. A sampled mutant
counts as killed only when a test fails; "survived", "timeout", "no tests" (no test runs
its function) count as not killed. The score of a layer, and of all three, weighs each
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
#: a verdict given by ``report --equivalent``: not killed, and shown to behave as the code
EQUIVALENT = -1
WORDS = {-1: "equivalent", 0: "survived", 1: "killed", 3: "killed", 5: "no tests", 33: "no tests", 34: "skipped",
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


def report(markdown: bool, by_mutmut: bool = False, after: bool = False,
           equivalent: Path | None = None) -> None:
    names = SAMPLE.read_text("utf-8").split()
    found = verdicts()
    if not by_mutmut:  # the verdicts of run_selected, not those mutmut stored
        ran = {n: v["code"] for n, v in json.loads(VERDICTS.read_text("utf-8")).items()}
        if after and AFTER.exists():
            ran.update({n: v["code"] for n, v in json.loads(AFTER.read_text("utf-8")).items()
                        if v["code"] in KILLED})
        if equivalent is not None:  # shown equivalent by reading the code (docs/testing.md)
            names_eq = set(equivalent.read_text("utf-8").split())
            ran.update({n: EQUIVALENT for n in names_eq if ran.get(n) not in KILLED})
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
    strata = {m: (len(found[m]), sum(rows[m].values()),
                  rows[m]["killed"] + rows[m]["equivalent"]) for m in rows}

    def line(label: str, picked: list[str], layer: str | None = None) -> str:
        score, low, high, killed, sampled = estimate([strata[m] for m in picked])
        eq = sum(rows[m]["equivalent"] for m in picked)
        killed = f"{killed - eq} + {eq} eq." if eq else killed  # type: ignore[assignment]
        total = sum(len(found[m]) for m in found if layer in (None, layer_of(m))) \
            if len(picked) > 1 or layer else strata[picked[0]][0]
        other = defaultdict(int)
        for m in picked:
            for word, count in rows[m].items():
                if word not in ("killed", "equivalent"):
                    other[word] += count
        rest = ", ".join(f"{c} {w}" for w, c in sorted(other.items())) or "-"
        if markdown:
            return (f"| {label} | {total:,} | {sampled} | {killed} | {rest} | "
                    f"{100 * score:.1f} % | {100 * low:.1f}–{100 * high:.1f} % |")
        return (f"{label:42} {total:6} {sampled:4} {killed!s:>4}  {100 * score:5.1f} %  "
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


# --- choosing the tests of a mutant: coverage.py dynamic contexts ------------------------

CONTEXTS = MUTANTS / "contexts.coverage"
DURATIONS = MUTANTS / "durations.json"
TESTS_BY_FUNCTION = MUTANTS / "tests_by_function.json"
VERDICTS = MUTANTS / "verdicts.json"
#: the verdicts of the tests written for the survivors (``run --after --tests ...``)
AFTER = MUTANTS / "verdicts_after.json"
SELECTION = ("tests/domain", "tests/app", "tests/storage", "tests/cli")


class ContextPerTest:
    """A pytest plugin: every test (setup, call and teardown) runs in a coverage context
    named by its node id, and the wall time of each test is kept (``durations.json``)."""

    def __init__(self, cov, durations: Path) -> None:
        import time

        self.cov, self.durations, self.clock, self.seen = cov, durations, time.monotonic, {}
        self.started: dict[str, float] = {}

    def pytest_runtest_setup(self, item) -> None:
        self.cov.switch_context(item.nodeid)
        self.started[item.nodeid] = self.clock()

    def pytest_runtest_logfinish(self, nodeid, location) -> None:
        if nodeid in self.started:
            self.seen[nodeid] = self.clock() - self.started.pop(nodeid)

    def pytest_sessionfinish(self, session, exitstatus) -> None:
        self.cov.switch_context("")
        self.durations.write_text(json.dumps(self.seen, indent=0), "utf-8")


def collect(paths: list[str]) -> int:
    """Run the selected tests once on the real code (not the mutants) under coverage.py,
    each test in its own context; property tests draw what they draw under mutation."""
    import coverage
    import pytest

    os.environ["MUTANT_UNDER_TEST"] = ""  # tests/conftest.py: the examples of a mutant run
    cov = coverage.Coverage(data_file=str(CONTEXTS), source=["peacetable"])
    cov.erase()
    cov.start()
    try:
        code = pytest.main(["-q", "-p", "no:cacheprovider", "-k", PYPROJECT_K,
                            *(paths or SELECTION)],
                           plugins=[ContextPerTest(cov, DURATIONS)])
    finally:
        cov.stop()
        cov.save()
    return int(code)


def _function_lines(source: Path) -> dict[str, tuple[int, int]]:
    """mutmut's name of each function and method (``x_name``, ``xǁClassǁname``) of a file
    -> the lines of its body (after the docstring), where coverage sees it run."""
    import ast

    tree = ast.parse(source.read_text("utf-8"))
    found: dict[str, tuple[int, int]] = {}

    def body(fn) -> tuple[int, int]:
        stmts = fn.body
        if (len(stmts) > 1 and isinstance(stmts[0], ast.Expr)
                and isinstance(stmts[0].value, ast.Constant) and isinstance(stmts[0].value.value, str)):
            stmts = stmts[1:]
        return stmts[0].lineno, fn.end_lineno

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[f"x_{node.name}"] = body(node)
        elif isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[f"x\u01c1{node.name}\u01c1{sub.name}"] = body(sub)
    return found


def select() -> None:
    """Mutated function -> the tests whose context ran a line of its body, fastest first
    (``tests_by_function.json``)."""
    import coverage

    data = coverage.CoverageData(basename=str(CONTEXTS))
    data.read()
    durations = json.loads(DURATIONS.read_text("utf-8"))
    by_function: dict[str, list[str]] = {}
    unmatched = []
    for module, codes in verdicts().items():
        source = ROOT / (module.replace(".", "/") + ".py")
        lines = _function_lines(source)
        per_line = data.contexts_by_lineno(str(source)) or {}
        for function in sorted({n.partition("__mutmut_")[0] for n in codes}):
            mangled = function.rpartition(".")[2]  # (a package's names leave out __init__)
            if mangled not in lines:
                unmatched.append(function)
                continue
            first, last = lines[mangled]
            tests = {c for ln in range(first, last + 1) for c in per_line.get(ln, ()) if c}
            by_function[function] = sorted(tests, key=lambda t: (durations.get(t, 1e9), t))
    TESTS_BY_FUNCTION.write_text(json.dumps(by_function, indent=0), "utf-8")
    reached = sum(1 for t in by_function.values() if t)
    print(f"{len(by_function)} mutated functions, {reached} reached by a test, "
          f"{len(durations)} tests timed; not found in the source: {unmatched or 'none'}")


def _changed_lines(module: str, names: list[str]) -> dict[str, tuple[int, int] | None]:
    """Each mutant -> the lines of the real source its change touches (first, last), from
    the mutated file: mutmut keeps each mutant and the original as whole functions
    (``.py.spans`` gives their lines), so the difference of the two, placed at the
    function's ``def`` line in the real source. None when not found."""
    import difflib

    rel = Path(*module.split(".")).with_suffix(".py")
    mutated = (MUTANTS / rel).read_text("utf-8").splitlines()
    spans = json.loads((MUTANTS / rel).with_suffix(".py.spans").read_text("utf-8"))["spans"]
    import ast

    tree = ast.parse((ROOT / rel).read_text("utf-8"))
    defs: dict[str, int] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defs[f"x_{node.name}"] = node.lineno
        elif isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    defs[f"x\u01c1{node.name}\u01c1{sub.name}"] = sub.lineno
    out: dict[str, tuple[int, int] | None] = {}
    for name in names:
        key = name.rpartition(".")[2]
        function = key.partition("__mutmut_")[0]
        orig, mut = spans.get(f"{function}__mutmut_orig"), spans.get(key)
        if orig is None or mut is None or function not in defs:
            out[name] = None
            continue
        a = mutated[orig[0] - 1:orig[1]]
        b = mutated[mut[0] - 1:mut[1]]
        # each span may start with blank lines; the function starts at its def line
        a = a[next(k for k, ln in enumerate(a) if f"{function}__mutmut_orig(" in ln):]
        b = b[next(k for k, ln in enumerate(b) if f"{key}(" in ln):]
        a[0] = a[0].replace("__mutmut_orig(", "(")
        b[0] = b[0].replace(f"{key}(", f"{function}(")
        diff = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
                if op[0] != "equal"]
        if not diff:
            out[name] = None
            continue
        first = min(op[1] for op in diff)
        last = max(max(op[2] - 1, op[1]) for op in diff)
        out[name] = (defs[function] + first, defs[function] + last)
    return out


def _statement_lines(source: Path, first: int, last: int) -> tuple[int, int] | None:
    """The lines that show whether the statement holding lines ``first``..``last`` ran: the
    innermost statement that holds them (for a compound statement, its header only). None
    when that is a function's own ``def`` (a default value changes every call)."""
    import ast

    best = None
    for node in ast.walk(ast.parse(source.read_text("utf-8"))):
        if isinstance(node, ast.stmt) and node.lineno <= first and last <= node.end_lineno:
            if best is None or (node.end_lineno - node.lineno) <= (best.end_lineno - best.lineno):
                best = node  # (ast.walk goes breadth first: of equal spans, the inner one)
    if best is None or isinstance(best, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return None
    body = getattr(best, "body", None)
    if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
        if first >= body[0].lineno:  # (not expected: a body statement would be innermost)
            return None
        return best.lineno, body[0].lineno - 1
    return best.lineno, best.end_lineno


def select_statements(names: list[str]) -> dict[str, list[str]]:
    """For each mutant: the tests whose context ran a line of the statement it changes (a
    test that never runs that statement runs the mutant exactly as the real code: the two
    differ nowhere else), fastest first; the function's tests when the change is in its
    ``def`` line or cannot be placed."""
    import coverage

    data = coverage.CoverageData(basename=str(CONTEXTS))
    data.read()
    durations = json.loads(DURATIONS.read_text("utf-8"))
    by_function = json.loads(TESTS_BY_FUNCTION.read_text("utf-8"))
    where = {n: m for m, codes in verdicts().items() for n in codes}
    out: dict[str, list[str]] = {}
    by_module: dict[str, list[str]] = defaultdict(list)
    for name in names:
        by_module[where[name]].append(name)
    for module, group in by_module.items():
        source = ROOT / Path(*module.split(".")).with_suffix(".py")
        per_line = data.contexts_by_lineno(str(source)) or {}
        changed = _changed_lines(module, group)
        for name in group:
            tests = by_function.get(name.partition("__mutmut_")[0], [])
            span = changed[name] and _statement_lines(source, *changed[name])
            if span is not None:
                ran = {c for ln in range(span[0], span[1] + 1) for c in per_line.get(ln, ())}
                tests = [t for t in tests if t in ran]
            out[name] = sorted(tests, key=lambda t: (durations.get(t, 1e9), t))
    return out


def _fresh_user_home() -> None:
    """tests/conftest.py makes the per-user folders once, at import, and removes them when
    a pytest run ends: make them again before each run in a forked process."""
    conftest = sys.modules.get("conftest")
    if conftest is None or not hasattr(conftest, "USER_DIRS"):
        return
    for name in conftest.USER_DIRS:
        os.makedirs(os.environ[name], exist_ok=True)
    os.makedirs(conftest.USER_DOCUMENTS, exist_ok=True)
    with open(os.path.join(os.environ["XDG_CONFIG_HOME"], "user-dirs.dirs"), "w") as fh:
        fh.write(f'XDG_DOCUMENTS_DIR="{conftest.USER_DOCUMENTS}"\n')


class FirstFailure:
    """A pytest plugin that writes the node id of the first failing test to a file."""

    def __init__(self, path: str) -> None:
        self.path = path

    def pytest_runtest_logreport(self, report) -> None:
        if report.failed and not os.path.exists(self.path):
            Path(self.path).write_text(report.nodeid, "utf-8")


def _run_one(name: str, tests: list[str], timeout: float) -> tuple[int, float, str]:
    """Run ``tests`` (in order, stopping at the first failure) with mutant ``name`` active,
    in a process forked from this one; -> (exit code or 36 for a timeout, seconds, the
    first failing test)."""
    import tempfile
    import time

    import pytest

    fd, failed = tempfile.mkstemp(prefix="mutant-failure-")
    os.close(fd)
    os.unlink(failed)
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.environ["MUTANT_UNDER_TEST"] = name
            _fresh_user_home()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            code = pytest.main(["-q", "-x", "--tb=native", "-p", "no:cacheprovider", "-p", "no:randomly",
                                *tests], plugins=[FirstFailure(failed)])
            os._exit(int(code))
        except BaseException:
            os._exit(99)
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
        time.sleep(0.05)
    which = Path(failed).read_text("utf-8") if os.path.exists(failed) else ""
    if os.path.exists(failed):
        os.unlink(failed)
    return code, time.monotonic() - start, which


def _refresh_data_files() -> None:
    """mutmut regenerates the mutated copy of a changed ``.py`` file, but not the package's
    other files (the report's templates): copy those that differ, so that the tests run
    the mutated code with today's templates (a stale template fails tests on the real
    code; ``check-kills`` would catch it, after the run)."""
    import filecmp
    import shutil

    for src in (ROOT / "peacetable").rglob("*"):
        if not src.is_file() or src.suffix in (".py", ".pyc") or "__pycache__" in src.parts:
            continue
        dst = MUTANTS / src.relative_to(ROOT)
        if not dst.exists() or not filecmp.cmp(src, dst, shallow=False):
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
            print(f"refreshed {dst.relative_to(ROOT)}", flush=True)


def _prepare_fork_parent(tests: list[str]) -> None:
    """Import the mutated package (mutants/ first on the path, as mutmut does) and collect
    the test files once, so that each forked run starts with them loaded."""
    import pytest

    _refresh_data_files()
    os.chdir(MUTANTS)
    sys.path.insert(0, str(MUTANTS))
    os.environ["MUTANT_UNDER_TEST"] = ""
    files = sorted({t.split("::")[0] for t in tests})
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(1), os.dup(2)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *files])
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
    import peacetable

    if not str(Path(peacetable.__file__).resolve()).startswith(str(MUTANTS.resolve())):
        sys.exit(f"the package was imported from {peacetable.__file__}, not from mutants/")


def run_selected(names: list[str], factor: float, slack: float, tests_given: list[str] | None,
                 record: Path | None, by_statement: bool = True) -> None:
    """Run each mutant with the tests that reach its function (``select``), fastest first,
    stopping at the first failure; the bound is ``factor`` times those tests' clean time plus
    ``slack`` seconds. Verdicts go to ``verdicts.json``: 1 killed (with the test that failed),
    0 survived, 33 no test reaches it, 36 still running at the bound."""
    import time

    by_function = json.loads(TESTS_BY_FUNCTION.read_text("utf-8"))
    durations = json.loads(DURATIONS.read_text("utf-8"))
    plan = {}
    chosen = select_statements(names) if tests_given is None and by_statement else {}
    for name in names:
        if tests_given is not None:
            plan[name] = tests_given
        elif by_statement:
            plan[name] = chosen[name]
        else:
            plan[name] = by_function.get(name.partition("__mutmut_")[0], [])
    _prepare_fork_parent([t for ts in plan.values() for t in ts])
    # the setup check: with the "fail" mutant every trampoline raises, so a test must fail
    probe = next((ts for ts in plan.values() if ts), None)
    if probe is not None:
        code, _, _ = _run_one("fail", probe[:1], 600)
        if code != 1:
            sys.exit(f"the mutated code is not what the tests run (exit {code} with every "
                     f"mutated function failing): check mutants/")
    saved = json.loads(record.read_text("utf-8")) if record and record.exists() else {}
    for i, (name, tests) in enumerate(plan.items(), 1):
        clean = sum(durations.get(t, 1.0) for t in tests)
        if not tests:
            code, took, which = 33, 0.0, ""
        else:
            code, took, which = _run_one(name, tests, factor * clean + slack)
        verdict = {"code": code, "seconds": round(took, 2), "tests": len(tests),
                   "clean_seconds": round(clean, 2), "failed": which,
                   "load": os.getloadavg()[0], "at": time.strftime("%H:%M:%S")}
        if record:
            saved[name] = verdict
            record.write_text(json.dumps(saved, indent=1), "utf-8")
        print(f"{i:4}/{len(plan)} {WORDS.get(code, f'exit {code}'):10} {took:6.1f}s "
              f"({len(tests)} tests, clean {clean:.1f}s) {name} {which}", flush=True)


def check_kills() -> None:
    """Every test that killed a sampled mutant, run once on the real code (no mutant) in
    the same forked set-up: a kill by a test that fails anyway would not count."""
    saved = json.loads(VERDICTS.read_text("utf-8"))
    tests = sorted({v["failed"] for v in saved.values() if v["code"] in KILLED and v["failed"]})
    _prepare_fork_parent(tests)
    code, took, which = _run_one("", tests, 3600)
    print(f"{len(tests)} killing tests on the real code: exit {code} in {took:.0f}s "
          f"{'(all pass)' if code == 0 else 'first failure: ' + which}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draw", help="draw the sample into mutants/sample.txt")
    d.add_argument("--size", type=int, default=200)
    d.add_argument("--seed", type=int, default=20261130)
    d.add_argument("--floor", type=int, default=1)
    c = sub.add_parser("collect", help="run the selected tests once on the real code under "
                       "coverage.py, one context per test (contexts.coverage, durations.json)")
    c.add_argument("paths", nargs="*", help="instead of the selection of pyproject.toml")
    sub.add_parser("select", help="mutated function -> the tests that run it "
                   "(tests_by_function.json)")
    r = sub.add_parser("run", help="run the sampled mutants (or NAMES), each with the tests "
                       "that reach its function, one at a time")
    r.add_argument("names", nargs="*")
    r.add_argument("--factor", type=float, default=5.0,
                   help="the bound: FACTOR x the tests' clean time + SLACK seconds")
    r.add_argument("--slack", type=float, default=30.0)
    r.add_argument("--only", choices=["unchecked", "timeout", "survived", "all"],
                   default="unchecked", help="which sampled mutants (without NAMES)")
    r.add_argument("--tests", nargs="+", help="run these tests instead (paths relative to "
                   "the repository; the verdict is printed, not stored, unless --after)")
    r.add_argument("--by-function", action="store_true", help="every test that runs the "
                   "mutated function, not only those that run the changed statement")
    r.add_argument("--after", action="store_true", help="store the verdicts of --tests in "
                   "verdicts_after.json (tests written for the survivors)")
    r.add_argument("--record", type=Path, help="store the verdicts in this file instead of "
                   "verdicts.json (a second run beside the first, on the other core; "
                   "`merge` adds them in)")
    m = sub.add_parser("merge", help="add the verdicts of other runs' --record files to "
                       "verdicts.json")
    m.add_argument("files", nargs="+", type=Path)
    sub.add_parser("check-kills", help="run every killing test on the real code")
    sub.add_parser("mutmut-run", help="run the sampled mutants with mutmut itself "
                   "(needs its statistics run; one worker, nice 10)")
    rep = sub.add_parser("report", help="killed share per module, per layer and overall")
    rep.add_argument("--markdown", action="store_true")
    rep.add_argument("--mutmut", action="store_true", help="the verdicts mutmut stored")
    rep.add_argument("--equivalent", type=Path, help="a file of mutant names shown to be "
                     "equivalent: counted with the killed (the column says how many)")
    rep.add_argument("--after", action="store_true", help="a survivor that a test written "
                     "for it kills (verdicts_after.json) counts as killed")
    sub.add_parser("survivors", help="the sampled mutants that were not killed")
    args = parser.parse_args()
    if getattr(args, "record", None) is not None:  # the run itself changes directory
        args.record = args.record.resolve()
    os.chdir(ROOT)
    if args.command == "draw":
        names = draw(args.size, args.seed, args.floor)
        SAMPLE.write_text("\n".join(names) + "\n", "utf-8")
        print(f"{len(names)} mutants drawn (seed {args.seed}) into {SAMPLE.relative_to(ROOT)}")
    elif args.command == "collect":
        sys.exit(collect(args.paths))
    elif args.command == "select":
        select()
    elif args.command == "run":
        names = args.names
        if not names:
            saved = json.loads(VERDICTS.read_text("utf-8")) if VERDICTS.exists() else {}
            words = {n: WORDS.get(v["code"], "other") for n, v in saved.items()}
            want = {"unchecked": lambda n: n not in saved,
                    "timeout": lambda n: words.get(n) == "timeout",
                    "survived": lambda n: words.get(n) == "survived",
                    "all": lambda n: True}[args.only]
            names = [n for n in SAMPLE.read_text("utf-8").split() if want(n)]
        record = VERDICTS if args.tests is None else AFTER if args.after else None
        if args.record is not None:
            record = args.record
        run_selected(names, args.factor, args.slack, args.tests, record, not args.by_function)
    elif args.command == "check-kills":
        check_kills()
    elif args.command == "mutmut-run":
        names = SAMPLE.read_text("utf-8").split()
        sys.exit(subprocess.call(["nice", "-n", "10", sys.executable, "-m", "mutmut", "run",
                                  "--max-children", "1", *names]))
    elif args.command == "merge":
        saved = json.loads(VERDICTS.read_text("utf-8")) if VERDICTS.exists() else {}
        for path in args.files:
            more = json.loads(path.read_text("utf-8"))
            saved.update(more)
            print(f"{len(more)} verdicts from {path}")
        VERDICTS.write_text(json.dumps(saved, indent=1), "utf-8")
    elif args.command == "report":
        report(args.markdown, args.mutmut, args.after, args.equivalent)
    else:
        saved = json.loads(VERDICTS.read_text("utf-8"))
        for name in SAMPLE.read_text("utf-8").split():
            code = saved.get(name, {}).get("code")
            if code not in KILLED:
                print(f"{WORDS.get(code, 'other'):10} {name}")


if __name__ == "__main__":
    main()
