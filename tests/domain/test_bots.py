"""Bots: no refused command over many seeded runs, and decisions from the role's view only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peacetable.app.autoplay import Autoplay, default_bots, knowledge_for
from peacetable.app.simulate import MemorySession, run_seed, simulate
from peacetable.domain.bots import STRATEGIES, Observation, PlayerBot
from peacetable.domain.loader import load_scenario
from peacetable.domain.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "scenarios").glob("*.toml"))
RIVER = ROOT / "tests" / "fixtures" / "river-accord.toml"
# constraints, option-level linkages and option vetoes: the bots check a package first
HIGHLAND = ROOT / "tests" / "fixtures" / "highland-talks.toml"
ALL = [*BUNDLED, RIVER, HIGHLAND]
NAMES = list(STRATEGIES)


def rotated(sc: Scenario, shift: int = 0) -> dict[str, str]:
    return {r: NAMES[(k + shift) % len(NAMES)] for k, r in enumerate(sc.player_ids)}


def mixes(sc: Scenario) -> dict[str, dict[str, str]]:
    out = {"default": default_bots(sc), "rotated": rotated(sc), "rotated+1": rotated(sc, 1)}
    for name in NAMES:
        out[f"all-{name}"] = {r: name for r in sc.player_ids}
    return out


def _check_runs(path: Path, name: str, mix: dict[str, str], runs: int, jobs: int = 1) -> None:
    loaded = load_scenario(path)
    sc = loaded.scenario
    result = simulate(loaded, runs, seed=17, bots=mix, jobs=jobs)
    assert result.finished == runs
    refused = [r["run"] for r in result.rows if r["refused"]]
    assert refused == [], f"{path.stem}, {name}: refused commands in runs {refused}"
    # every run played the whole exercise
    assert {r["phases_played"] for r in result.rows} == {len(sc.phases)}
    if name == "default":
        # the runs differ: the seed matters
        assert len({r["escalation_final"] for r in result.rows}) > 1


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_no_refused_command_over_200_runs(path):
    """200 seeded runs of the scenario's default mix (and, on the small fixture, of every
    mix); every other mix of a bundled exercise for 20 runs (all 200: the slow test)."""
    sc = load_scenario(path).scenario
    for name, mix in mixes(sc).items():
        _check_runs(path, name, mix, 200 if name == "default" or path == RIVER else 20)


@pytest.mark.slow
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_no_refused_command_over_200_runs_of_every_mix(path):
    sc = load_scenario(path).scenario
    for name, mix in mixes(sc).items():
        _check_runs(path, name, mix, 200, jobs=2)


def _redacted(sc: Scenario, keep: str) -> Scenario:
    """The scenario as ``keep`` may know it: every other role's private brief, objectives,
    red lines, BATNA and preferences replaced by other (valid) values."""
    data = sc.model_dump(by_alias=True, exclude_none=True)
    for role in data["roles"]:
        if role["id"] == keep:
            continue
        role["private_brief"] = "redacted"
        role["objectives"] = ["redacted"]
        role["red_lines"] = ["redacted"]
        if role.get("kind", "player") == "player":
            role["batna"] = round(1.0 - role["batna"], 3)
            role["preferences"] = {iid: {o: round(1.0 - v, 3) for o, v in prefs.items()}
                                   for iid, prefs in role["preferences"].items()}
            role["bot"] = "conceder"
    return Scenario.model_validate(data)


class Shadow:
    """Plays as ``real`` and checks that a twin that knows only the role's view — the view
    through JSON, the role's visible events, a scenario with everything private to other
    roles changed — makes the same move every turn."""

    def __init__(self, real: PlayerBot, twin: PlayerBot):
        self.real, self.twin = real, twin
        self.turns = self.moves = 0

    def act(self, obs: Observation):
        view = json.loads(json.dumps(obs.view))
        for ev in obs.events:
            assert ev.visibility.allows(self.real.role)
        mine = self.real.act(obs)
        theirs = self.twin.act(Observation(view, obs.events, obs.clock))
        assert mine == theirs, f"turn {self.turns} of {self.real.role}"
        self.turns += 1
        self.moves += mine is not None
        return mine


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_a_bot_decides_from_its_role_view_only(path):
    sc = load_scenario(path).scenario
    knowledge = knowledge_for(sc)
    for shift in (0, 1, 2):
        seed = run_seed(3, shift)
        session = MemorySession(sc, seed)
        mix = rotated(sc, shift)
        ap = Autoplay(session, mix, seed=seed, knowledge=knowledge)
        shadows = {}
        for role, bot in list(ap.bots.items()):
            twin = PlayerBot(_redacted(sc, role), role, mix[role], knowledge, seed=seed)
            shadows[role] = ap.bots[role] = Shadow(bot, twin)
        ap.run()
        assert ap.finished and ap.refused == 0
        assert all(s.turns for s in shadows.values())
        assert sum(s.moves for s in shadows.values()) > 10


def test_the_observation_holds_no_other_role_secret():
    sc = load_scenario(RIVER).scenario
    seen: dict[str, list[str]] = {r: [] for r in sc.player_ids}

    class Spy:
        def __init__(self, bot):
            self.bot = bot

        def act(self, obs):
            seen[self.bot.role].append(json.dumps(obs.view) + repr(obs.events))
            return self.bot.act(obs)

    session = MemorySession(sc, 9)
    ap = Autoplay(session, rotated(sc), seed=9)
    for role in list(ap.bots):
        ap.bots[role] = Spy(ap.bots[role])
    ap.run()
    for role, texts in seen.items():
        blob = "\n".join(texts)
        assert sc.role_by_id[role].private_brief.split(":")[0] in blob  # its own brief
        for other in sc.roles:
            if other.id != role:
                assert other.private_brief.split(":")[0] not in blob, (role, other.id)
