"""Simulation: same seed, same CSV — whatever the jobs or the executor; runs kept on Ctrl-C."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from peacetable.app.session import Session
from peacetable.app.simulate import csv_text, simulate
from peacetable.domain.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"
INCHES = ROOT / "scenarios" / "peace-of-inches.toml"


@pytest.fixture(scope="module")
def river():
    return load_scenario(RIVER)


def _csv(loaded, **kw) -> str:
    result = simulate(loaded, kw.pop("runs", 24), seed=kw.pop("seed", 5), chunk=4, **kw)
    assert not result.interrupted
    return csv_text(loaded.scenario, result.rows)


def test_same_seed_same_csv_for_one_and_two_jobs(river):
    one = _csv(river, jobs=1)
    assert one == _csv(river, jobs=1)
    assert one == _csv(river, jobs=2)
    assert one != _csv(river, seed=6)
    lines = one.splitlines()
    assert len(lines) == 25 and lines[0].startswith("run,seed,events,phase_reached")
    assert [int(line.split(",")[0]) for line in lines[1:]] == list(range(1, 25))


def test_two_jobs_on_a_bundled_exercise():
    loaded = load_scenario(INCHES)
    assert _csv(loaded, runs=6, jobs=1) == _csv(loaded, runs=6, jobs=2)


def test_same_csv_on_every_executor(river):
    reference = _csv(river)
    with ThreadPoolExecutor(2) as ex:
        assert _csv(river, executor=ex) == reference
    with ProcessPoolExecutor(2) as ex:
        assert _csv(river, executor=ex) == reference
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert _csv(river, executor=client.get_executor()) == reference


def test_bots_on_the_command_line_override_the_defaults(river):
    a = simulate(river, 3, seed=1)
    b = simulate(river, 3, seed=1, bots={"upland": "hardliner"})
    assert a.bots["upland"] == "reciprocator" and b.bots["upland"] == "hardliner"
    with pytest.raises(ValueError, match="unknown strategy"):
        simulate(river, 3, bots={"upland": "dove"})


def test_interrupted_simulation_keeps_the_finished_runs(river):
    calls = []

    def progress(done, total):
        calls.append(done)
        if done >= 8:
            raise KeyboardInterrupt

    result = simulate(river, 40, seed=2, progress=progress, chunk=4)
    assert result.interrupted and result.finished == 8
    assert [r["run"] for r in result.rows] == list(range(1, 9))
    full = simulate(river, 8, seed=2)
    assert result.rows == full.rows  # the kept runs are the runs, not partial ones


def test_out_writes_one_session_file_per_run(tmp_path, river):
    out = tmp_path / "runs"
    result = simulate(river, 3, seed=4, out=out)
    files = sorted(out.glob("*.peacetable"))
    assert [f.name for f in files] == ["run-00001.peacetable", "run-00002.peacetable",
                                       "run-00003.peacetable"]
    for f, row in zip(files, result.rows):
        s = Session.open(f, readonly=True)
        try:
            assert s.seed == row["seed"]
            assert s.store.last_seq == row["events"]
            assert s.state.phase == row["phase_reached"]
            assert round(s.state.index, 4) == row["escalation_final"]
            assert s.store.integrity() == "ok"
        finally:
            s.close()
    # rows are the same with and without session files
    assert simulate(river, 3, seed=4).rows == result.rows
    with pytest.raises(ValueError, match="holds other files"):
        simulate(river, 3, seed=4, out=out)
