"""The role panel: one team's brief and what the packages in play are worth to it."""

from __future__ import annotations

from peacetable.domain import commands as C
from peacetable.ui.bridge import SessionBridge
from peacetable.ui.role_panel import RolePanel


def test_role_panel_values_packages_and_flags_bad_deals(qtbot, river_session):
    s = river_session
    bridge = SessionBridge()
    panel = RolePanel(bridge)
    qtbot.addWidget(panel)
    bridge.set_session(s)
    s.execute(C.Advance())
    # Upland's dream package: low release, no monitoring -> worse than no deal for Lowland
    p = s.execute(C.SubmitMove(role="upland", template="propose",
                               package={"release": "low", "monitoring": "none"}))[0].seq
    s.execute(C.Adjudicate(move=p, decision="accept"))
    panel.select_role("lowland")
    panel.refresh()
    rows = panel.values._rows
    assert [r["id"] for r in rows] == [p]
    # Lowland: 0.7*0.0 + 0.3*0.0 = 0.0 against a BATNA of 0.3
    assert rows[0]["cells"][3] == "0.00" and rows[0]["worse"]
    assert "worse than no deal" in rows[0]["cells"][4]
    assert "1 package(s) in play are worse than no deal" in panel.summary.text()
    assert "LOWLAND-SECRET" in panel.brief.toPlainText()
    assert "UPLAND-SECRET" not in panel.brief.toPlainText()
    panel.select_role("upland")
    panel.refresh()
    rows = panel.values._rows
    assert rows[0]["cells"][3] == "1.00" and not rows[0]["worse"]
    assert "UPLAND-SECRET" in panel.brief.toPlainText()


def test_role_panel_bargain_with_shows_what_two_roles_would_agree(qtbot, tmp_path):
    """Control picks a second role: the panel shows the analysis among those two only (the
    same lines as ``analyze --parties``), in labels; viewing as one role it is not offered."""
    from pathlib import Path

    from peacetable.app.session import Session

    path = Path(__file__).resolve().parents[2] / "scenarios" / "peace-of-inches.toml"
    s = Session.create(path, tmp_path / "p.peacetable", seed=1)
    bridge = SessionBridge()
    panel = RolePanel(bridge)
    qtbot.addWidget(panel)
    bridge.set_session(s)
    panel.select_role("us")
    panel.refresh()
    assert panel.partner_combo.currentData() is None
    assert "Choose a role" in panel.pair_text.toPlainText()
    panel.partner_combo.setCurrentIndex(panel.partner_combo.findData("russia"))
    text = panel.pair_text.toPlainText()
    assert "Bargaining among United States, Russian Federation only" in text
    assert "US–Russia arms-control track: Strategic-stability talks" in text
    assert "WORSE THAN NO DEAL for Ukraine" in text
    assert "arms_control" not in text
    panel.select_role("ukraine")
    panel.refresh()
    assert panel.partner_combo.findData("ukraine") < 0
    s.close()
