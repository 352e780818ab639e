"""In-game dates where people read them: the MSEL timeline, the phase bar, the projector
and the replay timeline (real widgets, the river fixture's dated phases and inject)."""

from __future__ import annotations

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.ui.audience import AudienceWindow


def _console(window, tmp_path, river_path):
    path = tmp_path / "s.peacetable"
    Session.create(river_path, path, seed=1).close()
    assert window.open_path(path)
    window.phase_actions.advance.trigger()
    return window.console


def test_msel_shows_each_phase_and_inject_day(window, qtbot, tmp_path, river_path):
    msel = _console(window, tmp_path, river_path).msel
    tree = msel.tree
    header = tree.headerItem()
    assert header.text(4) == "In the story"
    assert tree.header().visualIndex(4) == 1  # right after the due time
    groups = {tree.topLevelItem(k).text(1): tree.topLevelItem(k).text(4)
              for k in range(tree.topLevelItemCount())}
    assert groups["Talks (now)"] == "7 Apr"
    assert msel._items["leak"].text(4) == "16 Apr"   # a dated reserve inject
    assert msel._items["leak"].toolTip(4) == "16 Apr 2031"
    assert msel._items["flash_flood"].text(4) == ""        # undated
    assert msel.header.text().endswith("in the story: 7 Apr 2031")


def test_phase_bar_and_projector_show_the_day_each_knows(window, qtbot, tmp_path, river_path):
    console = _console(window, tmp_path, river_path)
    s = window.session
    projector = AudienceWindow()
    qtbot.addWidget(projector)
    projector.set_session(s)
    s.subscribe(projector.on_change)
    bar = console.phase_bar
    assert bar.story_label.text() == "In the story: 7 Apr 2031"
    assert projector.story_date.text() == "7 Apr 2031" and not projector.story_date.isHidden()
    window.bridge.execute(C.Advance())  # the sealed round, 14 Apr
    assert s.state.phase == "sealed_round"
    assert projector.story_date.text() == "14 Apr 2031"
    window.bridge.execute(C.FireInject(id="leak"))  # 16 Apr, heard by Upland and control
    qtbot.wait(10)
    assert bar.story_label.text() == "In the story: 16 Apr 2031"
    assert projector.story_date.text() == "14 Apr 2031"  # the room did not hear it
    assert "16 Apr" not in " ".join(projector.all_texts())


def test_projector_before_the_first_phase_shows_no_day(qtbot, river_session):
    projector = AudienceWindow()
    qtbot.addWidget(projector)
    projector.set_session(river_session)
    assert projector.story_date.isHidden()


def test_replay_timeline_and_position_carry_the_dates(window, qtbot, tmp_path, river_path):
    path = tmp_path / "r.peacetable"
    s = Session.create(river_path, path, seed=1)
    for cmd in (C.Advance(), C.Advance(), C.FireInject(id="leak"), C.Advance()):
        s.execute(cmd)
    s.close()
    assert window.trainer.open_replay(path)
    page = window.trainer.page
    m = page.model
    page.resize(1400, 900)
    m.seek(4)  # after the leak, in the sealed round
    page._after_seek()
    assert page.position_label.text().endswith("· 16 Apr 2031")  # control heard the leak
    assert page.set_viewer("audience")
    assert page.position_label.text().endswith("· 14 Apr 2031")
    tl = page.timeline
    tip = tl.tooltip_at(tl._x(m.bookmarks[1].seq))
    assert "In the story: 14 Apr 2031" in tip.splitlines()
    img = tl.grab()  # the phase marks are painted with their dates (no exception)
    assert not img.isNull()


def test_projector_in_replay_shows_the_rooms_day_at_the_cursor(qtbot, tmp_path, river_path):
    from peacetable.app.replay import ReplayModel

    path = tmp_path / "r.peacetable"
    s = Session.create(river_path, path, seed=1)
    for cmd in (C.Advance(), C.Advance(), C.FireInject(id="leak"), C.Advance()):
        s.execute(cmd)
    s.close()
    s = Session.open_replay(path)
    try:
        model = ReplayModel(s)
        projector = AudienceWindow()
        qtbot.addWidget(projector)
        projector.set_replay(model)
        seen = []
        for n in range(len(s.events) + 1):
            model.seek(n)
            projector.follow_cursor()
            seen.append(projector.story_date.text() if not projector.story_date.isHidden()
                        else "")
        # before phase 1, the talks, the sealed round (the leak is not the room's), the summit
        assert seen == ["", "", "7 Apr 2031", "14 Apr 2031", "14 Apr 2031", "21 Apr 2031"]
    finally:
        s.close()


def test_replay_timeline_labels_of_phases_close_together_do_not_overlap(window, qtbot, tmp_path,
                                                                       river_path):
    """Three phases started one after the other, then 300 events: the three ticks are a
    pixel or two apart. The first is labelled; the others keep their tick (and tooltip)
    without a label drawn over it."""
    path = tmp_path / "crowded.peacetable"
    s = Session.create(river_path, path, seed=1)
    for _ in range(3):
        s.execute(C.Advance())
    for k in range(300):
        s.execute(C.SubmitMove(role="lowland", template="statement", rationale=f"note {k}"))
    s.close()
    assert window.trainer.open_replay(path)
    page = window.trainer.page
    page.resize(1200, 800)
    tl = page.timeline
    _font, ticks = tl._phase_ticks()
    assert len(ticks) == 3 and ticks[0][1].startswith("P1")
    drawn = [(x, w) for x, text, w in ticks if text]
    for (xa, wa), (xb, _wb) in zip(drawn, drawn[1:]):
        assert xb + 3 >= xa + 3 + wa, (drawn, ticks)
    assert [text for _x, text, _w in ticks[1:]] == ["", ""]
    assert [tl.tooltip_at(x).splitlines()[1] for x, _t, _w in ticks] == [
        "Talks", "Sealed round", "Summit"]  # each still named under the pointer
    assert not tl.grab().isNull()
