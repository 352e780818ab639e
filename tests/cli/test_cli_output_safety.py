"""What the command line prints: a file's control characters are shown, never obeyed; JSON
is strict (no NaN or Infinity)."""

from __future__ import annotations

import json

from cli_support import RIVER

from peacetable.terminal import dumps_json, safe_text

ESC = "\x1b"


def test_safe_text_escapes_what_acts_on_a_terminal():
    assert safe_text("plain text, 5 000 km — ok\n\tnext") == "plain text, 5 000 km — ok\n\tnext"
    assert safe_text("\x1b[31mred\x07") == "\\u001b[31mred\\u0007"
    assert safe_text("a\rb\x7fc\x9bd") == "a\\u000db\\u007fc\\u009bd"
    assert safe_text("left\u202eright\u2028") == "left\\u202eright\\u2028"


def test_json_never_holds_nan_or_infinity():
    text, replaced = dumps_json({"a": float("nan"), "b": [1.5, float("-inf")], "c": "x"})
    assert replaced and json.loads(text) == {"a": None, "b": [1.5, None], "c": "x"}
    assert "NaN" not in text and "Infinity" not in text
    text, replaced = dumps_json({"a": 1.0})
    assert not replaced and json.loads(text) == {"a": 1.0}


def test_ansi_in_a_scenario_title_prints_escaped(cli, tmp_path):
    evil = tmp_path / "evil.toml"
    text = RIVER.read_text()
    evil.write_text(text.replace('title = "River Accord"', 'title = "River \\u001b[2J\\u001b]0;owned\\u0007Accord"', 1))
    assert evil.read_text() != text
    session = tmp_path / "e.peacetable"
    results = [cli("validate", evil), cli("new", evil, "-o", session, "--seed", "1")]
    if session.exists():
        results += [cli("replay", session), cli("info", session),
                    cli("replay", session, "--json")]
        assert "\\u001b[2J" in results[2].out
    for res in results:
        assert ESC not in res.out and ESC not in res.err and "\x07" not in res.both


def test_control_characters_from_a_script_print_escaped(cli, tmp_path):
    session = tmp_path / "s.peacetable"
    assert cli("new", RIVER, "-o", session, "--seed", "1").rc == 0
    script = tmp_path / "s.jsonl"
    script.write_text(json.dumps({"cmd": "note", "text": "\x1b[31mred\x1b[0m \u202eevil"}) + "\n")
    res = cli("play", session, script)
    assert res.rc == 0, res.err
    assert ESC not in res.both and "\u202e" not in res.both
    assert "control note: \\u001b[31mred\\u001b[0m \\u202eevil" in res.out
