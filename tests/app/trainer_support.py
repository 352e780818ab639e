"""Shared helpers for the trainer tests: played sessions from the bundled scripts."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
SCRIPTS = sorted(SCENARIOS.glob("*.moves.jsonl"))


def play_bundled(tmp_path: Path, script: Path, name: str | None = None, seed: int = 11) -> Path:
    """A session file after one of the bundled scripts (its scenario is the same stem)."""
    from peacetable.app.script import ScriptRunner, read_script
    from peacetable.app.session import Session

    scenario = script.with_name(script.name.replace(".moves.jsonl", ".toml"))
    out = tmp_path / (name or script.name.replace(".moves.jsonl", ".peacetable"))
    s = Session.create(scenario, out, seed=seed)
    try:
        ScriptRunner(s, script).run(read_script(script))
    finally:
        s.close()
    return out


def events_dump(path: Path) -> bytes:
    """Every row of the events table, byte for byte, in order (read-only connection)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT seq, ts, type, actor, visibility, body FROM events "
                            "ORDER BY seq").fetchall()
    finally:
        conn.close()
    return repr(rows).encode("utf-8")


def file_sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
