"""The after-action report's two figures as SVG, drawn from the report's data (no Qt).

* :func:`chart_svg`: the escalation index after every applied event as a step line over the
  scenario's rungs (coloured bands, every rung named in a margin right of the plot, level
  with its band), the phase starts as dashed lines named under the axis with their in-game
  dates, the index axis and its title, a dot at the last event and a legend row.
* :func:`network_svg`: the issue-linkage network at the report's event, laid out and routed
  as the console draws it (:mod:`peacetable.app.network_layout`): an issue per
  node coloured and captioned with its status, linkages drawn by kind, deadlocks marked,
  escalation variables that block an issue as hexagons, and a legend of statuses and kinds.

Each figure is one description, written through the Jinja2 template ``figure.svg`` with
autoescaping (text a user or a scenario author typed never becomes markup): the HTML report
holds it inline (sharp at any size, searchable text, no image decoder), and the PDF draws the
same SVG with Qt's SVG renderer (``peacetable.ui.report_export``). Only what Qt's renderer
draws (SVG Tiny 1.2) is used: one ``<text>`` per line, arrowheads as polygons, no CSS.

Texts are laid out without a font engine: their widths come from the advance widths of
DejaVu Sans (the font asked for first; Verdana, its metric twin, next), so that lines wrap
and labels are placed where they fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..domain.calendar import span_label
from ..domain.scenario import Linkage, Scenario
from .network_layout import (
    COL_GAP,
    NODE_W,
    ROW_GAP,
    VARIABLE_PREFIX,
    edge_head,
    layered_layout,
    route_edges,
)
from .palette import (
    BLOCKS_COLOUR,
    DEADLOCK_COLOUR,
    EDGE_COLOUR,
    INDEX_COLOUR,
    STATUS_ORDER,
    STATUS_STYLE,
    VARIABLE_FILL,
    VARIABLE_INK,
    hex_colour,
    rung_rgb,
    short_phase_label,
)

__all__ = ["FONT_FAMILY", "chart_svg", "network_svg", "report_figures", "text_width", "wrap"]

FONT_FAMILY = "DejaVu Sans, Verdana, sans-serif"

# advance widths (thousandths of an em) of DejaVu Sans, regular and bold, for these
# characters; others count as a wide letter (a CJK one as a full em)
_CHARS = (" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
          "abcdefghijklmnopqrstuvwxyz{|}~–—…·‘’“”→←×°€£éèáàöüäçñ−•")
_REGULAR = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698,
    770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732,
    684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635,
    634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,
    525, 636, 337, 636, 838, 500, 1000, 1000, 318, 318, 318, 518, 518, 838, 838, 838, 500, 636,
    636, 615, 615, 613, 613, 612, 634, 613, 550, 634, 838, 590)
_BOLD = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734,
    830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812,
    774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716,
    712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652,
    582, 712, 365, 712, 838, 500, 1000, 1000, 380, 380, 380, 657, 657, 838, 838, 838, 500, 696,
    696, 678, 678, 675, 675, 687, 712, 675, 593, 712, 838, 639)
_WIDTHS = (dict(zip(_CHARS, _REGULAR)), dict(zip(_CHARS, _BOLD)))
_OTHER = (720, 780)  # a letter not in the table: as wide as the wide ones
ASCENT = 0.93  # DejaVu Sans: ascent over the em; a line is 1.164 em


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` in DejaVu Sans at ``size`` pixels (``bold`` or regular)."""
    table, other = _WIDTHS[bool(bold)], _OTHER[bool(bold)]
    return size * sum(table.get(c, 1000 if ord(c) >= 0x2E80 else other) for c in text) / 1000


def _cut(text: str, size: float, bold: bool, width: float) -> str:
    """``text`` cut to ``width`` with an ellipsis (whole when it fits)."""
    if text_width(text, size, bold) <= width:
        return text
    while text and text_width(text + "…", size, bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(text: str, size: float, bold: bool, width: float, max_lines: int = 0) -> list[str]:
    """``text`` broken into lines at spaces, each at most ``width`` wide (a word wider than
    that is broken where it must be); at most ``max_lines`` lines (0: any), the last cut
    with an ellipsis."""
    lines: list[str] = []
    cur = ""
    for word in text.split():
        trial = f"{cur} {word}" if cur else word
        if text_width(trial, size, bold) <= width:
            cur = trial
            continue
        if cur:
            lines.append(cur)
        cur = word
        while text_width(cur, size, bold) > width and len(cur) > 1:
            k = len(cur) - 1
            while k > 1 and text_width(cur[:k], size, bold) > width:
                k -= 1
            lines.append(cur[:k])
            cur = cur[k:]
    if cur or not lines:
        lines.append(cur)
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _cut(lines[-1] + " …", size, bold, width) if not lines[-1].endswith("…") \
            else lines[-1]
    return lines


def _n(v: float) -> str:
    """A coordinate in the SVG: a tenth of a pixel is plenty."""
    r = round(v, 1)
    return str(int(r)) if r == int(r) else str(r)


class _Figure:
    """Shapes and texts in drawing order, for the template ``figure.svg``."""

    def __init__(self, title: str):
        self.title = title
        self.items: list[dict[str, Any]] = []
        self.x0 = self.y0 = 0.0  # the drawing's top left corner
        self.w = self.h = 0.0

    def rect(self, x: float, y: float, w: float, h: float, fill: str, stroke: str = "none",
             width: float = 0.0, rx: float = 0.0) -> None:
        self.items.append({"k": "rect", "x": _n(x), "y": _n(y), "w": _n(max(0.0, w)),
                           "h": _n(max(0.0, h)), "fill": fill, "stroke": stroke,
                           "sw": _n(width), "rx": _n(rx)})

    def path(self, d: str, stroke: str, width: float, dash: str = "none", cap: str = "butt",
             fill: str = "none", opacity: float = 1.0) -> None:
        self.items.append({"k": "path", "d": d, "stroke": stroke, "sw": _n(width),
                           "dash": dash, "cap": cap, "fill": fill, "op": _n(opacity)})

    def polygon(self, points: Sequence[tuple[float, float]], fill: str,
                opacity: float = 1.0) -> None:
        self.items.append({"k": "polygon", "fill": fill, "op": _n(opacity),
                           "points": " ".join(f"{_n(x)},{_n(y)}" for x, y in points)})

    def circle(self, x: float, y: float, r: float, fill: str, stroke: str,
               width: float) -> None:
        self.items.append({"k": "circle", "x": _n(x), "y": _n(y), "r": _n(r), "fill": fill,
                           "stroke": stroke, "sw": _n(width)})

    def text(self, x: float, y: float, text: str, size: float, bold: bool = False,
             fill: str = "#111111", anchor: str = "start", rotate: bool = False) -> None:
        """One line of text; ``y`` is its baseline."""
        self.items.append({"k": "text", "x": _n(x), "y": _n(y), "text": text, "size": _n(size),
                           "weight": "bold" if bold else "normal", "fill": fill,
                           "anchor": anchor, "rotate": rotate})

    def lines(self, x: float, top: float, lines: Sequence[str], size: float, bold: bool = False,
              fill: str = "#111111", anchor: str = "start", leading: float = 1.2) -> None:
        """Lines of text, the first one's top at ``top``."""
        for k, line in enumerate(lines):
            self.text(x, top + (k * leading + ASCENT) * size, line, size, bold, fill, anchor)

    def render(self) -> Any:
        from markupsafe import Markup

        from .report import _env

        # the template is autoescaped: what it wrote is markup, every text in it escaped
        return Markup(_env().get_template("figure.svg").render(f=self, font=FONT_FAMILY))


def _safe(text: Any) -> str:
    from .report import safe_text

    return safe_text(text)


# --------------------------------------------------------------------------- chart

CHART_W, CHART_H = 1400.0, 760.0
TICK = 17.0  # tick labels and phase names under the axis
TITLE = 19.0  # axis titles and the legend
RUNG = 16.0  # rung labels (bold)
RUNG_PAD_X, RUNG_PAD_Y = 7.0, 4.0
RUNG_WRAP = 150.0  # rung labels wrap at this width, the margin fits the widest


def _rung_labels(sc: Scenario) -> list[tuple[str, float, float, int]]:
    """(text, low, high, alpha) of each rung's band, as the console's chart draws them."""
    esc = sc.escalation
    rungs = esc.rungs
    out = []
    for k, r in enumerate(rungs):
        lo = r.threshold
        hi = rungs[k + 1].threshold if k + 1 < len(rungs) else esc.scale
        text, alpha = r.label, 70
        if r.requires is not None:
            # the rung is reached only while its test holds: the band is paler and says so
            text, alpha = f"{r.label} (needs {r.requires.typed().describe(sc)})", 35
        out.append((_safe(text), lo, hi, alpha))
    return out


def _place_boxes(wanted: list[float], heights: list[float], top: float, bottom: float,
                 gap: float) -> list[float] | None:
    """Centres for boxes of ``heights`` wanted at ``wanted`` (listed bottom to top), none
    overlapping and all within ``top``..``bottom``, each as near its wish as that allows;
    None when they cannot all fit."""
    if sum(heights) + gap * (len(heights) - 1) > bottom - top:
        return None
    ys = list(wanted)
    floor = bottom  # going up: each box's bottom above the top of the one below
    for k, h in enumerate(heights):
        ys[k] = min(ys[k], floor - h / 2)
        floor = ys[k] - h / 2 - gap
    ceiling = top  # going down: each box's top under the bottom of the one above
    for k in range(len(heights) - 1, -1, -1):
        ys[k] = max(ys[k], ceiling + heights[k] / 2)
        ceiling = ys[k] + heights[k] / 2 + gap
    return ys


def chart_svg(sc: Scenario, series: Sequence[dict[str, Any]], title: str = "") -> Any:
    """The escalation chart of ``series`` (the report's ``escalation.series``: the event,
    phase index and index after the start and after every applied event) as SVG markup."""
    fig = _Figure(title or "Escalation index over the exercise")
    scale = float(sc.escalation.scale)
    rungs = _rung_labels(sc)
    n = len(rungs)
    top = 16.0
    legend_y = CHART_H - 14.0
    x_title_y = legend_y - TITLE * 1.9
    bottom = x_title_y - TITLE * 1.2 - 2 * TICK * 1.2 - 16.0
    # the rung labels: wrapped at RUNG_WRAP; where they do not all fit in the plot's
    # height, smaller, then wrapped wider (a wider margin), then on one line each
    plot_h = bottom - top
    gap = 3.0
    for size, width, pad_y in ((RUNG, RUNG_WRAP, RUNG_PAD_Y), (13.0, RUNG_WRAP, RUNG_PAD_Y),
                               (13.0, 240.0, 3.0), (11.0, 240.0, 3.0), (11.0, 1e9, 2.0),
                               (9.0, 1e9, 1.0)):
        texts = [wrap(t, size, True, width) for t, *_ in rungs]
        heights = [len(ls) * size * 1.2 + 2 * pad_y for ls in texts]
        gap = 3.0 if size > 9.0 else 1.0
        if sum(heights) + gap * (n - 1) <= plot_h:
            break
    box_w = [max(text_width(line, size, True) for line in ls) + 2 * RUNG_PAD_X for ls in texts]
    right = CHART_W - max(box_w) - 22.0
    ticks = [k * scale / 5 for k in range(6)]
    tick_w = max(text_width(f"{v:g}", TICK) for v in ticks)
    left = 14.0 + TITLE * 1.2 + 10.0 + tick_w + 12.0

    def y_of(v: float) -> float:
        return bottom - (v / scale) * (bottom - top) if scale > 0 else bottom

    pts = [(int(p["event"]), float(p["index"]), int(p["phase_index"])) for p in series]
    first = pts[0][0] if pts else 0
    last = pts[-1][0] if pts else 1
    span = max(1.0, float(last - first))
    pad = 0.025 * span
    x0, x1 = first - pad, last + pad

    def x_of(seq: float) -> float:
        return left + (seq - x0) / (x1 - x0) * (right - left)

    # the rung bands, then their labels in the margin, level with each band's middle
    for k, (_text, lo, hi, alpha) in enumerate(rungs):
        fig.rect(left, y_of(min(hi, scale)), right - left, y_of(lo) - y_of(min(hi, scale)),
                 hex_colour(rung_rgb(k, n, alpha)))
    wanted = [min(max(y_of((lo + min(hi, scale)) / 2), top), bottom) for _t, lo, hi, _a in rungs]
    ys = _place_boxes(wanted, heights, top, bottom, gap) or wanted
    for k, ls in enumerate(texts):
        h = heights[k]
        bx, by = right + 14.0, ys[k] - h / 2
        # a leader from the band's middle to its label (which may have moved to make room)
        fig.path(f"M{_n(right)} {_n(wanted[k])}L{_n(bx)} {_n(ys[k])}", "#607d8b", 1.2)
        fig.rect(bx, by, box_w[k], h, hex_colour(rung_rgb(k, n, 110)), rx=3.0)
        fig.lines(bx + RUNG_PAD_X, by + pad_y, ls, size, bold=True, fill="#101010")
    # phase starts: a dashed line across the plot, the name and the in-game date under the
    # axis from the line to the right, shortened (or left out) where the next one starts
    starts: list[tuple[float, int]] = []
    prev = -1
    for seq, _v, ph in pts:
        if ph != prev and ph >= 0:
            starts.append((x_of(seq), ph))
        prev = ph
    for x, _ph in starts:
        fig.path(f"M{_n(x)} {_n(top)}V{_n(bottom)}", "#37474f", 1.6, dash="8 4")
    for k, (x, ph) in enumerate(starts):
        phase = sc.phases[ph] if ph < len(sc.phases) else None
        name = _safe(short_phase_label(phase.label, ph)) if phase else f"P{ph + 1}"
        short = name.split(" ", 1)[0]
        date = span_label(phase.date, phase.end_date) if phase else ""
        lx = x + 4.0
        room = (starts[k + 1][0] - 6.0 if k + 1 < len(starts) else right) - lx
        room = min(room, right + 60.0 - lx)
        fig.path(f"M{_n(x)} {_n(bottom)}V{_n(bottom + 6)}", "#222222", 1.5)
        text = next((t for t in (name, short) if text_width(t, TICK) <= room), "")
        if not text:
            continue
        short_date = date[:-5] if date[-4:].isdigit() and date[-5:-4] == " " else ""
        day = next((d for d in (date, short_date) if d and text_width(d, TICK) <= room), "")
        fig.lines(lx, bottom + 9.0, [text, day] if day else [text], TICK, fill="#111111")
    # the index: a step line (each value held until the next point), one point per change
    # (a point where nothing moved draws nothing); many points to a pixel column are drawn
    # as the column's span
    if pts:
        d = [f"M{_n(x_of(pts[0][0]))} {_n(y_of(pts[0][1]))}"]
        held = pts[0][1]  # the value held into the next column
        col = None
        entry = lo_y = hi_y = end_y = 0.0
        for seq, v, _ph in pts[1:] + [(last, pts[-1][1], -1)]:
            if v == held and seq != last:
                continue
            px = round(x_of(seq), 1)
            py = y_of(v)
            if px == col:
                lo_y, hi_y, end_y = min(lo_y, py), max(hi_y, py), py
            else:
                if col is not None:
                    d.append(_column(col, entry, lo_y, hi_y, end_y))
                col, entry = px, y_of(held)
                lo_y, hi_y, end_y = min(py, entry), max(py, entry), py
            held = v
        if col is not None:
            d.append(_column(col, entry, lo_y, hi_y, end_y))
        fig.path("".join(d), INDEX_COLOUR, 3.6, cap="square")
        fig.circle(x_of(last), y_of(pts[-1][1]), 7.0, INDEX_COLOUR, "#ffffff", 2.5)
    # axes: the index axis with its ticks, the phase axis, their titles
    fig.path(f"M{_n(left)} {_n(top)}V{_n(bottom)}H{_n(right)}", "#222222", 1.5)
    for v in ticks:
        y = y_of(v)
        fig.path(f"M{_n(left - 6)} {_n(y)}H{_n(left)}", "#222222", 1.5)
        fig.text(left - 10.0, y + 0.36 * TICK, f"{v:g}", TICK, anchor="end")
    fig.text(14.0 + TITLE * ASCENT, (top + bottom) / 2, "escalation index", TITLE,
             anchor="middle", rotate=True)
    fig.text((left + right) / 2, x_title_y, "phase", TITLE, anchor="middle")
    # legend row
    x = left
    y = legend_y - 0.36 * TITLE
    fig.path(f"M{_n(x)} {_n(y)}H{_n(x + 34)}", INDEX_COLOUR, 3.6)
    fig.text(x + 42, legend_y, "escalation index (a step at each change)", TITLE)
    x += 42 + text_width("escalation index (a step at each change)", TITLE) + 30
    fig.circle(x + 8, y, 7.0, INDEX_COLOUR, "#ffffff", 2.5)
    fig.text(x + 22, legend_y, "the last event", TITLE)
    x += 22 + text_width("the last event", TITLE) + 30
    fig.path(f"M{_n(x + 9)} {_n(y - 11)}V{_n(y + 11)}", "#37474f", 1.6, dash="8 4")
    fig.text(x + 24, legend_y, "start of a phase", TITLE)
    x += 24 + text_width("start of a phase", TITLE) + 30
    fig.rect(x, y - 9, 26, 18, hex_colour(rung_rgb(n - 1, n, 110)), rx=3.0)
    fig.text(x + 34, legend_y, "rungs (named at the right)", TITLE)
    fig.w, fig.h = CHART_W, CHART_H
    return fig.render()


def _column(x: float, entry: float, lo: float, hi: float, end: float) -> str:
    """The step line into pixel column ``x``: across to it at the value held (``entry``),
    then through the lowest and highest values the column holds (``lo``, ``hi``), ending at
    its last (``end``)."""
    a, b = min(entry, end), max(entry, end)
    stops = []
    below, above = lo < a - 0.05, hi > b + 0.05
    if below and above:
        stops = [lo, hi] if abs(entry - lo) < abs(entry - hi) else [hi, lo]
    elif below:
        stops = [lo]
    elif above:
        stops = [hi]
    if stops or abs(end - entry) >= 0.05:
        stops.append(end)
    return f"H{_n(x)}" + "".join(f"V{_n(y)}" for y in stops)


# --------------------------------------------------------------------------- network

NODE_TITLE = 20.0  # issue names (bold)
NODE_STATUS = 16.0  # status lines
EDGE_LABEL = 15.0
LEGEND = 17.0
KIND_LEGEND = (("precondition", "precondition"), ("trade_off", "trade-off"),
               ("reinforces", "reinforces"), ("blocks", "blocks"), ("deadlock", "deadlock"))


def _edge_style(kind: str, labelled: bool, deadlock: bool) -> tuple[str, float, str, str]:
    """(colour, width, dash, cap) of a linkage's line, as the console draws it."""
    colour, width, dash = EDGE_COLOUR, 2.6, "none"
    if kind == "trade_off":
        colour, dash = "#455a64", "10 5"
    elif kind == "reinforces":
        colour, width, dash = "#1b5e20", 3.2, "0.1 6.4"
    elif kind == "blocks":
        colour, width = BLOCKS_COLOUR, 3.0
    if labelled:
        dash = "12 5 2 5"
    if deadlock:
        colour, width = DEADLOCK_COLOUR, 7.0
    return colour, width, dash, ("round" if kind == "reinforces" and not deadlock else "butt")


def _cubic(p0, c1, c2, p3, t: float) -> tuple[float, float]:
    u = 1 - t
    return (u ** 3 * p0[0] + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t ** 3 * p3[0],
            u ** 3 * p0[1] + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t ** 3 * p3[1])


def network_svg(sc: Scenario, links: Sequence[Linkage], facts: Any, view: dict[str, Any],
                title: str = "") -> Any:
    """The issue network as SVG markup: ``links`` (the linkages the viewer knows of, in the
    order of ``view["linkages"]``), ``facts`` (:func:`~peacetable.app.network_layout.
    deadlock_facts` of the viewer's network), ``view`` (the viewer's state view: statuses,
    variable values, whether each variable test holds)."""
    fig = _Figure(title or "Issue-linkage network")
    layout = dict(layered_layout(sc, facts, links))
    statuses = view.get("issues", {})
    values = view.get("escalation", {}).get("variables", {})
    # nodes: (title lines, status lines, fill, ink, variable?)
    nodes: dict[str, dict[str, Any]] = {}
    text_w = NODE_W - 20.0
    for iss in sc.issues:
        rec = statuses.get(iss.id, {"status": "open", "option": None})
        fill, ink, text = STATUS_STYLE.get(rec.get("status"), STATUS_STYLE["open"])
        if rec.get("status") == "agreed" and rec.get("option"):
            opt = next((o.label for o in iss.options if o.id == rec["option"]), rec["option"])
            text += ": " + (opt if len(opt) <= 44 else opt[:43].rstrip() + "…")
        nodes[iss.id] = {"title": wrap(_safe(iss.label), NODE_TITLE, True, text_w),
                         "status": wrap(_safe(text), NODE_STATUS, False, text_w, 3),
                         "fill": fill, "ink": ink, "variable": False}
    # escalation variables that hold an issue back: a column of their own on the left,
    # each level with the issues it holds back
    targets: dict[str, list[int]] = {}
    for lk in links:
        for vid in sorted(lk.variables):
            if lk.target in layout:
                targets.setdefault(vid, []).append(layout[lk.target][1])
    order = {v.id: k for k, v in enumerate(sc.escalation.variables)}
    for r, vid in enumerate(sorted(targets, key=lambda v: (
            sum(targets[v]) / len(targets[v]), order.get(v, 0)))):
        var = sc.variable_by_id[vid]
        now = values.get(vid)
        text = ("now " + f"{now:g}" + (f" {var.unit}" if var.unit else "")) \
            if isinstance(now, (int, float)) else ""
        nid = VARIABLE_PREFIX + vid
        nodes[nid] = {"title": wrap(_safe(var.label), NODE_TITLE, True, text_w - 30),
                      "status": [_safe(text)] if text else [], "fill": VARIABLE_FILL,
                      "ink": VARIABLE_INK, "variable": True}
        layout[nid] = (-1, r)
    # one height for all (room for two status lines at least), as in the console
    h = max(len(nd["title"]) * NODE_TITLE * 1.2 + max(2, len(nd["status"])) * NODE_STATUS * 1.2
            + 24 for nd in nodes.values())
    rows: dict[int, int] = {}
    for c, r in layout.values():
        rows[c] = max(rows.get(c, 0), r + 1)
    pos = {iid: (c * COL_GAP, (r - (rows[c] - 1) / 2) * (h + ROW_GAP))
           for iid, (c, r) in layout.items()}
    # what the drawing covers (corners of nodes, edges' control points, labels): the view
    # box is fitted to it
    ext: list[tuple[float, float]] = []
    for x, y in pos.values():
        ext += [(x - NODE_W / 2, y - h / 2 - 12.0), (x + NODE_W / 2, y + h / 2)]
    dead = facts.deadlocked

    # ---- edges (under the nodes), routed as the console routes them
    listed = view.get("linkages", [])
    holds = {id(lk): listed[k].get("holds", True) for k, lk in enumerate(links)
             if k < len(listed) and lk.condition is not None}
    labels = []
    drawn = []
    for route in route_edges(layout, pos, links, facts.cycle_edges(), NODE_W, COL_GAP, h):
        lk = route.linkage
        label = _safe(_while_label(sc, lk))
        d = [f"M{_n(route.start[0])} {_n(route.start[1])}"]
        cur = route.start
        segs = []  # as cubics, for the label's place
        for seg in route.segments:
            if seg[0] == "C":
                _c, c1, c2, e = seg
                d.append(f"C{_n(c1[0])} {_n(c1[1])} {_n(c2[0])} {_n(c2[1])} "
                         f"{_n(e[0])} {_n(e[1])}")
                ext += [c1, c2, e]
                segs.append((cur, c1, c2, e))
            else:
                e = seg[1]
                d.append(f"L{_n(e[0])} {_n(e[1])}")
                ext.append(e)
                segs.append((cur, cur, e, e))
            cur = e
        colour, width, dash, cap = _edge_style(lk.kind, bool(label), route.deadlock)
        opacity = 1.0 if not label or holds.get(id(lk), True) else 0.35
        head = edge_head(lk.kind, route.end, route.ctrl, route.deadlock)
        drawn.append((route.deadlock, "".join(d), colour, width, dash, cap, opacity, head))
        if label:
            mx, my = _cubic(*segs[len(segs) // 2], 0.5)
            labels.append((mx, my - 8.0, label, colour, opacity))
            w = text_width(label, EDGE_LABEL, True) / 2 + 6.0
            ext += [(mx - w, my - 8.0 - EDGE_LABEL * 1.2), (mx + w, my)]
    for deadlock, d, colour, width, dash, cap, opacity, head in \
            sorted(drawn, key=lambda e: e[0]):  # deadlock edges over the others
        fig.path(d, colour, width, dash=dash, cap=cap, opacity=opacity)
        if head:
            fig.polygon(head, colour, opacity)

    # ---- nodes
    for iid, nd in nodes.items():
        x, y = pos[iid]
        deadlocked = iid in dead
        stroke, sw = (DEADLOCK_COLOUR, 6.0) if deadlocked else ("#37474f", 2.0)
        if nd["variable"]:
            cut = min(28.0, h / 2)
            w2, h2 = NODE_W / 2, h / 2
            fig.path(f"M{_n(x - w2)} {_n(y)}L{_n(x - w2 + cut)} {_n(y - h2)}"
                     f"H{_n(x + w2 - cut)}L{_n(x + w2)} {_n(y)}L{_n(x + w2 - cut)} {_n(y + h2)}"
                     f"H{_n(x - w2 + cut)}Z", stroke, sw, fill=nd["fill"])
        else:
            fig.rect(x - NODE_W / 2, y - h / 2, NODE_W, h, nd["fill"], stroke, sw, rx=12.0)
        block = len(nd["title"]) * NODE_TITLE * 1.2 + len(nd["status"]) * NODE_STATUS * 1.2 \
            + (4.0 if nd["status"] else 0.0)
        ty = y - block / 2
        fig.lines(x, ty, nd["title"], NODE_TITLE, bold=True, fill=nd["ink"], anchor="middle")
        fig.lines(x, ty + len(nd["title"]) * NODE_TITLE * 1.2 + 4.0, nd["status"],
                  NODE_STATUS, fill=nd["ink"], anchor="middle")
        if deadlocked:
            bw = text_width("DEADLOCK", 13.0, True) + 14.0
            bx, by = x + NODE_W / 2 - bw - 10.0, y - h / 2 - 11.0
            fig.rect(bx, by, bw, 22.0, DEADLOCK_COLOUR, rx=6.0)
            fig.text(bx + 7.0, by + 16.0, "DEADLOCK", 13.0, bold=True, fill="#ffffff")
    for mx, my, label, colour, opacity in labels:
        w = text_width(label, EDGE_LABEL, True)
        fig.rect(mx - w / 2 - 4, my - EDGE_LABEL * 1.1, w + 8, EDGE_LABEL * 1.35, "#ffffff")
        fig.text(mx, my, label, EDGE_LABEL, bold=True,
                 fill=colour if opacity == 1.0 else "#78909c", anchor="middle")

    # ---- legend: statuses, then kinds of linkage
    x_min = min(x for x, _y in ext) - 12.0
    x_max = max(max(x for x, _y in ext) + 12.0, x_min + 900.0)
    y = max(y for _x, y in ext) + 50.0
    x = x_min + 8.0
    for st in STATUS_ORDER:
        fill, _ink, text = STATUS_STYLE[st]
        w = 26.0 + 8.0 + text_width(text, LEGEND) + 26.0
        if x + w > x_max and x > x_min + 8.0:
            x, y = x_min + 8.0, y + 36.0
        fig.rect(x, y - 20.0, 26.0, 26.0, fill, "#37474f", 2.0)
        fig.text(x + 34.0, y, text, LEGEND)
        x += w
    x, y = x_min + 8.0, y + 40.0
    for kind, text in KIND_LEGEND:
        w = 70.0 + 8.0 + text_width(text, LEGEND) + 26.0
        if x + w > x_max and x > x_min + 8.0:
            x, y = x_min + 8.0, y + 36.0
        colour, width, dash, cap = _edge_style("precondition" if kind == "deadlock" else kind,
                                               False, kind == "deadlock")
        ly = y - 7.0
        fig.path(f"M{_n(x)} {_n(ly)}H{_n(x + 56)}", colour, min(width, 6.0), dash=dash, cap=cap)
        if kind in ("precondition", "reinforces", "deadlock"):
            fig.polygon([(x + 70, ly), (x + 56, ly - 8), (x + 56, ly + 8)], colour)
        elif kind == "blocks":
            fig.rect(x + 56, ly - 11, 5, 22, colour)
        fig.text(x + 78.0, y, text, LEGEND)
        x += w
    fig.x0, fig.y0 = x_min, min(y for _x, y in ext) - 12.0
    fig.w, fig.h = x_max - fig.x0, y + 16.0 - fig.y0
    return fig.render()


def _while_label(sc: Scenario, lk: Linkage) -> str:
    from ..domain.views import while_label

    return while_label(sc, lk)


# --------------------------------------------------------------------------- both


def report_figures(session: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The report's figures for ``data`` (from :func:`~peacetable.app.report.build_report`)
    as SVG markup: ``chart`` and ``network``; for a scenario over the network analysis'
    limits, ``network_note`` says why the network is not drawn instead."""
    from ..domain.analytics.network import NetworkLimitError
    from .network_layout import deadlock_facts

    sc = session.scenario
    o = data["overview"]
    viewer = o["viewer_id"]
    at = "at the end" if o["events"] >= o["last_event"] else f"after event {o['events']}"
    out = {"chart": chart_svg(sc, data["escalation"]["series"],
                              "Escalation index over the exercise")}
    try:
        facts = deadlock_facts(session.linkage_network(viewer))
    except NetworkLimitError as exc:
        out["network_note"] = f"The issue network is not drawn: {exc}."
        return out
    out["network"] = network_svg(sc, session.linkages(viewer), facts, data["state"],
                                 f"Issue-linkage network {at}")
    return out
