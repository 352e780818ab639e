"""Fixtures for the command-line tests (helpers live in cli_support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import Result


@pytest.fixture(scope="session")
def log_home(tmp_path_factory) -> Path:
    """A private XDG state folder, so that internal errors are not logged into the real home."""
    return tmp_path_factory.mktemp("xdg-state")


@pytest.fixture(autouse=True)
def _private_logs(monkeypatch, log_home):
    # read by platformdirs when peacetable.logs first sets up (in-process) and by subprocesses
    monkeypatch.setenv("XDG_STATE_HOME", str(log_home))


@pytest.fixture
def cli(capsys):
    """Run ``peacetable ARGS`` in this process (``peacetable.cli.main``); returns a Result."""
    from peacetable.cli import main

    def run(*args: str | Path) -> Result:
        capsys.readouterr()  # drop anything printed before
        rc = main([str(a) for a in args])
        cap = capsys.readouterr()
        return Result(rc, cap.out, cap.err)

    return run
