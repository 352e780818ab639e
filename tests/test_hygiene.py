"""The test run and the build's smoke test keep to temporary folders: never the user's own
settings, recent files or logs; dev.sh says what it does; the package builds without
deprecation warnings."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL_HOME = Path(pwd.getpwuid(os.getuid()).pw_dir)


def _real_settings_text() -> str:
    p = REAL_HOME / ".config" / "PeaceTable" / "PeaceTable.ini"
    return p.read_text(encoding="utf-8", errors="replace") if p.exists() else ""


def test_user_folders_point_into_a_temporary_folder():
    import platformdirs

    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        value = Path(os.environ[name])
        assert value.is_dir() and not value.is_relative_to(REAL_HOME), name
    assert not Path(platformdirs.user_log_dir("peacetable")).is_relative_to(REAL_HOME)
    assert not Path(platformdirs.user_config_dir("PeaceTable")).is_relative_to(REAL_HOME)


def test_the_app_started_by_a_test_writes_its_recent_files_to_the_temporary_folder(tmp_path):
    from peacetable.app.session import Session

    session = tmp_path / "hygiene-marker.peacetable"
    Session.create(ROOT / "tests" / "fixtures" / "river-accord.toml", session, seed=1).close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PEACETABLE_BENCH_EXIT_ON_SHOW": "visuals"}
    proc = subprocess.run([sys.executable, "-m", "peacetable.cli", str(session)], env=env,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert "PEACETABLE_VISUALS" in proc.stdout, proc.stderr
    conf = Path(os.environ["XDG_CONFIG_HOME"]) / "PeaceTable" / "PeaceTable.ini"
    assert conf.exists() and session.name in conf.read_text(encoding="utf-8")
    assert session.name not in _real_settings_text()


def test_build_smoke_test_keeps_to_its_own_folders():
    text = (ROOT / "packaging" / "build.sh").read_text(encoding="utf-8")
    head, _, smoke = text.partition("smoke=$(mktemp -d)")
    assert smoke, "build.sh has no smoke folder"
    first_app_run = smoke.index('"$app"')
    setup = smoke[:first_app_run]
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        assert f'{name}="$smoke/' in setup, name


def test_dev_sh_says_what_it_is_doing(tmp_path):
    """dev.sh names each step of the set-up on stderr. Run on a copy of the project whose
    ./.venv is a stand-in (so nothing is installed): it checks the libraries, finds the
    environment up to date and starts the app."""
    import shutil

    (tmp_path / "packaging").mkdir()
    shutil.copy(ROOT / "packaging" / "dev.sh", tmp_path / "packaging" / "dev.sh")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    bin_ = tmp_path / ".venv" / "bin"
    bin_.mkdir(parents=True)
    (bin_ / "python").symlink_to(sys.executable)
    (bin_ / "peacetable").write_text("#!/bin/sh\necho \"stand-in app $*\"\n")
    (bin_ / "peacetable").chmod(0o755)
    stamp = tmp_path / ".venv" / ".peacetable-installed"
    stamp.touch()
    os.utime(tmp_path / "pyproject.toml", (1, 1))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(["bash", str(tmp_path / "packaging" / "dev.sh"), "run", "x.toml"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "stand-in app x.toml"
    err = proc.stderr.splitlines()
    assert err[0] == "dev.sh: Checking the system libraries Qt needs…", proc.stderr
    assert "dev.sh: ./.venv is up to date." in err
    assert err[-1] == "dev.sh: Starting PeaceTable (.venv/bin/peacetable x.toml)"
    bad = subprocess.run(["bash", str(tmp_path / "packaging" / "dev.sh"), "nothing"],
                         capture_output=True, text=True, timeout=60, env=env)
    assert bad.returncode == 2 and "usage:" in bad.stderr


def test_package_metadata_builds_without_deprecation_warnings(tmp_path):
    """setuptools builds the package's metadata from a copy of the project without a
    deprecation warning (SPDX licence string, no licence classifiers, no deprecated keys)."""
    import shutil

    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "peacetable", tmp_path / "peacetable",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "md").mkdir()
    code = "from setuptools import build_meta; build_meta.prepare_metadata_for_build_wheel('md')"
    proc = subprocess.run([sys.executable, "-W", "always", "-c", code], capture_output=True,
                          text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert list((tmp_path / "md").glob("peacetable-*.dist-info"))
    warned = [ln for ln in proc.stderr.splitlines() if "eprecat" in ln]
    assert warned == [], proc.stderr
