"""Shared helpers for the command-line tests: run ``peacetable`` in-process or as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
RIVER = FIXTURES / "river-accord.toml"
BAD = FIXTURES / "bad"


@dataclass(frozen=True)
class Result:
    rc: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


def subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run_process(*args: str | Path, cwd: Path | None = None, exe: Path | None = None,
                timeout: float = 120) -> Result:
    """Run ``python -m peacetable.cli ARGS`` (or the ``exe`` entry point) as a separate process."""
    head = [str(exe)] if exe else [sys.executable, "-m", "peacetable.cli"]
    p = subprocess.run([*head, *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                       cwd=cwd, env=subprocess_env(), timeout=timeout)
    return Result(p.returncode, p.stdout, p.stderr)


def console_script() -> Path | None:
    """The installed ``peacetable`` entry point next to this interpreter, if there is one."""
    exe = Path(sys.executable).parent / ("peacetable.exe" if os.name == "nt" else "peacetable")
    return exe if exe.exists() else None
