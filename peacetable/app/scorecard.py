"""The scorecard: how one role did, placed against bot-only runs of the same scenario.

Every measure is computed from what the role may see at the end (its view: the
agreements it knows of, the public escalation index) and the role's own preferences, and is
placed against the same measure in ``runs`` bot-only runs of the scenario (the scenario's
default bots, seeded): its **percentile** is the share of runs that scored below it, ties
counted half. The measures (see ``docs/models.md``, Bots):

* **objectives met** — issues the role weighs that are settled on an option it values at
  least at its no-deal level (its BATNA);
* **red lines crossed** — issues it weighs settled on an option it values at 0 (the option
  its preferences rule out), and whether the agreements leave it worse than no deal;
* **utility** of the agreements in force (issues left open count at the no-deal level: the
  BATNA-equivalent rule of ``docs/analytics.md``), its gain over the BATNA, and that gain as
  a share of the role's gain at the Nash bargaining point;
* **escalation** — the highest and the final value of the escalation index.

The role's text objectives and red lines are returned alongside for the debrief.
"""

from __future__ import annotations

from typing import Any

from ..domain.loader import LoadedScenario
from ..domain.scenario import Scenario
from .autoplay import knowledge_for

_baselines: dict[tuple[str, int, int], list[dict[str, Any]]] = {}


def outcome(sc: Scenario, role: str, agreed: dict[str, str], peak: float,
            final: float) -> dict[str, float]:
    """The scorecard measures of ``role`` for agreements ``agreed`` (issue -> option), valued
    as the role knows the scenario (a linkage hidden from it carries no value)."""
    knowledge = knowledge_for(sc, role)
    space = knowledge.space
    r = sc.role_by_id[role]
    batna = float(r.batna or 0.0)
    weighed = [i for i in sc.issues if r.weights.get(i.id, 0.0) > 0]
    met = sum(1 for i in weighed if i.id in agreed
              and r.preferences[i.id][agreed[i.id]] >= batna)
    crossed = sum(1 for i in weighed if i.id in agreed and r.preferences[i.id][agreed[i.id]] <= 0)
    utility = space.value(agreed)[role]
    nash = knowledge.nash_package()
    nash_gain = space.value(nash)[role] - batna if nash is not None else 0.0
    gain = utility - batna
    return {
        "objectives_met": float(met),
        "red_lines_crossed": float(crossed + (1 if utility < batna else 0)),
        "utility": round(utility, 6),
        "gain_over_batna": round(gain, 6),
        "nash_share": round(gain / nash_gain, 6) if nash_gain > 0 else 0.0,
        "escalation_peak": round(float(peak), 4),
        "escalation_final": round(float(final), 4),
    }


MEASURES = (
    ("objectives_met", "Objectives met", True),
    ("red_lines_crossed", "Red lines crossed", False),
    ("utility", "Utility of the agreements", True),
    ("gain_over_batna", "Gain over no deal (BATNA)", True),
    ("nash_share", "Share of the Nash-point gain", True),
    ("escalation_peak", "Escalation peak", False),
    ("escalation_final", "Escalation at the end", False),
)
"""(key, label, higher is better) in display order."""


def percentile(value: float, sample: list[float]) -> float:
    """Share (0–100) of ``sample`` below ``value``, ties counted half."""
    if not sample:
        return 50.0
    below = sum(1 for x in sample if x < value)
    equal = sum(1 for x in sample if x == value)
    return round(100.0 * (below + 0.5 * equal) / len(sample), 1)


def row_outcome(sc: Scenario, role: str, row: dict[str, Any]) -> dict[str, float]:
    """The measures of ``role`` in one simulation row (see :mod:`.simulate`)."""
    agreed = {i.id: row[f"issue:{i.id}"] for i in sc.issues if row.get(f"issue:{i.id}")}
    return outcome(sc, role, agreed, float(row["escalation_peak"]),
                   float(row["escalation_final"]))


def baseline_rows(loaded: LoadedScenario, runs: int = 200, seed: int = 0,
                  progress: Any = None) -> list[dict[str, Any]]:
    """Rows of ``runs`` bot-only runs (the scenario's default bots), computed once per
    scenario text, number of runs and seed in this process."""
    from ..storage.session_file import sha256_text
    from .simulate import simulate

    key = (sha256_text(loaded.text), int(runs), int(seed))
    got = _baselines.get(key)
    if got is None:
        result = simulate(loaded, runs, seed=seed, progress=progress)
        if result.interrupted:
            raise KeyboardInterrupt
        got = _baselines[key] = result.rows
    return got


def scorecard(session: Any, role: str, baseline: list[dict] | None = None, runs: int = 200,
              seed: int = 0, progress: Any = None) -> dict[str, Any]:
    """``role``'s scorecard at the end of ``session`` (a Session or an in-memory session).

    ``baseline``: rows of bot-only runs (``simulate(...).rows`` or the CSV's rows); by
    default ``runs`` runs seeded ``seed`` are played now (in memory, once per process;
    ``progress(done, runs)`` is called as they finish — a few seconds for 200 runs).

    Each measure: ``value``, ``percentile`` (share of runs below it, ties half),
    ``better_than`` (share of runs it beats, by the measure's direction) and the
    baseline's mean, median, min and max."""
    sc: Scenario = session.scenario
    if role not in sc.player_ids:
        raise ValueError(f"'{role}' is not a player role (expected one of: "
                         f"{', '.join(sc.player_ids)})")
    view = session.view(role) if hasattr(session, "view") else None
    if view is None:
        from ..domain.views import view_state

        view = view_state(sc, session.state, role)
    agreed: dict[str, str] = {}
    for a in view["agreements"]:  # the agreements the role knows of, later ones win
        if a["status"] == "in_force":
            agreed.update(a["package"])
    if hasattr(session, "peak"):
        peak = session.peak
    else:
        peak = max(index for _seq, _phase, index, _vars in session.trace())
    final = view["escalation"]["index"]
    mine = outcome(sc, role, agreed, peak, final)
    if baseline is None:
        loaded = getattr(session, "loaded", None)
        if loaded is None:
            raise ValueError("this session has no scenario text to simulate: pass baseline rows")
        baseline = baseline_rows(loaded, runs, seed, progress)
    others = [row_outcome(sc, role, row) for row in baseline]
    r = sc.role_by_id[role]
    knowledge = knowledge_for(sc, role)
    nash = knowledge.nash_package()
    measures = []
    for key, label, higher in MEASURES:
        sample = sorted(o[key] for o in others)
        pct = percentile(mine[key], sample)
        measures.append({
            "id": key, "label": label, "value": mine[key], "higher_is_better": higher,
            "percentile": pct, "better_than": pct if higher else round(100.0 - pct, 1),
            "baseline": {"mean": round(sum(sample) / len(sample), 6) if sample else None,
                         "median": sample[len(sample) // 2] if sample else None,
                         "min": sample[0] if sample else None,
                         "max": sample[-1] if sample else None},
        })
    weighed = [i for i in sc.issues if r.weights.get(i.id, 0.0) > 0]
    return {
        "role": role,
        "role_name": r.name,
        "scenario": sc.scenario.title,
        "runs": len(baseline),
        "seed": seed,
        "measures": measures,
        "issues_weighed": len(weighed),
        "agreed": {sc.issue_by_id[i].label: sc.issue_by_id[i].option(o).label  # type: ignore[union-attr]
                   for i, o in agreed.items()},
        "crossed": [i.label for i in weighed if i.id in agreed
                    and r.preferences[i.id][agreed[i.id]] <= 0],
        "batna": float(r.batna or 0.0),
        "nash_utility": knowledge.space.to_float(
            knowledge.role_index(role), knowledge.space.value_units(nash)[knowledge.role_index(role)])
        if nash is not None else None,
        "objectives": list(r.objectives),
        "red_lines": list(r.red_lines),
    }
