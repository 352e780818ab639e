"""AudienceWindow (the projector): shows the public picture and never anything private.

Every text of every widget is collected (labels, list items, text documents, tooltips,
window titles, every text item of every graphics scene, pyqtgraph plots included) and
checked against the private material of the session: each role's private brief (whole,
its marker and overlapping word runs of it), objectives, red lines and no-deal notes, the
rationale and reasons of every event the audience may not see (private-channel moves,
sealed moves before their reveal, private adjudications), control notes, targeted and
control-only injects, and the description of every such event.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
from pathlib import Path

import pytest

from peacetable.app.script import ScriptLine, ScriptRunner, read_script
from peacetable.app.session import Session
from peacetable.domain.events import MoveSubmitted, to_builtins
from peacetable.domain.views import describe_for_room, visible_events
from peacetable.ui.audience import AudienceWindow
from peacetable.ui.widgets_common import visible_texts

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scenarios").glob("*.toml"))

# River fixture: public and private moves, a private conditional offer, a private rejection
# with a reason, a targeted inject, an agreement, notes, a sealed round (checked before and
# after the reveal), clock pause/resume, undo and redo.
BEFORE_REVEAL = [
    {"cmd": "advance"},
    {"cmd": "note", "text": "CONTROL-NOTE-ALPHA: Lowland is bluffing, push them"},
    {"cmd": "move", "role": "upland", "template": "statement", "rationale": "public reasoning"},
    {"cmd": "adjudicate", "move": "last", "decision": "accept"},
    {"cmd": "move", "role": "upland", "template": "open_sluices", "to": ["lowland"],
     "rationale": "PRIVATE-RATIONALE-SLUICES: we get paid later", "label": "sl"},
    {"cmd": "adjudicate", "move": "@sl", "decision": "accept",
     "reason": "PRIVATE-ADJUDICATION-REASON: offer noted"},
    {"cmd": "move", "role": "lowland", "template": "mass_troops", "magnitude": 2, "label": "mt"},
    {"cmd": "adjudicate", "move": "@mt", "decision": "accept"},
    {"cmd": "move", "role": "upland", "template": "statement", "channel": "private",
     "to": ["midland"], "rationale": "PRIVATE-RATIONALE-MIDLAND: canal money"},
    {"cmd": "adjudicate", "move": "last", "decision": "reject",
     "reason": "PRIVATE-REJECT-REASON: not credible"},
    {"cmd": "inject", "id": "flash_flood"},
    {"cmd": "inject", "id": "leak"},
    {"cmd": "inject", "title": "Control-only rumour", "synopsis": "CONTROL-ONLY-INJECT-SYNOPSIS",
     "visibility": "control"},
    {"cmd": "move", "role": "lowland", "template": "propose",
     "package": {"monitoring": "joint", "release": "medium"}, "label": "p"},
    {"cmd": "adjudicate", "move": "@p", "decision": "accept"},
    {"cmd": "move", "role": "upland", "template": "accept", "target": "@p", "label": "acc"},
    {"cmd": "adjudicate", "move": "@acc", "decision": "accept"},
    {"cmd": "note", "text": "CONTROL-NOTE-BETA: agreement reached"},
    {"cmd": "advance"},
    {"cmd": "move", "role": "lowland", "template": "pull_back", "magnitude": 2,
     "rationale": "SEALED-RATIONALE-PULLBACK", "label": "pb"},
    {"cmd": "move", "role": "upland", "template": "statement",
     "rationale": "SEALED-RATIONALE-UPLAND", "label": "su"},
    {"cmd": "pause"},
    {"cmd": "resume"},
]
AFTER_REVEAL = [
    {"cmd": "reveal"},
    {"cmd": "adjudicate", "move": "@pb", "decision": "accept"},
    {"cmd": "advance"},
    {"cmd": "move", "role": "midland", "template": "statement", "channel": "private",
     "to": ["upland", "lowland"], "rationale": "PRIVATE-MIDLAND-RATIONALE", "label": "mp"},
    {"cmd": "undo"},
    {"cmd": "redo"},
    {"cmd": "adjudicate", "move": "@mp", "decision": "accept"},
    {"cmd": "note", "text": "CONTROL-NOTE-GAMMA: end"},
]


class Player:
    def __init__(self, session: Session):
        self.runner = ScriptRunner(session)
        self.n = 0

    def play(self, lines) -> None:
        for data in lines:
            self.n += 1
            self.runner.apply(ScriptLine(self.n, data))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _shingles(text: str, n: int) -> set[str]:
    words = _norm(text).split(" ")
    if len(words) <= n:
        return {" ".join(words)} if words and words != [""] else set()
    return {" ".join(words[k:k + n]) for k in range(len(words) - n + 1)}


def private_material(session: Session, run: int) -> set[str]:
    """Texts the audience must never see (see the module docstring)."""
    sc = session.scenario
    out: set[str] = set()
    for role in sc.roles:
        if role.private_brief.strip():
            out.add(_norm(role.private_brief))
            out |= _shingles(role.private_brief, run)
            out |= set(re.findall(r"\b[A-Z]+-SECRET\b", role.private_brief))
        for t in (*role.objectives, *role.red_lines, role.batna_description):
            if len(t.strip()) >= 12:
                out.add(_norm(t))
    public_lines = {session.describe(ev) for ev in visible_events(session.events, "audience")}
    for ev in session.events:
        b = ev.body
        if getattr(b, "expected_action", ""):
            out.add(_norm(b.expected_action))  # guidance for control, never projected
        if ev.visibility.allows("audience"):
            continue
        for field in ("rationale", "reason", "text", "synopsis"):
            value = getattr(b, field, "") or ""
            if len(value.strip()) >= 8:
                out.add(_norm(value))
        line = session.describe(ev)
        if line not in public_lines:
            out.add(_norm(line))
    return {t for t in out if t}


def leaks(window: AudienceWindow, forbidden: set[str]) -> list[tuple[str, str]]:
    texts = visible_texts(window)
    blob = "\n".join(_norm(t) for t in texts)
    # HTML documents escape text: compare the unescaped form as well
    import html

    blob += "\n" + html.unescape(blob)
    found = []
    for f in sorted(forbidden):
        if f in blob:
            k = blob.index(f)
            found.append((f, blob[max(0, k - 60): k + len(f) + 60]))
    return found


def every_issue_selected(window: AudienceWindow, forbidden: set[str]) -> None:
    for iid in window.network.nodes:
        window.network.select_issue(iid)
        assert not leaks(window, forbidden), iid
        assert "preference" not in window.network.details.toPlainText().lower()


@pytest.fixture
def projector(qtbot, river_session):
    w = AudienceWindow()
    qtbot.addWidget(w)
    w.set_session(river_session)
    river_session.subscribe(w.on_change)
    w.show()
    return w


def test_river_script_never_leaks_private_material(qtbot, projector, river_session):
    p = Player(river_session)
    p.play(BEFORE_REVEAL)
    projector.chart.flush()
    forbidden = private_material(river_session, run=6)
    # the markers from the fixture are among the forbidden strings
    assert {"UPLAND-SECRET", "LOWLAND-SECRET", "MIDLAND-SECRET", "CONTROL-SECRET"} <= forbidden
    assert "SEALED-RATIONALE-PULLBACK" in forbidden
    assert not leaks(projector, forbidden)
    # sealed moves before their reveal: not even which moves they are
    texts = "\n".join(visible_texts(projector))
    assert "Pull troops back" not in texts
    assert "2 sealed moves waiting to be revealed" in projector.sealed_label.text()
    every_issue_selected(projector, forbidden)

    p.play(AFTER_REVEAL)
    projector.chart.flush()
    forbidden = private_material(river_session, run=6)
    assert "PRIVATE-MIDLAND-RATIONALE" in forbidden
    assert not leaks(projector, forbidden)
    every_issue_selected(projector, forbidden)
    # after the reveal the room learns the public sealed moves (still open ones named)
    assert not projector.sealed_label.isVisible()


def test_shows_the_public_picture(qtbot, projector, river_session, river):
    p = Player(river_session)
    p.play(BEFORE_REVEAL[:18])
    view = river_session.view("audience")
    assert projector.phase_title.text() == view["phase"]["label"] == "Talks"
    assert projector.phase_kicker.text().startswith(f"PHASE 1 OF {len(river.phases)}")
    assert projector.index_value.text() == f"{view['escalation']['index']:.1f}"
    assert projector.rung_label.text() == view["escalation"]["rung_label"]
    assert "River Accord" in projector.windowTitle()
    # the public agreement in force, with its options' labels and parties
    agreements = [projector.agreements.item(k).text() for k in range(projector.agreements.count())]
    assert len(agreements) == 1
    assert "Monitoring: Joint commission" in agreements[0]
    assert "Water release: Medium release" in agreements[0]
    assert "Lowland" in agreements[0] and "Upland" in agreements[0]
    # the feed: exactly the public events, newest first
    feed = [projector.feed.item(k).text() for k in range(projector.feed.count())]
    public = [ev for ev in visible_events(river_session.effective_events(), "audience")
              if ev.type != "session_started"]
    assert len(feed) == len(public)
    by_seq = {e.seq: e for e in river_session.events}
    assert feed[0].startswith(describe_for_room(river, public[-1], by_seq))
    assert any("Flash flood" in line and "A storm fills the reservoir" in line for line in feed)
    # the chart and the network are the audience variants
    assert projector.chart.viewer == "audience" and projector.network.viewer == "audience"
    for iid, rec in view["issues"].items():
        from PySide6.QtGui import QColor

        from peacetable.ui.widgets_common import STATUS_STYLE

        assert projector.network.node_colour(iid) == QColor(STATUS_STYLE[rec["status"]][0]).name()


def test_private_agreement_stays_off_the_projector(qtbot, projector, river_session):
    p = Player(river_session)
    p.play([
        {"cmd": "advance"},
        {"cmd": "move", "role": "lowland", "template": "propose", "channel": "private",
         "to": ["upland"], "package": {"monitoring": "international"}, "label": "pp",
         "rationale": "BACKCHANNEL-OFFER"},
        {"cmd": "adjudicate", "move": "@pp", "decision": "accept"},
        {"cmd": "move", "role": "upland", "template": "accept", "target": "@pp",
         "channel": "private", "to": ["lowland"], "label": "pa"},
        {"cmd": "adjudicate", "move": "@pa", "decision": "accept"},
    ])
    assert river_session.view("control")["issues"]["monitoring"]["status"] == "agreed"
    assert river_session.view("audience")["issues"]["monitoring"]["status"] == "open"
    assert projector.agreements.item(0).text() == "No public agreement yet"
    assert "Agreed" not in projector.network.nodes["monitoring"].status.toPlainText()
    assert not leaks(projector, private_material(river_session, run=6))


def test_undo_rebuilds_the_feed(qtbot, projector, river_session):
    p = Player(river_session)
    p.play([{"cmd": "advance"},
            {"cmd": "move", "role": "upland", "template": "statement", "label": "s"}])
    assert any("Upland: Public statement" in projector.feed.item(k).text()
               for k in range(projector.feed.count()))
    p.play([{"cmd": "undo"}])
    assert not any("Upland: Public statement" in projector.feed.item(k).text()
                   for k in range(projector.feed.count()))
    p.play([{"cmd": "redo"}])
    assert any("Upland: Public statement" in projector.feed.item(k).text()
               for k in range(projector.feed.count()))


def test_set_session_none_blanks(qtbot, projector, river_session):
    Player(river_session).play(BEFORE_REVEAL[:5])
    projector.set_session(None)
    assert projector.feed.count() == 0 and projector.agreements.count() == 0
    assert projector.phase_title.text() == "No session"
    assert projector.windowTitle() == "PeaceTable — Projector"


@pytest.mark.parametrize("toml", BUNDLED, ids=lambda p: p.stem)
def test_bundled_exercise_never_leaks(qtbot, tmp_path, toml):
    moves = toml.with_suffix("").with_suffix(".moves.jsonl")
    if not moves.exists():
        pytest.skip(f"no {moves.name} yet")
    s = Session.create(toml, tmp_path / "b.peacetable", seed=5)
    try:
        w = AudienceWindow()
        qtbot.addWidget(w)
        w.set_session(s)
        s.subscribe(w.on_change)
        w.show()
        lines = list(read_script(moves))
        runner = ScriptRunner(s, str(moves))
        forbidden_checks = 0
        for k, sl in enumerate(lines):
            runner.apply(sl)
            # check mid-exercise too: whenever a sealed move is waiting, and every 25 lines
            sealed = any(isinstance(ev.body, MoveSubmitted) and ev.body.sealed
                         for ev in s.events[-3:])
            if sealed or k % 25 == 0:
                w.chart.flush()
                assert not leaks(w, private_material(s, run=8)), f"after line {sl.line}"
                forbidden_checks += 1
        w.chart.flush()
        forbidden = private_material(s, run=8)
        assert any(f for f in forbidden if len(f.split()) >= 8)  # briefs were collected
        assert not leaks(w, forbidden)
        every_issue_selected(w, forbidden)
        assert forbidden_checks >= 2
    finally:
        s.close()


def test_leak_check_finds_planted_private_text(qtbot, projector, river_session, river):
    """The checker itself: private text planted in a label, a tooltip, a list item or a
    graphics text item of a plot is found."""
    from PySide6.QtWidgets import QLabel, QListWidgetItem

    Player(river_session).play(BEFORE_REVEAL)
    forbidden = private_material(river_session, run=6)
    brief = river.role_by_id["lowland"].private_brief
    middle = " ".join(brief.split()[2:9])  # a run of words from inside the brief
    plants = [
        lambda: QLabel(f"x {middle} y", projector.centralWidget()),
        lambda: projector.index_caption.setToolTip("LOWLAND-SECRET"),
        lambda: projector.feed.addItem(QListWidgetItem("note: CONTROL-NOTE-BETA: agreement reached")),
        lambda: projector.chart.plot.getPlotItem().setTitle("SEALED-RATIONALE-UPLAND"),
        lambda: projector.network.scene.addText("PRIVATE-RATIONALE-SLUICES: we get paid later"),
    ]
    assert not leaks(projector, forbidden)
    found = 0
    for plant in plants:
        plant()
        now = len(leaks(projector, forbidden))
        assert now > found
        found = now


def test_feed_speaks_the_rooms_language(qtbot, projector, river_session):
    """What was said, what was accepted in labels, the ruling's words without control's
    note, a roll's reason and odds; no move numbers, no engine wording, nothing of a
    private proposal."""
    p = Player(river_session)
    p.play([
        {"cmd": "advance"},
        {"cmd": "move", "role": "upland", "template": "statement",
         "rationale": "We will not let the valley flood again"},
        {"cmd": "adjudicate", "move": "last", "decision": "accept",
         "reason": "The statement stands", "note": "CONTROL-ONLY-NOTE: they are bluffing"},
        {"cmd": "move", "role": "lowland", "template": "propose",
         "package": {"monitoring": "joint"}, "label": "p"},
        {"cmd": "adjudicate", "move": "@p", "decision": "accept"},
        {"cmd": "move", "role": "upland", "template": "accept", "target": "@p", "label": "a"},
        {"cmd": "adjudicate", "move": "@a", "decision": "accept"},
        {"cmd": "move", "role": "lowland", "template": "propose", "channel": "private",
         "to": ["upland"], "package": {"release": "high"}, "label": "pp"},
        {"cmd": "adjudicate", "move": "@pp", "decision": "accept"},
        {"cmd": "move", "role": "upland", "template": "accept", "target": "@pp",
         "label": "pa"},
        {"cmd": "move", "role": "lowland", "template": "mass_troops", "label": "mt"},
        {"cmd": "roll", "move": "@mt", "odds": 40, "reason": "the rains slow the columns"},
    ])
    feed = [projector.feed.item(k).text() for k in range(projector.feed.count())]
    blob = "\n".join(feed)
    assert "Upland: “We will not let the valley flood again”" in feed
    assert "Accepted: Upland: Public statement — The statement stands" in feed
    assert "CONTROL-ONLY-NOTE" not in blob
    assert any(line.startswith("Upland: Accept") and
               "the proposal from Lowland: Monitoring: Joint commission" in line
               for line in feed)
    # nothing of the private proposal or its acceptance
    assert "Water release" not in blob and sum(line.startswith("Upland: Accept")
                                               for line in feed) == 1
    assert any(line.startswith("Chance decides Lowland: ")
               and "(the rains slow the columns): 40% odds, drew" in line for line in feed)
    for word in ("proposal 1", "move ", "control accepted", "announced", "->"):
        assert word not in blob, word
    assert not re.search(r"^\d+\s", blob, re.M)
    # control's log keeps the note, in an event of its own that only control sees
    note = next(e for e in river_session.events if e.type == "ruling_note")
    assert note.visibility.scope == "control"
    assert "CONTROL-ONLY-NOTE" in river_session.describe(note)
    ruling = next(e for e in river_session.events if e.type == "move_adjudicated")
    assert "CONTROL-ONLY-NOTE" not in str(to_builtins(ruling.body))
    assert not leaks(projector, private_material(river_session, run=6))


def test_room_sees_the_analysis_only_when_control_chooses(qtbot, tmp_path):
    """Deadlock marks, the network and the variable overlays are control's choice; the
    analysis and the overlays are off by default."""
    from PySide6.QtWidgets import QGraphicsSimpleTextItem

    session = Session.create(ROOT / "scenarios" / "framework-agreement.toml",
                             tmp_path / "f.peacetable", seed=3)
    projector = AudienceWindow()
    qtbot.addWidget(projector)
    projector.set_session(session)
    projector.show()

    def deadlock_shown() -> bool:
        return any(isinstance(it, QGraphicsSimpleTextItem) and it.text() == "DEADLOCK"
                   and it.isVisible() for it in projector.network.scene.items())

    try:
        assert projector.network.facts.deadlocked, "the scenario has a deadlock to hide"
        assert not deadlock_shown()
        assert not any(c.isVisible() for c in projector.chart.var_curves.values())
        projector.set_room_options(analysis=True, overlays=True)
        assert deadlock_shown()
        assert all(c.isVisible() for c in projector.chart.var_curves.values())
        projector.set_room_options(network=False)
        assert not projector.network_pane.isVisible()
        projector.set_room_options(network=True, analysis=False, overlays=False)
        assert projector.network_pane.isVisible() and not deadlock_shown()
        # another session keeps the room's choice
        projector.set_room_options(overlays=True)
        projector.set_session(session)
        assert all(c.isVisible() for c in projector.chart.var_curves.values())
    finally:
        session.close()
