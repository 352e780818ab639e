"""After-action report data and renderers (no Qt): contents, visibility, escaping."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from trainer_support import ROOT, SCRIPTS, play_bundled

from peacetable.app.analysis import analyze_path
from peacetable.app.annotations import add_annotation, add_hotwash
from peacetable.app.report import build_report, render_csv, render_html, render_json
from peacetable.app.report_figures import report_figures
from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.events import MoveSubmitted

RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"
PAYLOAD = ('<script>alert("x")</script> & &amp; "double" \'single\' '
           '<b onmouseover="evil()">bold</b><img src=x onerror=alert(1)>'
           '<a href="javascript:alert(2)">link</a> {{ 7*7 }} \u202eRTL-OVERRIDE\u202c '
           '\x1b[31mRED\x1b[0m \x1b]0;title\x07')
PLAIN = "plain words only"
TEXT_FIELDS = re.compile(r'^(title|name|label|summary|public_brief|private_brief|synopsis|'
                         r'expected_action|batna_description|description|note) = "(.*)"$', re.M)


def _toml_str(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def _scenario_with(tmp_path: Path, text: str) -> Path:
    """The river fixture with ``text`` added to every text a scenario author writes."""
    src = RIVER.read_text(encoding="utf-8")
    t = _toml_str(text)
    src = TEXT_FIELDS.sub(lambda m: f'{m.group(1)} = "{m.group(2)} {t}"', src)
    src = src.replace("objectives = [", f'objectives = ["{t}", ')
    src = src.replace("red_lines = [", f'red_lines = ["{t}", ')
    p = tmp_path / f"river-{abs(hash(text))}.toml"
    p.write_text(src, encoding="utf-8")
    return p


def _session_with(tmp_path: Path, text: str) -> Path:
    """A session where every text a user can enter during play carries ``text``."""
    scenario = _scenario_with(tmp_path, text)
    out = tmp_path / f"s-{abs(hash(text))}.peacetable"
    s = Session.create(scenario, out, seed=3, title=text,
                       teams={"upland": f"{text} team", "lowland": f"{text} side"})
    try:
        ex = s.execute
        ex(C.Advance())
        p1 = ex(C.SubmitMove(role="upland", template="propose",
                             package={"monitoring": "joint", "release": "medium"},
                             rationale=text))[0].seq
        ex(C.Adjudicate(move=p1, decision="accept", reason=text))
        a1 = ex(C.SubmitMove(role="lowland", template="accept", target=p1, rationale=text))[0].seq
        ex(C.Adjudicate(move=a1, decision="accept", reason=text))
        m1 = ex(C.SubmitMove(role="lowland", template="mass_troops", magnitude=2,
                             rationale=text))[0].seq
        ex(C.Roll(move=m1, odds=99, reason=text))
        inj = ex(C.FireInject(title=text, synopsis=text, expected_action=text,
                              targets=("upland",), effects={"variables": {"troops": 1}}))[0].seq
        ex(C.RecordAction(inject_event=inj, role="upland", text=text))
        ex(C.FireInject(id="flash_flood"))
        o1 = ex(C.SubmitMove(role="upland", template="open_sluices", channel="private",
                             to=("lowland",), rationale=text))[0].seq
        ex(C.Adjudicate(move=o1, decision="accept", reason=text))
        ex(C.SendMessage(sender="midland", to=("upland",), text=text))
        ex(C.AddNote(text=text))
        st = ex(C.SubmitMove(role="midland", template="statement", rationale=text))[0].seq
        ex(C.Adjudicate(move=st, decision="reject", reason=text))
        last = s.store.last_seq
        add_annotation(s, 3, text, author=text)
        add_annotation(s, inj, "Strength: " + text)
        add_annotation(s, last, "Improve: " + text)
        for role in ("upland", "lowland", "midland"):
            add_hotwash(s, role, "worked", text)
            add_hotwash(s, role, "change", text)
    finally:
        s.close()
    return out


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(sorted(k for k, _v in attrs))))
        for k, v in attrs:
            assert not k.startswith("on"), (tag, k)
            assert "javascript:" not in (v or ""), (tag, k, v)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    p.close()
    return p


VIEWERS = ("control", "audience", "upland", "lowland", "midland")


@pytest.fixture(scope="module")
def evil_and_plain(tmp_path_factory):
    d = tmp_path_factory.mktemp("escape")
    return _session_with(d, PAYLOAD), _session_with(d, PLAIN)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_user_text_never_becomes_markup(evil_and_plain, viewer):
    evil, plain = evil_and_plain
    out = {}
    for name, path in (("evil", evil), ("plain", plain)):
        s = Session.open(path, readonly=True)
        try:
            data = build_report(s, viewer)
            figures = report_figures(s, data)  # the labels in the figures too
            assert set(figures) == {"chart", "network"}
            out[name] = render_html(data, figures)
        finally:
            s.close()
    ev, pl = _parse(out["evil"]), _parse(out["plain"])
    # the same elements and attributes whatever the users typed: none came from their text
    # (a longer label takes more lines in a figure, each line a text element of its own)
    assert [t for t in ev.tags if t[0] != "text"] == [t for t in pl.tags if t[0] != "text"]
    assert {t for t in ev.tags if t[0] == "text"} == {t for t in pl.tags if t[0] == "text"}
    assert sum(t[0] == "svg" for t in ev.tags) == 2
    assert not any(tag in ("script", "a", "iframe", "object") for tag, _ in ev.tags)
    text = "".join(ev.text)
    assert '<script>alert("x")</script>' in text  # shown as text, not dropped
    assert "<b onmouseover" in text and "{{ 7*7 }}" in text
    for raw in ("\u202e", "\x1b", "\x07"):
        assert raw not in out["evil"]
    assert "\\u202e" in out["evil"] and "\\u001b" in out["evil"]


def test_json_and_csv_carry_no_raw_control_characters(evil_and_plain):
    evil, _ = evil_and_plain
    s = Session.open(evil, readonly=True)
    try:
        data = build_report(s)
        js = render_json(s, data)
        cs = render_csv(s, data)
    finally:
        s.close()
    doc = json.loads(js)
    assert doc["fingerprint"] == data["fingerprint"]
    for raw in ("\u202e", "\x1b", "\x07"):
        assert raw not in js and raw not in cs
    rows = list(csv.reader(io.StringIO(cs)))
    assert all(r[-1] == data["fingerprint"] for r in rows[1:])
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows[1:] for cell in r[3:6])


@pytest.fixture(scope="module", params=SCRIPTS, ids=lambda p: p.stem)
def bundled(request, tmp_path_factory):
    path = play_bundled(tmp_path_factory.mktemp("rep"), request.param)
    s = Session.open(path)
    add_annotation(s, 5, "Strength: the envoy was named early")
    add_annotation(s, 9, "Improve: the first proposal came too late")
    add_hotwash(s, s.scenario.roles[0].id, "change", "Table the bridge proposal sooner")
    s.close()
    return path


def test_the_escalation_series_marks_no_hidden_event_that_changed_nothing(bundled):
    """A team's or the audience's report has a point where an event it saw happened or
    where the picture (phase, index) changed; never at a hidden event that changed neither
    (its time would tell that something secret happened then)."""
    s = Session.open(bundled, readonly=True)
    try:
        last = s.store.last_seq
        applied = [p["event"] for p in build_report(s)["escalation"]["series"]]
        hidden_somewhere = False
        for viewer in ["audience", *(r.id for r in s.scenario.roles if r.is_player)]:
            seen = {e.seq for e in s.visible_events(viewer, upto=last)}
            series = build_report(s, viewer)["escalation"]["series"]
            assert series[0]["event"] == 0
            for before, p in zip(series, series[1:]):
                assert p["event"] in seen or \
                    (p["phase_index"], p["index"]) != (before["phase_index"], before["index"])
            kept = {p["event"] for p in series}
            # every event it saw is there, and the picture ends where control's does
            assert {q for q in applied if q in seen} <= kept
            assert series[-1]["index"] == build_report(s)["escalation"]["series"][-1]["index"]
            hidden_somewhere |= len(kept) < len(applied)
        assert hidden_somewhere  # the scripts do have such events: the check is not empty
    finally:
        s.close()


def test_report_contents_equal_replay_and_analyze(bundled):
    s = Session.open(bundled, readonly=True)
    try:
        last = s.store.last_seq
        for at in (last // 2, last):
            for viewer in ["control", "audience", *(r.id for r in s.scenario.roles)]:
                data = build_report(s, viewer, at=at)
                view = s.view(viewer, at=at)
                assert data["state"] == json.loads(json.dumps(view))
                assert data["escalation"]["now"]["index"] == view["escalation"]["index"]
                assert data["escalation"]["series"][-1]["index"] == \
                    pytest.approx(view["escalation"]["index"], abs=1e-4)
                in_force = [a["id"] for a in view["agreements"] if a["status"] == "in_force"]
                assert [a["agreement"] for a in data["agreements"]["in_force"]] == in_force
                assert data["overview"]["events"] == at
                doc = json.loads(render_json(s, data))
                assert [e["seq"] for e in doc["events"]] == \
                    [e.seq for e in s.visible_events(viewer, upto=at)]
    finally:
        s.close()
    report, _text = analyze_path(bundled)
    s = Session.open(bundled, readonly=True)
    try:
        data = build_report(s)
    finally:
        s.close()
    b = data["debrief"]["bargaining"]
    assert b["nash"]["package"] == report["bargaining"]["nash"]["package"]
    assert b["kalai_smorodinsky"]["package"] == report["bargaining"]["kalai_smorodinsky"]["package"]
    assert b["agreed"] == report["session"]["agreed"]
    assert b["uniform_gain"] == report["session"]["frontier_distance"]["uniform_gain"]
    worse = {f["agreement"] for f in report["session"]["flags"]["agreements"]
             if f["worse_than_batna_for"]}
    assert {f["agreement"] for f in b["worse_than_no_deal"]} == worse
    for rid, r in report["roles"].items():
        assert b["teams"][rid]["batna"] == r["batna"]
    assert [a["text"] for a in data["annotations"]["strengths"]] == \
        ["Strength: the envoy was named early"]
    assert [p["area"] for p in data["improvement_plan"]] == \
        ["Improve: the first proposal came too late", "Table the bridge proposal sooner"]


def test_a_team_report_holds_nothing_private_to_others(bundled):
    from html import unescape

    s = Session.open(bundled, readonly=True)
    try:
        sc = s.scenario
        last = s.store.last_seq
        for at in (last // 4, last // 2, 3 * last // 4, last):
            for role in (r for r in sc.roles if r.is_player):
                data = build_report(s, role.id, at=at)
                page = unescape(render_html(data, {}))
                js = render_json(s, data)
                seen = s.visible_events(role.id, upto=at)
                seen_blob = json.dumps([str(e.body) for e in seen], ensure_ascii=False)
                hidden = {e.body.rationale for e in s.events[:at]
                          if isinstance(e.body, MoveSubmitted) and len(e.body.rationale) > 15
                          and not e.visibility.allows(role.id)}
                hidden = {h for h in hidden if h not in seen_blob}
                for other in sc.roles:
                    if other.id != role.id and other.private_brief:
                        hidden.add(other.private_brief)
                        hidden.update(x for x in (*other.objectives, *other.red_lines)
                                      if x not in role.objectives and x not in role.red_lines)
                for h in hidden:
                    assert h not in page, (at, role.id, h)
                    assert json.dumps(h, ensure_ascii=False)[1:-1] not in js, (at, role.id, h)
    finally:
        s.close()


def test_bad_viewer_and_cursor_are_refused(bundled):
    s = Session.open(bundled, readonly=True)
    try:
        with pytest.raises(ValueError, match="unknown viewer 'nobody'"):
            build_report(s, "nobody")
        with pytest.raises(ValueError, match="out of range"):
            build_report(s, at=s.store.last_seq + 1)
    finally:
        s.close()


def test_compiled_template_kept_between_runs_and_a_bad_entry_is_compiled_again(
        evil_and_plain, tmp_path, monkeypatch):
    from peacetable.app import report as report_mod

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    s = Session.open(evil_and_plain[0], readonly=True)
    try:
        data = build_report(s, "control")
    finally:
        s.close()
    report_mod._env.cache_clear()
    try:
        first = render_html(data, {})
        (entry,) = (tmp_path / "cache" / "peacetable" / "templates").iterdir()
        report_mod._env.cache_clear()
        assert render_html(data, {}) == first  # from the kept compiled template
        entry.write_bytes(entry.read_bytes()[:40])  # an entry cut short
        report_mod._env.cache_clear()
        assert render_html(data, {}) == first
    finally:
        report_mod._env.cache_clear()
