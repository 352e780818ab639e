"""Write an after-action report to a file: ``.html``, ``.pdf``, ``.csv`` or ``.json``.

The report's data, its HTML and its two figures (SVG: the escalation chart and the issue
network) come from :mod:`peacetable.app.report` and :mod:`peacetable.app.report_figures`,
with no Qt: an ``.html`` report holds the figures inline (one self-contained file) and
loads no Qt at all. The PDF is Qt's own (offscreen when there is no window): the same
figures drawn by Qt's SVG renderer, the same HTML laid out by ``QTextDocument`` and printed
to ``QPdfWriter`` (no browser).

A report never replaces an existing file unless asked (``force``), never writes over the
session it reports on, and writes through a temporary file in the same folder, so a failed
export leaves nothing half-written.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["ReportError", "figure_image", "write_report"]


class ReportError(Exception):
    """A report that cannot be written; the message names the file and what is expected."""


def _ensure_app():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        # the command line draws the images without a window
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import qInstallMessageHandler

        previous = None

        def quiet(mode, context, message):  # the offscreen platform's notice is not ours
            if "propagateSizeHints" in message:
                return
            if previous is not None:
                previous(mode, context, message)
            else:
                print(message, file=sys.stderr)

        previous = qInstallMessageHandler(quiet)
        app = QApplication(["peacetable-report"])
    return app


def figure_image(svg: str, width: int = 1400):
    """``svg`` (a report figure) drawn by Qt's SVG renderer on white, ``width`` pixels wide
    (the height follows the figure's proportions), as a ``QImage``."""
    _ensure_app()
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(str(svg).encode("utf-8")))
    box = renderer.viewBoxF()
    height = max(1, round(width * box.height() / max(1.0, box.width())))
    img = QImage(width, height, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    painter = QPainter(img)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    renderer.render(painter)
    painter.end()
    return img


def _pdf_bytes(html_for_qt: str, images: dict[str, Any], out_dir: Path) -> bytes:
    from PySide6.QtCore import QMarginsF, QSizeF, QUrl
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

    doc = QTextDocument()
    for name, img in images.items():  # QImages, named as the HTML references them
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"{name}.png"), img)
    doc.setHtml(html_for_qt)
    doc.setDocumentMargin(0)
    fd, tmp = tempfile.mkstemp(suffix=".pdf", dir=str(out_dir))
    os.close(fd)
    try:
        writer = QPdfWriter(tmp)
        writer.setTitle(doc.metaInformation(QTextDocument.MetaInformation.DocumentTitle))
        writer.setCreator("PeaceTable")
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
        writer.setResolution(120)
        # lay the document out for the writer itself (its resolution turns point sizes into
        # its pixels) on the printable area, so that Qt adds no margin of its own and the
        # text has the size the style sheet gives it
        doc.documentLayout().setPaintDevice(writer)
        area = writer.pageLayout().paintRectPixels(writer.resolution())
        doc.setPageSize(QSizeF(area.width(), area.height()))
        doc.print_(writer)
        del writer  # finishes the file
        return Path(tmp).read_bytes()
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def write_report(session: Any, out_path: str | Path, viewer: str = "control",
                 force: bool = False) -> Path:
    """Write the after-action report of ``session`` (an open Session or a session file path,
    opened read-only) as ``viewer`` sees it, in the format of ``out_path``'s suffix.

    Raises :class:`ReportError` for an existing file (unless ``force``), an unknown suffix
    or viewer, or the session's own file; a session file that fails its checks raises its
    own :class:`~peacetable.storage.session_file.SessionFileError`."""
    from ..app.report import (
        REPORT_FORMATS,
        build_report,
        render_csv,
        render_html,
        render_json,
    )
    from ..app.session import Session

    out = Path(out_path)
    suffix = out.suffix.lower()
    if suffix not in REPORT_FORMATS:
        raise ReportError(f"{out}: unknown report format '{out.suffix or '(none)'}' (expected "
                          f"{', '.join(REPORT_FORMATS[:-1])} or {REPORT_FORMATS[-1]})")
    if out.is_dir():
        raise ReportError(f"{out}: is a folder (expected a file name ending in {suffix})")
    if (out.exists() or out.is_symlink()) and not force:
        raise ReportError(f"{out}: already exists (use --force to replace it)")
    if not out.parent.is_dir():
        raise ReportError(f"{out}: folder {out.parent} does not exist")
    opened = None
    if not hasattr(session, "scenario"):
        opened = session = Session.open(session, readonly=True)
    try:
        try:
            if out.exists() and out.resolve() == Path(session.path).resolve():
                raise ReportError(f"{out}: is the session itself; choose another file name")
        except OSError:
            pass
        try:
            data = build_report(session, viewer=viewer)
        except ValueError as exc:
            raise ReportError(str(exc)) from None
        if suffix == ".json":
            payload = render_json(session, data).encode("utf-8")
        elif suffix == ".csv":
            payload = render_csv(session, data).encode("utf-8")
        else:
            from ..app.report_figures import report_figures

            figures = report_figures(session, data)
            if suffix == ".html":  # the figures written into the page: no Qt at all
                payload = render_html(data, figures).encode("utf-8")
            else:  # the same figures, drawn by Qt's SVG renderer for its PDF writer
                _ensure_app()
                images = {k: figure_image(v) for k, v in figures.items()
                          if k in ("chart", "network")}
                html = render_html(data, figures,
                                   image_urls={k: f"{k}.png" for k in images})
                payload = _pdf_bytes(html, images, out.parent)
    finally:
        if opened is not None:
            opened.close()
    _write(out, payload, force)
    return out


def _write(out: Path, payload: bytes, force: bool) -> None:
    """Write through a temporary file in the same folder; without ``force`` the file is
    put in place only if the name is still free (a hard link never replaces a file)."""
    fd, tmp = tempfile.mkstemp(prefix=".report-", dir=str(out.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o644)
        if force:
            os.replace(tmp, out)
        else:
            try:
                os.link(tmp, out)
            except FileExistsError:
                raise ReportError(f"{out}: already exists (use --force to replace it)") from None
    except OSError as exc:
        raise ReportError(f"{out}: cannot be written: {exc.strerror}") from None
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
