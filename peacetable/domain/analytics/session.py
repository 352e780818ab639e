"""Session analytics: concession curves, reciprocity (GRIT), flags, distance to the frontier.

Everything here reads a session's events through the engine's own fold (so undo, redo and
withdrawals count exactly as they do in the state) and never changes anything.

Rules (see ``docs/analytics.md``):

* A move *counts* once control carried it out: an accepting adjudication or a successful
  dice roll. Moves still pending, rejected by control or cancelled by undo do not count.
* **Concession curve**: each counted proposal a role made, and each counted acceptance of a
  proposal, is a point. The role's *position* is that package together with the agreements
  in force at that moment to which the role is a party (or proposer); its *distance from
  its ideal* is ``sum_k w_ik (max_o v_ik(o) - v_ik(position_k))`` over the issues the position
  settles -- the utility it has given up so far (0 = its ideal; unsettled issues give up
  nothing yet). Per phase: the number of points, first, last and largest distance.
* **Reciprocity** (Osgood's GRIT, 1962; the reply rule of Axelrod's tit-for-tat, 1984): a
  *round* is a phase of the exercise. A counted concession or de-escalation by role A is
  *answered* when another player role makes a counted concession or de-escalation that it
  submitted after A's move became visible (at once, or when a sealed round was revealed)
  and at most ``k`` rounds later. Per role: initiatives, share answered, mean lag in rounds
  and in events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..events import DiceRolled, Event, MoveAdjudicated, MovesRevealed, MoveSubmitted, Visibility
from ..scenario import Scenario
from ..state import State, channel_visibility, fold
from .bargaining import Bargaining, PackageSpace, uniform_gain

CONCILIATORY = ("concession", "de_escalation")
DEFAULT_K = 1


@dataclass
class MoveTrace:
    """One submitted move as the analytics see it."""

    seq: int
    role: str
    kind: str
    template: str
    phase: str | None
    phase_index: int
    package: dict[str, str]
    target: int | None
    sealed: bool
    visible_at: int | None = None
    #: who could see the move once it was visible (its channel, after a sealed reveal)
    seen_by: Visibility | None = None
    outcome: str = "pending"  # pending | carried_out | rejected
    carried_at: int | None = None
    agreements: list[tuple[tuple[str, ...], dict[str, str]]] = field(default_factory=list)

    @property
    def counted(self) -> bool:
        return self.outcome == "carried_out"


def trace_moves(sc: Scenario, events: Iterable[Event]) -> list[MoveTrace]:
    """Every applied move submission in ``events`` (a session's events up to some point,
    undo markers included) with its phase, visibility time and outcome."""
    ledger: dict[int, MoveTrace] = {}

    def hook(ev: Event, st: State) -> None:
        b = ev.body
        if isinstance(b, MoveSubmitted):
            ledger[ev.seq] = MoveTrace(
                seq=ev.seq, role=b.role, kind=b.kind, template=b.template, phase=st.phase,
                phase_index=st.phase_index, package=dict(b.package), target=b.target,
                sealed=b.sealed, visible_at=None if b.sealed else ev.seq,
                seen_by=channel_visibility(b.role, b.channel, b.recipients))
        elif isinstance(b, MovesRevealed):
            for mid in b.moves:
                if mid in ledger and ledger[mid].visible_at is None:
                    ledger[mid].visible_at = ev.seq
        elif isinstance(b, (MoveAdjudicated, DiceRolled)):
            m = ledger.get(b.move)
            if m is None or m.outcome != "pending":
                return
            ok = b.decision == "accepted" if isinstance(b, MoveAdjudicated) else b.success
            m.outcome = "carried_out" if ok else "rejected"
            if ok:
                m.carried_at = ev.seq
                m.agreements = [((a.proposer, *a.parties), dict(a.package))
                                for a in sorted(st.agreements.values(), key=lambda a: a.id)
                                if a.status == "in_force"]

    fold(sc, events, on_event=hook)
    return [ledger[k] for k in sorted(ledger)]


# --------------------------------------------------------------------------- concessions


def concession_curves(space: PackageSpace, moves: list[MoveTrace]) -> dict[str, Any]:
    """Per player role: points (move, phase, kind, package, distance from ideal) and a
    per-phase summary. See the module docstring for the definition."""
    by_seq = {m.seq: m for m in moves}
    out: dict[str, Any] = {}
    for role in space.roles:
        points = []
        for m in moves:
            if m.role != role or not m.counted or m.kind not in ("proposal", "acceptance"):
                continue
            if m.kind == "proposal":
                pkg = m.package
            else:
                prop = by_seq.get(m.target) if m.target is not None else None
                if prop is None:
                    continue
                pkg = prop.package
            position: dict[str, str] = {}
            for parties, apkg in m.agreements:
                if role in parties:
                    position.update(apkg)
            position.update(pkg)
            dist = space.concession_units(role, position)
            a = space.roles.index(role)
            points.append({"move": m.seq, "kind": m.kind, "phase": m.phase,
                           "package": dict(sorted(pkg.items())),
                           "position_issues": len(position),
                           "distance": space.to_float(a, dist)})
        phases: list[dict[str, Any]] = []
        for p in points:
            if not phases or phases[-1]["phase"] != p["phase"]:
                phases.append({"phase": p["phase"], "points": 0, "first": p["distance"],
                               "last": p["distance"], "max": p["distance"]})
            ph = phases[-1]
            ph["points"] += 1
            ph["last"] = p["distance"]
            ph["max"] = max(ph["max"], p["distance"])
        out[role] = {"points": points, "phases": phases,
                     "current": points[-1]["distance"] if points else 0.0}
    return out


# --------------------------------------------------------------------------- reciprocity


def reciprocity(player_ids: Iterable[str], moves: list[MoveTrace],
                k: int = DEFAULT_K) -> dict[str, Any]:
    """GRIT reciprocity per role (see the module docstring); ``k`` is the answer window in
    rounds (phases). ``share`` is None for a role that made no initiative."""
    if k < 0:
        raise ValueError("k must be >= 0")
    concil = [m for m in moves if m.counted and m.kind in CONCILIATORY]
    out: dict[str, Any] = {}
    for role in player_ids:
        items = []
        for m in concil:
            if m.role != role:
                continue
            answer = None
            if m.visible_at is not None:
                for a in concil:
                    if (a.role != role and a.seq > m.visible_at
                            and (m.seen_by is None or m.seen_by.allows(a.role))
                            and 0 <= a.phase_index - m.phase_index <= k):
                        answer = a
                        break
            items.append({
                "move": m.seq, "kind": m.kind, "phase": m.phase,
                "answered_by": None if answer is None else {
                    "move": answer.seq, "role": answer.role, "kind": answer.kind,
                    "lag_rounds": answer.phase_index - m.phase_index,
                    "lag_events": answer.seq - m.seq},
            })
        answered = [it["answered_by"] for it in items if it["answered_by"] is not None]
        n = len(items)
        out[role] = {
            "initiatives": n,
            "answered": len(answered),
            "share": round(len(answered) / n, 6) if n else None,
            "mean_lag_rounds": round(sum(a["lag_rounds"] for a in answered) / len(answered), 6)
            if answered else None,
            "mean_lag_events": round(sum(a["lag_events"] for a in answered) / len(answered), 6)
            if answered else None,
            "items": items,
        }
    return out


# --------------------------------------------------------------------------- flags and distance


def package_flags(space: PackageSpace, st: State) -> dict[str, list[dict[str, Any]]]:
    """Proposals awaiting control or on the table, and agreements, each with every role's
    value (BATNA-equivalent rule) and the roles for which it is worse than no deal."""

    def rec(kind_id: str, ident: int, role: str, parties: Iterable[str], pkg: Mapping[str, str],
            status: str) -> dict[str, Any]:
        ev = space.evaluate(pkg)
        return {kind_id: ident, "role": role, "parties": list(parties), "status": status,
                "package": dict(sorted(pkg.items())), "values": ev,
                "worse_than_batna_for": [r for r in space.roles if ev[r]["worse_than_batna"]]}

    proposals = [rec("move", m.id, m.role, m.parties, m.package,
                     "tabled" if m.status == "accepted" else ("sealed" if m.sealed else "pending"))
                 for m in sorted(st.moves.values(), key=lambda m: m.id)
                 if m.kind == "proposal" and m.package]
    agreements = [rec("agreement", a.id, a.proposer, a.parties, a.package, a.status)
                  for a in sorted(st.agreements.values(), key=lambda a: a.id)]
    return {"proposals": proposals, "agreements": agreements}


def agreed_package(st: State) -> dict[str, str]:
    """Issue -> option of the agreements in force (later agreements win, as in the engine)."""
    out: dict[str, str] = {}
    for a in sorted(st.agreements.values(), key=lambda a: a.id):
        if a.status == "in_force":
            out.update(a.package)
    return out


def frontier_distance(bargaining: Bargaining, agreed: Mapping[str, str],
                      completion: Bargaining | None = None) -> dict[str, Any]:
    """How far the agreements in force are from the Pareto frontier.

    ``value``: the agreements valued with the BATNA-equivalent rule. ``uniform_gain``:
    ``max_f min_i (u_i(f) - value_i)`` over frontier packages ``f`` -- the most every role could
    gain at once by moving to an efficient package (> 0: the agreements, with the rest left
    at no-deal level, are strictly dominated). ``frontier_reachable``: some frontier package
    extends the agreements (False: they already lock in an inefficiency), with the count.
    ``best_completion``: the Nash point of the completions of the agreements, if given."""
    space = bargaining.space
    fr = bargaining.frontier
    value = space.value_units(agreed)
    gain, row = uniform_gain(fr.utilities, value, space.denominators)
    ch = space.choices_of(agreed)
    if ch:
        cols = np.array(sorted(ch))
        want = np.array([ch[c] for c in sorted(ch)])
        compatible = int(np.all(fr.choices[:, cols] == want[None, :], axis=1).sum())
    else:
        compatible = len(fr)
    out: dict[str, Any] = {
        "agreed": dict(sorted(agreed.items())),
        "settled_issues": len(agreed),
        "value": space.floats(value),
        "uniform_gain": round(float(gain), 6),
        "uniform_gain_package": bargaining.package(row),
        "frontier_reachable": compatible > 0,
        "compatible_frontier_packages": compatible,
    }
    if completion is not None:
        out["best_completion"] = completion.describe(completion.nash)
    return out
