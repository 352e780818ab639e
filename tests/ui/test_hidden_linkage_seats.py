"""A team's seat and the role panel value packages as the team knows the scenario: a
trade-off linkage hidden from the team (Peace of Inches: the quiet channel, known to the US
and Russia only) does not count in what they show it."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from peacetable.app.session import Session
from peacetable.domain.analytics.bargaining import PackageSpace
from peacetable.ui.bridge import SessionBridge
from peacetable.ui.role_panel import RolePanel
from peacetable.ui.seats import SeatView

INCHES = Path(__file__).resolve().parents[2] / "scenarios" / "peace-of-inches.toml"
TRADE = {"arms_control": "stability_talks", "sanctions_tiers": "roll_back_one"}


def _blind(sc, viewer):
    out = sc.model_copy(update={"linkages": tuple(k for k in sc.linkages if k.known_to(viewer))})
    for name in list(out.__dict__):
        if isinstance(getattr(type(out), name, None), cached_property):
            del out.__dict__[name]
    return out


def test_seats_and_role_panel_count_only_known_linkages(qtbot, tmp_path):
    s = Session.create(INCHES, tmp_path / "i.peacetable", seed=2)
    bridge = SessionBridge()
    bridge.set_session(s)
    panel = RolePanel(bridge)
    qtbot.addWidget(panel)
    try:
        full = PackageSpace.from_scenario(s.scenario).evaluate(TRADE)
        for role in ("ukraine", "europe", "china", "us", "russia"):
            seat = SeatView(bridge, role)
            qtbot.addWidget(seat)
            want = PackageSpace.from_scenario(_blind(s.scenario, role)).evaluate(TRADE)[role]
            assert seat._space(s).evaluate(TRADE)[role] == want, role
            bridge.viewer = role
            assert panel.space(s).evaluate(TRADE)[role] == want, role
        # the hidden linkage costs Ukraine in the scenario: control sees it, Ukraine does not
        bridge.viewer = "control"
        assert panel.space(s).evaluate(TRADE)["ukraine"] == full["ukraine"]
        assert full["ukraine"]["utility"] != \
            PackageSpace.from_scenario(s.scenario, "ukraine").evaluate(TRADE)["ukraine"]["utility"]
    finally:
        bridge.set_session(None)
        s.close()
