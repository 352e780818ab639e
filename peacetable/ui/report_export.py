"""Write an after-action report to a file: ``.html``, ``.pdf``, ``.csv`` or ``.json``.

The report's data and HTML come from :mod:`peacetable.app.report` (no Qt). Here, with Qt
(offscreen when there is no window), the escalation chart and the issue network are drawn
by the same widgets the console shows and saved as PNG; the HTML embeds them as ``data:``
URIs (one self-contained file), and the PDF is Qt's own: the same HTML laid out by
``QTextDocument`` and printed to ``QPdfWriter`` (no browser).

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

__all__ = ["ReportError", "render_images", "write_report"]


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


def _png(image) -> bytes:
    """``image`` (a ``QImage`` drawn on white) as a PNG file's bytes, without its alpha
    channel: rows unfiltered, deflated at zlib level 3. On the report's drawings (large flat
    areas) this is three times faster than ``QImage.save`` at its light compression and
    gives smaller files."""
    import struct
    import zlib

    import numpy as np
    from PySide6.QtGui import QImage

    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    pixels = np.frombuffer(rgb.constBits(), np.uint8, stride * h).reshape(h, stride)
    rows = np.zeros((h, 1 + 3 * w), np.uint8)  # each row: filter type 0 (none), pixels
    rows[:, 1:] = pixels[:, :3 * w]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + \
        chunk(b"IDAT", zlib.compress(rows.tobytes(), 3)) + chunk(b"IEND", b"")


def render_images(session: Any, viewer: str = "control") -> dict[str, bytes]:
    """PNG images of the escalation chart and the issue network, as ``viewer`` sees them at
    the session's last event."""
    _ensure_app()
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    from .escalation_chart import EscalationChart
    from .network_view import NetworkView

    images: dict[str, bytes] = {}
    chart = EscalationChart(viewer=viewer, show_controls=False, font_scale=1.0)
    try:
        # laid out as in a window (never mapped on screen): an unshown widget keeps
        # Qt's default 640 x 480 and its axes and labels squeezed
        chart.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        chart.resize(1100, 560)
        chart.show()
        chart.set_session(session)
        chart.layout().activate()
        chart.plot.getPlotItem().layout.activate()  # the margin the rung labels need
        images["chart"] = _png(chart.export_image(width=1400))
        chart.hide()
    finally:
        chart.set_session(None)
        chart.deleteLater()

    net = NetworkView(viewer=viewer, show_details=False)
    try:
        net.resize(1100, 760)
        net.set_session(session)
        src = net.scene.itemsBoundingRect().adjusted(-16, -16, 16, 16)
        scale = min(2.0, 1400 / max(1.0, src.width()))
        img = QImage(int(src.width() * scale), int(src.height() * scale),
                     QImage.Format.Format_ARGB32)
        img.fill(QColor("white"))
        painter = QPainter(img)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        net.scene.render(painter, QRectF(0, 0, img.width(), img.height()), src,
                         Qt.AspectRatioMode.KeepAspectRatio)
        painter.end()
        images["network"] = _png(img)
    finally:
        net.set_session(None)
        net.deleteLater()
    return images


def _pdf_bytes(html_for_qt: str, images: dict[str, bytes], out_dir: Path) -> bytes:
    from PySide6.QtCore import QMarginsF, QSizeF, QUrl
    from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

    doc = QTextDocument()
    for name, png in images.items():
        img = QImage()
        img.loadFromData(png, "PNG")
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
            images = render_images(session, viewer)
            if suffix == ".html":
                payload = render_html(data, images).encode("utf-8")
            else:
                html = render_html(data, image_urls={k: f"{k}.png" for k in images})
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
