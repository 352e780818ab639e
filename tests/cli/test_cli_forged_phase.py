"""A record edited by someone who recomputed its hash chain so that the current phase is one
the scenario does not have: `replay` and `report` (which open read-only and do not check
every event against the scenario) say where the record breaks, with a non-zero exit; never
"internal error"."""

from __future__ import annotations

import hashlib

import pytest

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.events import PhaseStarted, Visibility
from peacetable.storage.session_file import SessionStore


@pytest.fixture
def forged(tmp_path, river_path):
    p = tmp_path / "forged.peacetable"
    s = Session.create(river_path, p, seed=1)
    s.execute(C.Advance())
    s.close()
    store = SessionStore.open(p)
    try:  # through the store's own append: the chain is recomputed, as a forger would
        store.append([(PhaseStarted(phase="ghost", index=7), Visibility())])
    finally:
        store.close()
    return p


@pytest.mark.parametrize("args", [("replay",), ("replay", "--json"), ("report", "-o", "{out}")])
def test_a_forged_phase_is_named_not_an_internal_error(cli, forged, tmp_path, args):
    out = tmp_path / "aar.html"
    before = hashlib.sha256(forged.read_bytes()).hexdigest()
    r = cli(args[0], forged, *(a.format(out=out) for a in args[1:]))
    assert r.rc == 1, r.err
    assert "internal error" not in r.err
    assert str(forged) in r.err
    assert "the record breaks at event 3" in r.err and "phase 7" in r.err
    assert "the file was not changed" in r.err
    assert hashlib.sha256(forged.read_bytes()).hexdigest() == before
    assert not out.exists()
