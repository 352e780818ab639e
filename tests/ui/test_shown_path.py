"""The window writes paths under the home folder as "~/..." (people read it on a projector)."""

from __future__ import annotations

from pathlib import Path

from peacetable.app.session import Session
from peacetable.ui.style import shown_path


def test_home_is_written_as_a_tilde(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert shown_path(tmp_path / "Documents" / "a.peacetable") == str(
        Path("~") / "Documents" / "a.peacetable")
    assert shown_path("/srv/shared/b.peacetable") == "/srv/shared/b.peacetable"


def test_the_status_bar_shows_the_session_path_from_home(window, tmp_path, river_path,
                                                          monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    p = tmp_path / "Documents" / "workshop.peacetable"
    p.parent.mkdir()
    Session.create(river_path, p, seed=3).close()
    assert window.trainer.open_replay(p)
    text = window.status_label.text()
    assert text.startswith(str(Path("~") / "Documents" / "workshop.peacetable") + " · replay")
    assert str(tmp_path) not in text
