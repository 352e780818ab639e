"""Bargaining among some parties (``analyze --parties``): the other roles held at their
status quo -- not asked, and every issue the parties leave open stays without a deal."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest

from peacetable.domain.analytics.bargaining import (
    OPEN,
    PackageSpace,
    analyze_bargaining,
    coalition_space,
    settled,
)
from peacetable.domain.analytics.report import coalition_section
from peacetable.domain.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
INCHES = ROOT / "scenarios" / "peace-of-inches.toml"
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"


@pytest.fixture(scope="module")
def inches() -> PackageSpace:
    return PackageSpace.from_scenario(load_scenario(INCHES).scenario)


def test_us_and_russia_find_the_quiet_channel_deal(inches):
    """Peace of Inches: the US and Russia alone settle the compartmentalised arms-control
    track (strategic-stability talks, walled off from Ukraine) and each gains more than at
    the all-party Nash point -- the trade that point hides because the others count there
    as fully -- at a cost to the roles left out."""
    full = analyze_bargaining(inches, count=False)
    sec = coalition_section(inches, ["us", "russia"])
    assert sec["status"] == "ok" and sec["others"] == ["ukraine", "europe", "china"]
    for key in ("nash", "kalai_smorodinsky"):
        rec = sec[key]
        assert rec["package"]["arms_control"] == "stability_talks"
        assert all(g > 0 for g in rec["gains"].values())
        assert set(rec["utilities"]) == {"us", "russia"}
        assert "ukraine" in rec["worse_than_no_deal_for"]
        assert OPEN not in rec["package"].values()
        assert set(rec["package"]) | set(rec["left_open"]) == set(inches.issues)
    all_party = full.describe(full.nash)["gains"]
    pair = sec["nash"]["gains"]
    assert pair["russia"] > all_party["russia"] and pair["us"] > all_party["us"]
    # the left-out roles' figures are those of the settled issues, the rest at no deal
    ev = inches.evaluate(sec["nash"]["package"])
    assert sec["nash"]["others"]["ukraine"]["utility"] == ev["ukraine"]["utility"]


def test_coalition_points_equal_brute_force():
    """Nash and KS among two of three roles, by enumerating every way of settling or
    leaving open each issue (BATNA-equivalent rule) against the exact definitions."""
    sp = PackageSpace.from_scenario(load_scenario(RIVER).scenario)
    parties = list(sp.roles[:2])
    cs = coalition_space(sp, parties)
    b = analyze_bargaining(cs, count=False)
    idx = [sp.roles.index(p) for p in parties]
    r = sp.batna_units[idx]
    cands = []
    for combo in itertools.product(*[[*o, None] for o in sp.options]):
        pkg = {i: o for i, o in zip(sp.issues, combo) if o is not None}
        g = sp.value_units(pkg)[idx] - r
        if (g >= 0).all():
            cands.append((pkg, [int(x) for x in g]))
    assert cands
    best = max(math.prod(g) for _, g in cands)
    nash = settled(b.package(b.nash))
    assert math.prod(int(x) for x in sp.value_units(nash)[idx] - r) == best
    tops = np.array([g for _, g in cands]).max(axis=0)
    ks_best = max(min(x / t if t else 1 for x, t in zip(g, tops)) for _, g in cands)
    ks = settled(b.package(b.ks))
    gk = sp.value_units(ks)[idx] - r
    assert min(x / t if t else 1 for x, t in zip(gk, tops)) == pytest.approx(ks_best)


@pytest.mark.parametrize("parties, words", [
    (["us", "moscow"], "unknown role 'moscow'"),
    (["us", "us"], "named twice"),
    ([], "at least one"),
    (["control"], "unknown role 'control'"),
])
def test_bad_parties_are_named(inches, parties, words):
    with pytest.raises(ValueError, match=words):
        coalition_space(inches, parties)


def test_cli_parties_text_labels_json_ids_bad_ids_exit_2(capsys):
    from peacetable.cli import main

    assert main(["analyze", str(INCHES), "--parties", "us,russia"]) == 0
    text = capsys.readouterr().out
    assert "Bargaining among United States, Russian Federation only" in text
    assert "US–Russia arms-control track: Strategic-stability talks" in text
    assert "WORSE THAN NO DEAL for Ukraine" in text
    assert "arms_control" not in text and "\x00" not in text
    assert main(["analyze", str(INCHES), "--parties", "us,russia", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["coalition"]["parties"] == ["us", "russia"]
    assert data["coalition"]["nash"]["package"]["arms_control"] == "stability_talks"
    assert main(["analyze", str(INCHES), "--parties", "us,kremlin"]) == 2
    cap = capsys.readouterr()
    assert "--parties: unknown role 'kremlin'" in cap.err and "us, russia" in cap.err
    assert cap.out == ""
