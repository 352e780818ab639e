"""``peacetable validate`` on the bad-scenario corpus (tests/fixtures/bad) and on the good fixture.

Every bad file must give exit 1 and, for its defect, a line ``PATH:LINE: FIELD: MESSAGE`` at the
line a person would look at; expected.toml in the corpus folder pins LINE, FIELD and part of
MESSAGE. Files that cannot sensibly be committed (binary, huge, SQLite, ...) are written into
tmp_path by the builders below.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tomllib
from pathlib import Path

import pytest
from cli_support import BAD, RIVER, console_script, run_process

from peacetable.domain.loader import MAX_BYTES, ScenarioError, load_scenario

EXPECTED: dict[str, dict] = tomllib.loads((BAD / "expected.toml").read_text(encoding="utf-8"))
LINE_RE = re.compile(r"^[^:]+:\d+: \S.*: .+$")
RIVER_BYTES = RIVER.read_bytes()


def _committed() -> list[Path]:
    return sorted(p for p in BAD.glob("*.toml") if p.name != "expected.toml")


# --------------------------------------------------------------------------- run-time cases


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _binary(tmp: Path) -> Path:
    return _write(tmp / "binary.toml", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)


def _invalid_utf8(tmp: Path) -> Path:
    # line 54: name = "Upland" with one byte that is not UTF-8
    data = RIVER_BYTES.replace(b'name = "Upland"', b'name = "Upl\xffnd"')
    assert data != RIVER_BYTES
    return _write(tmp / "invalid-utf8.toml", data)


def _latin1(tmp: Path) -> Path:
    # line 9: the summary saved as Latin-1 ("Windows ANSI") instead of UTF-8
    text = RIVER_BYTES.decode().replace("drought year", "drought year (café talks)")
    return _write(tmp / "latin1.toml", text.encode("latin-1"))


def _huge(tmp: Path) -> Path:
    pad = b"# " + b"x" * 98 + b"\n"
    data = RIVER_BYTES + pad * (MAX_BYTES // len(pad) + 100)
    assert len(data) > 4 * 1024 * 1024
    return _write(tmp / "huge.toml", data)


def _sqlite(tmp: Path) -> Path:
    path = tmp / "data.toml"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    con.close()
    return path


def _session_file(tmp: Path) -> Path:
    from peacetable.app.session import Session

    s = Session.create(RIVER, tmp / "river.peacetable", seed=1)
    s.close()
    return tmp / "river.peacetable"


def _folder(tmp: Path) -> Path:
    (tmp / "a-folder.toml").mkdir()
    return tmp / "a-folder.toml"


def _missing(tmp: Path) -> Path:
    return tmp / "no-such-scenario.toml"


def _fifo(tmp: Path) -> Path:
    path = tmp / "pipe.toml"
    os.mkfifo(path)  # nobody ever writes: reading it would wait for ever
    return path


def _dev_zero(tmp: Path) -> Path:
    return Path("/dev/zero")  # endless zero bytes


def _many_problems(tmp: Path) -> Path:
    # 3,000 linkages naming an issue that does not exist: 3,000 problems
    extra = "".join(f'\n[[linkages]]\nkind = "precondition"\nfrom = "ghost{k}"\nto = "release"\n'
                    for k in range(3000))
    return _write(tmp / "many-problems.toml", RIVER_BYTES + extra.encode())


def _bom(tmp: Path) -> Path:
    data = b"\xef\xbb\xbf" + (BAD / "dup-role-id.toml").read_bytes()
    return _write(tmp / "bom-dup-role-id.toml", data)


def _crlf(tmp: Path) -> Path:
    data = (BAD / "dup-role-id.toml").read_bytes().replace(b"\n", b"\r\n")
    return _write(tmp / "crlf-dup-role-id.toml", data)


# name -> (builder, line, field, contains)
RUNTIME = {
    "binary": (_binary, 1, "(file)", "is a binary file"),
    "invalid-utf8": (_invalid_utf8, 54, "(file)", "is not UTF-8 text"),
    "latin1": (_latin1, 9, "(file)", "is not UTF-8 text"),
    "huge": (_huge, 1, "(file)", "a scenario is at most"),
    "sqlite": (_sqlite, 1, "(file)", "is an SQLite file"),
    "session-file": (_session_file, 1, "(file)", "is an SQLite file"),
    "folder": (_folder, 1, "(file)", "is a folder"),
    "missing": (_missing, 1, "(file)", "no such file"),
    "fifo": (_fifo, 1, "(file)", "is a named pipe (FIFO), not a file"),
    "dev-zero": (_dev_zero, 1, "(file)", "is a device, not a file"),
    "many-problems": (_many_problems, 499, "(file)", "2,950 more problem(s) from here on not shown"),
    "bom-dup-role-id": (_bom, 89, "roles[2].id", "duplicate role id 'upland'"),
    "crlf-dup-role-id": (_crlf, 89, "roles[2].id", "duplicate role id 'upland'"),
}


# --------------------------------------------------------------------------- checks


def _problem_count(path: Path) -> int:
    try:
        load_scenario(path)
    except ScenarioError as exc:
        return len(exc.lines())
    raise AssertionError(f"{path} loads without problems")


def assert_reports(res, path: Path, line: int, field: str, contains: str) -> None:
    assert res.rc == 1, (res.rc, res.out, res.err)
    assert "Traceback" not in res.both
    lines = res.out.splitlines()
    assert lines, f"no problem printed on stdout; stderr: {res.err!r}"
    misshapen = [ln for ln in lines if not LINE_RE.match(ln)]
    assert not misshapen, misshapen
    assert all(ln.startswith(f"{path}:") for ln in lines), lines
    prefix = f"{path}:{line}: {field}: "
    hits = [ln for ln in lines if ln.startswith(prefix) and contains in ln[len(prefix):]]
    assert hits, f"expected a line starting {prefix!r} containing {contains!r}; got:\n{res.out}"
    # one line per problem, and nothing but problems on stdout
    assert len(lines) == _problem_count(path), res.out


def _committed_params():
    for name, exp in sorted(EXPECTED.items()):
        marks = [pytest.mark.xfail(strict=True, reason=exp["xfail"])] if "xfail" in exp else []
        yield pytest.param(name, exp, id=name, marks=marks)


# --------------------------------------------------------------------------- the corpus


def test_corpus_matches_expectations():
    names = {p.name for p in _committed()}
    assert len(names) >= 35
    assert names == set(EXPECTED), names ^ set(EXPECTED)
    for name, exp in EXPECTED.items():
        assert {"line", "field", "contains", "change"} <= set(exp), name
    # the corpus is made of small files derived from the river fixture (huge ones are built
    # at test time)
    assert all(p.stat().st_size < 64 * 1024 for p in _committed())


@pytest.mark.parametrize("name,exp", list(_committed_params()))
def test_bad_file(cli, name, exp):
    path = BAD / name
    res = cli("validate", path)
    assert_reports(res, path, exp["line"], exp["field"], exp["contains"])
    if "all" in exp:  # every problem of the file, in one run
        got = [" ".join(ln[len(f"{path}:"):].split(": ")[:2]).replace(":", "")
               for ln in res.out.splitlines()]
        assert got == exp["all"], got


@pytest.mark.parametrize("case", sorted(RUNTIME))
def test_bad_file_built_at_runtime(cli, tmp_path, case):
    build, line, field, contains = RUNTIME[case]
    path = build(tmp_path)
    res = cli("validate", path)
    assert_reports(res, path, line, field, contains)


def test_good_fixture(cli):
    res = cli("validate", RIVER)
    assert res.rc == 0
    assert res.out == ""
    assert f"{RIVER}: ok (River Accord: 4 roles" in res.err


# --------------------------------------------------------------------------- several paths


def _batch(tmp_path: Path) -> list[Path]:
    committed = [BAD / n for n, e in sorted(EXPECTED.items()) if not e.get("internal_error")]
    return committed + [RUNTIME[c][0](tmp_path) for c in sorted(RUNTIME)]


def _check_batch(res, bad: list[Path], good: list[Path]) -> None:
    assert res.rc == 1
    assert "Traceback" not in res.both
    lines = res.out.splitlines()
    misshapen = [ln for ln in lines if not LINE_RE.match(ln)]
    assert not misshapen, misshapen
    for p in bad:
        assert any(ln.startswith(f"{p}:") for ln in lines), f"{p} not reported"
    assert len(lines) == sum(_problem_count(p) for p in bad)
    for p in good:
        assert not any(ln.startswith(f"{p}:") for ln in lines)
        assert f"{p}: ok (" in res.err


def test_good_and_bad_together(cli):
    bad = BAD / "dup-role-id.toml"
    for order in ([RIVER, bad], [bad, RIVER]):
        res = cli("validate", *order)
        _check_batch(res, [bad], [RIVER])
        assert "duplicate role id 'upland'" in res.out


def test_whole_corpus_in_one_call(cli, tmp_path):
    bad = _batch(tmp_path)
    res = cli("validate", *bad, RIVER)
    _check_batch(res, bad, [RIVER])


def test_batch_goes_on_after_a_deeply_nested_file(cli):
    deep, bad = BAD / "deep-nesting.toml", BAD / "dup-role-id.toml"
    res = cli("validate", deep, bad, RIVER)
    assert res.rc == 1
    assert "internal error" not in res.both
    assert f"{deep}:" in res.out
    _check_batch(res, [deep, bad], [RIVER])


def test_whole_corpus_in_a_real_process(tmp_path):
    bad = _batch(tmp_path)
    res = run_process("validate", *bad, RIVER, cwd=tmp_path)
    _check_batch(res, bad, [RIVER])


def test_installed_entry_point(tmp_path):
    exe = console_script()
    if exe is None:
        pytest.skip("no 'peacetable' entry point next to this interpreter")
    ok = run_process("validate", RIVER, exe=exe, cwd=tmp_path)
    assert ok.rc == 0 and ok.out == "" and "ok (" in ok.err and "Traceback" not in ok.both
    bad = BAD / "linkage-self.toml"
    res = run_process("validate", bad, exe=exe, cwd=tmp_path)
    assert_reports(res, bad, 140, "linkages[0].to", "two different issues")


def test_relative_paths_are_reported_as_given(tmp_path):
    # the line names the path the user typed, relative or not
    res = run_process("validate", "dup-role-id.toml", cwd=BAD)
    assert res.rc == 1
    assert res.out.startswith("dup-role-id.toml:89: roles[2].id: duplicate role id 'upland'")
