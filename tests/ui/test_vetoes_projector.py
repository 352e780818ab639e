"""The projector and the console tables with a veto and declared postures (Highland Talks
script): a posture is told apart from an agreement, in the room's words; a control-only
block shows as a block, never what made it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest

from peacetable.app.script import ScriptRunner, read_script
from peacetable.app.session import Session
from peacetable.ui.audience import AudienceWindow
from peacetable.ui.tables import AgreementTableModel, IssueTableModel
from peacetable.ui.widgets_common import visible_texts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TOML = FIXTURES / "highland-talks.toml"
SCRIPT = FIXTURES / "highland-talks.moves.jsonl"


@pytest.fixture
def played(tmp_path):
    s = Session.create(TOML, tmp_path / "h.peacetable", seed=3)
    ScriptRunner(s, str(SCRIPT)).run(read_script(SCRIPT))
    yield s
    s.close()


def test_the_projector_names_a_declaration_and_a_veto_in_the_rooms_words(qtbot, played):
    w = AudienceWindow()
    qtbot.addWidget(w)
    w.set_session(played)
    w.show()
    listed = [w.agreements.item(k).text() for k in range(w.agreements.count())]
    assert ("Government of Arvel declared: Amnesty: Amnesty for those who testify\n"
            "(no agreement)") in listed
    feed = [w.feed.item(k).text() for k in range(w.feed.count())]
    assert any(line.endswith("Kessmark blocks: Self-rule for the highlands: A federal region")
               for line in feed), feed
    assert any(line.startswith("News: The arms cache is handed over — Block lifted: Disarmament\n")
               for line in feed), feed
    assert any("Government of Arvel declared: Amnesty: Amnesty for those who testify" in line
               for line in feed), feed
    text = "\n".join(visible_texts(w))
    assert "Arms cache found" not in text  # the control-only freeze: never on the projector
    assert "Joint commission" not in "\n".join(listed)  # the private decree neither


def test_the_console_tables_show_declared_and_superseded(played):
    view = played.view("control")
    issues = {r["id"]: r for r in IssueTableModel().rows(played, view)}
    assert issues["amnesty"]["cells"][1:3] == ["declared", "Amnesty for those who testify"]
    assert issues["amnesty"]["cells"][4] == "declared by Government of Arvel, without an agreement"
    rows = AgreementTableModel().rows(played, view)
    assert {r["cells"][3] for r in rows} == {"in force"}


def test_control_blocks_and_declares_on_the_spot_from_the_inject_dialog(
        driver, messages, new_session, tmp_path, river_path):
    s = new_session(river_path, tmp_path / "r.peacetable")
    driver.apply({"cmd": "advance"})

    def fire(title: str, act: str, issue: str, option, by) -> None:
        driver.click(driver.c.msel.new_button)
        dlg = driver.c.msel.dialog
        dlg.title_edit.setText(title)
        dlg.synopsis_edit.setPlainText(title + ".")
        driver.pick(dlg.act_combo, act)
        driver.pick(dlg.act_issue_combo, issue)
        driver.pick(dlg.act_option_combo, option)
        driver.pick(dlg.act_by_combo, by)
        driver.click(dlg.fire_button)

    fire("Upland vetoes a high release", "blocked", "release", "high", "upland")
    assert [(h.issue, h.option, h.by) for h in s.state.holds] == [("release", "high", "upland")]
    assert s.describe(s.events[-1]).endswith("— Upland blocks: Water release: High release")
    # a declaration needs a team: refused with the engine's words, nothing written
    before = s.store.last_seq
    fire("A posture from nowhere", "declare", "monitoring", "joint", None)
    assert s.store.last_seq == before
    assert "names the role that declares it" in messages[-1]["text"]
    driver.c.msel.dialog.reject()
    fire("Lowland sets up a commission", "declare", "monitoring", "joint", "lowland")
    assert s.view("audience")["issues"]["monitoring"]["status"] == "declared"
    # the whole issue is not offered for a declaration
    driver.click(driver.c.msel.new_button)
    dlg = driver.c.msel.dialog
    driver.pick(dlg.act_combo, "declare")
    assert dlg.act_option_combo.findData(None) < 0
    dlg.reject()
