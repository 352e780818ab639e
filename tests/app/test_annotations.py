"""Annotations: pinned to events, kept apart from the record, surviving reopening."""

from __future__ import annotations

import sqlite3

import pytest
from readonly_support import read_only_view
from trainer_support import SCRIPTS, events_dump, file_sha, play_bundled

from peacetable.app.annotations import (
    HOTWASH_PROMPTS,
    AnnotationError,
    AnnotationsReadOnly,
    add_annotation,
    add_hotwash,
    author_label,
    delete_annotation,
    edit_annotation,
    hotwash_of,
    list_annotations,
    save_copy,
)
from peacetable.app.session import Session


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    return play_bundled(tmp_path_factory.mktemp("ann"), SCRIPTS[0])


@pytest.fixture
def session_path(played, tmp_path):
    p = tmp_path / "copy.peacetable"
    p.write_bytes(played.read_bytes())
    return p


def test_annotations_survive_reopening_and_never_touch_the_events(session_path):
    before = events_dump(session_path)
    s = Session.open(session_path)
    last = s.store.last_seq
    a = add_annotation(s, 3, "Note on the third event", author="trainer")
    b = add_annotation(s, last, "Last word")
    c = add_annotation(s, 1, "to be deleted")
    edit_annotation(s, a, "Edited note <b>&</b>")
    delete_annotation(s, c)
    s.close()
    assert events_dump(session_path) == before

    s = Session.open(session_path, readonly=True)
    try:
        got = [(x.id, x.seq, x.author, x.text) for x in list_annotations(s)]
    finally:
        s.close()
    assert got == [(a, 3, "trainer", "Edited note <b>&</b>"), (b, last, "", "Last word")]


def test_events_table_unchanged_by_every_annotation_operation(session_path):
    before = events_dump(session_path)
    conn = sqlite3.connect(session_path)
    schema_before = conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    conn.close()
    s = Session.open(session_path)
    try:
        ids = [add_annotation(s, n, f"note {n}") for n in range(1, s.store.last_seq + 1, 7)]
        for i in ids[::2]:
            edit_annotation(s, i, "changed")
        for i in ids[1::2]:
            delete_annotation(s, i)
        add_hotwash(s, next(r.id for r in s.scenario.roles if r.is_player), "worked", "answer")
    finally:
        s.close()
    assert events_dump(session_path) == before
    conn = sqlite3.connect(session_path)
    assert conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema_before
    conn.close()


@pytest.mark.parametrize("seq", [0, -1, 10**6])
def test_annotation_on_a_missing_event_is_refused(session_path, seq):
    s = Session.open(session_path)
    try:
        with pytest.raises(AnnotationError, match=r"no event"):
            add_annotation(s, seq, "x")
        assert list_annotations(s) == []
    finally:
        s.close()


def test_empty_text_and_unknown_ids_are_refused(session_path):
    s = Session.open(session_path)
    try:
        with pytest.raises(AnnotationError, match="empty"):
            add_annotation(s, 1, "   \n")
        with pytest.raises(AnnotationError, match="event number"):
            add_annotation(s, "2", "text")  # type: ignore[arg-type]
        i = add_annotation(s, 1, "kept")
        with pytest.raises(AnnotationError, match="empty"):
            edit_annotation(s, i, "")
        with pytest.raises(AnnotationError, match="no annotation 999"):
            edit_annotation(s, 999, "x")
        with pytest.raises(AnnotationError, match="no annotation 999"):
            delete_annotation(s, 999)
        assert [a.text for a in list_annotations(s)] == ["kept"]
    finally:
        s.close()


def test_read_only_session_refuses_with_a_reason_and_a_copy_takes_notes(session_path, tmp_path):
    sha = file_sha(session_path)
    s = Session.open(session_path, readonly=True)
    try:
        with pytest.raises(AnnotationsReadOnly, match="(?i)copy"):
            add_annotation(s, 2, "note")
        copy = save_copy(s, tmp_path / "notes.peacetable")
        with pytest.raises(AnnotationError, match="already exists"):
            save_copy(s, copy)
    finally:
        s.close()
    assert file_sha(session_path) == sha
    assert events_dump(copy) == events_dump(session_path)
    c = Session.open(copy)
    try:
        add_annotation(c, 2, "on the copy")
    finally:
        c.close()
    assert not (tmp_path / "notes.peacetable-wal").exists()


def test_replay_note_blocks_writes_and_says_why(session_path):
    s = Session.open(session_path)
    try:
        s.replay_note = "it is open for writing in another window"
        with pytest.raises(AnnotationsReadOnly, match="another window.*copy"):
            add_annotation(s, 1, "x")
        s.replay_note = None
        add_annotation(s, 1, "x")
    finally:
        s.close()


def test_unwritable_file_is_reported(session_path, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    mine = work / session_path.name
    mine.write_bytes(session_path.read_bytes())
    with read_only_view(mine, tmp_path) as p:
        s = Session.open_replay(p)
        try:
            with pytest.raises(AnnotationsReadOnly, match="copy"):
                add_annotation(s, 1, "x")
        finally:
            s.close()


def test_hot_wash_answers_are_grouped_by_role_and_question(session_path):
    s = Session.open(session_path)
    try:
        players = [r.id for r in s.scenario.roles if r.is_player]
        for role in players[:2]:
            for key, _q in HOTWASH_PROMPTS[:2]:
                add_hotwash(s, role, key, f"{role} says {key}")
        with pytest.raises(AnnotationError, match="unknown team role"):
            add_hotwash(s, "nobody", "worked", "x")
        with pytest.raises(AnnotationError, match="unknown hot wash question"):
            add_hotwash(s, players[0], "nope", "x")
        anns = list_annotations(s)
        assert {a.seq for a in anns} == {s.store.last_seq}
        assert {hotwash_of(a) for a in anns} == {(r, k) for r in players[:2]
                                                 for k, _ in HOTWASH_PROMPTS[:2]}
        name = s.scenario.role_by_id[players[0]].name
        assert name in author_label(s, anns[0])
        assert HOTWASH_PROMPTS[0][1] in author_label(s, anns[0])
    finally:
        s.close()


def test_a_session_opened_for_replay_takes_annotations_and_nothing_else(session_path, tmp_path):
    from peacetable.domain import commands as C
    from peacetable.storage.session_file import SessionFileError

    before = events_dump(session_path)
    writer = Session.open(session_path)  # another window has it open for writing
    try:
        replay = Session.open_replay(session_path)
        try:
            assert replay.replay_note and "another" in replay.replay_note
            with pytest.raises(AnnotationsReadOnly, match="another.*copy"):
                add_annotation(replay, 2, "while the other window writes")
            copy = save_copy(replay, tmp_path / "for-notes.peacetable")
        finally:
            replay.close()
    finally:
        writer.close()
    replay = Session.open_replay(session_path)
    try:
        assert replay.replay_note is None
        i = add_annotation(replay, 2, "a trainer's note in replay")
        edit_annotation(replay, i, "edited in replay")
        with pytest.raises(SessionFileError, match="nothing can be recorded"):
            replay.execute(C.AddNote(text="must not be recorded"))
    finally:
        replay.close()
    assert events_dump(session_path) == before
    assert events_dump(copy) == before
    s = Session.open(session_path, readonly=True)
    try:
        assert [a.text for a in list_annotations(s)] == ["edited in replay"]
    finally:
        s.close()


def test_a_copy_of_a_live_session_holds_its_latest_events(session_path, tmp_path):
    from peacetable.domain import commands as C

    s = Session.open(session_path)
    try:
        s.execute(C.AddNote(text="just recorded"))
        copy = save_copy(s, tmp_path / "live-copy.peacetable")
        last = s.store.last_seq
    finally:
        s.close()
    c = Session.open(copy, readonly=True)
    try:
        assert c.store.last_seq == last and c.verify_record().intact
    finally:
        c.close()
    assert events_dump(copy) == events_dump(session_path)
