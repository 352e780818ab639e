"""A drag of the replay scrubber, forth and back, with every view following in part: each view
shows what a view built afresh at the same cursor shows, and what is on screen is what a
full paint of the view draws (an update that repaints only what changed misses nothing).

The session is Peace of Inches played by its script, with undos and redos added at the end
so that a drag crosses events being undone and redone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from peacetable.app.replay import ReplayModel
from peacetable.app.script import ScriptRunner, read_script
from peacetable.app.session import Session

ROOT = Path(__file__).resolve().parents[2]
POI = ROOT / "scenarios" / "peace-of-inches.toml"


def _played_with_undos(out: Path) -> Path:
    from peacetable.domain import commands as C

    s = Session.create(POI, out, seed=11, teams={})
    try:
        moves = POI.with_name(POI.stem + ".moves.jsonl")
        runner = ScriptRunner(s, str(moves))
        for line in read_script(moves):
            runner.apply(line)
        s.execute(C.AddNote(text="a public aside"))
        s.execute(C.Undo())
        s.execute(C.Undo())
        s.execute(C.Redo())
        s.execute(C.AddNote(text="another aside"))
        s.execute(C.Undo())
    finally:
        s.close()
    return out


def _cells(model) -> list[list[str]]:
    return [[model.cell(r, c) for c in range(model.columnCount())] for r in range(model.rowCount())]


def _log_rows(panel) -> list[tuple]:
    m = panel.model
    out = []
    for r in range(m.rowCount()):
        texts = tuple(m.data(m.index(r, c)) for c in range(m.columnCount()))
        font = m.data(m.index(r, 3), Qt.ItemDataRole.FontRole)
        out.append((texts, bool(font is not None and font.strikeOut()),
                    m.data(m.index(r, 0), Qt.ItemDataRole.ForegroundRole) is not None))
    return out


def _chart(chart) -> dict:
    c = chart.index_curve.curve
    return {"points": chart.points(), "shown": c.shown, "cursor": chart.cursor_line.value(),
            "marker": (chart.marker.isVisible(), chart.marker.pos().x(), chart.marker.pos().y()),
            "phase labels": [(ln.label.toPlainText(), ln.label.isVisible())
                             for ln in chart.phase_lines]}


def _network(net) -> dict:
    return {iid: (n.shown_style, n.toolTip(), n.brush().color().name(), n.pen().color().name(),
                  n.pen().widthF(), n.status.toPlainText(), n.badge.isVisible())
            for iid, n in net.nodes.items()} | {"details": net.details.toPlainText()}


def _texts(page, projector) -> dict:
    """What every view shows (a tab's views are read with the tab in front)."""
    out = {"timeline": page.timeline._cursor, "position": page.position_label.text(),
           "now": page.now_label.text(), "log": _log_rows(page.event_log),
           "log count": page.event_log.count_label.text(), "chart": _chart(page.chart)}
    page.bottom_tabs.setCurrentWidget(page.network)
    out["network"] = _network(page.network)
    page.bottom_tabs.setCurrentWidget(page.issues)
    out["issues"] = [_cells(page.issues.issues), _cells(page.issues.agreements)]
    page.bottom_tabs.setCurrentWidget(page.leverage)
    out["leverage"] = [_cells(page.leverage.leverage), _cells(page.leverage.variables)]
    page.top_tabs.setCurrentWidget(page.roles)
    if page.roles.role_combo.count():
        page.roles.role_combo.setCurrentIndex(page.roles.role_combo.count() - 1)
    out["roles"] = [page.roles.summary.text(), _cells(page.roles.values)]
    page.top_tabs.setCurrentWidget(page.event_log)
    page.bottom_tabs.setCurrentWidget(page.chart)
    p = projector
    out["projector"] = {
        "labels": [w.text() for w in (p.phase_kicker, p.phase_title, p.story_date,
                                      p.sealed_label, p.index_value, p.index_scale,
                                      p.rung_label)],
        "rung style": p.rung_label.styleSheet(),
        "feed": [(p.feed.item(k).text(), p.feed.item(k).foreground().color().name())
                 for k in range(p.feed.count())],
        "agreements": [(p.agreements.item(k).text(),
                        p.agreements.item(k).foreground().color().name())
                       for k in range(p.agreements.count())],
        "chart": _chart(p.chart), "network": _network(p.network)}
    return out


def _fresh(path: Path, n: int, viewer: str, qtbot) -> tuple:
    """A replay page and a projector built afresh at cursor ``n`` as ``viewer``."""
    from peacetable.ui.audience import AudienceWindow
    from peacetable.ui.replay_page import ReplayPage

    session = Session.open_replay(path)
    page = ReplayPage()
    qtbot.addWidget(page)
    projector = AudienceWindow()
    qtbot.addWidget(projector)
    page.resize(1400, 900)
    projector.resize(1400, 900)
    page.show()
    projector.show()
    page.attach_projector(projector)
    page.set_replay(ReplayModel(session), at=n)
    page.set_viewer(viewer)
    for _ in range(5):  # laid out as windows on screen are (the feed holds what its pane
        QApplication.processEvents()  # shows)
    return page, projector, session


def _on_screen_equals_a_full_paint(widget) -> bool:
    """The widget's pixels in its window's backing store (what the screen shows, updated in
    part) against a full paint of the widget now."""
    win = widget.window()
    at = widget.mapTo(win, QPoint(0, 0))
    shown = widget.screen().grabWindow(win.winId(), at.x(), at.y(), widget.width(),
                                       widget.height()).toImage()
    fresh = widget.grab().toImage().convertToFormat(shown.format())
    return shown == fresh


def test_a_drag_forth_and_back_matches_views_built_afresh(window, qtbot, tmp_path, messages):
    path = _played_with_undos(tmp_path / "poi.peacetable")
    assert window.trainer.open_replay(path)
    page = window.trainer.page
    projector = window.show_projector()
    qtbot.addWidget(projector)
    window.resize(1400, 900)
    projector.resize(1400, 900)
    m = page.model
    tl = page.timeline
    undos = [ev.seq for ev in m.events if ev.type in ("undone", "redone")]
    starts = [b.seq for b in m.bookmarks]
    stops = [m.last // 2, 0, m.last, undos[0] - 1, undos[0], starts[1] + 2, m.last - 1,
             m.last - 3, 3, undos[-1], m.last // 3, m.last]

    def send(kind, x):
        button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove \
            else Qt.MouseButton.LeftButton
        ev = QMouseEvent(kind, QPointF(x, 30), tl.mapToGlobal(QPointF(x, 30)), button,
                         Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(tl, ev)

    checked = 0
    for k, target in enumerate(stops):
        viewer = "control" if k < len(stops) // 2 else "ukraine"
        if page.viewer() != viewer:
            assert page.set_viewer(viewer)
        # a drag there from where the cursor is, in a few moves, each followed by one run
        # of the event loop (the views follow each move and the windows repaint in part)
        a, b = tl._x(m.cursor), tl._x(target)
        send(QEvent.Type.MouseButtonPress, a)
        QApplication.processEvents()
        for j in range(1, 5):
            send(QEvent.Type.MouseMove, a + (b - a) * j / 4)
            QApplication.processEvents()
        send(QEvent.Type.MouseButtonRelease, b)
        for _ in range(10):  # the layouts a move posts (an axis that changed height) take
            QApplication.processEvents()  # a few runs of the event loop
        n = m.cursor
        assert n == tl.seq_at(b)
        # on screen: what a full paint draws (a strip repainted too narrow would show)
        for w in (page.event_log.table.viewport(), page.chart.plot.viewport(), tl,
                  projector.chart.plot.viewport(), projector.network.view.viewport(),
                  projector.feed.viewport(), projector.agreements.viewport()):
            assert _on_screen_equals_a_full_paint(w), (n, type(w.parent()).__name__)
        # every view: what one built afresh at the same cursor shows
        got = _texts(page, projector)
        fresh, fresh_projector, session = _fresh(path, n, viewer, qtbot)
        try:
            expect = _texts(fresh, fresh_projector)
        finally:
            fresh_projector.close()
            fresh.set_replay(None)
            session.close()
        for key in expect:
            assert got[key] == expect[key], (n, viewer, key)
        checked += 1
    assert checked == len(stops)
    assert messages == []


@pytest.mark.parametrize("broken", ["network", "agreements"])
def test_the_comparison_catches_a_view_left_behind(window, qtbot, tmp_path, messages,
                                                   broken, monkeypatch):
    """The check above can fail: a network that never restyles, or a projector that keeps
    its first list of agreements, differs from views built afresh after a drag."""
    path = _played_with_undos(tmp_path / "poi.peacetable")
    assert window.trainer.open_replay(path)
    page = window.trainer.page
    projector = window.show_projector()
    qtbot.addWidget(projector)
    m = page.model
    page.seek(0)
    if broken == "network":
        monkeypatch.setattr(type(page.network), "follow", lambda self: None)
    else:
        monkeypatch.setattr(type(projector), "_show_agreements", lambda self, view: None)
    page.seek(m.last)
    got = _texts(page, projector)
    fresh, fresh_projector, session = _fresh(path, m.last, "control", qtbot)
    try:
        expect = _texts(fresh, fresh_projector)
    finally:
        fresh_projector.close()
        fresh.set_replay(None)
        session.close()
    if broken == "network":
        assert got["network"] != expect["network"]
    else:
        assert got["projector"]["agreements"] != expect["projector"]["agreements"]


def _undone_rows_on_screen(table) -> int:
    model, vp = table.model(), table.viewport()
    top, bottom = table.rowAt(0), table.rowAt(vp.height() - 1)
    if top < 0:
        return 0
    bottom = model.rowCount() - 1 if bottom < 0 else bottom
    return sum(1 for r in range(top, bottom + 1) if model.row_look(r)[1])


def test_the_log_paints_its_rows_as_qt_does(window, qtbot, tmp_path, messages, monkeypatch):
    """In replay the event log paints its rows itself, in one pass: the same pixels as
    Qt's item painting, with undone rows (grey, struck through) on screen, as control and
    as a role, with the long texts elided; a selected row is left to Qt."""
    path = _played_with_undos(tmp_path / "poi.peacetable")
    assert window.trainer.open_replay(path)
    page = window.trainer.page
    window.resize(1400, 900)
    table = page.event_log.table
    assert table.plain_rows
    m = page.model
    plain_paints = []
    real = type(table)._paint_plain

    def counted(self, event, model):
        done = real(self, event, model)
        plain_paints.append(done)
        return done

    monkeypatch.setattr(type(table), "_paint_plain", counted)

    def same_as_qt(label) -> None:
        QApplication.processEvents()
        plain = table.viewport().grab().toImage()
        table.plain_rows = False
        qt = table.viewport().grab().toImage()
        table.plain_rows = True
        assert plain == qt, label

    undone_seen = 0
    for viewer in ("control", "ukraine"):
        assert page.set_viewer(viewer)
        for n in (m.last, m.last - 1, m.last - 3, m.last // 2, 2, 0):
            page.seek(n)
            same_as_qt((viewer, n))
            undone_seen += _undone_rows_on_screen(table)
    assert undone_seen > 0  # struck-through rows were compared
    assert plain_paints.count(True) >= 10
    page.seek(m.last)
    header = table.horizontalHeader()
    header.setSectionResizeMode(3, header.ResizeMode.Interactive)
    header.resizeSection(3, 90)  # every text of the column elided
    same_as_qt("narrow")
    plain_paints.clear()
    table.selectRow(table.rowAt(table.viewport().height() // 2))
    same_as_qt("selected")
    assert plain_paints and not any(plain_paints)  # Qt painted the selected row


def test_the_projector_feed_holds_the_lines_its_pane_shows(window, qtbot, tmp_path, messages,
                                                          monkeypatch):
    """In replay the projector's feed holds the newest public lines at the cursor, as many
    as its pane shows (no scroll bar): every line that a feed of all
    ``REPLAY_FEED_LIMIT`` lines shows in the pane, at two heights of the window; a taller
    pane holds more lines, the same newest ones first."""
    from peacetable.ui import audience

    path = _played_with_undos(tmp_path / "poi.peacetable")
    assert window.trainer.open_replay(path)
    page = window.trainer.page
    projector = window.show_projector()
    qtbot.addWidget(projector)
    feed = projector.feed
    assert feed.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff

    def lines() -> list[str]:
        return [feed.item(k).text() for k in range(feed.count())]

    def shown_by_a_full_feed() -> list[str]:
        with monkeypatch.context() as mp:
            mp.setattr(audience.AudienceWindow, "feed_room",
                       lambda self: audience.REPLAY_FEED_LIMIT)
            projector.follow_cursor()
            QApplication.processEvents()
            assert feed.count() > 3
            shown = [feed.item(k).text() for k in range(feed.count())
                     if feed.visualItemRect(feed.item(k)).top() < feed.viewport().height()]
        projector.follow_cursor()
        QApplication.processEvents()
        return shown

    held = []
    for height in (700, 1060):
        projector.resize(1400, height)
        QApplication.processEvents()
        page.seek(page.model.last)
        QApplication.processEvents()
        before, held = held, lines()
        assert len(held) == projector.feed_room() < audience.REPLAY_FEED_LIMIT
        assert held[:len(before)] == before
        shown = shown_by_a_full_feed()
        assert held[:len(shown)] == shown, (height, len(held), len(shown))
        assert lines() == held
    assert len(held) > len(before)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Kyiv", "America/St_Johns", "Asia/Kolkata",
                                  "Australia/Lord_Howe", "Africa/Monrovia"])
def test_the_logs_local_times_are_the_direct_conversion(zone, monkeypatch):
    """The log's times (worked out once per recorded minute) are what converting each
    time on its own to the local zone gives: across daylight-saving changes, zones half an
    hour or 45 minutes off, one whose offset once had seconds (Monrovia before 1972), with
    and without a zone in the record."""
    import datetime as dt
    import random
    import time

    from peacetable.ui import event_log

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    monkeypatch.setattr(event_log, "_LOCAL_MINUTES", {})
    try:
        rng = random.Random(zone)
        for _ in range(500):
            t = dt.datetime(1960, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
                seconds=rng.randint(0, 2_300_000_000), microseconds=rng.randint(0, 999_999))
            for ts in (t.isoformat(), t.replace(tzinfo=None).isoformat(),
                       t.astimezone(dt.timezone(dt.timedelta(hours=-3, minutes=-30))).isoformat()):
                aware = dt.datetime.fromisoformat(ts)
                if aware.tzinfo is None:
                    aware = aware.replace(tzinfo=dt.UTC)
                assert event_log.local_time(ts) == aware.astimezone().strftime("%H:%M:%S"), ts
    finally:
        monkeypatch.undo()
        time.tzset()


def test_an_overlay_shown_after_a_drag_draws_up_to_the_cursor(window, qtbot, tmp_path,
                                                               messages):
    """A hidden overlay is not redrawn while the cursor moves; shown afterwards, it draws
    its points up to the cursor, as the index does, and the screen shows what a full
    paint draws."""
    path = _played_with_undos(tmp_path / "poi.peacetable")
    assert window.trainer.open_replay(path)
    page = window.trainer.page
    window.resize(1400, 900)
    chart = page.chart
    m = page.model
    for n in (m.last, m.last // 3, m.last // 2):
        page.seek(n)
        QApplication.processEvents()
    vid = next(iter(chart.var_curves))
    curve = chart.var_curves[vid].curve
    assert not curve.isVisible()
    chart.set_variable_visible(vid, True)
    for _ in range(5):
        QApplication.processEvents()
    assert curve.isVisible() and curve.shown == chart.index_curve.curve.shown is not None
    assert _on_screen_equals_a_full_paint(chart.plot.viewport())
    page.seek(m.last // 4)
    QApplication.processEvents()
    assert curve.shown == chart.index_curve.curve.shown
    assert _on_screen_equals_a_full_paint(chart.plot.viewport())
