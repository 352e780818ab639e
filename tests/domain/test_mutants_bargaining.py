"""A package space built from plain data where a role gives no weight for an issue.

Written against a mutant that survived the broader tests (docs/testing.md).
"""

from __future__ import annotations

import numpy as np

from peacetable.domain.analytics.bargaining import PackageSpace


def test_an_issue_a_role_gives_no_weight_is_worth_nothing_to_it():
    issues = {"i0": ["lo", "hi"], "i1": ["lo", "hi"]}
    values = {r: {i: {"lo": 0.0, "hi": 1.0} for i in issues} for r in "AB"}
    weights = {"A": {"i0": 1.0}, "B": {"i0": 1.0, "i1": 1.0}}  # A names no weight for i1
    sp = PackageSpace.build(["A", "B"], issues, weights, values, {"A": 0.0, "B": 0.0})
    choices, u = sp.enumerate()
    a, b = (u[:, k] / sp.denominators[k] for k in range(2))
    hi0 = choices[:, 0] == 1
    # A values only i0: all of it with i0 high, none without, whatever i1 is
    assert np.allclose(a[hi0], 1.0) and np.allclose(a[~hi0], 0.0)
    # B weighs both issues equally
    assert sorted(np.round(b, 6).tolist()) == [0.0, 0.5, 0.5, 1.0]


def test_a_rounded_role_splits_its_batna_over_the_issues_by_weight():
    """A role whose numbers need more digits than exact sums allow (named in ``rounded``)
    still splits its no-deal value over the issues in proportion to its weights, each share
    within one unit of the exact one, and the shares add up to the no-deal value."""
    w = {"x": 0.1234567890123457, "y": 0.8765432109876543}
    sp = PackageSpace.build(["a", "b"], {"x": ["o", "p"], "y": ["o", "p"]},
                            {"a": w, "b": {"x": 0.5, "y": 0.5}},
                            {"a": {"x": {"o": 0.3, "p": 0.0}, "y": {"o": 1.0, "p": 0.5}},
                             "b": {"x": {"o": 0.0, "p": 1.0}, "y": {"o": 0.0, "p": 1.0}}},
                            {"a": 0.2, "b": 0.3})
    assert sp.rounded == ("a",)
    den = sp.denominators[0]
    shares = sp.batna_shares[0].tolist()
    assert sum(shares) == sp.batna_units[0] == round(0.2 * den)
    total = w["x"] + w["y"]
    for j, iid in enumerate(("x", "y")):
        assert abs(shares[j] - w[iid] / total * 0.2 * den) <= 1
