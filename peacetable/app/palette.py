"""Colours and short labels shared by the console's widgets and the report's figures (no Qt).

The console (``peacetable.ui``) paints with these through Qt; the after-action report's
figures (:mod:`peacetable.app.report_figures`) write them into SVG. One table of each, so
that a status, a rung or a phase looks the same on the screen, the projector and paper.
"""

from __future__ import annotations

import colorsys
import re

__all__ = ["BLOCKS_COLOUR", "DEADLOCK_COLOUR", "EDGE_COLOUR", "INDEX_COLOUR", "SERIES_COLOURS",
           "STATUS_ORDER", "STATUS_STYLE", "VARIABLE_FILL", "VARIABLE_INK", "hex_colour",
           "rung_rgb", "short_phase_label"]

#: issue status -> (fill, text colour, legend label). High contrast on a white background,
#: distinguishable without colour too (every node also prints its status as text).
STATUS_STYLE: dict[str, tuple[str, str, str]] = {
    "open": ("#ffffff", "#111111", "Open"),
    "on_table": ("#90caf9", "#0b1a26", "On the table"),
    "agreed": ("#81c784", "#0b1f0c", "Agreed"),
    "declared": ("#ce93d8", "#1f0a24", "Declared"),
    "suspended": ("#ffd54f", "#1a1200", "Suspended"),
    "blocked": ("#ef9a9a", "#2a0707", "Blocked"),
}
STATUS_ORDER = ("open", "on_table", "agreed", "declared", "suspended", "blocked")

DEADLOCK_COLOUR = "#b71c1c"
BLOCKS_COLOUR = "#e53935"
EDGE_COLOUR = "#263238"

#: an escalation variable's node in the network (a hexagon) and its text
VARIABLE_FILL = "#e8eaf6"
VARIABLE_INK = "#1a237e"

#: one colour per series (index first), readable on white and on a projector
SERIES_COLOURS = (
    "#0d47a1", "#e65100", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457", "#5d4037",
    "#827717", "#283593", "#bf360c", "#1b5e20", "#4a148c",
)

INDEX_COLOUR = "#0b1f4d"


def rung_rgb(k: int, n: int, alpha: int = 60) -> tuple[int, int, int]:
    """Band colour (r, g, b) for rung ``k`` of ``n``: green (calm) through amber to red
    (severe), as if drawn with ``alpha`` over white, but opaque (opaque fills paint much
    faster than translucent ones over a whole plot)."""
    t = 0.0 if n <= 1 else k / (n - 1)
    # hue 120 (green) -> 0 (red)
    r, g, b = colorsys.hsv_to_rgb((1.0 - t) * 120.0 / 360.0, 0.55, 0.95)
    a = max(0, min(255, alpha)) / 255.0
    return tuple(round(255 - (255 - round(c * 255)) * a) for c in (r, g, b))  # type: ignore[return-value]


def hex_colour(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def short_phase_label(label: str, index: int, limit: int = 26) -> str:
    """A compact label for a phase line on the chart: 'P2 Consultations on the…'."""
    m = re.match(r"^\s*(?:phase|week|stage|round)\s*(\d+)\s*[—–:\-.]*\s*(.*)$", label, re.IGNORECASE)
    rest = m.group(2) if m else label
    num = m.group(1) if m else str(index + 1)
    text = f"P{num} {rest}".strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
