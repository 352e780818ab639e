"""verify_record has a fast path (few Python steps per event) and an event-by-event path
that words the first problem. For records whose chain a forger recomputed after an edit the
chain check passes, so every other check must hold on the fast path as well: here both
paths must give the same answer, and never "intact", on each such edit."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from peacetable.app.session import Session, body_problem
from peacetable.domain import commands as C
from peacetable.domain.loader import load_scenario
from peacetable.storage.session_file import _APPEND_ONLY, GENESIS, SessionStore, chain_hash

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "river-accord.toml"


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("verify") / "played.peacetable"
    s = Session.create(FIXTURE, p, seed=5)
    s.execute(C.Advance())
    for k in range(4):
        mv = s.execute(C.SubmitMove(role="lowland", template="statement", rationale=f"said {k}"))
        s.execute(C.Adjudicate(move=mv[0].seq, decision="accept"))
    s.execute(C.AddNote(text="a note"))  # event 11
    s.execute(C.AddNote(text="another"))  # event 12
    s.execute(C.AddNote(text="a third"))  # event 13
    s.close()
    return p


def _rechained(p: Path, *sql: str) -> None:
    conn = sqlite3.connect(p)
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("DROP TRIGGER events_append_only_delete")
    for st in sql:
        conn.execute(st)
    prev = GENESIS
    rows = conn.execute("SELECT seq, ts, type, actor, visibility, body FROM events "
                        "ORDER BY seq").fetchall()
    for row in rows:
        prev = chain_hash(prev, *row)
        conn.execute("UPDATE events SET hash = ? WHERE seq = ?", (prev, row[0]))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'head'", (f"{rows[-1][0]}:{prev.hex()}",))
    for trig in _APPEND_ONLY:
        conn.execute(trig)
    conn.commit()
    conn.close()


def _set(seq: int, type_: str, body: str, actor: str = "control") -> str:
    return (f"UPDATE events SET type = '{type_}', actor = '{actor}', body = '{body}' "
            f"WHERE seq = {seq}")


INJECT = ('{{"type":"inject_fired","inject":null,"title":"x","synopsis":"x","scheduled":false,'
          '"effects":{{"declare":{{"release":"{}"}},"by":"upland"}}}}')

CASES = {
    "ruling-on-a-later-event": ["UPDATE events SET body = replace(body, '\"move\":3', '\"move\":60') "
                                "WHERE seq = 4"],
    "ruling-on-a-note": [_set(12, "move_adjudicated", '{"type":"move_adjudicated","move":11,'
                              '"decision":"accepted","magnitude":1}')],
    "answer-to-a-note": ["UPDATE events SET body = replace(body, '\"type\":\"move_submitted\"', "
                         "'\"type\":\"move_submitted\",\"target\":11') WHERE seq = 5"],
    "actor-not-the-role": ["UPDATE events SET actor = 'upland' WHERE seq = 3"],
    "unknown-type": [_set(12, "mystery", '{"type":"mystery"}')],
    "type-column-differs": ["UPDATE events SET type = 'note' WHERE seq = 4"],
    "second-start": ["UPDATE events SET body = (SELECT body FROM events WHERE seq = 1), "
                     "type = 'session_started' WHERE seq = 12"],
    "first-not-a-start": ["UPDATE events SET type = 'note', body = '{\"type\":\"note\",\"text\":\"x\"}' "
                          "WHERE seq = 1"],
    "undo-of-a-later-event": [_set(12, "undone", '{"type":"undone","target":13}')],
    "reveal-of-a-note": [_set(12, "moves_revealed", '{"type":"moves_revealed","moves":[3,11]}')],
    "unknown-template": ["UPDATE events SET body = replace(body, '\"statement\"', '\"sabotage\"') "
                         "WHERE seq = 5"],
    "bad-effects-after-good-ones": [_set(12, "inject_fired", INJECT.format("low")),
                                    _set(13, "inject_fired", INJECT.format("flood"))],
    "gap": ["DELETE FROM events WHERE seq = 6"],
    "undecodable-body": ["UPDATE events SET body = '{\"type\":\"note\",' WHERE seq = 12"],
    "undecodable-visibility": ["UPDATE events SET visibility = '{\"scope\":7}' WHERE seq = 12"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_both_paths_find_the_same_first_problem(case, played, tmp_path):
    p = tmp_path / f"{case}.peacetable"
    shutil.copyfile(played, p)
    _rechained(p, *CASES[case])
    sc = load_scenario(FIXTURE).scenario

    def check(seq, b):
        return body_problem(sc, b)

    with SessionStore.open(p, readonly=True) as store:
        assert store._verify_fast(check) is None  # never "intact"
        whole = store.verify_record(check)
        each = store._verify_each(check)
    assert not whole.intact and whole == each, whole


def test_an_intact_record_is_intact_on_both_paths(played):
    sc = load_scenario(FIXTURE).scenario
    with SessionStore.open(played, readonly=True) as store:
        fast = store._verify_fast(lambda seq, b: body_problem(sc, b))
        each = store._verify_each(lambda seq, b: body_problem(sc, b))
    assert fast is not None and fast.intact and fast == each
