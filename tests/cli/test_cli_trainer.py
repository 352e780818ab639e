"""Command line for trainers: fork and report, and what info says about a fork."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from cli_support import ROOT

sys.path.insert(0, str(ROOT / "tests" / "app"))
from trainer_support import SCRIPTS, play_bundled  # noqa: E402


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> Path:
    return play_bundled(tmp_path_factory.mktemp("cli-trainer"), SCRIPTS[0])


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_fork_then_info_names_the_parent(cli, played, tmp_path):
    sha = _sha(played)
    out = tmp_path / "what-if.peacetable"
    res = cli("fork", played, "--at", "12", "-o", out)
    assert res.rc == 0, res.err
    assert "up to event 12" in res.out
    assert _sha(played) == sha
    info = cli("info", out)
    assert info.rc == 0, info.err
    line = next(x for x in info.out.splitlines() if x.startswith("forked from:"))
    assert str(played.resolve()) in line and "after event 12" in line
    rep_child = cli("replay", out, "--json")
    rep_parent = cli("replay", played, "--json", "--at", "12")
    assert json.loads(rep_child.out) == json.loads(rep_parent.out)


def test_fork_refusals_are_one_line_and_leave_files_alone(cli, played, tmp_path):
    taken = tmp_path / "taken.peacetable"
    taken.write_bytes(b"mine")
    res = cli("fork", played, "--at", "3", "-o", taken)
    assert res.rc == 1 and "already exists" in res.err and "Traceback" not in res.err
    assert taken.read_bytes() == b"mine"
    res = cli("fork", played, "--at", "100000", "-o", tmp_path / "x.peacetable")
    assert res.rc == 1 and "cannot fork at event 100000" in res.err
    assert len(res.err.strip().splitlines()) == 1
    assert not (tmp_path / "x.peacetable").exists()
    bad = tmp_path / "bad.peacetable"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    res = cli("fork", bad, "--at", "1", "-o", tmp_path / "y.peacetable")
    assert res.rc == 1 and str(bad) in res.err and "Traceback" not in res.err
    assert not (tmp_path / "y.peacetable").exists()


def test_every_new_argument_has_help(cli, capsys):
    from peacetable.cli import _parser

    p = _parser()
    sub = next(a for a in p._actions if a.dest == "command")
    for name in ("fork", "report"):
        for action in sub.choices[name]._actions:
            if action.dest != "help":
                assert action.help, (name, action.dest)


def test_report_refuses_an_existing_file_and_force_replaces_it(cli, played, tmp_path):
    out = tmp_path / "aar.json"
    out.write_text("keep")
    res = cli("report", played, "-o", out)
    assert res.rc == 1 and "already exists" in res.err and "--force" in res.err
    assert out.read_text() == "keep"
    res = cli("report", played, "-o", out, "--force", "--viewer", "audience")
    assert res.rc == 0, res.err
    assert json.loads(out.read_text())["report"]["overview"]["viewer_id"] == "audience"


def test_report_on_a_damaged_session_gives_its_message_only(cli, tmp_path):
    bad = tmp_path / "broken.peacetable"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x01" * 300)
    res = cli("report", bad, "-o", tmp_path / "aar.html")
    assert res.rc == 1 and res.out == ""
    assert len(res.err.strip().splitlines()) == 1 and str(bad) in res.err
    assert "Traceback" not in res.err and not (tmp_path / "aar.html").exists()


def test_report_with_an_unknown_viewer(cli, played, tmp_path):
    res = cli("report", played, "-o", tmp_path / "aar.csv", "--viewer", "nobody")
    assert res.rc == 1 and "unknown viewer 'nobody'" in res.err
    assert not (tmp_path / "aar.csv").exists()


def test_report_json_says_what_replay_and_analyze_say(cli, played, tmp_path):
    for viewer in ("control", "audience", "ukraine"):
        out = tmp_path / f"aar-{viewer}.json"
        res = cli("report", played, "-o", out, "--viewer", viewer)
        assert res.rc == 0, res.err
        report = json.loads(out.read_text(encoding="utf-8"))["report"]
        replay = json.loads(cli("replay", played, "--json", "--viewer", viewer).out)
        assert report["state"] == replay
    analyze = json.loads(cli("analyze", played, "--json").out)
    control = json.loads((tmp_path / "aar-control.json").read_text(encoding="utf-8"))["report"]
    b = control["debrief"]["bargaining"]
    assert b["nash"]["package"] == analyze["bargaining"]["nash"]["package"]
    assert b["kalai_smorodinsky"]["package"] == analyze["bargaining"]["kalai_smorodinsky"]["package"]
    assert b["agreed"] == analyze["session"]["agreed"]
    assert b["uniform_gain"] == analyze["session"]["frontier_distance"]["uniform_gain"]
