"""The workbench's logic without Qt: checking text, previews, the analysis worker, files."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from peacetable.app.workbench import (
    BundledScenarioError,
    LiveAnalysis,
    ScenarioDocument,
    ScenarioPreview,
    analysis_preview,
    check_text,
    is_bundled,
    issue_zopas,
    listed_problems,
    suggest_copy_path,
)
from peacetable.domain.analytics.bargaining import PackageSpace
from peacetable.domain.loader import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
BUNDLED = sorted((ROOT / "scenarios").glob("*.toml"))

RIVER = (FIXTURES / "river-accord.toml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for k, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return k
    raise AssertionError(f"{needle!r} not in the text")


# --------------------------------------------------------------------------- checking


def test_valid_text_has_no_problems_and_a_preview():
    check = check_text(RIVER)
    assert check.ok and check.problems == ()
    assert check.summary().startswith("Valid: 4 roles, 2 issues")
    preview = ScenarioPreview(check.scenario)
    view = preview.view("control")
    assert set(view["issues"]) == {"release", "monitoring"}
    # the starting state: the precondition holds "release" back until monitoring is settled
    assert view["issues"]["monitoring"]["status"] == "open"
    assert view["issues"]["release"]["status"] == "blocked"


def test_every_problem_at_once_with_its_line():
    text = (RIVER.replace('kind = "precondition"', 'kind = "precon"', 1)
            .replace("batna = 0.3\n", "batna = 3\n", 1)
            .replace('leverage = 60\n', 'leverage = 60\nleverige = 1\n', 1))
    check = check_text(text, "x.toml")
    assert not check.ok and check.scenario is None
    got = {(p.line, p.dotted) for p in check.problems}
    assert (line_of(text, 'kind = "precon"'), "linkages[0].kind") in got
    assert (line_of(text, "batna = 3"), "roles[1].batna") in got
    assert (line_of(text, "leverige"), "roles[0].leverige") in got
    assert len(check.problems) == 3
    assert check.summary() == "3 problems"
    marks = check.problem_lines()
    assert set(marks) == {line_of(text, "precon"), line_of(text, "batna = 3"),
                          line_of(text, "leverige")}
    listed = listed_problems(check)
    assert [x[0] for x in listed] == sorted(x[0] for x in listed)
    assert listed[0][1].startswith(f"line {listed[0][0]} · ")


def test_long_problem_lists_end_with_a_count():
    one = '\n[[linkages]]\nkind = "precondition"\nfrom = "ghost"\nto = "release"\n'
    check = check_text(RIVER + one * 30)
    listed = listed_problems(check, limit=10)
    assert len(listed) == 11
    assert listed[-1][1].startswith(f"{len(check.problems) - 10} more problems not listed")
    assert listed[-1][0] == check.problems[10].line


def test_toml_syntax_error_has_its_line():
    text = RIVER.replace('name = "Lowland"', 'name = "Lowland', 1)
    check = check_text(text)
    assert len(check.problems) == 1
    assert check.problems[0].line == line_of(text, 'name = "Lowland')


def test_network_key_follows_what_the_graph_draws():
    a = ScenarioPreview(check_text(RIVER).scenario)
    same = ScenarioPreview(check_text(RIVER.replace("Runs the exercise.", "Runs it.")).scenario)
    other = ScenarioPreview(check_text(RIVER.replace(
        'label = "International monitors"', 'label = "UN monitors"')).scenario)
    assert a.network_key == same.network_key
    assert a.network_key != other.network_key


# --------------------------------------------------------------------------- analysis

WITH_EVERYTHING = RIVER.replace(
    "[roles.preferences]\nrelease = { low = 0.0, medium = 0.6, high = 1.0 }",
    "[roles.preferences]\nrelease = { low = 0.0, medium = 0.6, high = 1.0 }", 1
).replace(
    'monitoring = { none = 1.0, joint = 0.5, international = 0.0 }\n',
    'monitoring = { none = 1.0, joint = 0.5, international = 0.0 }\n'
    '[[roles.interactions]]\nfirst = { issue = "release", option = "high" }\n'
    'second = { issue = "monitoring", option = "international" }\nvalue = 0.5\n'
    '[[roles.red_line_tests]]\nred_line = "No foreign monitors at the dam"\n'
    'crossed_if = { issue = "monitoring", option = "none" }\n', 1
).replace(
    "[[phases]]",
    '[[constraints]]\nkind = "incompatible"\nfirst = { issue = "release", option = "low" }\n'
    'second = { issue = "monitoring", option = "joint" }\n\n[[phases]]', 1)


def brute_force(sc) -> list[list[int]]:
    space = PackageSpace.from_scenario(sc)
    choices, u = space.enumerate()  # drops infeasible packages and red-line crossings
    ok = (u >= space.batna_units[None, :]).all(axis=1)
    return [np.bincount(choices[ok, j], minlength=len(o)).tolist()
            for j, o in enumerate(space.options)]


@pytest.mark.parametrize("text", [RIVER, WITH_EVERYTHING], ids=["plain", "constructs"])
@pytest.mark.parametrize("inner", [1, 3, 1 << 12])
def test_zopa_per_issue_is_exact(text, inner, monkeypatch):
    import peacetable.app.workbench as wbm

    check = check_text(text)
    assert check.ok, check.problems
    monkeypatch.setattr(wbm, "_INNER", inner)  # the blocks split the issues elsewhere
    got = issue_zopas(check.scenario)
    want = brute_force(check.scenario)
    assert [[n for _, n in z.options] for z in got] == want
    assert all(z.zopa == sum(want[0]) for z in got)


def test_constructs_change_the_zopa_per_issue():
    """The fixture with an interaction, a red line and a constraint differs from the plain
    one (so the test above would notice a mask left out)."""
    plain = [[n for _, n in z.options] for z in issue_zopas(check_text(RIVER).scenario)]
    more = [[n for _, n in z.options] for z in issue_zopas(check_text(WITH_EVERYTHING).scenario)]
    assert plain != more


def test_analysis_preview_of_a_scenario():
    sc = check_text(RIVER).scenario
    r = analysis_preview(sc)
    assert r.status == "ok"
    assert r.packages == 9
    assert r.nash is not None and r.kalai_smorodinsky is not None
    # labels, not ids
    assert ("Water release", "Medium release") in r.nash.package
    assert {name for name, _, _ in r.nash.values} == {"Upland", "Lowland", "Midland"}
    assert [z.issue for z in r.issues] == ["Water release", "Monitoring"]
    total = r.issues[0].zopa
    assert r.zopa.startswith(f"{total:,} of 9 packages")
    assert "Nash bargaining point" in r.text  # the text `peacetable analyze` prints


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_zopa_per_issue_matches_the_report_count(path):
    sc = check_text(path.read_text(encoding="utf-8")).scenario
    r = analysis_preview(sc)
    assert r.status == "ok"
    for z in r.issues:
        assert sum(n for _, n in z.options) == z.zopa
    assert r.zopa.startswith(f"{r.issues[0].zopa:,} of {r.packages:,} packages")


def test_too_large_for_live_preview_says_run_analyze():
    sc = check_text(RIVER).scenario
    r = analysis_preview(sc, limit=8)
    assert r.status == "too_large"
    assert "too large for live preview" in r.message and "peacetable analyze" in r.message
    assert r.nash is None and r.text == ""


def test_live_analysis_runs_the_newest_request():
    sc = check_text(RIVER).scenario
    live = LiveAnalysis()
    gate = threading.Event()
    got: list = []
    original = live._work

    def slow_first(*args):
        gate.wait(5)
        original(*args)

    live._work = slow_first  # the first request holds the worker until the gate opens
    live.request(1, sc, lambda k, r: got.append((k, r.status)))
    live._work = original
    live.request(2, sc, lambda k, r: got.append((k, r.status)))
    live.request(3, sc, lambda k, r: got.append((k, r.status)))
    assert live.busy
    gate.set()
    assert live.wait(10)
    assert got == [(1, "ok"), (3, "ok")]  # 2 was replaced by 3 while 1 ran
    live.close()
    live.request(4, sc, lambda k, r: got.append((k, r.status)))
    assert live.wait(1) and got[-1][0] == 3


def test_live_analysis_survives_a_failing_receiver():
    sc = check_text(RIVER).scenario
    live = LiveAnalysis()

    def boom(key, result):
        raise RuntimeError("window gone")

    live.request(1, sc, boom)
    assert live.wait(10)
    got = []
    live.request(2, sc, lambda k, r: got.append(k))
    assert live.wait(10) and got == [2]
    live.close()


# --------------------------------------------------------------------------- files


def test_bundled_exercise_is_never_overwritten(tmp_path):
    path = BUNDLED[0]
    before = path.read_bytes()
    doc = ScenarioDocument.open(path)
    assert doc.bundled and is_bundled(path)
    with pytest.raises(BundledScenarioError):
        doc.save(doc.saved_text + "\n# mine\n")
    assert path.read_bytes() == before
    copy = suggest_copy_path(path, tmp_path)
    assert copy == tmp_path / path.name
    assert doc.save(doc.saved_text + "\n# mine\n", copy) == copy
    assert copy.read_text(encoding="utf-8").endswith("# mine\n")
    assert doc.path == copy and not doc.bundled and not doc.modified(doc.saved_text)
    assert path.read_bytes() == before
    assert suggest_copy_path(path, tmp_path) == tmp_path / f"{path.stem}-2.toml"


def test_save_replaces_the_file_and_keeps_nothing_half_written(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text(RIVER, encoding="utf-8")
    doc = ScenarioDocument.open(p)
    assert not doc.bundled and not doc.modified(RIVER)
    assert doc.modified(RIVER + "x")
    doc.save(RIVER.replace("Upland", "Highland"))
    assert "Highland" in p.read_text(encoding="utf-8")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["mine.toml"]  # no temporary left
    with pytest.raises(OSError):
        doc.save(RIVER, tmp_path / "no-such-folder" / "x.toml")
    assert doc.path == p and "Highland" in doc.saved_text  # a failed save changes nothing


def test_open_refuses_what_is_not_text_and_takes_an_empty_file(tmp_path):
    binary = tmp_path / "x.toml"
    binary.write_bytes(b"\x00\x01\x02")
    with pytest.raises(ScenarioError, match="binary"):
        ScenarioDocument.open(binary)
    empty = tmp_path / "new.toml"
    empty.write_text("", encoding="utf-8")
    assert ScenarioDocument.open(empty).saved_text == ""
    crlf = tmp_path / "crlf.toml"
    crlf.write_bytes(RIVER.replace("\n", "\r\n").encode())
    assert ScenarioDocument.open(crlf).saved_text == RIVER


def _edits(text: str) -> list[str]:
    """A run of texts as an author types them, each an edit of the one before: letters in
    a brief and a label, numbers, a key renamed and back, TOML broken and mended, a value
    changing type, a line inside a multi-line string that reads like a key, lines added."""
    out = [text]

    def at(needle: str, offset: int, insert: str = "", remove: int = 0) -> None:
        t = out[-1]
        k = t.index(needle) + offset
        out.append(t[:k] + insert + t[k + remove:])

    at('public_brief = "', 17, "x")
    at('public_brief = "', 17, "", 1)
    at('label = "', 10, "y")
    at('label = "', 10, "", 1)
    at("batna = ", 8, "9")  # 90.4: out of range
    at("batna = ", 8, "", 1)
    at("batna = ", 5, "x")  # batnax: not a field; batna missing
    at("batnax = ", 5, "", 1)
    at("batna = ", 12, "x")  # not TOML
    at("batna = ", 12, "", 1)
    at('label = "', 8, "", 1)  # label = 5…: a number where a text is expected
    t = out[-1]
    k = t.index('label = ')
    out.append(t[:k] + 'label = 5' + t[t.index("\n", k):])
    out.append(text)
    at("batna = ", 0, "public_brief", 5)  # renamed to a key the table has
    out.append(text)
    # a multi-line description holding a line that reads like a key
    t = out[-1]
    k = t.index('public_brief = "')
    out.append(t[:k] + 'notes_text = """\nlabel = "a"\n"""\n' + t[k:])
    at('\nlabel = "a"', 10, "b")
    at('public_brief = "', 17, "\n", 0)  # a new line inside a string: not TOML
    out.append(text)
    # inside a brief (a multi-line one in the bundled exercises): a letter, a new line
    # (every later line moves), then a number out of range further down, and back
    at('public_brief = "', 24, "z")
    at('public_brief = "', 26, "\n\n")
    at("batna = ", 8, "9")
    at("batna = ", 8, "", 1)
    at('public_brief = "', 26, "", 2)
    # a number broken where it ends and in its middle, mended; a quote left open
    t = out[-1]
    end = t.index("\n", t.index("batna = "))
    out.append(t[:end] + "x" + t[end:])
    out.append(t)
    k = t.index("batna = ") + 9
    out.append(t[:k] + "q" + t[k:])
    out.append(t[:k] + "q1" + t[k:])
    out.append(t)
    k = t.index('label = "') + 9
    out.append(t[:k] + '"' + t[k:])
    out.append(t)
    return out


@pytest.mark.parametrize("path", [FIXTURES / "river-accord.toml", *BUNDLED],
                         ids=lambda p: p.stem)
def test_remembered_checks_equal_whole_checks(path):
    from peacetable.app.workbench import TextChecker

    checker = TextChecker()
    for k, text in enumerate(_edits(path.read_text(encoding="utf-8"))):
        whole = check_text(text, "x.toml")
        quick = checker.check(text, "x.toml")
        assert quick.problems == whole.problems, k
        assert quick.scenario == whole.scenario, k


def test_an_edit_within_a_line_is_not_parsed_whole(monkeypatch):
    import peacetable.app.workbench as wbm

    checker = wbm.TextChecker()
    texts = _edits(RIVER)
    checker.check(texts[0])
    parsed = []
    real = wbm.read_toml
    monkeypatch.setattr(wbm, "read_toml", lambda *a: parsed.append(1) or real(*a))
    for text in texts[1:5]:  # letters in a brief and a label
        assert checker.check(text).ok
    assert checker.check(texts[5]).problems  # a number out of range: found, at its line
    assert parsed == []
    assert checker.check(texts[-8]).ok  # several statements changed: parsed whole
    assert parsed == [1]
    broken = texts[-7]  # a letter after a number: not TOML, found in its statement
    assert "not valid TOML" in checker.check(broken).problems[0].message
    assert parsed == [1]
    assert checker.check(texts[-2]).problems  # a quote left open: parsed whole
    assert parsed == [1, 1]


def test_preview_key_leaves_out_only_what_no_preview_reads():
    """The narrative (briefs, objectives and red lines in words, phases, moves, injects)
    changes neither the analysis nor the network; the key follows everything else."""
    base = check_text(RIVER).scenario
    narrative = RIVER
    for old, new in (("Upland built the dam", "Upland finished the dam"),  # a brief
                     ('label = "Talks"', 'label = "Opening talks"'),  # a phase
                     ("A storm fills", "A flood fills"),  # an inject
                     ('"Restore the flow"', '"Restore the river"'),  # objectives
                     ('"Flow below 40%"', '"The flow under 40%"')):  # a red line in words
        assert old in narrative
        narrative = narrative.replace(old, new, 1)
    other = check_text(narrative).scenario
    assert other is not None and other != base
    assert ScenarioPreview(other).preview_key == ScenarioPreview(base).preview_key
    assert analysis_preview(other) == analysis_preview(base)
    assert ScenarioPreview(other).network_key == ScenarioPreview(base).network_key
    for old, new in (("batna = 0.4", "batna = 0.35"), ('label = "Troops at the border"',
                                                       'label = "Troops near the border"')):
        changed = check_text(RIVER.replace(old, new, 1)).scenario
        assert ScenarioPreview(changed).preview_key != ScenarioPreview(base).preview_key, old


@pytest.mark.parametrize("path", [FIXTURES / "river-accord.toml", BUNDLED[0]],
                         ids=lambda p: p.stem)
def test_an_analysis_renamed_equals_one_computed_afresh(path):
    """After an edit of labels and names only, the analysis reuses the numbers of the one
    before and renames them: the same preview as computed from nothing."""
    from peacetable.app.workbench import numbers_key

    text = path.read_text(encoding="utf-8")
    before = check_text(text).scenario
    sc = before
    renamed = text
    for issue in sc.issues[:2]:
        renamed = renamed.replace(f'label = "{issue.label}"', f'label = "{issue.label} (new)"', 1)
        opt = issue.options[0]
        renamed = renamed.replace(f'label = "{opt.label}"', f'label = "{opt.label} (new)"', 1)
    role = sc.roles[0]
    renamed = renamed.replace(f'name = "{role.name}"', f'name = "{role.name} (new)"', 1)
    renamed = renamed.replace(f'title = "{sc.scenario.title}"', 'title = "Renamed"', 1)
    after = check_text(renamed).scenario
    assert after is not None and after != before
    assert numbers_key(after) == numbers_key(before)
    known: dict = {}
    analysis_preview(before, known=known)
    (numbers,) = known.values()
    reused = analysis_preview(after, known=known)
    assert list(known.values()) == [numbers]  # not computed again
    fresh = analysis_preview(after)
    assert reused == fresh
    assert "(new)" in reused.text and "Renamed" in reused.text
    # a number changed, a variable renamed (the analysis words tests on variables with
    # their labels): computed again
    var = sc.escalation.variables[0]
    relabelled = check_text(renamed.replace(f'label = "{var.label}"', 'label = "Gauge"', 1))
    assert numbers_key(relabelled.scenario) != numbers_key(after)
    weights = renamed.replace(f"batna = {role.batna}", f"batna = {role.batna / 2}", 1)
    changed = check_text(weights).scenario
    assert numbers_key(changed) != numbers_key(after)
    assert analysis_preview(changed, known=known) == analysis_preview(changed)
    assert list(known.values()) != [numbers]
