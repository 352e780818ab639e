"""The overview's table of roles says which role runs the exercise, once."""

from __future__ import annotations

from html.parser import HTMLParser

from peacetable.app.report import build_report, render_html
from peacetable.app.session import Session


class _Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_the_control_role_is_marked_as_running_the_exercise(tmp_path, river_path):
    s = Session.create(river_path, tmp_path / "r.peacetable", seed=2,
                       teams={"lowland": "Team A"})
    try:
        html = render_html(build_report(s))
    finally:
        s.close()
    parser = _Rows()
    parser.feed(html)
    first = {r[0]: r[1:] for r in parser.rows if len(r) == 2}
    assert first["Control cell (runs the exercise)"] == ["—"]
    assert not any("(control cell)" in k.lower() for k in first)
    players = [k for k in first if "runs the exercise" not in k]
    assert any(first[k] == ["Team A"] for k in players)
