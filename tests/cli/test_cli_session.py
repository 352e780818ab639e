"""End-to-end command line on real files: new, play, replay, info, and files that are not sessions.

Everything runs against the river fixture in tmp_path, mostly in-process through
``peacetable.cli.main`` and, where a separate process matters (locks, the installed command,
determinism across processes), as a real subprocess.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import RIVER, Result, run_process, subprocess_env

SECRETS = ("UPLAND-SECRET", "LOWLAND-SECRET", "MIDLAND-SECRET", "CONTROL-SECRET")
PRIVATE_RATIONALES = ("SLUICE-PRIVATE-RATIONALE", "MIDLAND-PRIVATE-RATIONALE",
                      "SEALED-LOWLAND-RATIONALE", "SEALED-UPLAND-RATIONALE")
EVENT_LINE = re.compile(r"^\s*(\d+)  (\S+)\s+(.*)$")

# One pass through all three phases of the river exercise. Comments and blank lines are part of
# the script format; the expected event numbers are in the comments (event 1 is session_started).
SCRIPT_TEXT = """\
# river accord: one pass through the three phases
{"cmd": "advance"}
{"cmd": "move", "role": "upland", "template": "propose", "package": {"monitoring": "joint", "release": "medium"}, "rationale": "PUBLIC-PROPOSAL-RATIONALE", "label": "p1"}
{"cmd": "adjudicate", "move": "@p1", "decision": "accept"}
{"cmd": "move", "role": "lowland", "template": "accept", "target": "@p1", "label": "a1"}
{"cmd": "adjudicate", "move": "@a1", "decision": "accept"}

// lowland masses troops; chance decides
{"cmd": "move", "role": "lowland", "template": "mass_troops", "magnitude": 2, "label": "m1"}
{"cmd": "roll", "move": "@m1", "odds": 50, "reason": "will the troops arrive in time?"}
{"cmd": "inject", "id": "flash_flood"}
{"cmd": "undo"}
{"cmd": "redo"}
{"cmd": "move", "role": "upland", "template": "open_sluices", "channel": "private", "to": ["lowland"], "rationale": "SLUICE-PRIVATE-RATIONALE", "label": "o1"}
{"cmd": "adjudicate", "move": "@o1", "decision": "accept"}
{"cmd": "move", "role": "midland", "template": "statement", "channel": "private", "to": ["upland"], "rationale": "MIDLAND-PRIVATE-RATIONALE", "label": "st"}
{"cmd": "adjudicate", "move": "@st", "decision": "reject", "reason": "off topic"}
{"cmd": "note", "text": "control keeps time"}
{"cmd": "advance"}
{"cmd": "move", "role": "lowland", "template": "pull_back", "rationale": "SEALED-LOWLAND-RATIONALE", "label": "s1"}
{"cmd": "move", "role": "upland", "template": "statement", "rationale": "SEALED-UPLAND-RATIONALE", "label": "s2"}
{"cmd": "reveal"}
{"cmd": "adjudicate", "move": "@s1", "decision": "accept"}
{"cmd": "adjudicate", "move": "@s2", "decision": "accept"}
{"cmd": "advance"}
"""
SCRIPT_EVENTS = 22  # one event per command line above


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def script(tmp_path) -> Path:
    p = tmp_path / "river.jsonl"
    p.write_text(SCRIPT_TEXT, encoding="utf-8")
    return p


def _new(cli, out: Path, seed: int = 7, *extra: str) -> Result:
    res = cli("new", RIVER, "-o", out, "--seed", str(seed), *extra)
    assert res.rc == 0, res.err
    return res


@pytest.fixture
def played(cli, tmp_path, script) -> Path:
    """A session file after the whole script."""
    path = tmp_path / "played.peacetable"
    _new(cli, path)
    res = cli("play", path, script)
    assert res.rc == 0, res.err
    return path


def _events(out: str) -> list[tuple[int, str, str]]:
    rows = []
    for line in out.splitlines():
        m = EVENT_LINE.match(line)
        assert m, f"not an event line: {line!r}"
        rows.append((int(m.group(1)), m.group(2), m.group(3)))
    return rows


def _view(cli, path: Path, *extra: str) -> dict:
    res = cli("replay", path, "--json", *extra)
    assert res.rc == 0, res.err
    return json.loads(res.out)


def _sidecars(path: Path) -> list[str]:
    return [s for s in ("-wal", "-shm", "-journal") if Path(str(path) + s).exists()]


def _no_traceback(res: Result) -> None:
    assert "Traceback" not in res.both
    assert "internal error" not in res.both


# --------------------------------------------------------------------------- new


def test_new_creates_a_session(cli, tmp_path):
    out = tmp_path / "seminar.peacetable"
    res = _new(cli, out, 7, "--team", "upland=Blue team", "--title", "Seminar A")
    assert res.out.strip() == f"created {out} from {RIVER} (River Accord, seed 7)"
    assert out.read_bytes().startswith(b"SQLite format 3\x00")
    assert _sidecars(out) == []
    info = cli("info", out)
    assert info.rc == 0, info.err
    assert "roles:     Upland [Blue team], Lowland, Midland, Control cell" in info.out
    assert _view(cli, out)["event"] == 1


@pytest.mark.parametrize("existing", ["text", "session"])
def test_new_refuses_to_overwrite(cli, tmp_path, existing):
    out = tmp_path / "taken.peacetable"
    if existing == "text":
        out.write_bytes(b"my notes, not a session\n")
    else:
        _new(cli, out, 3)
    before = out.read_bytes()
    res = cli("new", RIVER, "-o", out, "--seed", "9")
    assert res.rc == 1
    _no_traceback(res)
    assert str(out) in res.err
    assert "already exists" in res.err
    assert res.out == ""
    assert out.read_bytes() == before
    assert _sidecars(out) == []


def test_new_from_a_bad_scenario_creates_nothing(cli, tmp_path):
    out = tmp_path / "never.peacetable"
    bad = RIVER.parent / "bad" / "dup-role-id.toml"
    res = cli("new", bad, "-o", out)
    assert res.rc == 1
    _no_traceback(res)
    assert f"{bad}:89: roles[2].id: duplicate role id 'upland'" in res.err
    assert not out.exists() and _sidecars(out) == []


def test_new_into_a_missing_folder(cli, tmp_path):
    out = tmp_path / "no-such-folder" / "s.peacetable"
    res = cli("new", RIVER, "-o", out)
    assert res.rc == 1
    _no_traceback(res)
    assert str(out) in res.err and "does not exist" in res.err


# --------------------------------------------------------------------------- play


def test_play_whole_script(cli, tmp_path, script):
    path = tmp_path / "s.peacetable"
    _new(cli, path)
    res = cli("play", path, script)
    assert res.rc == 0, res.err
    _no_traceback(res)
    rows = _events(res.out)
    assert [seq for seq, _, _ in rows] == list(range(2, 2 + SCRIPT_EVENTS))
    types = [t for _, t, _ in rows]
    assert types.count("phase_started") == 3
    for t in ("move_submitted", "move_adjudicated", "dice_rolled", "inject_fired", "undone",
              "redone", "moves_revealed", "note"):
        assert t in types, t
    assert f"applied {SCRIPT_EVENTS} events; {path} now holds {SCRIPT_EVENTS + 1}" in res.err
    by_type = {t: seq for seq, t, _ in rows}  # the last event of each type
    inject, undone, redone = by_type["inject_fired"], by_type["undone"], by_type["redone"]
    assert (undone, redone) == (inject + 1, inject + 2)

    # the inject raised the flow by 10; the undo took it back, the redo restored it
    def flow(at: int) -> float:
        return _view(cli, path, "--at", str(at))["escalation"]["variables"]["flow"]

    assert flow(inject - 1) == 60
    assert flow(inject) == 70
    assert flow(undone) == 60
    assert flow(redone) == 70

    # in the sealed round nobody but control sees the moves until they are revealed
    revealed = by_type["moves_revealed"]
    before = revealed - 1
    for viewer in ("upland", "lowland", "audience"):
        v = _view(cli, path, "--at", str(before), "--viewer", viewer)
        assert v["sealed_moves"] == 2
        others = [m for m in v["moves_open"] if m["role"] != viewer]
        assert others == [], (viewer, others)
    assert len(_view(cli, path, "--at", str(before))["moves_open"]) == 2

    final = _view(cli, path)
    assert final["event"] == SCRIPT_EVENTS + 1
    assert final["phase"]["id"] == "summit"
    assert final["sealed_moves"] == 0
    assert final["totals"]["rolls"] == 1
    assert [a["status"] for a in final["agreements"]] == ["in_force"]
    assert final["issues"]["release"]["status"] == "agreed"
    # pull_back (troops 4 -> 2) satisfied the private conditional offer: the sluices opened
    assert final["escalation"]["variables"] == {"flow": 100.0, "troops": 2.0}
    assert [o["status"] for o in final["offers"]] == ["in_force"]


BAD_LINES = {
    # a second adjudication of the tabled proposal
    "refused": ('{"cmd": "adjudicate", "move": "@p1", "decision": "accept"}', "refused: move 3"),
    "not-json": ('{"cmd": "advance"', "not valid JSON"),
    "unknown-cmd": ('{"cmd": "surrender"}', "unknown cmd 'surrender'"),
    "unknown-label": ('{"cmd": "roll", "move": "@nope", "odds": 50}', "unknown label 'nope'"),
    "bad-field": ('{"cmd": "move", "role": "upland", "template": "statement", "magnitude": "big"}',
                  "magnitude"),
}


@pytest.mark.parametrize("kind", sorted(BAD_LINES))
def test_play_stops_at_a_bad_line_and_keeps_what_came_before(cli, tmp_path, kind):
    path = tmp_path / "s.peacetable"
    _new(cli, path)
    good = SCRIPT_TEXT.splitlines()[:6]  # comment + 5 commands: events 2..6
    bad_line, reason = BAD_LINES[kind]
    after = ['{"cmd": "advance"}', '{"cmd": "note", "text": "never applied"}']
    text = "\n".join(good + ["", bad_line, *after]) + "\n"
    sc = tmp_path / "stops.jsonl"
    sc.write_text(text, encoding="utf-8")
    bad_no = len(good) + 2

    res = cli("play", path, sc)
    assert res.rc == 1
    _no_traceback(res)
    rows = _events(res.out)
    assert len(rows) == 5
    assert [seq for seq, _, _ in rows] == [2, 3, 4, 5, 6]
    first, *rest = res.err.splitlines()
    assert first.startswith(f"{sc}:{bad_no}: "), res.err
    assert reason in first
    assert f"(stopped; every event printed above is saved in {path})" in res.err
    # every event printed before the failure is in the file, and nothing after it
    assert _view(cli, path)["event"] == rows[-1][0] == 1 + len(rows)
    again = cli("info", path)
    assert f"events:    {1 + len(rows)} " in again.out


def test_play_on_a_missing_script(cli, tmp_path):
    path = tmp_path / "s.peacetable"
    _new(cli, path)
    res = cli("play", path, tmp_path / "nope.jsonl")
    assert res.rc == 1
    _no_traceback(res)
    assert "nope.jsonl" in res.err
    assert _view(cli, path)["event"] == 1


# --------------------------------------------------------------------------- replay


def _assert_sorted_keys(raw: str) -> None:
    def hook(pairs):
        keys = [k for k, _ in pairs]
        assert keys == sorted(keys), keys
        return dict(pairs)

    json.loads(raw, object_pairs_hook=hook)


@pytest.mark.parametrize("viewer", ["control", "audience", "upland"])
def test_replay_at_json_is_stable(cli, played, viewer):
    for at in ("0", "9", "20", str(SCRIPT_EVENTS + 1)):
        a = cli("replay", played, "--at", at, "--json", "--viewer", viewer)
        b = cli("replay", played, "--at", at, "--json", "--viewer", viewer)
        assert a.rc == b.rc == 0, a.err
        assert a.out == b.out
        _assert_sorted_keys(a.out)
        data = json.loads(a.out)
        assert data["event"] == int(at)
        assert a.out == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    # the same bytes from a separate process
    p = run_process("replay", played, "--at", "20", "--json", "--viewer", viewer)
    assert p.rc == 0, p.err
    assert p.out == cli("replay", played, "--at", "20", "--json", "--viewer", viewer).out


def test_replay_at_0_is_before_the_first_phase(cli, played):
    v = _view(cli, played, "--at", "0")
    assert v["phase"] is None and v["moves_open"] == [] and v["agreements"] == []


@pytest.mark.parametrize("at", ["-1", str(SCRIPT_EVENTS + 2), "999"])
def test_replay_at_out_of_range(cli, played, at):
    res = cli("replay", played, "--at", at, "--json")
    assert res.rc == 1
    _no_traceback(res)
    assert str(played) in res.err and "out of range" in res.err
    assert res.out == ""


def test_replay_unknown_viewer(cli, played):
    res = cli("replay", played, "--json", "--viewer", "nobody")
    assert res.rc == 2
    _no_traceback(res)
    assert "unknown viewer 'nobody'" in res.err


def test_replay_text(cli, played):
    res = cli("replay", played)
    assert res.rc == 0, res.err
    head = (f"River Accord — after event {SCRIPT_EVENTS + 1}\nphase: 3/3 Summit\n"
            "in the story: 21 Apr 2031\n")
    assert res.out.startswith(head)
    assert ("in force: Monitoring: Joint commission; Water release: Medium release "
            "(Upland, Lowland) (#3)") in res.out


def test_replay_text_names_what_is_open_by_label_and_numbers_only_for_control(cli, played):
    # after event 14: upland's private offer to lowland is on record, midland's private
    # statement to upland awaits a ruling
    control = cli("replay", played, "--at", "14").out
    assert "moves awaiting a decision:\n  Midland: Public statement (#14)\n" in control
    assert ("conditional offers:\n  Upland: Open the sluices if troops pull back — if Troops "
            "at the border ≤ 2 battalions — waiting for its condition (#12)\n") in control
    room = cli("replay", played, "--at", "14", "--viewer", "audience").out
    assert "Midland" not in room and "sluices" not in room  # both private
    assert not re.search(r"#\d", room), room  # no event numbers for the room
    upland = cli("replay", played, "--at", "14", "--viewer", "upland").out
    assert "moves awaiting a decision:\n  Midland: Public statement\n" in upland
    assert "waiting for its condition\n" in upland and not re.search(r"#\d", upland)


def _all_views(cli, path: Path) -> list[str]:
    last = _view(cli, path)["event"]
    return [cli("replay", path, "--at", str(n), "--json").out for n in range(last + 1)]


def test_same_seed_same_script_same_replay(cli, tmp_path, script):
    a, b = tmp_path / "a.peacetable", tmp_path / "b.peacetable"
    for p in (a, b):
        _new(cli, p, 1234)
        assert cli("play", p, script).rc == 0
    views_a, views_b = _all_views(cli, a), _all_views(cli, b)
    assert len(views_a) == SCRIPT_EVENTS + 2
    assert views_a == views_b

    # and a third run made entirely by separate processes
    c = tmp_path / "c.peacetable"
    assert run_process("new", RIVER, "-o", c, "--seed", "1234").rc == 0
    played = run_process("play", c, script)
    assert played.rc == 0, played.err
    assert run_process("replay", c, "--json").out == views_a[-1]
    assert _all_views(cli, c) == views_a


def test_the_seed_decides_the_dice(cli, tmp_path, script):
    draws = set()
    for seed in range(6):
        p = tmp_path / f"s{seed}.peacetable"
        _new(cli, p, seed)
        out = cli("play", p, script).out
        roll = next(d for _, t, d in _events(out) if t == "dice_rolled")
        draws.add(re.search(r"drew (\d+) against", roll).group(1))
    assert len(draws) > 1


# --------------------------------------------------------------------------- who sees what


def test_audience_never_sees_private_text(cli, played):
    last = _view(cli, played)["event"]
    for n in range(last + 1):
        raw = cli("replay", played, "--json", "--viewer", "audience", "--at", str(n)).out
        assert raw, n
        for secret in SECRETS + PRIVATE_RATIONALES:
            assert secret not in raw, (n, secret)
        # the private conditional offer and midland's private statement are not shown
        assert "open_sluices" not in raw, n
        assert '"role": "midland"' not in raw, n
        view = json.loads(raw)
        assert "role" not in view and "injects_fired" not in view


def test_a_role_sees_its_own_brief_only(cli, played):
    for viewer in ("upland", "lowland", "midland"):
        raw = cli("replay", played, "--json", "--viewer", viewer).out
        own = f"{viewer.upper()}-SECRET"
        assert own in raw
        for secret in SECRETS:
            if secret != own:
                assert secret not in raw, (viewer, secret)
        for rationale in PRIVATE_RATIONALES:
            assert rationale not in raw, (viewer, rationale)
    # the offer upland made privately to lowland: both see it, midland does not
    assert "open_sluices" in cli("replay", played, "--json", "--viewer", "upland").out
    assert "open_sluices" in cli("replay", played, "--json", "--viewer", "lowland").out
    assert "open_sluices" not in cli("replay", played, "--json", "--viewer", "midland").out


def test_text_replay_for_the_audience_has_no_secrets(cli, played):
    raw = cli("replay", played, "--viewer", "audience").out
    for secret in SECRETS + PRIVATE_RATIONALES:
        assert secret not in raw


# --------------------------------------------------------------------------- info


def test_info(cli, played):
    res = cli("info", played)
    assert res.rc == 0, res.err
    lines = res.out.splitlines()
    assert lines[0] == f"file:      {played}"
    assert lines[1] == "scenario:  River Accord (river_accord)"
    assert re.match(r"^created:   \S+   schema \d+$", lines[2]), lines[2]
    assert lines[3] == "roles:     Upland, Lowland, Midland, Control cell"
    assert lines[4] == "phase:     Summit (3 of 3)"
    assert lines[5] == "in the story: 21 Apr 2031"  # the summit's day; no end date
    assert lines[6].startswith(f"events:    {SCRIPT_EVENTS + 1} (snapshots up to ")
    assert lines[7] == "agreements in force: 1"
    assert lines[8].startswith("escalation: ")
    assert lines[9] == "health:    ok"
    assert re.match(r"^fingerprint: [0-9a-f]{64}$", lines[10]), lines[10]
    assert lines[11] == "record:    record intact"
    assert not any(s in res.out for s in SECRETS)


def test_info_on_a_fresh_session(cli, tmp_path):
    path = tmp_path / "fresh.peacetable"
    _new(cli, path)
    res = cli("info", path)
    assert res.rc == 0
    assert "phase:     not started (0 of 3)" in res.out
    assert "in the story" not in res.out  # no phase yet, so no day
    assert "events:    1 " in res.out


# --------------------------------------------------------------------------- not a session


def _real_session(cli, tmp_path: Path, script: Path) -> Path:
    path = tmp_path / "real.peacetable"
    _new(cli, path)
    assert cli("play", path, script).rc == 0
    assert _sidecars(path) == []
    return path


def _make_bad(kind: str, tmp_path: Path, cli, script: Path) -> tuple[Path, str]:
    """A file that is not a usable session, and part of the message expected for it."""
    path = tmp_path / f"{kind}.peacetable"
    if kind == "text":
        path.write_text("minutes of the river talks\n", encoding="utf-8")
        return path, "is not a PeaceTable session"
    if kind == "empty":
        path.write_bytes(b"")
        return path, "is empty"
    if kind == "scenario":
        shutil.copyfile(RIVER, path)
        return path, "looks like a scenario"
    if kind == "truncated":
        path.write_bytes(_real_session(cli, tmp_path, script).read_bytes()[:1000])
        return path, "damaged or truncated"
    if kind == "foreign-sqlite":
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE people (name TEXT)")
        con.execute("INSERT INTO people VALUES ('Ada')")
        con.commit()
        con.close()
        return path, "not a PeaceTable session"
    if kind == "foreign-sqlite-lookalike":  # has the table names, not the application id
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        con.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, body TEXT)")
        con.commit()
        con.close()
        return path, "not a PeaceTable session"
    if kind == "schema-99":
        shutil.copyfile(_real_session(cli, tmp_path, script), path)
        con = sqlite3.connect(path)
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
        con.commit()
        con.close()
        for s in ("-wal", "-shm"):  # sqlite3 removes them on close; make sure
            assert not Path(str(path) + s).exists()
        return path, "newer PeaceTable"
    raise AssertionError(kind)


NOT_SESSIONS = ["text", "empty", "scenario", "truncated", "foreign-sqlite",
                "foreign-sqlite-lookalike", "schema-99"]
COMMANDS = {
    "info": lambda p, s: ("info", p),
    "replay": lambda p, s: ("replay", p),
    "replay-json": lambda p, s: ("replay", p, "--json", "--viewer", "audience"),
    "play": lambda p, s: ("play", p, s),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", NOT_SESSIONS)
def test_not_a_session(cli, tmp_path, script, kind, command):
    path, expected = _make_bad(kind, tmp_path, cli, script)
    before = path.read_bytes()
    res = cli(*COMMANDS[command](path, script))
    assert res.rc == 1, (res.rc, res.err)
    _no_traceback(res)
    assert str(path) in res.err
    assert expected in res.err, res.err
    assert res.out == ""
    assert path.read_bytes() == before  # SQLite may leave -wal/-shm, never touch the file


@pytest.mark.parametrize("kind", ["text", "truncated", "schema-99"])
def test_not_a_session_in_a_real_process(cli, tmp_path, script, kind):
    path, expected = _make_bad(kind, tmp_path, cli, script)
    before = path.read_bytes()
    for args in (("info", path), ("play", path, script), ("replay", path, "--json")):
        res = run_process(*args, cwd=tmp_path)
        assert res.rc == 1, res
        _no_traceback(res)
        assert str(path) in res.err and expected in res.err
        assert path.read_bytes() == before


@pytest.mark.parametrize("kind", ["valid", "truncated", "schema-99"])
def test_reading_leaves_no_sidecar_files(cli, tmp_path, script, kind):
    if kind == "valid":
        path = _real_session(cli, tmp_path, script)
    else:
        path, _ = _make_bad(kind, tmp_path, cli, script)
    assert _sidecars(path) == []
    cli("info", path)
    cli("replay", path, "--json")
    assert _sidecars(path) == []


# --------------------------------------------------------------------------- locking


def test_a_session_open_for_writing_is_locked_for_other_processes(cli, tmp_path, script):
    from peacetable.app.session import Session

    path = tmp_path / "busy.peacetable"
    _new(cli, path)
    held = Session.open(path)
    try:
        res = run_process("play", path, script, cwd=tmp_path)
        assert res.rc == 1
        _no_traceback(res)
        assert str(path) in res.err
        assert "open for writing in another" in res.err
        assert res.out == ""
        # reading is still allowed while someone writes
        ro = run_process("replay", path, "--json", cwd=tmp_path)
        assert ro.rc == 0, ro.err
        assert json.loads(ro.out)["event"] == 1
    finally:
        held.close()
    con = sqlite3.connect(path)  # the refused play wrote nothing to the file
    try:
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 1
    finally:
        con.close()
    res = run_process("play", path, script, cwd=tmp_path)
    assert res.rc == 0, res.err
    assert _view(cli, path)["event"] == SCRIPT_EVENTS + 1


# --------------------------------------------------------------------------- output pipe


def test_a_closed_output_pipe_is_not_an_error(played):
    p = subprocess.Popen([sys.executable, "-m", "peacetable.cli", "replay", str(played), "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=subprocess_env())
    p.stdout.close()  # like `peacetable replay ... | head -0`: nobody reads the output
    err = p.stderr.read().decode()
    rc = p.wait(timeout=120)
    p.stderr.close()
    assert "Traceback" not in err
    assert err.strip() == ""
    assert rc == 0


def test_info_shows_the_day_control_knows_and_the_phase_span(cli, tmp_path):
    from peacetable.app.session import Session
    from peacetable.domain import commands as C

    path = tmp_path / "dated.peacetable"
    river = Path(__file__).resolve().parents[1] / "fixtures" / "river-accord.toml"
    s = Session.create(river, path, seed=1)
    for cmd in (C.Advance(), C.Advance(), C.FireInject(id="leak")):
        s.execute(cmd)
    s.close()
    res = cli("info", path)
    assert res.rc == 0, res.err
    # the sealed round runs from 14 Apr to the day before the summit; the leak moved it on
    assert "in the story: 16 Apr 2031 (the phase: 14–20 Apr 2031)\n" in res.out
    # a viewer who did not hear the leak still reads the phase's day
    view = cli("replay", path, "--viewer", "lowland")
    assert "\nin the story: 14 Apr 2031\n" in view.out
