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


def test_html_is_self_contained_with_both_images(played, tmp_path, qapp):
    out = write_report(played, tmp_path / "aar.html")
    html = out.read_text(encoding="utf-8")
    p = _Refs()
    p.feed(html)
    imgs = [v for tag, k, v in p.refs if tag == "img"]
    assert len(imgs) == 2 and all(v.startswith("data:image/png;base64,") for v in imgs)
    assert [r for r in p.refs if not r[2].startswith("data:")] == []
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


def test_report_images_are_encoded_pixel_for_pixel(qapp):
    from PySide6.QtGui import QColor, QImage, QPainter

    from peacetable.ui.report_export import _png

    img = QImage(101, 37, QImage.Format.Format_ARGB32)  # odd width: rows padded in memory
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QColor(200, 30, 60))
    p.drawLine(0, 0, 100, 36)
    p.fillRect(40, 5, 30, 20, QColor(10, 120, 250))
    p.end()
    back = QImage.fromData(_png(img), "PNG")
    assert (back.width(), back.height()) == (101, 37)
    assert all(back.pixel(x, y) == img.pixel(x, y) for x in range(101) for y in range(37))


def test_report_chart_is_laid_out_as_in_a_window(played, qapp):
    # the chart widget is never shown: laid out anyway, it has the shape it is given and
    # its margin of rung labels (an unshown one kept Qt's 640 x 480 and no margin)
    from PySide6.QtGui import QImage

    from peacetable.ui.report_export import render_images

    s = Session.open(played, readonly=True)
    try:
        png = render_images(s)["chart"]
    finally:
        s.close()
    img = QImage.fromData(png)
    w, h = img.width(), img.height()
    assert w == 1400 and h < 0.6 * w
    # the top rung's label, dark text on its band's colour, in the right margin
    dark = sum(1 for x in range(int(0.87 * w), w, 2) for y in range(0, int(0.2 * h), 2)
               if max(img.pixelColor(x, y).getRgb()[:3]) < 70)
    assert dark > 20
