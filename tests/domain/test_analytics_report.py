"""``peacetable analyze``: reports for scenarios and sessions, stable JSON, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from peacetable.app.analysis import analyze_path
from peacetable.app.session import Session
from peacetable.cli import main
from peacetable.domain import commands as C
from peacetable.domain.loader import ScenarioError
from peacetable.storage.session_file import SessionFileError

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK = ROOT / "scenarios" / "framework-agreement.toml"


def dumps(report: dict) -> str:
    return json.dumps(report, sort_keys=True, indent=2, ensure_ascii=False)


def test_scenario_report(river_path):
    report, text = analyze_path(river_path)
    assert report["source"] == {"kind": "scenario", "path": str(river_path)}
    assert report["bargaining"]["status"] == "ok"
    assert report["bargaining"]["nash"]["package"] == {"release": "medium", "monitoring": "joint"}
    top = report["bargaining"]["frontier"]["top_by_nash_product"]
    assert top[0] == report["bargaining"]["nash"]
    assert report["network"]["phased_order"] == [[["monitoring"]], [["release"]]]
    assert "session" not in report
    # text names issues and options by their labels; the JSON keeps the ids
    assert "Nash bargaining point: Water release: Medium release; Monitoring: Joint commission" \
        in text
    assert "release=medium" not in text
    assert "No precondition cycles." in text


def test_json_is_byte_identical_across_processes(river_path):
    """Two runs with different hash seeds (set and dict order would show) print the same
    bytes, equal to the in-process report."""
    exe = Path(sys.executable).with_name("peacetable")
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run([str(exe), "analyze", str(FRAMEWORK), "--json"],
                              capture_output=True, text=True, env=env, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        outs.append(proc.stdout)
    assert outs[0] == outs[1]
    report, _ = analyze_path(str(FRAMEWORK))
    assert outs[0] == dumps(report) + "\n"


def test_framework_report_names_the_deadlock():
    report, text = analyze_path(FRAMEWORK)
    assert ["ceasefire", "framework_signing"] in report["network"]["deadlocks"]["cycles"]
    assert "Ceasefire → Signing the framework → Ceasefire" in text
    assert "as one package" in text


def _session(tmp_path, river_path) -> Path:
    path = tmp_path / "s.peacetable"
    s = Session.create(river_path, path, seed=5)
    s.execute(C.Advance())
    m = s.execute(C.SubmitMove(role="upland", template="propose",
                               package={"monitoring": "none", "release": "low"}))[0].seq
    s.execute(C.Adjudicate(move=m, decision="accept"))
    s.close()
    return path


def test_session_report_and_at(tmp_path, river_path):
    path = _session(tmp_path, river_path)
    before = path.read_bytes()
    report, text = analyze_path(path)
    assert path.read_bytes() == before  # read-only: nothing changed
    assert report["source"]["kind"] == "session" and report["source"]["at"] == 4
    sess = report["session"]
    assert sess["event"] == 4 and sess["phase"] == "talks"
    [prop] = sess["flags"]["proposals"]
    assert prop["status"] == "tabled" and prop["worse_than_batna_for"] == ["lowland"]
    assert "WORSE THAN NO DEAL for Lowland" in text
    assert sess["frontier_distance"]["uniform_gain"] == 0.16  # nothing agreed yet
    early, _ = analyze_path(path, at=3)
    assert early["session"]["event"] == 3
    assert early["session"]["flags"]["proposals"][0]["status"] == "pending"
    # --at 2 reports what a session that stopped after its second event reports
    short = tmp_path / "short.peacetable"
    s = Session.create(river_path, short, seed=5)
    s.execute(C.Advance())
    s.close()
    at2, _ = analyze_path(path, at=2)
    alone, _ = analyze_path(short)
    assert at2["source"] == {**alone["source"], "path": str(path), "last_event": 4,
                             "effective_events": 4}
    assert dumps({**at2, "source": None}) == dumps({**alone, "source": None})
    assert at2["session"]["flags"]["proposals"] == []


def test_errors_are_the_existing_exception_types(tmp_path, river_path):
    with pytest.raises(ScenarioError, match="no such file"):
        analyze_path(tmp_path / "missing.toml")
    with pytest.raises(ScenarioError, match="--at applies to a session file"):
        analyze_path(river_path, at=3)
    with pytest.raises(SessionFileError):
        analyze_path(tmp_path / "missing.peacetable")
    junk = tmp_path / "junk.peacetable"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(SessionFileError):
        analyze_path(junk)
    assert junk.read_bytes() == b"not a database at all" * 100
    path = _session(tmp_path, river_path)
    with pytest.raises(SessionFileError, match="--at 99 is out of range"):
        analyze_path(path, at=99)


def test_cli_analyze(tmp_path, river_path, capsys):
    path = _session(tmp_path, river_path)
    assert main(["analyze", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["session"]["event"] == 4
    assert main(["analyze", str(path), "--at", "50"]) == 1
    assert "out of range" in capsys.readouterr().err


def _wide_scenario(k: int) -> str:
    """A valid scenario with k two-option issues on which two roles are exactly opposed,
    weights 2^j: every one of the 2^k packages is Pareto-optimal."""
    total = 2 ** k - 1
    issues = "".join(
        f'[[issues]]\nid = "i{j}"\nlabel = "Issue {j}"\n'
        f'[[issues.options]]\nid = "lo"\nlabel = "Low"\n'
        f'[[issues.options]]\nid = "hi"\nlabel = "High"\n\n'
        for j in range(k))

    def role(rid: str, lo: float, hi: float) -> str:
        weights = "\n".join(f"i{j} = {2 ** j / total!r}" for j in range(k))
        prefs = "\n".join(f"i{j} = {{ lo = {lo}, hi = {hi} }}" for j in range(k))
        return (f'[[roles]]\nid = "{rid}"\nname = "{rid}"\npublic_brief = "x"\nbatna = 0.2\n'
                f"[roles.weights]\n{weights}\n[roles.preferences]\n{prefs}\n\n")

    return (
        'format = 1\n[scenario]\nid = "wide"\ntitle = "Wide"\nsummary = "s"\nsituation = "s"\n\n'
        '[escalation]\n[[escalation.variables]]\nid = "v"\nlabel = "V"\nmin = 0\nmax = 1\n'
        'initial = 0\nweight = 1\n'
        '[[escalation.rungs]]\nid = "calm"\nlabel = "Calm"\nthreshold = 0\n\n'
        + role("a", 0.0, 1.0) + role("b", 1.0, 0.0) + issues
        + '[[phases]]\nid = "talks"\nlabel = "Talks"\nallowed_moves = ["proposal"]\n\n'
        '[[moves]]\nid = "propose"\nlabel = "Propose"\nkind = "proposal"\n')


def test_bargaining_above_the_limit_gives_the_points_without_the_frontier(tmp_path):
    path = tmp_path / "wide.toml"
    path.write_text(_wide_scenario(14), encoding="utf-8")
    report, text = analyze_path(path)
    b = report["bargaining"]
    assert b["status"] == "points" and "MAX_FRONTIER" in b["reason"]
    assert b["packages"] == 16384 and b["zopa"]["counted"]  # still counted exactly
    assert b["nash"] is not None and b["kalai_smorodinsky"] is not None
    assert "frontier" not in b
    assert "Pareto frontier not built: the Pareto frontier has more than 10,000" in text
    assert "Nash bargaining point: " in text
    lifted = analyze_path(path, frontier=True)[0]["bargaining"]
    assert lifted["status"] == "ok" and lifted["frontier"]["size"] > 10_000
    assert lifted["nash"] == b["nash"]
    small = tmp_path / "small.toml"
    small.write_text(_wide_scenario(6), encoding="utf-8")
    assert analyze_path(small)[0]["bargaining"]["frontier"]["size"] == 64
