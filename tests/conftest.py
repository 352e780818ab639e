"""Shared fixtures: real scenario files and real session files in tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BUNDLED = sorted(p for p in SCENARIOS.glob("*.toml"))


@pytest.fixture
def river_path() -> Path:
    return FIXTURES / "river-accord.toml"


@pytest.fixture
def river(river_path):
    from peacetable.domain.loader import load_scenario

    return load_scenario(river_path).scenario


@pytest.fixture
def river_session(tmp_path, river_path):
    from peacetable.app.session import Session

    s = Session.create(river_path, tmp_path / "river.peacetable", seed=7)
    yield s
    s.close()
