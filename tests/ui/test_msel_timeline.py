"""The MSEL tab across the whole exercise, through the real widgets: every phase's injects on
one timeline; Delay, Reschedule…, Edit and fire…, Skip each recorded and undoable."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from peacetable.app.session import Session
from peacetable.domain.events import InjectFired, InjectRescheduled, InjectSkipped

ROOT = Path(__file__).resolve().parents[2]


def _open(window, tmp_path, path_of_scenario):
    path = tmp_path / "s.peacetable"
    Session.create(path_of_scenario, path, seed=1).close()
    assert window.open_path(path)
    window.phase_actions.advance.trigger()
    return window.console.msel


def _groups(msel):
    return [msel.tree.topLevelItem(k).text(1) for k in range(msel.tree.topLevelItem(0).treeWidget()
                                                              .topLevelItemCount())]


def test_every_phase_is_on_one_timeline(window, qtbot, tmp_path):
    msel = _open(window, tmp_path, ROOT / "scenarios" / "peace-of-inches.toml")
    sc = window.session.scenario
    groups = _groups(msel)
    for ph in sc.phases:
        if ph.injects:
            assert any(g.startswith(ph.label) for g in groups), ph.label
    assert set(msel._items) >= {i for ph in sc.phases for i in ph.injects}
    assert groups[0].endswith("(now)")


def test_delay_reschedule_edit_skip_are_recorded_and_undoable(window, qtbot, tmp_path,
                                                              river_path):
    msel = _open(window, tmp_path, river_path)
    s = window.session
    assert msel.select_inject("flash_flood")
    qtbot.mouseClick(msel.delay_button, Qt.MouseButton.LeftButton)
    assert isinstance(s.events[-1].body, InjectRescheduled)
    assert msel._items["flash_flood"].text(0) == "15:00"

    assert msel.select_inject("flash_flood")
    dlg = msel.open_reschedule_dialog()
    dlg.phase_combo.setCurrentIndex(dlg.phase_combo.findData("summit"))
    dlg.minute_spin.setValue(3)
    dlg.accept()
    body = s.events[-1].body
    assert (body.phase, body.at_minute) == ("summit", 3.0)
    assert msel._items["flash_flood"].text(3) == "later phase"

    window.undo.undo_action.trigger()  # back to minute 15 of this phase
    assert msel._items["flash_flood"].text(0) == "15:00"

    assert msel.select_inject("flash_flood")
    qtbot.mouseClick(msel.skip_button, Qt.MouseButton.LeftButton)
    assert isinstance(s.events[-1].body, InjectSkipped)
    assert msel._items["flash_flood"].text(3).startswith("skipped")
    assert not msel.fire_button.isEnabled()
    window.undo.undo_action.trigger()

    assert msel.select_inject("flash_flood")
    dlg = msel.open_edit_dialog()
    dlg.title_edit.setText("Storm surge")
    dlg.synopsis_edit.setPlainText("The dam spills over at dawn.")
    dlg.accept()
    body = s.events[-1].body
    assert isinstance(body, InjectFired)
    assert (body.inject, body.title, body.synopsis) == ("flash_flood", "Storm surge",
                                                         "The dam spills over at dawn.")
    assert msel._items["flash_flood"].text(3).startswith("fired")
