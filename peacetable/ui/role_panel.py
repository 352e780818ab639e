"""The role panel: one team's brief and what the packages in play are worth to it.

For the control cell only (the console never goes on the projector): a role's public and
private brief, objectives, red lines, no-deal alternative and leverage, and — from the
analytics — that role's utility for every proposal and agreement in play, with a flag
where a package is worse than no deal for it (the first lesson of Minsk: no deal beats a
bad deal).

Everything comes from the bridge: its viewer's view and state (control's, live; in replay
the chosen viewer's at the cursor) through :func:`peacetable.app.replay.role_values`, which
keeps to the proposals and agreements that viewer can see. Viewing as one role offers that
role only; viewing as the audience offers none.

For control, "Bargain with" picks a second role: the panel then shows what the two would
agree between themselves, the others held at their status quo (the same analysis and lines
as ``peacetable analyze --parties``, :func:`peacetable.app.analysis.coalition_text`). It
reads every role's preferences, so it is offered to control only.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .style import DANGER, OK_GREEN, set_cls
from .tables import ViewTableModel, make_view

if TYPE_CHECKING:  # pragma: no cover
    from ..app.session import Session
    from .bridge import SessionBridge

WORSE_BG = "#f6c9c5"


class RoleValueModel(ViewTableModel):
    """Proposals in play and agreements, valued by one role."""

    headers = ("#", "What", "Status", "Value", "Gain over no deal", "Package")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.role: str | None = None
        self.in_play: dict[str, list[dict[str, Any]]] = {"proposals": [], "agreements": []}

    def rows(self, session: Session, view: dict) -> list[dict[str, Any]]:
        sc = session.scenario
        out = []
        if self.role is None:
            return out
        for kind, key in (("proposal", "proposals"), ("agreement", "agreements")):
            for rec in self.in_play[key]:
                v = rec["values"][self.role]
                pkg = "; ".join(f"{sc.issue_by_id[i].label}: {sc.issue_by_id[i].option(o).label}"
                                for i, o in rec["package"].items())
                who = sc.role_by_id[rec["role"]].name
                worse = v["worse_than_batna"]
                ident = rec.get("move", rec.get("agreement"))
                out.append({
                    "id": ident, "worse": worse,
                    "cells": [str(ident), f"{kind} by {who}", rec["status"].replace("_", " "),
                              f"{v['utility']:.2f}", f"{v['gain']:+.2f}"
                              + ("  worse than no deal" if worse else ""), pkg],
                    "bg": WORSE_BG if worse else None,
                    "bar": {3: (max(0.0, min(1.0, v["utility"])), DANGER if worse else OK_GREEN)},
                    "tip": f"{pkg}\nopen issues valued at the no-deal level; completions range "
                           f"{v['worst_completion']:.2f}–{v['best_completion']:.2f}",
                })
        return out


class RolePanel(QWidget):
    def __init__(self, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self._space = None
        self._space_for = None
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Role"))
        self.role_combo = QComboBox()
        self.role_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        top.addWidget(self.role_combo, 1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        top.addWidget(self.summary, 3)
        lay.addLayout(top)
        split = QSplitter()
        self.brief = QTextBrowser()
        self.brief.setOpenLinks(False)
        split.addWidget(self.brief)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        title = QLabel("What the packages in play are worth to this role")
        set_cls(title, "h2")
        rl.addWidget(title)
        self.values = RoleValueModel(self)
        self.value_view = make_view(self.values, 5)
        rl.addWidget(self.value_view)
        pair = QHBoxLayout()
        self.partner_label = QLabel("Bargain with")
        pair.addWidget(self.partner_label)
        self.partner_combo = QComboBox()
        self.partner_combo.setToolTip("What this role and the one chosen would agree between "
                                      "themselves, the other roles held at their status quo")
        self.partner_combo.currentIndexChanged.connect(lambda _i: self._show_pair())
        pair.addWidget(self.partner_combo, 1)
        rl.addLayout(pair)
        self.pair_text = QTextBrowser()
        self.pair_text.setOpenLinks(False)
        rl.addWidget(self.pair_text)
        self._pair_cache: dict[tuple, str] = {}
        split.addWidget(right)
        split.setSizes([420, 680])
        lay.addWidget(split, 1)
        bridge.sessionChanged.connect(self._session_changed)
        bridge.changed.connect(lambda _c: self.refresh())
        self._stale = False
        if hasattr(bridge, "cursorMoved"):  # replay: the page calls follow_cursor()
            bridge.viewerChanged.connect(lambda _v: self._session_changed(bridge.session))
        self._session_changed(bridge.session)

    # ------------------------------------------------------------------ data
    def _session_changed(self, session) -> None:
        self.partner_combo.setProperty("for_role", None)  # viewer or session changed
        self.role_combo.blockSignals(True)
        keep = self.role_combo.currentData()
        self.role_combo.clear()
        viewer = getattr(self.bridge, "viewer", "control")
        if session is not None:
            teams = session.teams
            for r in session.scenario.roles:
                if r.is_player and viewer in ("control", r.id):
                    team = f" — {teams[r.id]}" if r.id in teams else ""
                    self.role_combo.addItem(f"{r.name}{team}", r.id)
        if keep is not None and self.role_combo.findData(keep) >= 0:
            self.role_combo.setCurrentIndex(self.role_combo.findData(keep))
        self.role_combo.blockSignals(False)
        self.refresh()

    def space(self, session):
        """The package space of the session's scenario as the viewer may see it (only the
        linkages it knows of count; built once per session and viewer)."""
        viewer = getattr(self.bridge, "viewer", "control")
        if self._space_for != (session, viewer):
            from ..domain.analytics.bargaining import PackageSpace

            self._space = PackageSpace.from_scenario(session.scenario, viewer)
            self._space_for = (session, viewer)
        return self._space

    def follow_cursor(self, force: bool = False) -> None:
        """Replay: the cursor moved. Shown, the panel refreshes now; hidden, when shown
        (its analytics are the heaviest of the views)."""
        if force or self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def select_role(self, role_id: str) -> None:
        k = self.role_combo.findData(role_id)
        if k >= 0:
            self.role_combo.setCurrentIndex(k)

    def _fill_partners(self, session, role_id: str | None) -> None:
        """Control only: the other player roles this role could bargain with."""
        keep = self.partner_combo.currentData()
        self.partner_combo.blockSignals(True)
        self.partner_combo.clear()
        control = getattr(self.bridge, "viewer", "control") == "control"
        if session is not None and role_id is not None and control:
            self.partner_combo.addItem("nobody (all roles, above)", None)
            for r in session.scenario.roles:
                if r.is_player and r.id != role_id:
                    self.partner_combo.addItem(r.name, r.id)
            k = self.partner_combo.findData(keep) if keep is not None else -1
            self.partner_combo.setCurrentIndex(max(0, k))
        for w in (self.partner_label, self.partner_combo, self.pair_text):
            w.setVisible(control and role_id is not None)
        self.partner_combo.blockSignals(False)
        self._show_pair()

    def _show_pair(self) -> None:
        s = self.bridge.session
        role_id = self.role_combo.currentData()
        partner = self.partner_combo.currentData()
        if s is None or role_id is None or partner is None:
            self.pair_text.setPlainText("Choose a role to see what these two would agree "
                                        "between themselves." if role_id else "")
            return
        key = (id(s.scenario), role_id, partner)
        if key not in self._pair_cache:  # depends on the scenario only, not on the cursor
            from ..app.analysis import coalition_text

            self._pair_cache[key] = coalition_text(s.scenario, [role_id, partner])
        self.pair_text.setPlainText(self._pair_cache[key])

    def refresh(self) -> None:
        self._stale = False
        s = self.bridge.session
        role_id = self.role_combo.currentData()
        if s is None or role_id is None:
            self._brief_shown = None
            self.brief.clear()
            self.summary.setText("" if s is None else
                                 "The audience sees no team's brief or values.")
            self.values.update_from(None, None)
            self._fill_partners(s, None)
            return
        if self.partner_combo.property("for_role") != role_id:
            self.partner_combo.setProperty("for_role", role_id)
            self._fill_partners(s, role_id)
        from ..app.replay import role_values

        view = self.bridge.view()
        space = self.space(s)
        got = role_values(space, self.bridge.state(), view, role_id)
        self.values.role = role_id
        self.values.in_play = got["in_play"]
        self.values.update_from(s, view)
        role = s.scenario.role_by_id[role_id]
        now = got["now"]
        worse = [r for r in self.values._rows if r["worse"]]
        colour = DANGER if now["worse_than_batna"] else OK_GREEN
        text = (f"Agreements in force are worth <b style='color:{colour}'>{now['utility']:.2f}</b> "
                f"to {html.escape(role.name)} (no deal: {now['batna']:.2f}); leverage "
                f"{got['leverage']:.0f}.")
        if worse:
            text += (f" <b style='color:{DANGER}'>{len(worse)} package(s) in play are worse than "
                     f"no deal for this role.</b>")
        self.summary.setText(text)
        brief = self._brief_html(s, role_id)
        if brief != getattr(self, "_brief_shown", None):  # the brief is the role's, not the cursor's
            self._brief_shown = brief
            self.brief.setHtml(brief)

    @staticmethod
    def _brief_html(s: Session, role_id: str) -> str:
        r = s.scenario.role_by_id[role_id]
        e = html.escape

        def items(xs) -> str:
            return "<ul>" + "".join(f"<li>{e(x)}</li>" for x in xs) + "</ul>" if xs else "<p>—</p>"

        team = s.teams.get(role_id)
        parts = [f"<h2>{e(r.name)}{' — ' + e(team) if team else ''}</h2>",
                 "<h3>Public brief</h3>", f"<p>{e(r.public_brief)}</p>",
                 "<h3 style='color:#8e1b10'>Private brief — this team and control only</h3>",
                 f"<p>{e(r.private_brief) or '—'}</p>",
                 "<h3>Objectives</h3>", items(r.objectives),
                 "<h3>Red lines</h3>", items(r.red_lines),
                 "<h3>No deal</h3>",
                 f"<p>Value {r.batna:.2f}. {e(r.batna_description)}</p>" if r.batna is not None
                 else "<p>—</p>"]
        return "\n".join(p.replace("\n", "<br>") if p.startswith("<p>") else p for p in parts)
