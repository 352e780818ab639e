"""Headings keep their size however a session is opened, and follow the text zoom."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from peacetable.app.session import Session
from peacetable.ui import style

RIVER_ROWS = [{"cmd": "advance"}]


def _sizes(window) -> dict[str, float]:
    c = window.console
    return {"phase": c.phase_bar.phase_label.font().pointSizeF(),
            "escalation": c.phase_bar.escalation_label.font().pointSizeF(),
            "queue": c.adjudication.queue_label.font().pointSizeF()}


def _expected() -> dict[str, float]:
    base = QApplication.font().pointSizeF()
    return {"phase": base * style.FONTS["h1"][0], "escalation": base * style.FONTS["h2"][0],
            "queue": base * style.FONTS["h2"][0]}


def test_headings_keep_their_size_when_opened_from_the_welcome_page(window, qtbot, tmp_path,
                                                                     river_path):
    s = Session.create(river_path, tmp_path / "w.peacetable", seed=3)
    s.close()
    window._set_recent([str(tmp_path / "w.peacetable")])
    qtbot.waitUntil(lambda: style._repolish)  # the welcome page is on screen, styled
    page = window.welcome
    item = page.recent_list.item(0)
    page.recent_list.itemActivated.emit(item)
    qtbot.waitUntil(lambda: window.console is not None and window.console.isVisible())
    qtbot.wait(50)
    got, want = _sizes(window), _expected()
    for k in want:
        assert abs(got[k] - want[k]) < 0.01, (k, got, want)
    # one zoom step scales them with the body text
    window.larger_action.trigger()
    got, want = _sizes(window), _expected()
    assert want["phase"] > style.BASE_POINT_SIZE * style.FONTS["h1"][0]
    for k in want:
        assert abs(got[k] - want[k]) < 0.01, (k, got, want)
    window.normal_action.trigger()


def test_one_zoom_scales_the_chart_the_network_and_the_projector(window, qtbot, tmp_path,
                                                                 new_session):
    from test_console import RIVER

    new_session(RIVER, tmp_path / "z.peacetable")
    window.ensure_visuals()
    window.projector_action.trigger()
    proj = window.projector
    qtbot.addWidget(proj)
    chart, net = window.visuals["chart"], window.visuals["network"]

    def sizes():
        tick = chart.plot.getPlotItem().getAxis("bottom").style["tickFont"].pointSizeF()
        rung = chart.rung_labels[0].text_item.font().pointSizeF()
        node = next(iter(net.nodes.values()))
        node_pt = max(it.font().pointSizeF() for it in node.childItems()
                      if hasattr(it, "font"))
        ptick = proj.chart.plot.getPlotItem().getAxis("bottom").style["tickFont"].pointSizeF()
        title = proj.phase_title.font().pointSizeF() if "font-size" not in \
            proj.phase_title.styleSheet() else float(
                proj.phase_title.styleSheet().split("font-size:")[1].split("pt")[0])
        return tick, rung, node_pt, ptick, title

    before = sizes()
    window.larger_action.trigger()
    after = sizes()
    try:
        for b, a in zip(before, after):
            assert a > b, (before, after)
    finally:
        window.normal_action.trigger()
    assert sizes() == before
