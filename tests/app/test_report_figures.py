"""The report's figures (SVG, no Qt): every label drawn, statuses coloured, deadlocks marked,
no point where nothing changed, and an HTML report that loads neither Qt nor networkx."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from trainer_support import ROOT, SCRIPTS, play_bundled

from peacetable.app.network_layout import deadlock_facts, layered_layout
from peacetable.app.palette import STATUS_STYLE
from peacetable.app.report import build_report
from peacetable.app.report_figures import chart_svg, report_figures, text_width, wrap
from peacetable.app.session import Session
from peacetable.domain.analytics.network import LinkageNetwork
from peacetable.domain.loader import load_scenario
from peacetable.domain.scenario import Linkage

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    d = tmp_path_factory.mktemp("figures")
    return {p.name.split(".")[0]: play_bundled(d, p) for p in SCRIPTS}


def _figures(path, viewer="control"):
    s = Session.open(path, readonly=True)
    try:
        data = build_report(s, viewer)
        return s.scenario, data, report_figures(s, data)
    finally:
        s.close()


def _texts(svg) -> str:
    """Every text drawn, in drawing order, lines joined by spaces."""
    root = ET.fromstring(str(svg))
    return " ".join((t.text or "") for t in root.iter(f"{SVG}text"))


def _elements(svg) -> list[ET.Element]:
    return list(ET.fromstring(str(svg)).iter())


@pytest.mark.parametrize("viewer", ["control", "audience", "ukraine"])
def test_every_rung_and_issue_is_named_in_the_figures(played, viewer):
    for path in played.values():
        sc, data, figures = _figures(path, viewer)
        chart, network = _texts(figures["chart"]), _texts(figures["network"])
        for rung in sc.escalation.rungs:  # in the margin, every one (none left out)
            assert rung.label in chart, rung.label
        for title in ("escalation index", "phase", "the last event", "start of a phase"):
            assert title in chart
        shown = {rec["status"] for rec in data["state"]["issues"].values()}
        for issue in sc.issues:
            assert issue.label in network, issue.label
        for status, (_fill, _ink, label) in STATUS_STYLE.items():
            assert label in network  # the legend names every status
            if status in shown:  # in the legend and on a node
                assert network.count(label) >= 2, label
        for kind in ("precondition", "trade-off", "reinforces", "blocks", "deadlock"):
            assert kind in network


def test_each_issue_is_filled_with_its_status_colour(played):
    sc, data, figures = _figures(played["peace-of-inches"])
    fills = {}
    last_fill = None
    label_first_line = {}
    for el in _elements(figures["network"]):
        if el.tag == f"{SVG}rect":
            last_fill = el.get("fill")
        elif el.tag == f"{SVG}text" and last_fill is not None:
            label_first_line.setdefault(el.text, last_fill)
    for issue in sc.issues:
        first = wrap(issue.label, 20.0, True, 230.0)[0]
        fills[issue.id] = label_first_line[first]
    statuses = {iid: rec["status"] for iid, rec in data["state"]["issues"].items()}
    assert len(set(statuses.values())) >= 2  # the script leaves issues agreed, open, blocked
    for iid, status in statuses.items():
        assert fills[iid] == STATUS_STYLE[status][0], (iid, status)


def test_deadlocks_are_marked_and_a_real_process_loads_networkx_only_for_them(played, tmp_path):
    sc, _data, figures = _figures(played["framework-agreement"])
    net = _texts(figures["network"])
    assert net.count("DEADLOCK") == 2  # ceasefire and framework signing: one cycle
    paths = [el for el in _elements(figures["network"]) if el.tag == f"{SVG}path"]
    assert sum(p.get("stroke") == "#b71c1c" and p.get("stroke-width") == "7"
               for p in paths) == 2  # both edges of the cycle
    _sc, _data, calm = _figures(played["peace-of-inches"])
    assert "DEADLOCK" not in _texts(calm["network"])
    # as a command: an .html report loads no Qt at all, and networkx only for a network
    # that has a precondition cycle to analyse
    code = ("import json, sys; from peacetable.ui.report_export import write_report; "
            "write_report(sys.argv[1], sys.argv[2]); "
            "print(json.dumps(sorted(m for m in ('PySide6', 'shiboken6', 'pyqtgraph', "
            "'networkx') if m in sys.modules)))")
    loaded = {}
    for name, path in played.items():
        out = tmp_path / f"{name}.html"
        res = subprocess.run([sys.executable, "-c", code, str(path), str(out)], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        loaded[name] = json.loads(res.stdout.splitlines()[-1])
        assert out.read_text(encoding="utf-8").count("<svg ") == 2
    assert loaded == {"peace-of-inches": [], "framework-agreement": ["networkx"]}


def test_deadlock_facts_equal_the_analysis_and_preconditions_point_right():
    sc = load_scenario(ROOT / "scenarios" / "framework-agreement.toml").scenario
    ids = [i.id for i in sc.issues]
    rng = random.Random(8)
    kinds = ["precondition"] * 3 + ["trade_off", "reinforces", "blocks"]
    cyclic = 0
    for _ in range(150):
        links = []
        for _k in range(rng.randint(0, 30)):
            a, b = rng.sample(ids, 2)
            links.append(Linkage.model_construct(kind=rng.choice(kinds), source=a, target=b,
                                                 condition=None))
        net = LinkageNetwork.build(ids, [(lk.kind, lk.source, lk.target) for lk in links])
        facts = deadlock_facts(net)
        cycles, complete = net.deadlock_cycles()
        assert (facts.cycles, facts.groups, facts.complete) == \
            (cycles, net.deadlock_groups(), complete)
        cyclic += bool(cycles)
        layout = layered_layout(sc, facts, links)
        assert set(layout) == set(ids)
        grouped = {i for g in facts.groups for i in g}
        for lk in links:
            if lk.kind == "precondition" and not {lk.source, lk.target} & grouped:
                assert layout[lk.source][0] < layout[lk.target][0]
    assert 20 < cyclic < 130  # both kinds of network were drawn


def test_the_index_line_has_a_point_only_where_it_changed():
    sc = load_scenario(ROOT / "tests" / "fixtures" / "river-accord.toml").scenario
    values = [10, 10, 10, 25, 25, 25, 25, 40, 40, 40]
    series = [{"event": k, "phase_index": 0, "index": v} for k, v in enumerate(values)]
    svg = chart_svg(sc, series)
    index_line = [el for el in _elements(svg) if el.tag == f"{SVG}path"
                  and el.get("stroke-width") == "3.6" and el.get("d", "").startswith("M")
                  and "V" in el.get("d", "")]
    assert len(index_line) == 1
    d = index_line[0].get("d")
    # the start, the two rises and the last event: events 1, 2, 4-6 and 8 leave no mark
    x0 = float(re.match(r"M([\d.]+) ", d).group(1))
    xs = [float(x) - x0 for x in re.findall(r"H([\d.]+)", d)]
    assert len(xs) == 3 and d.count("V") == 2, d
    assert [round(x / xs[-1] * 9, 2) for x in xs] == [3.0, 7.0, 9.0]


def test_wrapped_lines_fit_and_a_long_word_is_broken():
    text = "Strikes on the power grid and a Donaupartnerschaftsvereinbarungsverlängerung"
    lines = wrap(text, 20.0, True, 230.0)
    assert all(text_width(line, 20.0, True) <= 230.0 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert wrap("", 20.0, True, 230.0) == [""]
    cut = wrap("one two three four five six seven eight nine ten", 16.0, False, 60.0, 2)
    assert len(cut) == 2 and cut[-1].endswith("…")


@pytest.mark.parametrize("viewer", ["control", "audience", "us", "ukraine", "china"])
def test_the_network_draws_the_linkages_the_viewer_knows_of(played, viewer):
    s = Session.open(played["peace-of-inches"], readonly=True)
    try:
        data = build_report(s, viewer)
        known = s.linkages(viewer)
        svg = report_figures(s, data)["network"]
    finally:
        s.close()
    edges = [el for el in _elements(svg) if el.tag == f"{SVG}path" and "C" in el.get("d", "")]
    assert len(edges) == sum(1 if lk.source else len(lk.variables) for lk in known)
    assert len(known) < len(s.scenario.linkages) or viewer in ("control", "us")


@pytest.mark.parametrize("count", [3, 12, 28])
def test_many_long_rung_names_are_all_shown_without_overlap(tmp_path, count):
    src = (ROOT / "tests" / "fixtures" / "river-accord.toml").read_text(encoding="utf-8")
    a = src.index("[[escalation.rungs]]")
    b = src.index("\n[", src.index("threshold = 60", a))
    # all but the first crowded into the top 40 points of the scale: their labels cannot
    # stand level with their bands
    rungs = "".join(f'[[escalation.rungs]]\nid = "r{k}"\nlabel = "Rung {k} with a rather long '
                    f'descriptive name"\nthreshold = {60 + k * 40 / count if k else 0:.2f}\n\n'
                    for k in range(count))
    path = tmp_path / "many.toml"
    path.write_text(src[:a] + rungs + src[b + 1:], encoding="utf-8")
    s = Session.create(path, tmp_path / "many.peacetable", seed=1)
    try:
        svg = report_figures(s, build_report(s))["chart"]
    finally:
        s.close()
    texts = _texts(svg)
    for k in range(count):
        assert f"Rung {k} with a rather long descriptive name" in texts
    boxes = sorted((float(el.get("y")), float(el.get("height"))) for el in _elements(svg)
                   if el.tag == f"{SVG}rect" and el.get("rx") == "3"
                   and float(el.get("x")) > 700 and float(el.get("width")) > 30)
    # (the labels in the right margin; not the legend's swatch)
    assert len(boxes) == count
    assert all(y0 + h0 <= y1 + 0.05 for (y0, h0), (y1, _h1) in zip(boxes, boxes[1:]))
    assert boxes[0][0] >= 0 and boxes[-1][0] + boxes[-1][1] <= 760
