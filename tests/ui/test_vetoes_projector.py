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
