"""The start page through the real window: exercise cards with one-click New session (saved
in the documents folder), recent sessions with title, phase reached and date, a demo played
live and stoppable, and Help → Facilitator guide."""

from __future__ import annotations

import datetime as _dt
import os
import re
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = Path(os.environ["XDG_CONFIG_HOME"]).parent / "documents"


def _filled(window, qtbot):
    page = window.welcome
    assert window.pages.currentWidget() is page
    qtbot.waitUntil(lambda: bool(page.cards))
    return page


def test_exercise_cards_show_summary_roles_and_length_and_start_a_session_in_one_click(
        window, qtbot):
    page = _filled(window, qtbot)
    bundled = sorted((ROOT / "scenarios").glob("*.toml"))
    assert [c.exercise.path for c in page.cards] == bundled
    poi = next(c for c in page.cards if c.exercise.path.name == "peace-of-inches.toml")
    sc = load_scenario(poi.exercise.path).scenario
    facts = poi.facts.text()
    assert "3 h planned" in facts and f"{len(sc.phases)} phases" in facts
    for role in sc.roles:
        if role.is_player:
            assert role.name in facts
    assert sc.scenario.summary[:40] in "".join(
        w.text() for w in poi.findChildren(type(poi.facts)))

    qtbot.mouseClick(poi.new_button, Qt.MouseButton.LeftButton)
    session = window.session
    assert session is not None and window.pages.currentWidget() is window.console
    assert session.path.parent == DOCUMENTS / "PeaceTable"
    assert session.path.name.startswith("peace-of-inches-")
    assert session.loaded.scenario.scenario.id == sc.scenario.id


def test_new_session_dialog_suggests_the_documents_folder(window, qtbot):
    window.new_action.trigger()
    dlg = window.new_dialog
    dlg.scenario_edit.setText(str(ROOT / "scenarios" / "peace-of-inches.toml"))
    dlg.scenario_edit.editingFinished.emit()
    assert Path(dlg.session_edit.text()).parent == DOCUMENTS / "PeaceTable"
    dlg.reject()


def test_recent_sessions_show_run_title_phase_reached_and_date(window, qtbot, tmp_path,
                                                               river_path):
    started = tmp_path / "started.peacetable"
    s = Session.create(river_path, started, seed=1, title="Tuesday seminar")
    s.execute(C.Advance())
    s.execute(C.Advance())
    s.execute(C.Undo())  # back in phase 1: the undone phase start does not count
    s.close()
    fresh = tmp_path / "fresh.peacetable"
    Session.create(river_path, fresh, seed=1).close()
    broken = tmp_path / "broken.peacetable"
    broken.write_text("not a session")
    window._set_recent([str(started), str(fresh), str(broken)])
    page = _filled(window, qtbot)
    texts = [page.recent_list.item(k).text() for k in range(page.recent_list.count())]
    today = _dt.date.today().isoformat()
    assert texts[0].startswith("Tuesday seminar") and "Phase 1 of 3: Talks" in texts[0]
    assert today in texts[0]
    assert "River Accord" in texts[1] and "Not started" in texts[1]
    assert "broken.peacetable" in texts[2] and "cannot be read" in texts[2]
    page.recent_list.itemActivated.emit(page.recent_list.item(0))
    assert window.session is not None and window.session.path == started


def test_run_demo_plays_the_bundled_script_live_and_stops(window, qtbot):
    page = _filled(window, qtbot)
    card = next(c for c in page.cards if c.exercise.path.name == "peace-of-inches.toml")
    qtbot.mouseClick(card.demo_button, Qt.MouseButton.LeftButton)
    demo = page.demo
    session = window.session
    assert demo is not None and demo.running and session.path.parent == DOCUMENTS / "PeaceTable"
    assert session.store.last_seq == 1  # nothing played yet: the first step waits its turn
    assert demo.stop_button.isVisible()
    demo.timer.setInterval(5)
    qtbot.waitUntil(lambda: demo.position >= 6)
    assert session.store.last_seq > 1
    qtbot.mouseClick(demo.stop_button, Qt.MouseButton.LeftButton)
    assert not demo.running and not demo.stop_button.isVisible()
    played = session.store.last_seq
    qtbot.wait(50)
    assert session.store.last_seq == played  # stopped: nothing more is applied


def test_demo_stops_when_the_session_is_closed(window, qtbot):
    page = _filled(window, qtbot)
    qtbot.mouseClick(page.cards[0].demo_button, Qt.MouseButton.LeftButton)
    demo = page.demo
    window.close_session()
    assert not demo.running


def test_help_opens_the_facilitator_guide(window, qtbot):
    window.guide_action.trigger()
    dlg = window.guide_dialog
    assert dlg.isVisible()
    text = dlg.browser.toPlainText()
    assert "Facilitator guide" in text and "hot wash" in text.lower()
    assert "![" not in text  # the screenshots are images, not Markdown source
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)",
                        (ROOT / "docs" / "facilitator-guide.md").read_text(encoding="utf-8"))
    assert len(images) >= 4
    for name in images:
        image = dlg.browser.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl(name))
        assert image is not None and not QImage.fromData(image).isNull(), name
    assert "#" not in text.splitlines()[0]  # rendered as Markdown, not shown as source
    dlg.close()
