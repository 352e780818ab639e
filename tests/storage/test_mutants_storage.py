"""A refused session file says what is wrong in full: the words the broader tests only
look into (a changed table's columns, a changed scenario copy).

Written against mutants that survived the broader tests (docs/testing.md).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.storage.session_file import SessionFileError

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "river-accord.toml"


@pytest.fixture
def played(tmp_path) -> Path:
    p = tmp_path / "s.peacetable"
    s = Session.create(FIXTURE, p, seed=5)
    s.execute(C.Advance())
    s.close()
    return p


def _sql(p: Path, *statements: str) -> None:
    conn = sqlite3.connect(p)
    for st in statements:
        conn.execute(st)
    conn.commit()
    conn.close()


def _refusal(p: Path) -> str:
    with pytest.raises(SessionFileError) as exc:
        Session.open(p)
    return str(exc.value)


def test_a_table_with_another_column_is_refused_as_its_columns_changed(played):
    _sql(played, "ALTER TABLE events ADD COLUMN extra TEXT")
    said = _refusal(played)
    assert "the table 'events' differs from session schema " in said
    assert " (its columns changed); " in said, said


def test_a_trigger_rewritten_is_refused_as_its_definition_changed(played):
    _sql(played, "DROP TRIGGER events_append_only_update",
         "CREATE TRIGGER events_append_only_update AFTER INSERT ON events BEGIN "
         "SELECT 1; END")
    said = _refusal(played)
    assert "the trigger 'events_append_only_update' differs from session schema " in said
    assert " (its definition changed); " in said, said


def test_a_changed_scenario_copy_is_refused_in_full(played):
    _sql(played, "UPDATE scenario SET text = replace(text, 'River Accord', 'River Discord')")
    assert _refusal(played) == (
        f"{played}: its scenario copy was changed after the session was created (it does not "
        "match its sha256); the file was not changed")
