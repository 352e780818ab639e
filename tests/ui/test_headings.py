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
