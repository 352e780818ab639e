"""The layer rule (ui -> app -> storage -> domain, no Qt below ui) is checked here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 kept, 0 broken" in proc.stdout


def test_contracts_would_catch_qt_in_domain(tmp_path):
    """The forbidden contract is live: a copy of the package with Qt in domain breaks it."""
    import shutil

    pkg = tmp_path / "peacetable"
    shutil.copytree(ROOT / "peacetable", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (pkg / "domain" / "leak.py").write_text("import PySide6.QtCore\n")
    exe = Path(sys.executable).with_name("lint-imports")
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([str(exe), "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                          env=env)
    assert proc.returncode != 0
    assert "peacetable.domain.leak -> PySide6" in proc.stdout
