"""Utilities are exact however the numbers are written: ties the author made stay ties."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from peacetable.app.analysis import analyze_path
from peacetable.domain.analytics.bargaining import (
    MAX_DENOMINATOR,
    PackageSpace,
    analyze_bargaining,
    uniform_gain,
)

RIVER = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "river-accord.toml"

THIRDS = (["a", "b"], {"x": ["o", "p"], "y": ["o", "p"], "z": ["o", "p"]},
          {"a": {"x": 0.333, "y": 0.333, "z": 0.333}, "b": {"x": 0.2, "y": 0.3, "z": 0.5}},
          {"a": {i: {"o": 0.1, "p": 0.0} for i in "xyz"},
           "b": {i: {"o": 0.5, "p": 1.0} for i in "xyz"}},
          {"a": 0.1, "b": 0.5})


def test_a_tie_with_the_batna_stays_a_tie_when_weights_sum_to_0_999():
    # three weights of 0.333 (sum 0.999, accepted by validation) and 0.1 on every issue:
    # exactly 0.1, exactly the BATNA (rounding each third to 1e-9 gave 0.099999999)
    sp = PackageSpace.build(*THIRDS)
    pkg = {"x": "o", "y": "o", "z": "o"}
    assert sp.real(0, sp.value_units(pkg)[0]) == Fraction(1, 10)
    assert sp.value_units(pkg)[0] == sp.batna_units[0]
    ev = sp.evaluate(pkg)["a"]
    assert ev["worse_than_batna"] is False and ev["gain"] == 0.0
    b = analyze_bargaining(sp)
    assert len(b.zopa_rows) == 1 and b.package(int(b.zopa_rows[0])) == pkg
    assert b.nash is not None and b.zopa_count == 1


def test_the_same_tie_in_a_scenario_file(tmp_path):
    # the river fixture with Upland's weights written as 0.333 / 0.666 (sum 0.999), its
    # BATNA 0.5 and (medium, joint) made worth exactly that: (0.6 + 2 * 0.45) / 3 = 0.5
    text = RIVER.read_text(encoding="utf-8")
    text = text.replace("release = 0.6\nmonitoring = 0.4", "release = 0.333\nmonitoring = 0.666", 1)
    text = text.replace("batna = 0.4\n", "batna = 0.5\n", 1)
    text = text.replace("monitoring = { none = 1.0, joint = 0.5, international = 0.0 }",
                        "monitoring = { none = 1.0, joint = 0.45, international = 0.0 }", 1)
    path = tmp_path / "tie.toml"
    path.write_text(text, encoding="utf-8")
    report, _ = analyze_path(path)
    # (medium, joint) is worth (0.333 * 0.6 + 0.666 * 0.45) / 0.999 = 0.5 to Upland: a tie
    from peacetable.domain.loader import load_scenario
    sp = PackageSpace.from_scenario(load_scenario(path).scenario)
    ev = sp.evaluate({"release": "medium", "monitoring": "joint"})["upland"]
    assert ev["utility"] == ev["batna"] == 0.5 and ev["worse_than_batna"] is False
    assert report["bargaining"]["zopa"]["count"] >= 1
    assert "arithmetic_note" not in report["bargaining"]


def test_numbers_with_seventeen_digits_are_named_not_silently_rounded():
    # sixteen decimals in the weights and one in a value: a denominator of 10^17
    w = {"x": 0.1234567890123457, "y": 0.8765432109876543}
    sp = PackageSpace.build(["a", "b"], {"x": ["o", "p"], "y": ["o", "p"]},
                            {"a": w, "b": {"x": 0.5, "y": 0.5}},
                            {"a": {"x": {"o": 0.3, "p": 0.0}, "y": {"o": 1.0, "p": 0.5}},
                             "b": {"x": {"o": 0.0, "p": 1.0}, "y": {"o": 0.0, "p": 1.0}}},
                            {"a": 0.2, "b": 0.3})
    assert sp.rounded == ("a",) and sp.denominators[1] <= MAX_DENOMINATOR
    assert analyze_bargaining(sp).nash is not None
    # thirds printed by a program still cancel out exactly
    thirds = PackageSpace.build(["a"], {"x": ["o"], "y": ["o"]}, {"a": {"x": 1 / 3, "y": 2 / 3}},
                                {"a": {"x": {"o": 0.3}, "y": {"o": 0.6}}}, {"a": 0.5})
    assert not thirds.rounded and thirds.real(0, thirds.value_units({"x": "o", "y": "o"})[0]) \
        == Fraction(1, 2)


def test_uniform_gain_is_exact_across_role_units():
    sp = PackageSpace.build(*THIRDS)
    b = analyze_bargaining(sp)
    point = sp.batna_units
    gain, row = uniform_gain(b.frontier.utilities, point, sp.denominators)
    reals = [min(sp.real(a, u - p) for a, (u, p) in enumerate(zip(r, point)))
             for r in b.frontier.utilities]
    assert gain == max(reals) and reals[row] == gain


decimals = st.integers(0, 1000).map(lambda n: n / 1000)


@given(st.lists(st.integers(1, 999), min_size=2, max_size=4), st.data())
@settings(max_examples=60, deadline=None)
def test_values_equal_their_exact_definition(raw_weights, data):
    k = len(raw_weights)
    weights = {f"i{j}": w / 1000 for j, w in enumerate(raw_weights)}
    values = {f"i{j}": {"o": data.draw(decimals), "p": data.draw(decimals)} for j in range(k)}
    batna = data.draw(decimals)
    sp = PackageSpace.build(["a"], {f"i{j}": ["o", "p"] for j in range(k)}, {"a": weights},
                            {"a": values}, {"a": batna})
    assert not sp.rounded
    pkg = {f"i{j}": data.draw(st.sampled_from(["o", "p"])) for j in range(k)}
    W = sum(Fraction(str(w)) for w in weights.values())
    want = sum(Fraction(str(weights[i])) * Fraction(str(values[i][o])) for i, o in pkg.items()) / W
    assert sp.real(0, sp.value_units(pkg)[0]) == want
    assert sp.real(0, sp.batna_units[0]) == Fraction(str(batna))
    assert (sp.value_units(pkg)[0] >= sp.batna_units[0]) == (want >= Fraction(str(batna)))
