"""JSON-ready analysis reports for a scenario or a session state (pure, deterministic).

Floats are rounded (6 decimals; Nash products to 6 significant digits), lists are in a
documented order and keys are plain strings, so ``json.dumps(report, sort_keys=True)`` is
byte-identical across runs. Reports are control-cell material: they read every role's
preferences and private moves.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from ..events import Event
from ..scenario import Scenario
from ..state import State
from .bargaining import (
    FRONTIER_BY_DEFAULT,
    count_text,
    MAX_COUNTED,
    MAX_FRONTIER,
    SCALE,
    AnalyticsLimitError,
    Bargaining,
    PackageSpace,
    analyze_bargaining,
    bargaining_points,
    coalition_space,
    crossed_partial,
    count_zopa,
    settled,
)
from .network import MAX_CYCLES, LinkageNetwork, NetworkLimitError
from .session import (
    DEFAULT_K,
    agreed_package,
    concession_curves,
    frontier_distance,
    package_flags,
    reciprocity,
    trace_moves,
)

REPORT_VERSION = 1
TOP_PACKAGES = 10


def model_description(k: int = DEFAULT_K) -> dict[str, Any]:
    """The models and limits a report was computed with (part of every report)."""
    return {
        "utility": "additive: u_i = sum_k w_ik * v_ik(option), weights normalised to sum to 1, "
                   "plus each interaction term whose two options the package holds (the role's "
                   "interactions and the values of trade-off linkages)",
        "partial_packages": "batna_equivalent: an unsettled issue counts w_ik * r_i",
        "linkages_in_utility": "none (linkages enter the network analytics only)",
        "arithmetic": "exact: numbers read as written (decimal), each role's utilities as "
                      "integers of its own unit 1/D (D: the least common denominator of its "
                      "normalised terms and BATNA shares); sums across roles as rationals",
        "frontier_method": "exact dynamic programme over issues (Pareto filter of sums)",
        "zopa_count_method": "exhaustive vectorised enumeration, streamed in blocks",
        "limits": {"max_frontier": MAX_FRONTIER, "max_counted_packages": MAX_COUNTED,
                   "max_cycles_listed": MAX_CYCLES},
        "tie_breaks": "Nash: larger total gain, then first package in file order; "
                      "KS: leximin shares, then larger total gain, then first in file order",
        "reciprocity": {"round": "phase", "k": k,
                        "conciliatory_kinds": ["concession", "de_escalation"]},
    }


def arithmetic_note(space: PackageSpace) -> str | None:
    """Which roles, if any, are not exact (numbers with more digits than 64-bit sums hold)."""
    if not space.rounded:
        return None
    return (f"role(s) {', '.join(space.rounded)}: numbers written with more digits than exact "
            f"64-bit arithmetic holds; each term rounded once to 1/{SCALE:,}")


def roles_section(sc: Scenario, space: PackageSpace) -> dict[str, Any]:
    out = {}
    for a, rid in enumerate(space.roles):
        pkg, u = space.ideal(rid)
        worst = space.worst_units(rid)
        out[rid] = {"name": sc.role_by_id[rid].name,
                    "batna": space.to_float(a, space.batna_units[a]),
                    "ideal": {"package": pkg, "utility": u},
                    "worst_utility": space.to_float(a, worst)}
    return out


def bargaining_section(space: PackageSpace, frontier: bool = False
                       ) -> tuple[dict[str, Any], Bargaining | None]:
    """The bargaining part of a report, and the analysis (None when the frontier is not
    built). Above :data:`MAX_FRONTIER` the Nash and KS points and each role's best are still
    given, exactly, without the frontier (``status = "points"``, :func:`bargaining_points`);
    ``frontier=True`` builds the whole frontier whatever its size."""
    base: dict[str, Any] = {"packages": space.size}
    if space.rounded:
        base["arithmetic_note"] = arithmetic_note(space)
    points: Bargaining | AnalyticsLimitError | None = None
    if not frontier and space.size > FRONTIER_BY_DEFAULT:
        # the points stream the whole ZOPA and count it on the way: one pass, not two
        try:
            points = bargaining_points(space)
        except AnalyticsLimitError as too_large:
            points = too_large
    zc = points.zopa_count if isinstance(points, Bargaining) else count_zopa(space)
    zopa: dict[str, Any] = {
        "count": zc, "counted": zc is not None,
        "share": round(zc / space.size, 6) if zc is not None else None,
    }
    if zc is None:
        zopa["note"] = (f"not counted: {space.size:,} packages exceed the counting limit "
                        f"({MAX_COUNTED:,}); the frontier, Nash and KS points are still exact")
    base["zopa"] = zopa
    try:
        if not frontier and space.size > FRONTIER_BY_DEFAULT:
            raise AnalyticsLimitError(
                f"the Pareto frontier is not built by default above {FRONTIER_BY_DEFAULT:,} "
                f"packages (this space has {count_text(space.size)})")
        b = analyze_bargaining(space, count=False,
                               max_frontier=space.size if frontier else MAX_FRONTIER)
    except AnalyticsLimitError as exc:
        try:
            if isinstance(points, AnalyticsLimitError):
                raise points
            p = points if points is not None else bargaining_points(space)
        except AnalyticsLimitError as too_large:
            base.update(status="refused", reason=f"{exc}; {too_large}")
            return base, None
        zopa["empty"] = p.nash is None
        if p.nash is None:
            zopa["note"] = "no package gives every player role at least its no-deal value (BATNA)"
        base.update(
            status="points",
            reason=f"{exc}; the Nash and Kalai–Smorodinsky points are still exact (found "
                   f"without the frontier); ask for the whole frontier with --frontier",
            nash=_described(p, p.nash), kalai_smorodinsky=_described(p, p.ks),
            best_in_zopa={rid: (None if row is None else {
                "package": p.package(row),
                "utility": space.to_float(a, p.frontier.utilities[row][a])})
                for a, (rid, row) in enumerate(p.best_in_zopa.items())})
        return base, None
    zrows = [int(x) for x in b.zopa_rows]
    zopa["empty"] = not zrows
    zopa["on_frontier"] = len(zrows)
    if not zrows:
        zopa["note"] = "no package gives every player role at least its no-deal value (BATNA)"
    r = space.batna_units

    def key(row: int) -> tuple[int, Fraction, int]:
        g = [int(x) for x in b.frontier.utilities[row] - r]
        return (math.prod(g), space.total(g), -row)

    top = sorted(zrows, key=key, reverse=True)[:TOP_PACKAGES]
    base.update(
        status="ok",
        frontier={"size": len(b.frontier), "steps": list(b.frontier.steps),
                  "top_by_nash_product": [_described(b, row) for row in top]},
        nash=_described(b, b.nash),
        kalai_smorodinsky=_described(b, b.ks),
        best_in_zopa={rid: (None if row is None else {
            "package": b.package(row),
            "utility": space.to_float(a, b.frontier.utilities[row][a])})
            for a, (rid, row) in enumerate(b.best_in_zopa.items())},
    )
    return base, b


def _described(b: Bargaining, row: int | None) -> dict[str, Any] | None:
    return b.describe(row)


def coalition_section(space: PackageSpace, parties: list[str]) -> dict[str, Any]:
    """Bargaining among ``parties`` only, the other player roles held at their status quo
    (:func:`~.bargaining.coalition_space`): frontier size, Nash and Kalai-Smorodinsky
    points, each as the issues it settles (the rest left open). ``ValueError`` on unknown
    ids."""
    others = [r for r in space.roles if r not in parties]
    try:
        cs = coalition_space(space, parties)
    except AnalyticsLimitError as exc:
        return {"parties": list(parties), "others": others, "packages": None,
                "status": "refused", "reason": str(exc)}
    base: dict[str, Any] = {"parties": list(cs.roles), "others": others,
                            "packages": cs.size}
    note = None
    try:
        b = analyze_bargaining(cs, count=False)
    except AnalyticsLimitError as exc:  # the points are still exact without the frontier
        try:
            b, note = bargaining_points(cs), str(exc)
        except AnalyticsLimitError as too_large:
            base.update(status="refused", reason=f"{exc}; {too_large}")
            return base

    def rec(row: int | None) -> dict[str, Any] | None:
        d = b.describe(row)
        if d is None:
            return None
        pkg = settled(d["package"])
        d["package"] = pkg
        d["left_open"] = [i for i in space.issues if i not in pkg]
        if others:  # what the roles left out get from it (open issues at their no-deal level)
            ev = space.evaluate(pkg)
            d["others"] = {rid: {"utility": ev[rid]["utility"], "gain": ev[rid]["gain"]}
                           for rid in others}
            d["worse_than_no_deal_for"] = [rid for rid in others
                                           if ev[rid]["worse_than_batna"]]
            d["red_lines_crossed_for_others"] = [
                {"role": rid, "red_line": text} for rid, text in crossed_partial(space, pkg)
                if rid in others]
        return d

    base.update(status="ok",
                frontier={"size": None, "note": note} if note else {"size": len(b.frontier)},
                zopa_on_frontier=None if note else len(b.zopa_rows),
                nash=rec(b.nash), kalai_smorodinsky=rec(b.ks))
    return base


def network_section(sc: Scenario, agreed: Iterable[str] = (),
                    viewer: str = "control") -> dict[str, Any]:
    """The linkage network summary of the linkages ``viewer`` knows of, or ``{"status":
    "refused", "reason": ...}`` for a network beyond the documented limits."""
    try:
        return LinkageNetwork.from_scenario(sc, viewer).summary(agreed)
    except NetworkLimitError as exc:
        return {"status": "refused", "reason": str(exc)}


def scenario_report(sc: Scenario, frontier: bool = False,
                    viewer: str = "control") -> dict[str, Any]:
    """Roles, bargaining analysis and linkage network of a scenario (``frontier``: build the
    whole Pareto frontier whatever its size; ``viewer``: the network of the linkages that
    viewer knows of)."""
    space = PackageSpace.from_scenario(sc, viewer)
    bargaining, _ = bargaining_section(space, frontier)
    return {
        "report_version": REPORT_VERSION,
        "scenario": {"id": sc.scenario.id, "title": sc.scenario.title,
                     "roles": list(space.roles), "issues": list(space.issues)},
        "model": model_description(),
        "roles": roles_section(sc, space),
        "bargaining": bargaining,
        "network": network_section(sc, viewer=viewer),
    }


def session_report(sc: Scenario, events: Iterable[Event], st: State,
                   k: int = DEFAULT_K, frontier: bool = False,
                   viewer: str = "control") -> dict[str, Any]:
    """The scenario report plus the session at state ``st``: ``events`` are the session's
    events up to ``st.seq`` (undo markers included; the fold decides what counts)."""
    space = PackageSpace.from_scenario(sc, viewer)
    bargaining, b = bargaining_section(space, frontier)
    agreed = agreed_package(st)
    moves = trace_moves(sc, [e for e in events if e.seq <= st.seq])
    if b is None:
        distance: dict[str, Any] = {"status": "refused", "reason": bargaining["reason"]}
    else:
        completion = b
        if agreed:
            try:
                completion = analyze_bargaining(space, fixed=agreed, count=False,
                                                max_frontier=space.size if frontier
                                                else MAX_FRONTIER)
            except AnalyticsLimitError:  # a subset of a space that passed: cannot happen
                completion = None  # type: ignore[assignment]
        distance = {"status": "ok", **frontier_distance(b, agreed, completion)}
    return {
        "report_version": REPORT_VERSION,
        "scenario": {"id": sc.scenario.id, "title": sc.scenario.title,
                     "roles": list(space.roles), "issues": list(space.issues)},
        "model": model_description(k),
        "roles": roles_section(sc, space),
        "bargaining": bargaining,
        "network": network_section(sc, agreed, viewer),
        "session": {
            "event": st.seq,
            "phase": st.phase,
            "phase_index": st.phase_index,
            "agreed": dict(sorted(agreed.items())),
            "flags": package_flags(space, st),
            "concessions": concession_curves(space, moves),
            "reciprocity": reciprocity(space.roles, moves, k),
            "frontier_distance": distance,
        },
    }
