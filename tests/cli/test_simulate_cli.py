"""`peacetable simulate`: CSV, summary in labels, plots, session files, bad input, Ctrl-C."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_support import RIVER, ROOT, subprocess_env

INCHES = ROOT / "scenarios" / "peace-of-inches.toml"


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_simulate_writes_csv_plots_and_a_summary_in_labels(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("simulate", RIVER, "--runs", "12", "--seed", "3", "--bots", "upland=hardliner",
            "lowland=conceder")
    assert r.rc == 0, r.both
    assert _listing(tmp_path) == ["river_accord-runs-agreements.png",
                                  "river_accord-runs-escalation.png", "river_accord-runs.csv"]
    rows = list(csv.DictReader((tmp_path / "river_accord-runs.csv").open()))
    assert len(rows) == 12 and {"utility:upland", "issue:release", "escalation_peak"} <= set(rows[0])
    assert all(row["refused"] == "0" for row in rows)
    # the summary speaks in labels: role names, issue labels, rung labels
    assert "River Accord: 12 runs, seed 3" in r.out
    assert "Upland hardliner" in r.out and "Lowland conceder" in r.out
    assert "Water release" in r.out and "Monitoring" in r.out
    assert "upland" not in r.out.replace("river_accord", "")
    for png in tmp_path.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    # the same seed gives the same bytes, in a new folder, with two jobs
    other = tmp_path / "again"
    other.mkdir()
    r2 = cli("simulate", RIVER, "--runs", "12", "--seed", "3", "--bots", "upland=hardliner",
             "lowland=conceder", "--jobs", "2", "--csv", other / "x.csv", "--no-plots")
    assert r2.rc == 0, r2.both
    assert (other / "x.csv").read_bytes() == (tmp_path / "river_accord-runs.csv").read_bytes()


def test_out_holds_one_session_per_run(cli, tmp_path):
    out = tmp_path / "study"
    r = cli("simulate", RIVER, "--runs", "3", "--out", out, "--no-plots")
    assert r.rc == 0, r.both
    assert _listing(out) == ["run-00001.peacetable", "run-00002.peacetable",
                             "run-00003.peacetable", "runs.csv"]
    info = cli("info", out / "run-00002.peacetable")
    assert info.rc == 0 and "Summit" in info.out


@pytest.mark.parametrize("args, message", [
    (["--bots", "narnia=conceder"], "unknown role 'narnia' (expected one of: upland, lowland, midland)"),
    (["--bots", "upland=dove"], "unknown strategy 'dove' for upland (expected one of: hardliner"),
    (["--bots", "upland"], "expected ROLE=STRATEGY"),
    (["--runs", "0"], "--runs 0: expected at least 1 run"),
    (["--jobs", "0"], "--jobs 0: expected at least 1"),
    (["--executor", "tcp://x:1"], "expected dask://HOST:PORT"),
])
def test_bad_input_is_one_clear_line_and_writes_nothing(cli, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    r = cli("simulate", RIVER, "--runs", "2", *args) if "--runs" not in args else \
        cli("simulate", RIVER, *args)
    assert r.rc == 2
    assert message in r.err
    assert "Traceback" not in r.both
    assert _listing(tmp_path) == []


def test_out_into_a_folder_holding_other_files_is_refused(cli, tmp_path):
    out = tmp_path / "study"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    r = cli("simulate", RIVER, "--runs", "2", "--out", out)
    assert r.rc == 2 and "holds other files" in r.err and str(out) in r.err
    assert _listing(out) == ["notes.txt"] and (out / "notes.txt").read_text() == "mine"
    # an existing CSV is never overwritten either
    (tmp_path / "r.csv").write_text("keep")
    r = cli("simulate", RIVER, "--runs", "2", "--csv", tmp_path / "r.csv")
    assert r.rc == 2 and "already exists" in r.err
    assert (tmp_path / "r.csv").read_text() == "keep"
    r = cli("simulate", tmp_path / "missing.toml", "--runs", "2")
    assert r.rc == 1 and "missing.toml" in r.err


def test_ctrl_c_keeps_the_finished_runs(tmp_path):
    out = tmp_path / "study"
    p = subprocess.Popen([sys.executable, "-m", "peacetable.cli", "simulate", str(INCHES),
                          "--runs", "5000", "--out", str(out), "--no-plots"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=subprocess_env(), cwd=tmp_path)
    try:
        deadline = time.monotonic() + 300  # a busy machine
        while len(list(out.glob("run-*.peacetable"))) < 3:  # two complete, one being written
            assert p.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        p.send_signal(signal.SIGINT)
        out_text, err_text = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130, err_text
    sessions = sorted(out.glob("run-*.peacetable"))
    rows = list(csv.DictReader((out / "runs.csv").open()))
    assert len(rows) == len(sessions) >= 2, (len(rows), [p.name for p in sessions], err_text)
    assert f"kept the {len(rows)} of 5000 runs" in err_text, err_text
    assert "Traceback" not in err_text, err_text
    assert os.path.getsize(out / "runs.csv") > 0


def test_executor_runs_on_a_dask_cluster(cli, tmp_path):
    distributed = pytest.importorskip("distributed")
    reference = tmp_path / "local.csv"
    assert cli("simulate", RIVER, "--runs", "8", "--seed", "4", "--csv", reference,
               "--no-plots").rc == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None, protocol="tcp", host="127.0.0.1",
                                  scheduler_port=0) as cluster:
        address = cluster.scheduler_address.replace("tcp://", "dask://")
        r = cli("simulate", RIVER, "--runs", "8", "--seed", "4", "--csv", tmp_path / "dask.csv",
                "--no-plots", "--executor", address)
    assert r.rc == 0, r.both
    assert (tmp_path / "dask.csv").read_bytes() == reference.read_bytes()
    r = cli("simulate", RIVER, "--runs", "2", "--executor", "dask://127.0.0.1:9",
            "--csv", tmp_path / "never.csv")
    assert r.rc == 1 and "cannot reach the cluster" in r.err
    assert not (tmp_path / "never.csv").exists()
