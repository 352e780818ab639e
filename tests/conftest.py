"""Shared fixtures: real scenario files and real session files in tmp_path."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

#: the per-user folders the app writes to (QSettings: settings and recent files under
#: XDG_CONFIG_HOME; platformdirs: logs under XDG_STATE_HOME), pointed into a temporary
#: folder for the whole run, before anything reads them, and inherited by every subprocess
#: a test starts: the tests never touch the real user's settings, recent files or logs
USER_DIRS = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")
_USER_HOME = tempfile.mkdtemp(prefix="peacetable-tests-home-")
for _name in USER_DIRS:
    os.environ[_name] = os.path.join(_USER_HOME, _name.lower())
    os.makedirs(os.environ[_name], exist_ok=True)
#: the documents folder (new sessions go to its "PeaceTable" folder), through the
#: user-dirs.dirs file that platformdirs and Qt read
USER_DOCUMENTS = os.path.join(_USER_HOME, "documents")
os.makedirs(USER_DOCUMENTS, exist_ok=True)
with open(os.path.join(os.environ["XDG_CONFIG_HOME"], "user-dirs.dirs"), "w") as _fh:
    _fh.write(f'XDG_DOCUMENTS_DIR="{USER_DOCUMENTS}"\n')


#: under mutation testing (mutmut sets MUTANT_UNDER_TEST in every phase) property tests
#: draw fewer examples, in a fixed order and without a deadline: each mutant reruns every
#: test that reaches the changed function, a mutant killed only by a rare example would be
#: killed by chance, and the traced, mutated code on a busy machine is no measure of time
MUTATION = "MUTANT_UNDER_TEST" in os.environ
MUTATION_EXAMPLES = 25
if MUTATION:
    from hypothesis import settings as _settings

    _settings.register_profile("mutation", max_examples=MUTATION_EXAMPLES, derandomize=True,
                               database=None, deadline=None, print_blob=False)
    _settings.load_profile("mutation")


def pytest_collection_modifyitems(config, items):
    """Under mutation testing, cap the examples of tests that set their own count."""
    if not MUTATION:
        return
    from hypothesis import settings as _settings

    for item in items:
        test = getattr(item, "obj", None)
        own = getattr(test, "_hypothesis_internal_use_settings", None)
        if own is not None:
            test._hypothesis_internal_use_settings = _settings(
                own, max_examples=min(own.max_examples, MUTATION_EXAMPLES), derandomize=True,
                database=None, deadline=None)


def pytest_unconfigure(config):
    shutil.rmtree(_USER_HOME, ignore_errors=True)

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

