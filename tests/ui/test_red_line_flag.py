"""The move entry names the acting role's own red lines that a proposed package crosses."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"
ANCHOR = 'monitoring = { none = 1.0, joint = 0.5, international = 0.0 }\n'
TEST = '''
[[roles.red_line_tests]]
red_line = "No foreign monitors at the dam"
crossed_if = { issue = "monitoring", option = "international" }
'''


def test_a_package_across_the_role_s_red_line_is_flagged(window, new_session, tmp_path):
    path = tmp_path / "lines.toml"
    path.write_text(RIVER.read_text(encoding="utf-8").replace(ANCHOR, ANCHOR + TEST, 1),
                    encoding="utf-8")
    new_session(path, tmp_path / "lines.peacetable")
    window.console.phase_bar.advance_button.click()
    me = window.console.move_entry
    me.role_combo.setCurrentIndex(me.role_combo.findData("upland"))
    me.template_combo.setCurrentIndex(me.template_combo.findData("propose"))
    flag = me.red_line_flag
    assert not flag.isVisibleTo(me)
    me.package_checks["monitoring"].setChecked(True)
    combo = me.package_combos["monitoring"]
    combo.setCurrentIndex(combo.findData("joint"))
    assert not flag.isVisibleTo(me)
    combo.setCurrentIndex(combo.findData("international"))
    assert flag.isVisibleTo(me)
    assert flag.text() == ("This package crosses a red line of Upland: "
                           "No foreign monitors at the dam")
    # another role's red lines are not its business (and are private)
    me.role_combo.setCurrentIndex(me.role_combo.findData("lowland"))
    me.template_combo.setCurrentIndex(me.template_combo.findData("propose"))
    me.package_checks["monitoring"].setChecked(True)
    combo = me.package_combos["monitoring"]
    combo.setCurrentIndex(combo.findData("international"))
    assert not flag.isVisibleTo(me)
