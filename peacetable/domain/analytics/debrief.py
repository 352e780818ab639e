"""Debrief analytics on human play: where a session stands at one event (pure, no I/O).

* **Agreements against the bargaining analysis** (control only: it reads every team's
  private values): the agreements in force, valued with the BATNA-equivalent rule
  (:mod:`.bargaining`), against the Pareto frontier, the Nash and the Kalai-Smorodinsky
  points. *Joint value left on the table* is the sum over teams of what the Nash (or KS)
  point gives minus what the agreements in force give; each team's *gain over its BATNA* is
  its value of the agreements minus its no-deal value. The distance to the frontier is
  :func:`.session.frontier_distance`.
* **Flags**: agreements worse than no deal for a party (:func:`.session.package_flags`),
  and issues settled on an option a party's preferences value at 0 (:func:`ruled_out`).
  Red lines are written as text in scenarios, so they are listed for the debrief, not
  judged; these two tests are what the analytics can know.
* **Escalation**: the peak of the index, the time spent on each rung (in events of the
  record and in minutes from the events' timestamps), and the turning points: the largest
  moves of the index between consecutive applied events, each with the event that caused
  it, described by labels.
* **Agreements made and broken**: when each agreement came into force, was suspended
  (its condition stopped holding), came back, or ended (withdrawn or undone).

Every function takes the events up to the cursor and the state there; the fold is the
engine's own, so undo and redo count exactly as they do in the state.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

from ..events import (
    AgreementPublished,
    DiceRolled,
    Event,
    event_time,
    InjectFired,
    MoveAdjudicated,
    MovesRevealed,
    MoveSubmitted,
    Withdrawn,
)
from ..scenario import Scenario
from ..state import State, fold, initial_state, red_lines_crossed
from ..views import _move_acts, acts_text, describe_event
from .bargaining import AnalyticsLimitError, PackageSpace, analyze_bargaining
from .session import agreed_package, frontier_distance, package_flags

TURNING_POINTS = 5
"""How many turning points (largest moves of the escalation index) a debrief lists."""

__all__ = ["TURNING_POINTS", "agreement_history", "bargaining_debrief", "cause_label",
           "escalation_debrief", "own_value", "package_text", "role_name", "ruled_out", "timeline"]


# --------------------------------------------------------------------------- labels


def role_name(sc: Scenario, rid: str) -> str:
    r = sc.role_by_id.get(rid)
    return r.name if r else rid


def package_text(sc: Scenario, package: Mapping[str, str]) -> str:
    """``Issue label: option label; …`` in the scenario's issue order."""
    parts = []
    for issue in sc.issues:
        if issue.id in package:
            oid = package[issue.id]
            opt = next((o.label for o in issue.options if o.id == oid), oid)
            parts.append(f"{issue.label}: {opt}")
    for iid, oid in package.items():  # ids the scenario does not know (damaged files)
        if iid not in sc.issue_by_id:
            parts.append(f"{iid}: {oid}")
    return "; ".join(parts) or "(nothing)"


def _move_text(sc: Scenario, b: MoveSubmitted) -> str:
    tpl = sc.template_by_id.get(b.template)
    text = f"{role_name(sc, b.role)}: {tpl.label if tpl else b.template}"
    if b.magnitude != 1:
        text += f" ×{b.magnitude}"
    if b.package:
        text += f" ({package_text(sc, b.package)})"
    return text


def cause_label(sc: Scenario, ev: Event, by_seq: Mapping[int, Event],
                viewer: str = "control") -> str:
    """What an event did, in words a class can read (roles, moves, injects by their labels),
    as ``viewer`` reads it: the lines other than moves, rolls and injects are the event
    log's for that viewer (event numbers for control only)."""
    b = ev.body
    submitted = None
    if isinstance(b, (MoveAdjudicated, DiceRolled, Withdrawn)):
        src = by_seq.get(b.move)
        submitted = src.body if src is not None and isinstance(src.body, MoveSubmitted) else None
    acts = ""
    if (isinstance(b, MoveAdjudicated) and b.decision == "accepted"
            or isinstance(b, DiceRolled) and b.success):
        acts = "; ".join(_move_acts(sc, by_seq.get(b.move)))
        acts = f" ({acts})" if acts else ""
    if isinstance(b, MoveAdjudicated) and submitted is not None:
        how = "modified and accepted" if b.modified else b.decision
        return f"{_move_text(sc, submitted)}, {how} by control{acts}"
    if isinstance(b, DiceRolled) and submitted is not None:
        res = "succeeded" if b.success else "failed"
        return f"{_move_text(sc, submitted)}, {res} on a roll ({b.draw} against {b.odds}%){acts}"
    if isinstance(b, Withdrawn) and submitted is not None:
        return f"{role_name(sc, submitted.role)} withdrew: {_move_text(sc, submitted)}"
    if isinstance(b, InjectFired):
        acts = "; ".join(acts_text(sc, b.effects, b.effects.get("by")))
        return f"inject: {b.title}" + (f" — {acts}" if acts else "")
    if isinstance(b, MovesRevealed):
        return "sealed moves revealed: " + "; ".join(
            f"{role_name(sc, r.role)}: "
            f"{sc.template_by_id[r.template].label if r.template in sc.template_by_id else r.template}"
            for r in b.revealed) if b.revealed else "sealed moves revealed"
    if isinstance(b, AgreementPublished):
        return "a private agreement announced" + (f": {b.reason}" if b.reason else "")
    if isinstance(b, MoveSubmitted):
        return _move_text(sc, b)
    return describe_event(sc, ev, by_seq, viewer=viewer)


# --------------------------------------------------------------------------- one fold


#: event bodies after which the agreements' standing can differ (see :func:`timeline`)
_AGREEMENT_EVENTS = (MoveAdjudicated, DiceRolled, Withdrawn, InjectFired, AgreementPublished)


def timeline(sc: Scenario, events: Sequence[Event],
             trace: list[tuple[int, int, float, dict[str, float]]] | None = None
             ) -> tuple[list[dict[str, Any]], State]:
    """One fold of ``events``: after the start and after every applied event, seq, index,
    rung, phase index and the agreements' statuses (id -> status), and the state at the
    end. The first entry (seq 0) is the initial state. ``trace``, if given, receives the
    rows of ``Session.trace()`` (seq, phase index, index, variables) from the same fold."""
    init = initial_state(sc)
    out: list[dict[str, Any]] = [{"seq": 0, "index": init.index, "rung": init.rung,
                                  "phase_index": -1, "agreements": {}}]
    if trace is not None:
        trace.append((0, -1, init.index, dict(init.variables)))

    statuses: dict[int, str] = {}

    def hook(ev: Event, st: State) -> None:
        nonlocal statuses
        # agreements form, change standing or end only on these events (their effects are
        # what can suspend a conditional agreement); otherwise share the previous statuses
        if isinstance(ev.body, _AGREEMENT_EVENTS):
            now = {a.id: a.status for a in st.agreements.values()}
            if now != statuses:
                statuses = now
        out.append({"seq": ev.seq, "index": st.index, "rung": st.rung,
                    "phase_index": st.phase_index, "agreements": statuses})
        if trace is not None:
            trace.append((ev.seq, st.phase_index, st.index, dict(st.variables)))

    st = fold(sc, events, on_event=hook)
    return out, st




# --------------------------------------------------------------------------- escalation


def escalation_debrief(sc: Scenario, events: Sequence[Event], tl: list[dict[str, Any]],
                       viewer: str = "control", top: int = TURNING_POINTS) -> dict[str, Any]:
    """Peak, time on each rung and turning points, from :func:`timeline` over ``events``
    (the record up to the cursor). The index is public; a turning point caused by an event
    the viewer may not see is described as such."""
    by_seq = {e.seq: e for e in events}
    at = events[-1].seq if events else 0
    rung_label = {r.id: r.label for r in sc.escalation.rungs}
    peak = max(tl, key=lambda p: (p["index"], -p["seq"]))
    # time on each rung: entry k holds from its event until the next applied event
    per_rung = {r.id: {"rung": r.id, "label": r.label, "events": 0, "minutes": 0.0}
                for r in sc.escalation.rungs}
    parsed: dict[int, _dt.datetime | None] = {}

    def when(seq: int) -> _dt.datetime | None:
        if seq not in parsed:
            parsed[seq] = event_time(by_seq[seq].ts) if seq in by_seq else None
        return parsed[seq]

    for k, p in enumerate(tl):
        start_seq = max(p["seq"], 1)
        end_seq = tl[k + 1]["seq"] if k + 1 < len(tl) else at + 1
        rec = per_rung.get(p["rung"])
        if rec is None:
            rec = per_rung[p["rung"]] = {"rung": p["rung"], "label": p["rung"], "events": 0,
                                         "minutes": 0.0}
        if end_seq > start_seq:
            rec["events"] += end_seq - start_seq
        t0, t1 = when(start_seq), when(end_seq if end_seq in by_seq else at)
        if t0 is not None and t1 is not None and t1 > t0:
            rec["minutes"] += (t1 - t0).total_seconds() / 60.0
    rungs = [dict(r, minutes=round(r["minutes"], 2)) for r in per_rung.values()]
    moves = []
    for prev, cur in zip(tl, tl[1:]):
        delta = cur["index"] - prev["index"]
        if abs(delta) > 1e-9:
            moves.append((abs(delta), cur["seq"], delta, prev["index"], cur))
    moves.sort(key=lambda m: (-m[0], m[1]))
    turning = []
    for _mag, seq, delta, before, cur in sorted(moves[:top], key=lambda m: m[1]):
        ev = by_seq.get(seq)
        seen = ev is not None and ev.visibility.allows(viewer)
        turning.append({
            "event": seq, "before": round(before, 4), "after": round(cur["index"], 4),
            "change": round(delta, 4), "rung": cur["rung"],
            "rung_label": rung_label.get(cur["rung"], cur["rung"]),
            "cause": cause_label(sc, ev, by_seq, viewer) if seen else "an event this viewer may not see",
            "ts": ev.ts if ev is not None else "",
        })
    last = tl[-1]
    return {
        "scale": sc.escalation.scale,
        "start": {"index": round(tl[0]["index"], 4), "rung_label": rung_label.get(tl[0]["rung"],
                                                                                    tl[0]["rung"])},
        "now": {"index": round(last["index"], 4), "rung": last["rung"],
                "rung_label": rung_label.get(last["rung"], last["rung"])},
        "peak": {"index": round(peak["index"], 4), "event": peak["seq"], "rung": peak["rung"],
                 "rung_label": rung_label.get(peak["rung"], peak["rung"])},
        "rungs": rungs,
        "turning_points": turning,
    }


# --------------------------------------------------------------------------- agreements


def agreement_history(sc: Scenario, events: Sequence[Event], tl: list[dict[str, Any]],
                      st: State, viewer: str = "control") -> list[dict[str, Any]]:
    """Every change of an agreement's standing up to the cursor: made, suspended (its
    condition fails or a block holds it), back in force, superseded (a later agreement
    settled one of its issues), ended (undone). Only agreements the viewer may see at the cursor, or
    (for ended ones) whose forming event the viewer could see."""
    by_seq = {e.seq: e for e in events}
    packages: dict[int, dict[str, str]] = {}
    parties: dict[int, tuple[str, ...]] = {}
    for e in events:
        b = e.body
        if isinstance(b, MoveSubmitted) and b.package:
            packages[e.seq] = dict(b.package)
            parties[e.seq] = (b.role, *b.parties)
    out = []
    prev: dict[int, str] = {}
    for p in tl:
        cur = p["agreements"]
        for aid in sorted(set(prev) | set(cur)):
            before, after = prev.get(aid), cur.get(aid)
            if before == after:
                continue
            what = ("made" if before is None else "ended" if after is None
                    else after if after in ("suspended", "superseded") else "back in force")
            out.append({"agreement": aid, "event": p["seq"], "change": what})
        prev = cur
    rows = []
    for rec in out:
        aid = rec["agreement"]
        a = st.agreements.get(aid)
        if a is not None:
            if not a.visibility.allows(viewer):
                continue
            pkg, who = dict(a.package), (a.proposer, *a.parties)
        else:
            src = by_seq.get(aid)
            if src is None or not src.visibility.allows(viewer):
                continue
            pkg, who = packages.get(aid, {}), parties.get(aid, ())
        ev = by_seq.get(rec["event"])
        rows.append({**rec, "package": package_text(sc, pkg),
                     "parties": [role_name(sc, r) for r in dict.fromkeys(who)],
                     "cause": cause_label(sc, ev, by_seq) if ev is not None
                     and ev.visibility.allows(viewer) else "",
                     "ts": ev.ts if ev is not None else ""})
    return rows


# --------------------------------------------------------------------------- bargaining


def ruled_out(sc: Scenario, role: str, agreed: Mapping[str, str]) -> list[str]:
    """Issues ``role`` weighs that ``agreed`` settles on an option its preferences value at
    0 (an option it rules out): the closest the analytics come to a red line, which the
    scenario states only in words. ``Issue: option`` labels."""
    r = sc.role_by_id.get(role)
    if r is None:
        return []
    out = []
    for issue in sc.issues:
        oid = agreed.get(issue.id)
        if oid is None or r.weights.get(issue.id, 0.0) <= 0:
            continue
        if r.preferences.get(issue.id, {}).get(oid, 0.0) <= 0.0:
            out.append(package_text(sc, {issue.id: oid}))
    return out


def bargaining_debrief(sc: Scenario, st: State, space: PackageSpace | None = None
                       ) -> dict[str, Any]:
    """The agreements in force at ``st`` against the frontier, Nash and KS (control only)."""
    space = space or PackageSpace.from_scenario(sc)
    agreed = agreed_package(st)
    flags = package_flags(space, st)["agreements"]
    teams: dict[str, Any] = {}
    value = space.value(agreed)
    ev = space.evaluate(agreed)
    for rid in space.roles:
        teams[rid] = {"name": role_name(sc, rid), "batna": ev[rid]["batna"],
                      "value": value[rid], "gain_over_batna": ev[rid]["gain"],
                      "worse_than_batna": ev[rid]["worse_than_batna"],
                      "ruled_out": ruled_out(sc, rid, agreed),
                      "red_lines_crossed": red_lines_crossed(sc, st, rid)}
    out: dict[str, Any] = {
        "agreed": dict(sorted(agreed.items())),
        "agreed_text": package_text(sc, agreed),
        "teams": teams,
        "worse_than_no_deal": [
            {"agreement": f["agreement"], "status": f["status"],
             "package": package_text(sc, f["package"]),
             "worse_for": [role_name(sc, r) for r in f["worse_than_batna_for"]]}
            for f in flags if f["worse_than_batna_for"]],
    }
    try:
        b = analyze_bargaining(space, count=False)
    except AnalyticsLimitError as exc:
        out.update(status="refused", reason=str(exc))
        return out
    completion = b
    if agreed:
        try:
            completion = analyze_bargaining(space, fixed=agreed, count=False)
        except AnalyticsLimitError:
            completion = None  # type: ignore[assignment]
    dist = frontier_distance(b, agreed, completion)
    joint_now = sum(t["gain_over_batna"] for t in teams.values())
    points = {}
    for key, row in (("nash", b.nash), ("kalai_smorodinsky", b.ks)):
        rec = b.describe(row)
        if rec is None:
            points[key] = None
            continue
        joint = sum(rec["gains"].values())
        points[key] = {"package": rec["package"], "package_text": package_text(sc, rec["package"]),
                       "utilities": rec["utilities"], "gains": rec["gains"],
                       "joint_gain": round(joint, 6),
                       "left_on_table": round(joint - joint_now, 6)}
        for rid in space.roles:
            teams[rid][f"{key}_gain"] = rec["gains"][rid]
    out.update(
        status="ok",
        frontier_size=len(b.frontier),
        joint_gain=round(joint_now, 6),
        nash=points["nash"], kalai_smorodinsky=points["kalai_smorodinsky"],
        uniform_gain=dist["uniform_gain"],
        uniform_gain_package=package_text(sc, dist["uniform_gain_package"]),
        frontier_reachable=dist["frontier_reachable"],
        compatible_frontier_packages=dist["compatible_frontier_packages"],
        best_completion=None if dist.get("best_completion") is None else {
            **dist["best_completion"],
            "package_text": package_text(sc, dist["best_completion"]["package"])},
    )
    return out


def own_value(sc: Scenario, st: State, role: str, agreements_seen: Mapping[str, str],
              space: PackageSpace | None = None) -> dict[str, Any] | None:
    """A team's own value of the agreements it can see, against its own BATNA (its own
    preferences only; None for a role without them)."""
    space = space or PackageSpace.from_scenario(sc)
    if role not in space.roles:
        return None
    ev = space.evaluate(dict(agreements_seen))[role]
    return {"name": role_name(sc, role), "batna": ev["batna"], "value": ev["utility"],
            "gain_over_batna": ev["gain"], "worse_than_batna": ev["worse_than_batna"],
            "ruled_out": ruled_out(sc, role, agreements_seen),
            "red_lines_crossed": red_lines_crossed(sc, st, role, dict(agreements_seen))}

