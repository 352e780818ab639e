"""docs/script-format.md shows an example line for every command, and each line is a command
the script reader accepts (field names and types as in peacetable/domain/commands.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from peacetable.app.script import ScriptLine, ScriptRunner
from peacetable.domain.commands import COMMAND_NAMES

DOC = Path(__file__).resolve().parents[2] / "docs" / "script-format.md"


def _example_lines() -> list[dict]:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```jsonl\n(.*?)```", text, flags=re.S)
    assert blocks, "no ```jsonl example block in docs/script-format.md"
    return [json.loads(line) for block in blocks for line in block.splitlines() if line.strip()]


def test_every_command_has_an_example_line():
    shown = {line["cmd"] for line in _example_lines()}
    missing = [name for name in COMMAND_NAMES if name not in shown]
    assert not missing, f"commands without an example line: {missing}"


def test_every_example_line_is_a_valid_command():
    runner = ScriptRunner(session=None, source=str(DOC))  # type: ignore[arg-type]
    for n, data in enumerate(_example_lines(), start=1):
        cmd, _label = runner.command(ScriptLine(n, data))
        assert cmd.__struct_config__.tag == data["cmd"]
