"""The console's event log reads as people speak: moves named by role, kind, template and
package (control's "(#N)" as a reference only), who may see each event by role name; shown
as a role, the log names only moves that role may see, and no event numbers in the text."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt

from peacetable.ui.event_log import COL_WHAT, COLUMNS

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"
VIS = COLUMNS.index("Visible to")


def _rows(log) -> list[tuple[str, str]]:
    m = log.table.model()
    return [(m.index(r, COL_WHAT).data(Qt.ItemDataRole.DisplayRole),
             m.index(r, VIS).data(Qt.ItemDataRole.DisplayRole)) for r in range(m.rowCount())]


def test_the_event_log_names_moves_and_readers_by_label(window, new_session, driver, tmp_path,
                                                        messages):
    s = new_session(RIVER, tmp_path / "log.peacetable")
    window.console.phase_bar.advance_button.click()
    driver.apply({"cmd": "move", "role": "upland", "template": "propose", "channel": "private",
                  "to": ["lowland"], "package": {"monitoring": "joint", "release": "medium"},
                  "label": "p"})
    driver.apply({"cmd": "adjudicate", "move": "@p", "decision": "accept"})
    driver.apply({"cmd": "move", "role": "lowland", "template": "accept", "target": "@p",
                  "label": "a"})
    driver.apply({"cmd": "adjudicate", "move": "@a", "decision": "accept"})
    p, a = driver.labels["p"], driver.labels["a"]
    log = window.console.event_log
    rows = _rows(log)
    assert ("Control accepted Lowland's acceptance (#%d) of Upland's proposal (#%d): "
            "Water release: Medium release; Monitoring: Joint commission" % (a, p),
            "private: Lowland, Upland") in rows
    assert all(not re.search(r"\b(move|proposal|event|agreement) \d", what) for what, _ in rows)
    assert {vis for _, vis in rows} <= {"public", "control only", "private: Upland, Lowland",
                                        "private: Lowland, Upland"}
    # as Midland (not a party): nothing of the private proposal; as Lowland: no numbers
    assert log.set_viewer("midland")
    assert not any("Monitoring" in what or "Upland's proposal" in what for what, _ in _rows(log))
    assert log.set_viewer("lowland")
    seen = _rows(log)
    assert any(what.startswith("Control accepted Lowland's acceptance of Upland's proposal: ")
               for what, _ in seen)
    assert not any(re.search(r"#\d", what) for what, _ in seen)
    log.set_viewer("control")
    assert messages == []
