"""Benchmark: the scenario loader and the linkage analytics on hostile or large input.

Each figure is a ratio against a baseline measured in the same run on the same text:
``tomllib.loads`` of the text (the least any loader must do). The shapes are those that
were slow before the line scanner became linear: a long run of spaces on a line inside a
multi-line string (6 KB and 205 KB files), and a 1.4 MB file with tens of thousands of
problems (its output size is printed). The linkage network of a 400-issue precondition
cycle is timed against building its networkx graph and strongly connected components.
Not run by pytest. Usage::

    .venv/bin/python bench/bench_loader.py
"""

from __future__ import annotations

import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "domain"))

from generated_scenarios import ring_scenario  # noqa: E402

from peacetable.domain.analytics.network import LinkageNetwork  # noqa: E402
from peacetable.domain.loader import ScenarioError, parse_scenario  # noqa: E402

RIVER = (ROOT / "tests" / "fixtures" / "river-accord.toml").read_text(encoding="utf-8")


def _spaces(size: int) -> str:
    pad = size - len(RIVER) - 40
    fake = 'objectives = ["""\n[' + " " * max(pad, 10) + 'x\n"""]'
    return RIVER.replace('objectives = ["Fill the reservoir"]', fake, 1)


def _many_problems(size: int) -> str:
    one = '\n[[linkages]]\nkind = "precondition"\nfrom = "ghost"\nto = "release"\n'
    return RIVER + one * ((size - len(RIVER)) // len(one))


def _time(fn, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def _load(text: str) -> int:
    try:
        parse_scenario(text, "bench.toml")
        return 0
    except ScenarioError as exc:
        return len(str(exc))


def main() -> None:
    print("| input | loader | tomllib.loads | ratio | output |")
    print("|---|---|---|---|---|")
    for label, text in (("6 KB, 5,000 spaces in a string", _spaces(6 * 1024)),
                        ("205 KB, 200,000 spaces in a string", _spaces(205 * 1024)),
                        ("1.4 MB, one bad linkage repeated", _many_problems(1_400_000))):
        base = _time(lambda: tomllib.loads(text))
        took = _time(lambda: _load(text))
        out = _load(text)
        print(f"| {label} ({len(text):,} chars) | {took * 1000:.1f} ms | {base * 1000:.1f} ms | "
              f"{took / base:.2f}× | {out:,} chars |")
    import networkx as nx

    sc = parse_scenario(ring_scenario(400)).scenario
    net = LinkageNetwork.from_scenario(sc)

    def baseline() -> None:
        g = nx.DiGraph()
        g.add_nodes_from(net.issues)
        g.add_edges_from((a, b) for _, a, b in net.linkages)
        list(nx.strongly_connected_components(g))

    base = _time(baseline)
    took = _time(lambda: LinkageNetwork.from_scenario(sc).summary(), repeat=3)
    print(f"| network summary, 400-issue precondition cycle | {took * 1000:.0f} ms | "
          f"graph + SCC {base * 1000:.1f} ms | {took / base:.0f}× | |")


if __name__ == "__main__":
    main()
