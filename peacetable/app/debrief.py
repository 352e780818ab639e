"""Debrief of a session at any cursor, for one viewer (see
:mod:`peacetable.domain.analytics.debrief` for the measures).

Control sees everything. A team sees the agreements it could see at that moment, its own
value of them against its own BATNA, its own red lines and the escalation (which is
public); the bargaining analysis reads every team's private values and is for control
only. The audience sees the public agreements and the escalation.
"""

from __future__ import annotations

from typing import Any

from ..domain.views import view_state, viewer_label

__all__ = ["debrief_at", "debrief_with_timeline"]


def debrief_at(session: Any, at: int | None = None, viewer: str = "control") -> dict[str, Any]:
    """JSON-ready debrief of ``session`` after event ``at`` (default: the last) as ``viewer``
    (control, audience or a role id). Raises ValueError for an unknown viewer or an event
    out of range."""
    return debrief_with_timeline(session, at, viewer)[0]


def debrief_with_timeline(session: Any, at: int | None = None, viewer: str = "control"
                          ) -> tuple[dict[str, Any], list[dict[str, Any]], Any]:
    """:func:`debrief_at`, the escalation timeline it was computed from (the index and rung
    after every applied event up to the cursor; see ``analytics.debrief.timeline``) and
    the state at the cursor (the same fold)."""
    from ..domain.analytics.bargaining import PackageSpace
    from ..domain.analytics.debrief import (
        agreement_history,
        bargaining_debrief,
        escalation_debrief,
        own_value,
        package_text,
        role_name,
        timeline,
    )

    sc = session.scenario
    viewer_label(sc, viewer)
    last = session.store.last_seq
    if at is not None and (isinstance(at, bool) or not 0 <= int(at) <= last):
        raise ValueError(f"event {at} is out of range (the session has events 0..{last})")
    seq = last if at is None else int(at)
    events = session.events[:seq]
    # one fold gives the timeline and the state at the cursor (the state equals
    # session.state_at(seq): snapshots are caches of this very fold); at the last event it
    # also gives the session's escalation trace, which the chart would otherwise refold
    trace: list | None = [] if seq == last and not session.has_trace() else None
    tl, st = timeline(sc, events, trace)
    if trace is not None:
        session.adopt_trace(trace)
    space = PackageSpace.from_scenario(sc, viewer)
    seen = [a for a in sorted(st.agreements.values(), key=lambda a: a.id)
            if a.visibility.allows(viewer)]
    in_force = [a for a in seen if a.status == "in_force"]
    state_view = view_state(sc, st, viewer)
    out: dict[str, Any] = {
        "viewer": viewer,
        "event": seq,
        "last_event": last,
        "agreements_in_force": [
            {"agreement": a.id, "package": package_text(sc, a.package),
             "parties": [role_name(sc, r) for r in dict.fromkeys((a.proposer, *a.parties))],
             "formed_at": a.formed_at, "conditional": a.condition is not None}
            for a in in_force],
        "agreement_history": agreement_history(sc, events, tl, st, viewer),
        # issues settled by one role's declaration, without an agreement, and the blocks in
        # force: as the viewer's own view of the state has them
        "postures": [
            {"text": f"{role_name(sc, p['role'])} declared: "
                     f"{package_text(sc, {p['issue']: p['option']})}",
             "role": role_name(sc, p["role"]), "issue": sc.issue_by_id[p["issue"]].label,
             "option": sc.issue_by_id[p["issue"]].option(p["option"]).label,  # type: ignore[union-attr]
             "event": p["event"]}
            for p in state_view["postures"] if p["standing"]],
        "blocks": [
            {"what": (package_text(sc, {h["issue"]: h["option"]}) if h["option"]
                      else sc.issue_by_id[h["issue"]].label), "reason": h["reason"]}
            for h in state_view["blocks"]],
        "escalation": escalation_debrief(sc, events, tl, viewer),
    }
    if viewer == "control":
        out["bargaining"] = bargaining_debrief(sc, st, space)
        out["red_lines"] = {r.name: list(r.red_lines) for r in sc.roles if r.red_lines}
    elif viewer == "audience":
        out["bargaining"] = {"status": "control only",
                             "note": "the bargaining analysis reads every team's private "
                                     "values; it is shown to control only"}
        out["red_lines"] = {}
    else:
        agreed_seen: dict[str, str] = {}
        for a in in_force:
            agreed_seen.update(a.package)
        mine = own_value(sc, st, viewer, agreed_seen, space)
        out["bargaining"] = {"status": "own values only",
                             "note": "the comparison with the frontier reads every team's "
                                     "private values; it is shown to control only",
                             "team": mine}
        role = sc.role_by_id[viewer]
        out["red_lines"] = {role.name: list(role.red_lines)} if role.red_lines else {}
    return out, tl, st
