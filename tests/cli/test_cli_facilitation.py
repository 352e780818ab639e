"""The command line as documented: the README's examples, help for every option, `play`
continuing a script without applying a command twice, and labels in text output."""

from __future__ import annotations

import argparse
import glob
import json
import re
import shlex
from pathlib import Path

import pytest
from cli_support import RIVER, ROOT

PLAY_LINES = [
    {"cmd": "advance"},
    {"cmd": "move", "role": "upland", "template": "propose",
     "package": {"monitoring": "joint", "release": "medium"}, "label": "p"},
    {"cmd": "adjudicate", "move": "@p", "decision": "accept"},
    {"cmd": "move", "role": "lowland", "template": "accept", "target": "@p", "label": "a"},
    {"cmd": "adjudicate", "move": "@a", "decision": "accept"},
    {"cmd": "move", "role": "upland", "template": "open_sluices", "channel": "private",
     "to": ["lowland"], "condition": {"variable": "troops", "op": "<=", "value": 4},
     "label": "o"},
    {"cmd": "adjudicate", "move": "@o", "decision": "accept"},
    {"cmd": "move", "role": "lowland", "template": "mass_troops", "label": "m"},
    {"cmd": "adjudicate", "move": "@m", "decision": "accept"},
]


def _write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in lines), encoding="utf-8")
    return path


def _new(cli, out: Path) -> None:
    res = cli("new", RIVER, "-o", out, "--seed", "7")
    assert res.rc == 0, res.err


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## The command line"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the README's command-line section has no sh block"
    return [ln for ln in block.group(1).splitlines() if ln.strip()]


# --------------------------------------------------------------------------- README


def test_readme_examples_work_when_pasted(cli, tmp_path, monkeypatch):
    """Every line of the README's command-line block, run from a fresh folder holding the
    project's scenarios, succeeds (after `source .venv/bin/activate`)."""
    lines = _readme_commands()
    assert lines[0] == "source .venv/bin/activate"
    assert (ROOT / "packaging" / "dev.sh").read_text().count(".venv/bin/peacetable") >= 1
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    ran = 0
    for line in lines[1:]:
        argv = shlex.split(line, comments=True)
        assert argv[0] == "peacetable", line
        # the shell expands globs before the command sees them
        argv = [x for a in argv for x in (sorted(glob.glob(a)) if "*" in a else [a])]
        res = cli(*argv[1:])
        assert res.rc == 0, f"{line}\n{res.err}"
        assert "Traceback" not in res.both
        ran += 1
    assert ran >= 8
    assert (tmp_path / "workshop.peacetable").exists()


def test_every_command_and_option_has_help():
    from peacetable.cli import COMMANDS, _parser

    p = _parser()
    subs = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subs.choices) >= set(COMMANDS)
    helps = {a.dest: a.help for a in subs._choices_actions}
    for name, sp in subs.choices.items():
        assert helps.get(name), f"'{name}' has no help line"
        for a in sp._actions:
            if isinstance(a, argparse._HelpAction):
                continue
            assert a.help and a.help.strip(), f"{name} {a.option_strings or a.dest}: no help"


# --------------------------------------------------------------------------- play


def test_play_continues_where_it_stopped_and_never_applies_twice(cli, tmp_path):
    path = tmp_path / "s.peacetable"
    _new(cli, path)
    script = _write(tmp_path / "s.jsonl", PLAY_LINES[:4] + [{"cmd": "bogus"}] + PLAY_LINES[4:])
    first = cli("play", path, script)
    assert first.rc == 1 and "s.jsonl:5: unknown cmd 'bogus'" in first.err
    # the line fixed, play again: it continues at line 5, the first four are not repeated
    _write(script, PLAY_LINES)
    again = cli("play", path, script)
    assert again.rc == 0, again.err
    assert "continuing" in again.err and "at line 5" in again.err
    assert "already holds its first 4 commands" in again.err
    seqs = [int(ln.split()[0]) for ln in again.out.splitlines() if ln.strip()[:1].isdigit()]
    assert seqs[0] == 6  # events 2..5 came from the first run
    # a third time: nothing to do, nothing written
    info_before = cli("info", path).out
    third = cli("play", path, script)
    assert third.rc == 0 and third.out == ""
    assert "already holds all 9 commands" in third.err
    assert cli("info", path).out == info_before
    # the same script edited in its played part: refused, nothing written
    _write(script, [{"cmd": "note", "text": "x"}] + PLAY_LINES)
    edited = cli("play", path, script)
    assert edited.rc == 1 and "refusing to apply commands twice" in edited.err
    assert "already holds the first 9 commands of this script as it was then" in edited.err
    assert cli("info", path).out == info_before


def test_play_refuses_to_continue_over_changes_made_elsewhere(cli, tmp_path):
    from peacetable.app.session import Session
    from peacetable.domain import commands as C

    path = tmp_path / "s.peacetable"
    _new(cli, path)
    script = _write(tmp_path / "s.jsonl", PLAY_LINES[:3] + [{"cmd": "bogus"}])
    assert cli("play", path, script).rc == 1
    s = Session.open(path)
    s.execute(C.SubmitMove(role="lowland", template="mass_troops"))
    s.close()
    _write(script, PLAY_LINES)
    res = cli("play", path, script)
    assert res.rc == 1 and "1 event after the script stopped" in res.err
    assert res.out == ""


def test_play_names_agreements_labels_and_plurals(cli, tmp_path):
    path = tmp_path / "s.peacetable"
    _new(cli, path)
    res = cli("play", path, _write(tmp_path / "a.jsonl", PLAY_LINES))
    assert res.rc == 0, res.err
    out = res.out
    assert "agreement formed: Monitoring: Joint commission; Water release: " \
           "Medium release (Upland, Lowland) (#3)" in out
    # moves are named by what they are, not by number (#N only as control's reference)
    assert "Control accepted Upland's proposal (#3): Monitoring: Joint commission" in out
    assert "Control accepted Lowland's acceptance (#5) of Upland's proposal (#3)" in out
    assert not re.search(r"\b(move|proposal|event|agreement) \d", out), out
    assert "if Troops at the border ≤ 4 battalions" in out
    assert "monitoring=joint" not in out and "troops <=" not in out
    one = cli("play", path, _write(tmp_path / "one.jsonl", [{"cmd": "note", "text": "x"}]))
    assert one.rc == 0 and "applied 1 event;" in one.err and " 1 events" not in one.err


# --------------------------------------------------------------------------- labels


def test_analyze_and_info_text_speak_labels_json_keeps_ids(cli, tmp_path):
    path = tmp_path / "s.peacetable"
    _new(cli, path)
    assert cli("play", path, _write(tmp_path / "a.jsonl", PLAY_LINES)).rc == 0
    text = cli("analyze", path).out
    assert "Water release: Medium release" in text and "release=medium" not in text
    assert re.search(r"^\s+Upland\s+\d", text, re.M)  # concessions by role name
    assert "Session: phase Talks;" in text
    data = json.loads(cli("analyze", path, "--json").out)
    assert "upland" in data["roles"]
    info = cli("info", path).out
    assert re.search(r"^escalation: [\d.]+ of 100 \((Calm|Tension|[A-Z][a-z ]+)\)$", info, re.M)
    replay = cli("replay", path).out
    assert "Monitoring: Joint commission" in replay and "monitoring=joint" not in replay


@pytest.mark.parametrize("cond, text", [
    ({"variable": "troops", "op": "<=", "value": 4}, "Troops at the border ≤ 4 battalions"),
    ({"variable": "flow", "op": ">", "value": 70}, "River flow downstream > 70 % of normal"),
    ({"issue": "monitoring", "status": "on_table"}, "Monitoring is on the table"),
    ({"issue": "monitoring", "option": "joint"}, "Monitoring settled on Joint commission"),
    ({"all": [{"variable": "troops", "op": "<", "value": 3},
              {"any": [{"issue": "monitoring", "status": "agreed"},
                       {"variable": "flow", "op": ">=", "value": 50}]}]},
     "Troops at the border < 3 battalions and (Monitoring is agreed or "
     "River flow downstream ≥ 50 % of normal)"),
])
def test_condition_text_uses_the_scenarios_labels_and_units(river, cond, text):
    from peacetable.domain.views import condition_text

    assert condition_text(cond, river) == text


def test_validate_counts_speak_correct_plurals(cli, tmp_path):
    text = RIVER.read_text(encoding="utf-8")
    one = tmp_path / "one-inject.toml"
    one.write_text(text[:text.index('[[injects]]\nid = "leak"')], encoding="utf-8")
    res = cli("validate", one)
    assert res.rc == 0, res.out + res.err
    assert "1 linkage, 3 phases" in res.err and "1 inject)" in res.err
    assert "1 linkages" not in res.err and "1 injects" not in res.err
