"""`peacetable replay` text with a veto and declared postures: labels, not ids; the
audience reads that a block holds, never what a control-only inject says."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def played(cli, tmp_path):
    path = tmp_path / "h.peacetable"
    assert cli("new", FIXTURES / "highland-talks.toml", "-o", path, "--seed", "3").rc == 0
    res = cli("play", path, FIXTURES / "highland-talks.moves.jsonl")
    assert res.rc == 0, res.err
    return path


def test_replay_text_names_postures_and_blocks_by_label(cli, played):
    out = cli("replay", played, "--viewer", "audience").out
    assert "  Amnesty" in out and "declared: Amnesty for those who testify" in out
    assert ("declared without an agreement:\n"
            "  Government of Arvel declared: Amnesty: Amnesty for those who testify\n") in out
    assert ("blocks:\n  Self-rule for the highlands: A federal region: blocked by Kessmark "
            "(Veto a federal region)\n") in out
    assert "federal_region" not in out and "conditional" not in out  # ids stay in --json


def test_a_control_only_block_reads_blocked_to_the_room(cli, played):
    at = 17  # after the control-only freeze on disarmament, before it is lifted
    audience = cli("replay", played, "--viewer", "audience", "--at", str(at)).out
    control = cli("replay", played, "--at", str(at)).out
    assert "  Disarmament: blocked\n" in audience and "Arms cache" not in audience
    assert "  Disarmament: blocked (Arms cache found)\n" in control
