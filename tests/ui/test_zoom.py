"""One text zoom (Ctrl+=, Ctrl+-, Ctrl+0) for every text of the console and the projector,
remembered for the next start; headings keep their size however a session was opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QTableView

from peacetable.app.session import Session
from peacetable.ui import style

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"


@pytest.fixture(autouse=True)
def _normal_size(qapp):
    """Every test starts and ends at the normal text size (the app is shared)."""
    style.apply(qapp, 1.0)
    yield
    style.apply(qapp, 1.0)


def _settle(qtbot) -> None:
    qtbot.wait(30)


def _label_pt(widget) -> float:
    return widget.font().pointSizeF()


def _sizes(window) -> dict[str, float]:
    """The point size of one text of every kind the console and the projector show."""
    c = window.console
    chart, net, proj = window.visuals["chart"], window.visuals["network"], window.projector
    table = c.issues.findChild(QTableView)
    form_label = next(lab for lab in c.move_entry.findChildren(QLabel)
                      if lab.text() and lab.property("cls") is None)
    legend = next(lab for lab in net.legend.findChildren(QLabel) if lab.text())
    proj_legend = next(lab for lab in proj.network.legend.findChildren(QLabel) if lab.text())
    node = next(iter(net.nodes.values()))
    return {
        "table": table.font().pointSizeF(),
        "form label": _label_pt(form_label),
        "move entry field": c.move_entry.rationale_edit.font().pointSizeF(),
        "heading": _label_pt(c.phase_bar.phase_label),
        "clock": _label_pt(c.phase_bar.clock_label),
        "chart axis ticks": chart.plot.getPlotItem().getAxis("bottom").style["tickFont"]
        .pointSizeF(),
        "chart axis label": float(chart.plot.getPlotItem().getAxis("left").labelStyle[
            "font-size"].rstrip("pt")),
        "chart overlay list": chart.var_list.font().pointSizeF(),
        "network node": node.title.font().pointSizeF(),
        "network legend": _label_pt(legend),
        "network details": net.details.font().pointSizeF(),
        "event log": c.event_log.font().pointSizeF(),
        "projector title": _label_pt(proj.phase_title),
        "projector feed": proj.feed.font().pointSizeF(),
        "projector chart ticks": proj.chart.plot.getPlotItem().getAxis("bottom")
        .style["tickFont"].pointSizeF(),
        "projector network legend": _label_pt(proj_legend),
        "projector network node": next(iter(proj.network.nodes.values())).title.font()
        .pointSizeF(),
    }


def _console_with_projector(window, qtbot, new_session, path: Path):
    new_session(RIVER, path)
    window.ensure_visuals()
    window.projector_action.trigger()
    qtbot.addWidget(window.projector)
    _settle(qtbot)


def test_the_zoom_keys_are_ctrl_equals_ctrl_minus_and_ctrl_0(window):
    def keys(action):
        return {s.toString(QKeySequence.SequenceFormat.PortableText) for s in action.shortcuts()}

    assert "Ctrl+=" in keys(window.larger_action)
    assert "Ctrl+-" in keys(window.smaller_action)
    assert "Ctrl+0" in keys(window.normal_action)


def test_one_zoom_grows_every_text_and_ctrl_0_restores_it(window, qtbot, new_session,
                                                         tmp_path):
    _console_with_projector(window, qtbot, new_session, tmp_path / "z.peacetable")
    before = _sizes(window)

    window.larger_action.trigger()
    _settle(qtbot)
    after = _sizes(window)
    grew = {k for k in before if after[k] > before[k] + 0.5}
    assert grew == set(before), {k: (before[k], after[k]) for k in set(before) - grew}
    # headings keep their size relative to the body text
    ratio = after["heading"] / after["table"]
    assert abs(ratio - before["heading"] / before["table"]) < 0.01

    # a dialog opened afterwards is in the larger size too
    window.note_action.trigger()
    from peacetable.ui.dialogs import NoteDialog

    dlg = next(d for d in window.findChildren(NoteDialog) if d.isVisible())
    assert dlg.text_edit.font().pointSizeF() == pytest.approx(after["table"])
    dlg.reject()

    window.smaller_action.trigger()
    _settle(qtbot)
    assert _sizes(window) == pytest.approx(before)
    window.larger_action.trigger()
    window.larger_action.trigger()
    window.normal_action.trigger()
    _settle(qtbot)
    assert _sizes(window) == pytest.approx(before)


def test_the_zoom_keys_work_with_the_projector_in_front(window, qtbot, new_session, tmp_path):
    _console_with_projector(window, qtbot, new_session, tmp_path / "p.peacetable")
    proj = window.projector
    proj.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is proj)
    title = _label_pt(proj.phase_title)
    qtbot.keyClick(proj, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _label_pt(proj.phase_title) > title)
    assert style.current_scale() > 1.0
    qtbot.keyClick(proj, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _label_pt(proj.phase_title) == title)


def test_the_zoom_is_remembered_at_the_next_start(window, qtbot, new_session, tmp_path, qapp):
    from peacetable.ui.main import configure_application
    from peacetable.ui.main_window import MainWindow

    path = tmp_path / "r.peacetable"
    _console_with_projector(window, qtbot, new_session, path)
    window.larger_action.trigger()
    window.larger_action.trigger()
    _settle(qtbot)
    zoomed = _sizes(window)
    assert QSettings().value(style.SETTINGS_KEY) is not None
    window.close()

    # the next start: the application font comes back to the normal size first, then the
    # start-up reads the saved level, as ``run_gui`` does
    style.apply(qapp, 1.0)
    configure_application(qapp)
    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.open_path(path)
    again.ensure_visuals()
    again.projector_action.trigger()
    qtbot.addWidget(again.projector)
    _settle(qtbot)
    try:
        assert _sizes(again) == pytest.approx(zoomed)
    finally:
        again.normal_action.trigger()
        again.projector.close()
        again.close()


def test_the_replay_views_follow_the_zoom(window, qtbot, tmp_path):
    s = Session.create(RIVER, tmp_path / "p.peacetable", seed=3)
    s.close()
    window.trainer.open_replay(tmp_path / "p.peacetable")
    page = window.trainer.page
    qtbot.waitUntil(lambda: page.chart.session is not None)
    tick = page.chart.plot.getPlotItem().getAxis("bottom").style["tickFont"].pointSizeF()
    node = next(iter(page.network.nodes.values())).title.font().pointSizeF()
    window.larger_action.trigger()
    assert page.chart.plot.getPlotItem().getAxis("bottom").style["tickFont"].pointSizeF() > tick
    assert next(iter(page.network.nodes.values())).title.font().pointSizeF() > node


# --------------------------------------------------------------------------- headings


def _headings_ok(window) -> None:
    c = window.console
    base = QApplication.font().pointSizeF()
    got = {"phase": _label_pt(c.phase_bar.phase_label),
           "escalation": _label_pt(c.phase_bar.escalation_label),
           "queue": _label_pt(c.adjudication.queue_label)}
    want = {"phase": base * style.FONTS["h1"][0], "escalation": base * style.FONTS["h2"][0],
            "queue": base * style.FONTS["h2"][0]}
    assert got == pytest.approx(want), (got, want)


def _open_from_start_page(window, qtbot, path):
    page = window.welcome
    qtbot.waitUntil(lambda: bool(page.cards))
    card = next(c for c in page.cards if c.exercise.path.name == "river-accord.toml") \
        if any(c.exercise.path.name == "river-accord.toml" for c in page.cards) \
        else page.cards[0]
    qtbot.mouseClick(card.new_button, Qt.MouseButton.LeftButton)


def _open_from_recent(window, qtbot, path):
    window._set_recent([str(path)])
    item = window.welcome.recent_list.item(0)
    window.welcome.recent_list.itemActivated.emit(item)


def _open_from_file_menu(window, qtbot, path, monkeypatch=None):
    window.open_action.trigger()


def _open_from_command_line(window, qtbot, path):
    QTimer.singleShot(0, lambda: window.open_path(path))  # as run_gui does after show()


ROUTES = {"start page": _open_from_start_page, "welcome recent list": _open_from_recent,
          "File > Open": _open_from_file_menu, "command line": _open_from_command_line}


@pytest.mark.parametrize("zoom", [0, 1])
@pytest.mark.parametrize("route", list(ROUTES))
def test_headings_keep_their_size_however_the_session_was_opened(window, qtbot, tmp_path,
                                                                 monkeypatch, route, zoom):
    path = tmp_path / "h.peacetable"
    Session.create(RIVER, path, seed=3).close()
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    qtbot.waitUntil(lambda: style._repolish)  # the welcome page is on screen, styled
    if zoom:
        window.larger_action.trigger()
    ROUTES[route](window, qtbot, path)
    qtbot.waitUntil(lambda: window.console is not None and window.console.isVisible())
    _settle(qtbot)
    _headings_ok(window)
    window.larger_action.trigger()
    _settle(qtbot)
    _headings_ok(window)
