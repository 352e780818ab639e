"""Report export with Qt: self-contained HTML, a PDF that renders, refusals, --force."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "app"))
from trainer_support import SCRIPTS, play_bundled  # noqa: E402

from peacetable.app.annotations import add_annotation  # noqa: E402
from peacetable.app.session import Session  # noqa: E402
from peacetable.ui.report_export import ReportError, write_report  # noqa: E402


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> Path:
    path = play_bundled(tmp_path_factory.mktemp("export"), SCRIPTS[1])
    s = Session.open(path)
    add_annotation(s, 4, "Improve: answer the blackout inject in the same phase")
    s.close()
    return path


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href"):
                self.refs.append((tag, k, v or ""))


def test_html_is_self_contained_with_both_figures(played, tmp_path, qapp):
    out = write_report(played, tmp_path / "aar.html")
    html = out.read_text(encoding="utf-8")
    p = _Refs()
    p.feed(html)
    assert p.refs == []  # no image, link or script to fetch: the figures are in the page
    assert html.count("<svg ") == 2 and html.count("</svg>") == 2
    for title in ("Escalation index over the exercise", "Issue-linkage network at the end"):
        assert f'aria-label="{title}"' in html
    s = Session.open(played, readonly=True)
    try:
        from peacetable.app.fork import record_fingerprint

        fp = record_fingerprint(s)
    finally:
        s.close()
    assert html.count(fp) >= 2  # top and bottom of the page


def test_pdf_renders_pages(played, tmp_path, qapp):
    exe = shutil.which("pdftoppm")
    assert exe, "pdftoppm (poppler-utils) is needed: bash packaging/dev.sh test installs it"
    out = write_report(played, tmp_path / "aar.pdf", viewer="ukraine")
    assert out.read_bytes().startswith(b"%PDF-")
    res = subprocess.run([exe, "-r", "30", "-png", str(out), str(tmp_path / "page")],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 1
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True)
    if text.returncode == 0:  # pdftotext ships with pdftoppm; check the words are there
        words = re.sub(r"\s+", " ", text.stdout)
        assert "After-action report" in words and "Improvement plan" in words


def test_csv_and_json_follow_the_viewer(played, tmp_path, qapp):
    s = Session.open(played, readonly=True)
    try:
        seen = [e.seq for e in s.visible_events("audience")]
    finally:
        s.close()
    js = json.loads(write_report(played, tmp_path / "a.json", viewer="audience").read_text())
    assert [e["seq"] for e in js["events"]] == seen
    rows = write_report(played, tmp_path / "a.csv", viewer="audience").read_text().splitlines()
    assert len(rows) == len(seen) + 1


def test_existing_file_is_refused_unless_forced(played, tmp_path, qapp):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "aar.json"
    out.write_text("keep")
    with pytest.raises(ReportError, match="already exists.*--force"):
        write_report(played, out)
    assert out.read_text() == "keep"
    write_report(played, out, force=True)
    assert json.loads(out.read_text())["events"]
    assert [p.name for p in folder.iterdir()] == ["aar.json"]  # no temporary left behind


@pytest.mark.parametrize("name, message", [("aar.txt", "unknown report format '.txt'"),
                                           ("aar", "unknown report format '(none)'")])
def test_unknown_format_is_refused(played, tmp_path, name, message, qapp):
    with pytest.raises(ReportError, match=re.escape(message)):
        write_report(played, tmp_path / name)
    assert not (tmp_path / name).exists()


def test_unknown_viewer_is_refused(played, tmp_path, qapp):
    with pytest.raises(ReportError, match="unknown viewer 'nobody'"):
        write_report(played, tmp_path / "x.html", viewer="nobody")
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("suffix", [".html", ".pdf", ".csv", ".json"])
def test_a_session_just_created_has_a_report_too(tmp_path, suffix, qapp):
    path = tmp_path / "fresh.peacetable"
    Session.create(ROOT / "tests" / "fixtures" / "river-accord.toml", path, seed=1).close()
    out = write_report(path, tmp_path / f"aar{suffix}")
    assert out.stat().st_size > 0
    if suffix == ".json":
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert [e["seq"] for e in doc["events"]] == [1] and doc["report"]["phases"] == []


def test_pdf_figures_are_the_html_figures_drawn_by_qt(played, qapp):
    # the PDF draws the very SVG the HTML holds: the chart keeps its shape and the rung
    # labels in the margin right of the plot (dark text on the band colours)
    from peacetable.app.report import build_report
    from peacetable.app.report_figures import report_figures
    from peacetable.ui.report_export import figure_image

    s = Session.open(played, readonly=True)
    try:
        figures = report_figures(s, build_report(s))
    finally:
        s.close()
    img = figure_image(figures["chart"])
    w, h = img.width(), img.height()
    assert w == 1400 and 0.4 * w < h < 0.6 * w
    dark = sum(1 for x in range(int(0.87 * w), w, 2) for y in range(0, int(0.2 * h), 2)
               if max(img.pixelColor(x, y).getRgb()[:3]) < 70)
    assert dark > 20
    net = figure_image(figures["network"])
    coloured = {net.pixelColor(x, y).name() for x in range(0, net.width(), 7)
                for y in range(0, net.height(), 7)}
    assert "#81c784" in coloured  # an agreed issue's fill
