"""Replay mode in the window: scrubbing moves every view, view-as shows only what the viewer
could see, notes through the widgets, fork from the window, keys, locked and unwritable
files.

Sessions are played headlessly with the bundled scripts (``Session.create`` +
``ScriptRunner``), closed, and opened for replay through the window.
"""

from __future__ import annotations

import hashlib
import html
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from peacetable.app.script import ScriptRunner, read_script
from peacetable.app.session import Session
from peacetable.domain.events import MovesRevealed
from peacetable.ui.widgets_common import STATUS_STYLE, visible_texts

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted(p for p in (ROOT / "scenarios").glob("*.toml")
                 if p.with_name(p.stem + ".moves.jsonl").exists())
POI = ROOT / "scenarios" / "peace-of-inches.toml"


def played(scenario: Path, out: Path, seed: int = 7) -> Path:
    s = Session.create(scenario, out, seed=seed, teams={})
    try:
        moves = scenario.with_name(scenario.stem + ".moves.jsonl")
        runner = ScriptRunner(s, str(moves))
        for line in read_script(moves):
            runner.apply(line)
    finally:
        s.close()
    return out


def events_digest(path: Path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        h = hashlib.sha256()
        for row in con.execute("SELECT * FROM events ORDER BY seq"):
            h.update(repr(row).encode())
        return h.hexdigest()
    finally:
        con.close()


def open_replay(window, qtbot, path: Path):
    assert window.trainer.open_replay(path)
    page = window.trainer.page
    assert window.pages.currentWidget() is page
    return page


# --------------------------------------------------------------------------- every view


def table_cells(model) -> list[list[str]]:
    return [[model.cell(r, c) for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_scrubbing_updates_every_view(window, qtbot, tmp_path, messages):
    path = played(POI, tmp_path / "poi.peacetable")
    page = open_replay(window, qtbot, path)
    projector = window.show_projector()
    qtbot.addWidget(projector)
    m = page.model
    page.top_tabs.setCurrentWidget(page.roles)  # a hidden role panel follows when shown
    ref = Session.open(path, readonly=True)
    seen: dict[str, set] = {k: set() for k in ("chart", "network", "issues", "leverage", "log",
                                               "roles", "projector", "feed", "timeline")}
    try:
        starts = [b.seq for b in m.bookmarks]
        for n in sorted({0, 1, 2, starts[1], starts[1] + 3, starts[-1] - 1, m.last // 2, m.last}):
            # drag the scrubber there: press and move on the timeline widget
            x = page.timeline._x(n)
            qtbot.mousePress(page.timeline, Qt.MouseButton.LeftButton,
                             pos=QPoint(int(round(x)), 30))
            qtbot.waitUntil(lambda n=n: abs(m.cursor - n) <= max(1, m.last // 200))
            qtbot.waitUntil(lambda: page.settled)  # the heavier views follow as it pauses
            n = m.cursor
            view = ref.view("control", at=n)
            # chart: the points up to the cursor, the cursor line there
            pts = page.chart.points()
            assert pts and pts[-1][0] <= n
            assert [p[0] for p in pts] == [r[0] for r in ref.trace() if r[0] <= n]
            assert page.chart.cursor_line.value() == n and page.chart.cursor_line.isVisible()
            page.bottom_tabs.setCurrentWidget(page.chart)
            page.chart.plot.grab()  # the curve draws its points up to the cursor, no further
            assert page.chart.index_curve.curve.painted_last_x == pts[-1][0]
            seen["chart"].add((len(pts), pts[-1][2]))
            # network: node colours are the statuses at the cursor
            for iid, rec in view["issues"].items():
                assert page.network.node_colour(iid) == QColor(STATUS_STYLE[rec["status"]][0]).name()
            seen["network"].add(tuple(sorted((i, r["status"]) for i, r in view["issues"].items())))
            # tables (a tab not in front catches up when brought forward)
            page.bottom_tabs.setCurrentWidget(page.issues)
            issues = table_cells(page.issues.issues)
            assert [row[0] for row in issues] == [
                ref.scenario.issue_by_id[i].label for i in view["issues"]]
            seen["issues"].add(str(issues) + str(table_cells(page.issues.agreements)))
            page.bottom_tabs.setCurrentWidget(page.leverage)
            lev = table_cells(page.leverage.leverage)
            assert [row[2] for row in lev] == [f"{v:.0f}" for v in view["leverage"].values()]
            seen["leverage"].add(str(lev) + str(table_cells(page.leverage.variables)))
            # event log: exactly the events up to the cursor
            assert page.event_log.visible_seqs() == list(range(1, n + 1))
            seen["log"].add(n)
            # role panel: the leverage in its summary is the cursor's
            page.roles.select_role("ukraine")
            assert f"leverage {view['leverage']['ukraine']:.0f}" in page.roles.summary.text()
            seen["roles"].add(page.roles.summary.text())
            # projector: the audience view at the cursor
            aud = ref.view("audience", at=n)
            assert projector.index_value.text() == f"{aud['escalation']['index']:.1f}"
            assert projector.chart.cursor == n
            seen["projector"].add(projector.phase_title.text())
            seen["feed"].add(projector.feed.count())
            assert page.position_label.text().startswith(f"Event {n} of {m.last}")
            seen["timeline"].add(page.timeline._cursor)
            assert page.timeline._cursor == n
        # every view really changed along the way (a view stuck at the end would fail above,
        # and one that never moves would show one value here)
        assert all(len(v) >= 3 for v in seen.values()), {k: len(v) for k, v in seen.items()}
    finally:
        ref.close()
    assert messages == []


def test_a_drag_applies_the_latest_position_once_and_every_view_shows_it(window, qtbot,
                                                                          tmp_path, messages):
    """Many moves of the scrubber before the event loop runs are one seek, to the last
    position; on release every view (the heavier ones too) shows that position, the
    projector's feed exactly as a plain jump there shows it."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    from peacetable.domain.views import describe_for_room

    path = played(POI, tmp_path / "poi.peacetable")
    page = open_replay(window, qtbot, path)
    projector = window.show_projector()
    qtbot.addWidget(projector)
    m = page.model
    ref = Session.open(path, readonly=True)
    tl = page.timeline
    page.seek(0)
    qtbot.waitUntil(lambda: page.settled)
    seeks: list[int] = []
    real_seek = m.seek

    def counting_seek(n):
        seeks.append(n)
        return real_seek(n)

    m.seek = counting_seek

    def send(kind, x):
        button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove \
            else Qt.MouseButton.LeftButton
        ev = QMouseEvent(kind, QPointF(x, 30), tl.mapToGlobal(QPointF(x, 30)), button,
                         Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(tl, ev)

    try:
        target = (2 * m.last) // 3
        xs = [tl._x(0) + (tl._x(target) - tl._x(0)) * k / 25 for k in range(26)]
        send(QEvent.Type.MouseButtonPress, xs[0])
        for x in xs[1:]:
            send(QEvent.Type.MouseMove, x)  # no event loop in between: one burst
        n = tl.seq_at(xs[-1])
        send(QEvent.Type.MouseButtonRelease, xs[-1])
        assert seeks == [n]  # the burst became one seek, to the latest position
        assert page.settled and m.cursor == n
        view = ref.view("control", at=n)
        assert page.timeline._cursor == n and page.chart.cursor == n
        assert page.event_log.visible_seqs() == list(range(1, n + 1))
        for iid, rec in view["issues"].items():
            assert page.network.node_colour(iid) == \
                QColor(STATUS_STYLE[rec["status"]][0]).name()
        aud = ref.view("audience", at=n)
        assert projector.index_value.text() == f"{aud['escalation']['index']:.1f}"
        assert projector.chart.cursor == n
        dragged = [projector.feed.item(k).text() for k in range(projector.feed.count())]
        newest = m.effective_events("audience")[-1]
        assert dragged[0].startswith(
            describe_for_room(ref.scenario, newest, {e.seq: e for e in ref.events}, "audience"))
        m.seek = real_seek
        page.seek(m.last)  # the feed's items are reused: from another position,
        page.seek(n)  # a jump back shows the same lines
        assert [projector.feed.item(k).text() for k in range(projector.feed.count())] == dragged
    finally:
        m.seek = real_seek
        ref.close()
    assert messages == []


def test_the_record_cannot_change_in_replay(window, qtbot, tmp_path, messages):
    path = played(POI, tmp_path / "poi.peacetable")
    before = events_digest(path)
    page = open_replay(window, qtbot, path)
    assert window.session is None  # no live session: every command is off
    for a in (window.phase_actions.advance, window.phase_actions.reveal, window.undo.undo_action,
              window.note_action, window.inject_action):
        assert not a.isEnabled()
    assert window.console is None or not window.console.isVisible()
    assert page.bridge.execute(object()) is None
    assert messages[-1]["title"] == "Replay"
    assert not page.issues.publish_row.isVisible()
    assert "read-only" in page.banner.text() and "[replay]" in window.windowTitle()
    page._do("home")
    page._do("end")
    window.close_session()
    assert events_digest(path) == before
    assert window.pages.currentWidget() is window.welcome


# --------------------------------------------------------------------------- view as


def _norm(text: str) -> str:
    """Lower case, punctuation and markup as spaces, single spaces: how texts are compared
    (a brief quoted with other punctuation is still the brief)."""
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def _shingles(text: str, n: int = 8) -> set[str]:
    words = _norm(text).split(" ")
    return {" ".join(words[k:k + n]) for k in range(max(1, len(words) - n + 1))}


def forbidden_for(session: Session, viewer: str) -> set[str]:
    """Texts ``viewer`` (a role or the audience) may never see: every other role's private
    brief and its red lines and objectives, and the private text of every event hidden
    from it (rationale, reasons, notes, synopses, what a revealed sealed move said)."""
    sc = session.scenario
    out: set[str] = set()
    for role in sc.roles:
        if role.id == viewer:
            continue
        if role.private_brief.strip():
            out.add(_norm(role.private_brief))
            out |= _shingles(role.private_brief)
        for t in (*role.objectives, *role.red_lines, role.batna_description):
            if len(t.strip()) >= 12:
                out.add(_norm(t))
    shown = {session.describe(ev) for ev in session.visible_events(viewer)}
    shown_texts = set()
    for ev in session.visible_events(viewer):
        for field in ("rationale", "reason", "text", "synopsis"):
            shown_texts.add(_norm(getattr(ev.body, field, "") or ""))
    for ev in session.events:
        if ev.visibility.allows(viewer):
            continue
        b = ev.body
        for field in ("rationale", "reason", "text", "synopsis", "expected_action"):
            value = _norm(getattr(b, field, "") or "")
            if len(value) >= 12 and value not in shown_texts:
                out.add(value)
    return {t for t in out if t}


def hidden_lines(session: Session, viewer: str) -> set[str]:
    """The event log line of every event hidden from ``viewer`` that no visible event
    shares (looked for whole: many lines differ only in a move number)."""
    shown = {_norm(session.describe(ev)) for ev in session.visible_events(viewer)}
    out = set()
    for ev in session.events:
        if ev.visibility.allows(viewer) or isinstance(ev.body, MovesRevealed):
            continue
        line = _norm(session.describe(ev))
        if line not in shown and len(line) >= 12:
            out.add(line)
    return out


def public_texts(session: Session, viewer: str) -> list[str]:
    """What ``viewer`` may read anyway: the scenario's public text (issues, options, phases,
    templates, rungs, variables, injects, every public brief) and, for a role, its own
    private brief, objectives, red lines and no-deal note. Briefs quote each other and the
    public scenario, so a run of words found here is no leak."""
    sc = session.scenario
    out: list[str] = [r.public_brief for r in sc.roles]
    for i in sc.issues:
        out += [i.label, i.description]
        for o in i.options:
            out += [o.label, o.description]
    for ph in sc.phases:
        out += [ph.label, ph.description, *ph.objectives]
    for t in sc.moves:
        out += [t.label, getattr(t, "description", "") or ""]
    out += [r.label for r in sc.escalation.rungs]
    out += [f"{v.label} {v.description}" for v in sc.escalation.variables]
    own = sc.role_by_id.get(viewer)
    if own is not None:
        out += [own.private_brief, *own.objectives, *own.red_lines, own.batna_description]
    return [t for t in out if t and t.strip()]


def needles(session: Session, viewer: str) -> set[str]:
    """The strings to look for: each short forbidden text whole, and every run of 8 words
    of a longer one that the viewer could not read anyway."""
    allowed_blob = "\n".join(_norm(t) for t in public_texts(session, viewer))
    allowed: set[str] = set()
    for t in public_texts(session, viewer):
        allowed |= _shingles(t)
    # a line the viewer is shown may share a run of words with a hidden one ("China: accept
    # a tabled proposal -> proposal 121" in public, "… -> proposal 101" in private)
    for ev in session.visible_events(viewer):
        allowed |= _shingles(session.describe(ev))
    out: set[str] = set()
    for f in forbidden_for(session, viewer):
        if len(f.split(" ")) >= 8:
            out |= _shingles(f) - allowed
        elif f not in allowed_blob and len(f.split(" ")) >= 5:
            out.add(f)  # (shorter phrases, like "offer on record", are too common to tell)
    return out | {"LINE:" + line for line in hidden_lines(session, viewer)}


_ROW_CACHE: dict[tuple, list[str]] = {}


def all_texts(window) -> list[str]:
    """Every text of every widget and graphics item (``visible_texts``) and every cell of
    every item view's model (the event log and the tables are model views): display text
    and tooltips."""
    from PySide6.QtWidgets import QAbstractItemView, QListWidget, QTableWidget, QTreeWidget

    from peacetable.ui.event_log import EventLogModel

    out = visible_texts(window)
    # the start page (hidden behind the replay) shows the bundled scenarios' public summaries
    start_page = Counter(visible_texts(window.welcome))
    out = [t for t in out if not (start_page[t] > 0 and start_page.update({t: -1}) is None)]
    for view in window.findChildren(QAbstractItemView):
        model = view.model()
        if model is None or isinstance(view, (QListWidget, QTableWidget, QTreeWidget)):
            continue  # item widgets: their items are in visible_texts already
        if isinstance(model, EventLogModel):
            # an event's row reads the same until it is undone: cache its texts
            for r in range(model.rowCount()):
                ev = model.event_at(r)
                key = (model.viewer, ev.seq, model.is_cancelled(ev.seq))
                texts = _ROW_CACHE.get(key)
                if texts is None:
                    texts = [str(model.data(model.index(r, c), role)) for c in range(5)
                             for role in (Qt.ItemDataRole.DisplayRole,
                                          Qt.ItemDataRole.ToolTipRole)]
                    _ROW_CACHE[key] = texts
                out += texts
            continue
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                idx = model.index(r, c)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = model.data(idx, role)
                    if value:
                        out.append(str(value))
    return out


def leaks(window, needles: set[str]) -> list[str]:
    """The needles found in any text of the window (as shown, and HTML unescaped with its
    tags taken out)."""
    raw = set(all_texts(window))
    raw |= {html.unescape(re.sub(r"<[^>]+>", " ", t)) for t in raw if "<" in t or "&" in t}
    runs: set[str] = set()
    for t in raw:
        runs |= _shingles(t)
    blob = "\n".join(_norm(t) for t in raw)
    lines = set(blob.split("\n"))
    found = []
    for n in needles:
        if n.startswith("LINE:"):  # a hidden event's log line, whole
            if n[5:] in lines or any(n[5:] in t for t in lines if len(t) >= len(n) - 5):
                found.append(n[5:])
        elif n in runs or (len(n.split(" ")) < 8 and n in blob):
            found.append(n)
    return found


@pytest.mark.parametrize("scenario", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_view_as_never_shows_another_roles_private_text(window, qtbot, tmp_path, messages,
                                                        scenario):
    path = played(scenario, tmp_path / "s.peacetable")
    _ROW_CACHE.clear()
    page = open_replay(window, qtbot, path)
    m = page.model
    s = m.session
    viewers = ["audience", *s.scenario.player_ids]
    forbidden = {v: needles(s, v) for v in viewers}
    # the check can fail: control sees private material of every role
    assert page.set_viewer("control")
    page.seek(m.last)
    page.roles.select_role(s.scenario.player_ids[0])
    other = s.scenario.player_ids[1]
    assert leaks(window, forbidden[other])
    checked = 0
    for v in viewers:
        assert page.set_viewer(v)
        assert page.viewer_combo.currentData() == v
        assert page.event_log.model.viewer == v and page.chart.viewer == v
        for n in range(m.last + 1):
            page.seek(n)
            if n % 10 == 0 or n == m.last:
                for tab in (page.top_tabs, page.bottom_tabs):
                    tab.setCurrentIndex((n // 10) % tab.count())
            found = leaks(window, forbidden[v])
            assert not found, f"viewing as {v} at event {n}: {found[:3]}"
            checked += 1
        # every issue's details as this viewer, at the end
        for iid in page.network.nodes:
            page.network.select_issue(iid)
            assert not leaks(window, forbidden[v]), (v, iid)
            assert "preference" not in page.network.details.toPlainText().lower()
        # a role sees its own brief and nobody else's
        if v in s.scenario.role_by_id:
            assert [page.roles.role_combo.itemData(k)
                    for k in range(page.roles.role_combo.count())] == [v]
        else:
            assert page.roles.role_combo.count() == 0
    assert checked == len(viewers) * (m.last + 1)
    assert messages == []


# --------------------------------------------------------------------------- notes


def _add_note_through_widgets(window, qtbot, page, text: str, author: str = "Trainer"):
    qtbot.mouseClick(page.annotate_button, Qt.MouseButton.LeftButton)
    dlg = window.trainer.last_dialog
    assert dlg.isVisible()
    dlg.author_edit.setText(author)
    dlg.text_edit.setPlainText(text)
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible()


def test_notes_add_edit_delete_survive_reopening(window, qtbot, tmp_path, messages):
    path = played(POI, tmp_path / "poi.peacetable")
    before = events_digest(path)
    page = open_replay(window, qtbot, path)
    assert "Notes can be added" in page.banner.text()
    page.seek(40)
    _add_note_through_widgets(window, qtbot, page, "Here the deal on the grid was missed.")
    page.seek(61)
    _add_note_through_widgets(window, qtbot, page, "Ask Ukraine why it waited & <why>.")
    panel = page.annotations
    assert [a.seq for a in panel.notes] == [40, 61]
    assert [mk.seq for mk in page.model.marks] == [40, 61]  # on the timeline
    assert "Here the deal on the grid was missed." in panel.list.item(0).text()
    assert "Trainer" in panel.list.item(0).text()
    assert panel.list.item(1).font().bold()  # the cursor's own note
    # edit the first through the panel
    assert panel.select(panel.notes[0].id)
    qtbot.mouseClick(panel.edit_button, Qt.MouseButton.LeftButton)
    dlg = window.trainer.last_dialog
    assert dlg.text_edit.toPlainText() == "Here the deal on the grid was missed."
    dlg.text_edit.setPlainText("Here the grid deal was missed: ask both sides.")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    # go to the second note's event from the list, then delete it
    assert panel.select(panel.notes[1].id)
    page.seek(0)
    qtbot.mouseClick(panel.goto_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.cursor == 61)
    messages.answer = "Delete"
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    messages.answer = None
    assert [a.text for a in panel.notes] == ["Here the grid deal was missed: ask both sides."]
    # the record is untouched; the notes are in the file
    assert events_digest(path) == before
    window.close_session()
    page = open_replay(window, qtbot, path)
    assert [(a.seq, a.text, a.author) for a in page.annotations.notes] == [
        (40, "Here the grid deal was missed: ask both sides.", "Trainer")]
    assert [mk.seq for mk in page.model.marks] == [40]
    assert page.timeline.tooltip_at(page.timeline._x(40)).endswith(
        "Note at event 40: Here the grid deal was missed: ask both sides.")
    assert [(b["title"], b["text"]) for b in messages] == [
        ("Delete the note?", "Delete the note at event 61?\n\nAsk Ukraine why it waited & <why>.")]


def test_live_notes_from_the_edit_menu(window, qtbot, tmp_path, messages):
    path = played(POI, tmp_path / "poi.peacetable")
    assert window.open_path(path)
    assert window.session is not None and not window.trainer.replaying
    window.trainer.annotate_action.trigger()
    dlg = window.trainer.last_dialog
    assert dlg.seq_spin.value() == window.session.store.last_seq
    dlg.seq_spin.setValue(12)
    dlg.text_edit.setPlainText("Live note on event 12")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    notes = window.trainer.show_notes()
    qtbot.addWidget(notes)
    assert [(a.seq, a.text) for a in notes.panel.notes] == [(12, "Live note on event 12")]
    notes.close()
    assert messages == []


def test_locked_file_opens_for_replay_and_offers_a_copy(window, qtbot, tmp_path, messages,
                                                        monkeypatch):
    path = played(POI, tmp_path / "busy.peacetable")
    holder = Session.open(path)  # holds the write lock, as another window would
    try:
        before = events_digest(path)
        assert window.open_path(path) is True
        page = window.trainer.page
        assert window.trainer.replaying and window.pages.currentWidget() is page
        assert "open for writing in another PeaceTable window" in page.banner.text()
        assert "cannot be saved in this file" in page.banner.text()
        page.seek(30)
        copy = tmp_path / "busy-notes.peacetable"
        monkeypatch.setattr(window.trainer, "ask_save_path", lambda *a: str(copy))
        messages.answer = "Save a copy…"
        qtbot.mouseClick(page.annotate_button, Qt.MouseButton.LeftButton)
        messages.answer = None
        assert messages[-1]["title"] == "Notes cannot be saved in this file"
        # the copy is open for replay at the same event, and the note goes there
        assert window.trainer.replay_session.path == copy
        assert page.model.cursor == 30
        dlg = window.trainer.last_dialog
        dlg.text_edit.setPlainText("Noted on the copy")
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
        assert [(a.seq, a.text) for a in page.annotations.notes] == [(30, "Noted on the copy")]
        assert holder.store.annotations() == []
        assert events_digest(path) == before
        assert events_digest(copy) == before
    finally:
        window.close_session()
        holder.close()


# --------------------------------------------------------------------------- hot wash


def test_hot_wash_answers_are_kept_as_notes(window, qtbot, tmp_path, messages):
    from peacetable.app.annotations import HOTWASH_PROMPTS, hotwash_of, list_annotations

    path = played(POI, tmp_path / "poi.peacetable")
    page = open_replay(window, qtbot, path)
    hw = page.hotwash
    page._do("home")
    assert not hw.save_button.isEnabled()  # before the last phase
    assert "follows the last phase" in hw.note.text()
    page._do("end")
    assert hw.save_button.isEnabled()
    key, question = HOTWASH_PROMPTS[0]
    hw.edits[("ukraine", key)].setPlainText("Reciprocity on the grid worked.")
    hw.edits[("russia", HOTWASH_PROMPTS[1][0])].setPlainText("Move earlier on prisoners.")
    qtbot.mouseClick(hw.save_button, Qt.MouseButton.LeftButton)
    assert "2 answers saved" in hw.saved_label.text()
    s = Session.open_replay(path)
    try:
        got = {hotwash_of(a): a.text for a in list_annotations(s)}
    finally:
        s.close()
    assert got == {("ukraine", key): "Reciprocity on the grid worked.",
                   ("russia", HOTWASH_PROMPTS[1][0]): "Move earlier on prisoners."}
    assert any(question in page.annotations.list.item(k).text()
               for k in range(page.annotations.list.count()))
    assert messages == []


# --------------------------------------------------------------------------- fork


def test_continue_from_here_forks_and_opens_live(window, qtbot, tmp_path, messages, monkeypatch):
    path = played(POI, tmp_path / "poi.peacetable")
    before = events_digest(path)
    page = open_replay(window, qtbot, path)
    page.seek(50)
    expect = page.model.view("control")
    child = tmp_path / "what-if.peacetable"
    monkeypatch.setattr(window.trainer, "ask_save_path", lambda *a: str(child))
    qtbot.mouseClick(page.fork_button, Qt.MouseButton.LeftButton)
    # the child is open live, at the parent's state at event 50
    assert not window.trainer.replaying
    s = window.session
    assert s is not None and s.path == child and not window.bridge.readonly
    assert s.store.last_seq == 50
    assert s.view("control") == expect
    assert window.pages.currentWidget() is window.console
    assert window.phase_actions.advance.isEnabled()
    assert events_digest(path) == before
    # an existing file is refused, nothing overwritten
    window.close_session()
    page = open_replay(window, qtbot, path)
    page.seek(20)
    child_bytes = child.read_bytes()
    qtbot.mouseClick(page.fork_button, Qt.MouseButton.LeftButton)
    assert messages[-1]["title"] == "File exists"
    assert child.read_bytes() == child_bytes
    assert window.trainer.replaying


# --------------------------------------------------------------------------- keys


def test_keyboard_controls(window, qtbot, tmp_path, messages):
    path = played(POI, tmp_path / "poi.peacetable")
    page = open_replay(window, qtbot, path)
    m = page.model
    page.timeline.setFocus()
    starts = [b.seq for b in m.bookmarks]

    def key(k):
        qtbot.keyClick(page.timeline, k)

    key(Qt.Key.Key_Home)
    assert m.cursor == 0
    key(Qt.Key.Key_Right)
    key(Qt.Key.Key_Right)
    assert m.cursor == 2
    key(Qt.Key.Key_Left)
    assert m.cursor == 1
    key(Qt.Key.Key_PageDown)
    assert m.cursor == starts[0]
    key(Qt.Key.Key_PageDown)
    assert m.cursor == starts[1]
    key(Qt.Key.Key_Right)
    key(Qt.Key.Key_PageUp)
    assert m.cursor == starts[1]
    key(Qt.Key.Key_End)
    assert m.cursor == m.last
    # the keys work from the event log too
    page.event_log.table.setFocus()
    qtbot.keyClick(page.event_log.table, Qt.Key.Key_Home)
    assert m.cursor == 0
    # Space plays (at 10x) and pauses
    page.set_speed(10)
    assert page.speed_combo.currentText() == "10×"
    key(Qt.Key.Key_Space)
    assert page.playing and page.play_button.text().startswith("⏸")
    qtbot.waitUntil(lambda: m.cursor >= 2, timeout=3000)
    key(Qt.Key.Key_Space)
    assert not page.playing
    stopped = m.cursor
    qtbot.wait(250)
    assert m.cursor == stopped
    assert messages == []


# --------------------------------------------------------------------------- report


def test_export_report_from_the_window_asks_before_replacing(window, qtbot, tmp_path, messages):
    path = played(POI, tmp_path / "poi.peacetable")
    page = open_replay(window, qtbot, path)
    if not page.export_button.isVisible():
        pytest.skip("the report writer is not installed")
    page.set_viewer("ukraine")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    dlg = window.trainer.export_dialog
    assert dlg.viewer_combo.currentData() == "ukraine"  # the viewer shown is the default
    out = tmp_path / "aar.json"
    dlg.path_edit.setText(str(out))
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert dlg.written == out and out.exists()
    import json

    data = json.loads(out.read_text(encoding="utf-8"))
    assert "ukraine" in json.dumps(data)
    first = out.read_bytes()
    # again onto the same file: asked; Cancel leaves it as it was
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    dlg = window.trainer.export_dialog
    dlg.path_edit.setText(str(out))
    dlg.viewer_combo.setCurrentIndex(dlg.viewer_combo.findData("control"))
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert messages[-1]["title"] == "Replace the file?"
    assert out.read_bytes() == first and dlg.isVisible()
    messages.answer = "Replace"
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    messages.answer = None
    assert out.read_bytes() != first
    html_out = tmp_path / "aar.html"
    window.trainer.export_action.trigger()
    dlg = window.trainer.export_dialog
    dlg.path_edit.setText(str(html_out))
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert "<html" in html_out.read_text(encoding="utf-8").lower()


def test_live_hot_wash_from_the_edit_menu(window, qtbot, tmp_path, messages):
    path = played(POI, tmp_path / "poi.peacetable")
    assert window.open_path(path)
    dlg = window.trainer.show_hotwash()  # a child of the window, deleted on close
    assert dlg.windowTitle() == "Hot wash" and dlg.isVisible()
    assert dlg.panel.parent() is dlg and dlg.panel.controller is window.trainer
    dlg.close()
    assert messages == []
