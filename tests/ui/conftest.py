"""Fixtures for the console tests: offscreen Qt, isolated settings, a shown main window,
captured message boxes, and a driver that plays script lines through the widgets.

``QT_QPA_PLATFORM=offscreen`` is set here before anything imports Qt. Every widget a test
creates is registered with ``qtbot.addWidget`` (the main window and the windows it opens),
so pytest-qt closes them after the test.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QEvent, QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402


@pytest.fixture(scope="session")
def qapp_args():
    """The arguments the app itself starts Qt with (the Fusion style)."""
    from peacetable.ui.style import QT_ARGS

    return ["peacetable-tests", *QT_ARGS]


@pytest.fixture(scope="session", autouse=True)
def _configured_app(qapp, tmp_path_factory):
    from peacetable.ui.main import configure_application

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path_factory.mktemp("qsettings")))
    configure_application(qapp)
    return qapp


@pytest.fixture(autouse=True)
def _fresh_settings(tmp_path):
    """Each test starts with empty settings (recent files, geometry, text size)."""
    path = tmp_path / "qsettings"
    path.mkdir()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(path))
    yield


@pytest.fixture
def messages(monkeypatch):
    """Capture every QMessageBox instead of showing it: a list of dicts (icon, title, text).

    Set ``messages.answer = "Open read-only"`` to have the next box click that button (or a
    tuple of button texts: the first button whose text is one of them)."""

    class Seen(list):
        answer: str | tuple[str, ...] | None = None

    seen = Seen()

    def fake_exec(box: QMessageBox) -> int:
        seen.append({"icon": box.icon(), "title": box.windowTitle(), "text": box.text(),
                     "informative": box.informativeText()})
        if seen.answer:
            wanted = (seen.answer,) if isinstance(seen.answer, str) else seen.answer
            for b in box.buttons():
                if b.text() in wanted:
                    b.click()
                    break
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return seen


@pytest.fixture
def window(qtbot, messages):
    from peacetable.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    if w.projector is not None:
        w.projector.close()
        w.projector.deleteLater()
    w.close()
    w.deleteLater()
    # delete now, not at some later event loop: windows left alive slow every later test
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def create_session(window, qtbot, scenario: Path, out: Path, seed: int = 7,
                   teams: dict[str, str] | None = None, title: str = ""):
    """Create a session the way a user does: File > New session, fill in, Create."""
    window.new_action.trigger()
    dlg = window.new_dialog
    assert dlg.isVisible()
    dlg.scenario_edit.setText(str(scenario))
    dlg.scenario_edit.editingFinished.emit()
    assert dlg.loaded is not None, dlg.problem_label.text()
    dlg.session_edit.setText(str(out))
    dlg.seed_spin.setValue(seed)
    if title:
        dlg.title_edit.setText(title)
    for rid, team in (teams or {}).items():
        dlg.team_edits[rid].setText(team)
    qtbot.mouseClick(dlg.create_button, Qt.MouseButton.LeftButton)
    assert window.session is not None and window.session.path == out
    return window.session


# --------------------------------------------------------------------------- the driver


def read_lines(path: Path) -> list[dict[str, Any]]:
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        s = raw.strip()
        if s and not s.startswith(("#", "//")):
            out.append(json.loads(s))
    return out


def first_phases(lines: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """The script lines up to (not including) the advance into phase n + 1."""
    out = []
    advances = 0
    for d in lines:
        if d["cmd"] == "advance":
            advances += 1
            if advances > n:
                break
        out.append(d)
    return out


class UiDriver:
    """Plays script commands by setting the console's widgets and clicking its buttons."""

    def __init__(self, window, qtbot, messages=None):
        self.w = window
        self.qtbot = qtbot
        self.messages = messages if messages is not None else []
        self.labels: dict[str, int] = {}
        self.last_move: int | None = None

    @property
    def c(self):
        return self.w.console

    def click(self, button) -> None:
        assert button.isEnabled(), f"{button.text()!r} is disabled"
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def ref(self, value) -> int:
        if isinstance(value, int):
            return value
        if value == "last":
            return self.last_move
        return self.labels[value[1:]]

    def pick(self, combo, value) -> None:
        k = combo.findData(value)
        assert k >= 0, f"{value!r} is not offered by {combo.objectName() or combo}: " + \
            ", ".join(str(combo.itemData(i)) for i in range(combo.count()))
        combo.setCurrentIndex(k)

    def apply(self, d: dict[str, Any]) -> None:
        handler = getattr(self, "do_" + d["cmd"], None)
        assert handler is not None, f"the driver does not know how to enter {d['cmd']!r}"
        handler(d)

    def do_advance(self, d) -> None:
        """Advance as the line says: undecided moves carried over (or withdrawn), unfired
        injects left unfired; the questions the console asks are answered accordingly and
        not counted as messages."""
        answers = ("Advance anyway",
                   "Withdraw them" if d.get("pending") == "withdraw" else "Carry them over")
        seen = self.messages
        n, before = len(seen), seen.answer
        seen.answer = answers
        try:
            self.click(self.c.phase_bar.advance_button)
        finally:
            seen.answer = before
        asked = [m for m in seen[n:] if m["title"] in ("Injects not fired", "Moves not decided")]
        for m in asked:
            seen.remove(m)

    def do_reveal(self, d) -> None:
        self.click(self.c.phase_bar.reveal_button)

    def do_pause(self, d) -> None:
        assert self.c.phase_bar.clock_button.text() == "Pause clock"
        self.click(self.c.phase_bar.clock_button)

    def do_resume(self, d) -> None:
        assert self.c.phase_bar.clock_button.text() == "Resume clock"
        self.click(self.c.phase_bar.clock_button)

    def do_undo(self, d) -> None:
        self.w.undo.undo_action.trigger()

    def do_redo(self, d) -> None:
        self.w.undo.redo_action.trigger()

    def do_note(self, d) -> None:
        from peacetable.ui.dialogs import NoteDialog

        self.w.note_action.trigger()

        dlg = next(x for x in self.w.findChildren(NoteDialog) if x.isVisible())
        dlg.text_edit.setPlainText(d["text"])
        self.click(dlg.add_button)

    def do_move(self, d) -> None:
        me = self.c.move_entry
        self.pick(me.role_combo, d["role"])
        self.pick(me.template_combo, d["template"])
        me.magnitude_spin.setValue(d.get("magnitude", 1))
        if d.get("channel"):
            self.pick(me.channel_combo, d["channel"])
        for rid, cb in me.recipient_checks.items():
            cb.setChecked(rid in d.get("to", ()))
        if "package" in d:
            me.set_package(d["package"])
        if "parties" in d:
            for rid, cb in me.party_checks.items():
                cb.setChecked(rid in d["parties"])
        if d.get("target") is not None:
            self.pick(me.target_combo, self.ref(d["target"]))
        if d.get("condition") is not None:
            me.condition_editor.set_condition(d["condition"])
        me.rationale_edit.setPlainText(d.get("rationale", ""))
        with self.qtbot.waitSignal(me.submitted, timeout=2000) as blocker:
            self.click(me.submit_button)
        seq = blocker.args[0]
        self.last_move = seq
        if d.get("label"):
            self.labels[d["label"]] = seq

    def _select(self, d) -> None:
        adj = self.c.adjudication
        assert adj.select_move(self.ref(d["move"])), f"move {d['move']} is not in the queue"
        adj.reason_edit.setText(d.get("reason", ""))

    def do_adjudicate(self, d) -> None:
        adj = self.c.adjudication
        self._select(d)
        if d["decision"] == "accept":
            self.click(adj.accept_button)
        elif d["decision"] == "modify":
            adj.modify_spin.setValue(d["magnitude"])
            self.click(adj.modify_button)
        else:
            self.click(adj.reject_button)

    def do_roll(self, d) -> None:
        adj = self.c.adjudication
        self._select(d)
        adj.odds_spin.setValue(d["odds"])
        self.click(adj.roll_button)

    def do_withdraw(self, d) -> None:
        adj = self.c.adjudication
        assert adj.select_in_play(self.ref(d["move"]))
        adj.withdraw_reason.setText(d.get("reason", ""))
        self.click(adj.withdraw_button)

    def do_publish(self, d) -> None:
        panel = self.c.issues
        assert panel.select_agreement(self.ref(d["agreement"]))
        panel.publish_reason.setText(d.get("reason", ""))
        self.click(panel.publish_button)

    def do_inject(self, d) -> None:
        msel = self.c.msel
        if d.get("id"):
            assert msel.select_inject(d["id"]), f"inject {d['id']} is not on the MSEL now"
            self.click(msel.fire_button)
            return
        self.click(msel.new_button)
        dlg = msel.dialog
        dlg.title_edit.setText(d["title"])
        dlg.synopsis_edit.setPlainText(d["synopsis"])
        self.pick(dlg.visibility_combo, d.get("visibility", "public"))
        for rid, cb in dlg.target_checks.items():
            cb.setChecked(rid in d.get("targets", ()))
        dlg.expected_edit.setText(d.get("expected_action", ""))
        for vid, value in (d.get("effects", {}).get("variables") or {}).items():
            dlg.effect_spins[vid].setValue(value)
        self.click(dlg.fire_button)

    def do_record_action(self, d) -> None:
        msel = self.c.msel
        self.pick(msel.fired_combo, d["inject_event"])
        self.pick(msel.action_role_combo, d["role"])
        msel.action_edit.setText(d["text"])
        self.click(msel.record_button)


@pytest.fixture
def driver(window, qtbot, messages):
    return UiDriver(window, qtbot, messages)


@pytest.fixture
def new_session(window, qtbot):
    """``new_session(scenario, out, seed=7, teams=None, title="")`` through the dialog."""
    return lambda scenario, out, **kw: create_session(window, qtbot, scenario, out, **kw)


@pytest.fixture
def script():
    """``script(scenario_toml, phases=None)``: the lines of its ``.moves.jsonl`` (all, or up
    to the advance into phase ``phases + 1``); skips the test if there is no script."""

    def lines(scenario: Path, phases: int | None = None) -> list[dict[str, Any]]:
        path = scenario.with_name(scenario.stem + ".moves.jsonl")
        if not path.exists():
            pytest.skip(f"{path.name} is not there")
        out = read_lines(path)
        return out if phases is None else first_phases(out, phases)

    return lines
