"""``peacetable analyze``: bargaining, linkage and session analytics for a file.

A path ending in ``.toml`` is a scenario; anything else is opened read-only as a session
file. The analysis itself is pure domain code (:mod:`peacetable.domain.analytics`); this
module reads the file, picks the state (``at``), and renders the report as text.
Errors are raised as :class:`~peacetable.domain.loader.ScenarioError` or
:class:`~peacetable.storage.session_file.SessionFileError` with a clear message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..domain.loader import ScenarioError, load_scenario
from ..domain.scenario import Problem, Scenario
from ..domain.views import package_text
from ..storage.session_file import SessionFileError
from .session import Session

__all__ = ["PartiesError", "ViewerError", "analyze_path", "coalition_text", "render_text"]


class ViewerError(ValueError):
    """``--viewer`` names no known viewer (the message lists the expected ones)."""


class PartiesError(ValueError):
    """``--parties`` names no role, an unknown role or a role twice (the message says
    which, and which ids are expected)."""


def analyze_path(path: str | Path, at: int | None = None,
                 parties: list[str] | None = None,
                 frontier: bool = False,
                 viewer: str = "control") -> tuple[dict[str, Any], str]:
    """(JSON-ready report, human-readable text) for a scenario or a session file.

    ``at`` (sessions only) analyses the state after event ``at`` (default: the last).
    ``parties`` adds the bargaining among those player roles only, the others held at
    their status quo (``report["coalition"]``). ``frontier`` builds the whole Pareto
    frontier whatever its size (above the limit, only the points are computed).
    ``viewer`` (control, audience or a role id): the linkage network holds only the
    linkages that viewer knows of, and every utility counts only the trade-off linkages it
    knows of (see ``PackageSpace.from_scenario``)."""
    from ..domain.analytics import scenario_report, session_report

    p = str(path)
    if p.lower().endswith(".toml"):
        if at is not None:
            raise ScenarioError(p, [Problem((), "--at applies to a session file, not to a "
                                                "scenario (omit --at)")])
        loaded = load_scenario(p)
        _check_viewer(loaded.scenario, viewer, p)
        report = scenario_report(loaded.scenario, frontier, viewer=viewer)
        report["source"] = {"kind": "scenario", "path": p}
        _add_coalition(report, loaded.scenario, parties, viewer)
        return report, render_text(report, loaded.scenario)
    session = Session.open(p, readonly=True)
    try:
        last = session.events[-1].seq if session.events else 0
        if at is not None and not 0 <= at <= last:
            raise SessionFileError(f"{p}: --at {at} is out of range (the session has events "
                                   f"0..{last})")
        seq = last if at is None else at
        st = session.state_at(seq)
        events = session.events if at is None else [e for e in session.events if e.seq <= seq]
        _check_viewer(session.scenario, viewer, p)
        report = session_report(session.scenario, events, st, frontier=frontier, viewer=viewer)
        report["source"] = {"kind": "session", "path": p, "at": seq, "last_event": last,
                            "effective_events": len(session.effective_events())}
        _add_coalition(report, session.scenario, parties, viewer)
        return report, render_text(report, session.scenario)
    finally:
        session.close()


def _check_viewer(sc: Scenario, viewer: str, p: str) -> None:  # noqa: ARG001
    from ..domain.views import viewer_label

    try:
        viewer_label(sc, viewer)
    except ValueError as exc:
        raise ViewerError(f"--viewer: {exc}") from None


def _add_coalition(report: dict[str, Any], sc: Scenario, parties: list[str] | None,
                   viewer: str = "control") -> None:
    if parties is None:
        return
    from ..domain.analytics.bargaining import PackageSpace
    from ..domain.analytics.report import coalition_section

    try:
        report["coalition"] = coalition_section(PackageSpace.from_scenario(sc, viewer), parties)
    except ValueError as exc:
        raise PartiesError(f"--parties: {exc}") from None


# --------------------------------------------------------------------------- text


def _f(x: float | None, nd: int = 3) -> str:
    return "—" if x is None else f"{x:.{nd}f}"


class _Labels:
    """Names a person reads for the ids in a report (ids stay in the JSON report)."""

    def __init__(self, sc: Scenario | None):
        self.sc = sc

    def role(self, rid: str) -> str:
        r = self.sc.role_by_id.get(rid) if self.sc else None
        return r.name if r else rid

    def roles(self, ids) -> str:
        return ", ".join(self.role(r) for r in ids)

    def issue(self, iid: str) -> str:
        i = self.sc.issue_by_id.get(iid) if self.sc else None
        return i.label if i else iid

    def option(self, iid: str, oid: str) -> str:
        i = self.sc.issue_by_id.get(iid) if self.sc else None
        o = i.option(oid) if i is not None else None
        return o.label if o is not None else oid

    def phase(self, pid: str | None) -> str:
        if pid is None:
            return "not started"
        p = self.sc.phase_by_id.get(pid) if self.sc else None
        return p.label if p else pid

    def pkg(self, pkg: dict[str, str]) -> str:
        if not pkg:
            return "(nothing)"
        if self.sc is None:
            return ", ".join(f"{k}={v}" for k, v in pkg.items())
        return package_text(self.sc, pkg)


def render_text(report: dict[str, Any], sc: Scenario | None = None) -> str:
    """The report as plain text for a terminal (same content, fewer details), with the
    scenario's labels for roles, issues and options when ``sc`` is given."""
    L = _Labels(sc)
    _pkg = L.pkg
    out: list[str] = []
    w = out.append
    sc = report["scenario"]
    src = report.get("source", {})
    head = f"{sc['title']} ({sc['id']})"
    if src.get("kind") == "session":
        head += f" — session {src['path']} after event {src['at']} of {src['last_event']}"
    w(head)
    w("=" * min(len(head), 100))
    w("Model: additive utilities plus the interaction terms the scenario writes; unsettled "
      "issues valued at each role's no-deal level (BATNA); a linkage changes values only "
      "through its own value.")
    w("")
    w("Roles (utility: 1 = options valued 1 on every issue; interaction terms and linkage "
      "values can push it below 0 or above 1)")
    for r in report["roles"].values():
        w(f"  {r['name']:<28} BATNA {_f(r['batna'])}   ideal {_f(r['ideal']['utility'])}   "
          f"worst {_f(r['worst_utility'])}")
    b = report["bargaining"]
    w("")
    w(f"Bargaining over {b['packages']:,} full packages")
    if b.get("arithmetic_note"):
        w(f"  Note: {b['arithmetic_note']}")
    z = b["zopa"]
    if z["counted"]:
        w(f"  ZOPA: {z['count']:,} packages ({100 * z['share']:.2f}% of the space)")
    else:
        w(f"  ZOPA: {z['note']}")
    if b["status"] == "points":
        w(f"  Pareto frontier not built: {b['reason']}")
        _points(w, b, L)
    elif b["status"] != "ok":
        w(f"  Refused: {b['reason']}")
    else:
        w(f"  Pareto frontier: {b['frontier']['size']:,} packages, {z['on_frontier']:,} of them "
          f"in the ZOPA")
        if z.get("empty"):
            w(f"  {z['note']}")
        _points(w, b, L)
    c = report.get("coalition")
    if c is not None:
        w("")
        _render_coalition(w, c, L)
    w("")
    w("Linkage network")
    _render_network(w, report["network"], L)
    s = report.get("session")
    if s is not None:
        w("")
        w(f"Session: phase {L.phase(s['phase'])}; agreed: {_pkg(s['agreed'])}")
        flagged = [p for p in s["flags"]["proposals"] + s["flags"]["agreements"]
                   if p["worse_than_batna_for"]]
        for p in s["flags"]["proposals"]:
            mark = ("  WORSE THAN NO DEAL for " + L.roles(p["worse_than_batna_for"])) \
                if p["worse_than_batna_for"] else ""
            w(f"  proposal {p['move']} by {L.role(p['role'])} ({p['status']}): "
              f"{_pkg(p['package'])}{mark}")
        for a in s["flags"]["agreements"]:
            mark = ("  WORSE THAN NO DEAL for " + L.roles(a["worse_than_batna_for"])) \
                if a["worse_than_batna_for"] else ""
            w(f"  agreement {a['agreement']} ({a['status']}): {_pkg(a['package'])}{mark}")
        if not flagged:
            w("  No proposal or agreement is worse than no deal for any role.")
        w("  Concessions (utility given up against each role's ideal):")
        for rid, c in s["concessions"].items():
            curve = " → ".join(_f(p["distance"], 2) for p in c["points"]) or "no counted moves"
            w(f"    {L.role(rid):<24} {curve}")
        rec = s["reciprocity"]
        k = report["model"]["reciprocity"]["k"]
        w(f"  Reciprocity (concessions/de-escalations answered within {k} "
          f"round{'s' if k != 1 else ''}):")
        for rid, r in rec.items():
            if r["initiatives"]:
                w(f"    {L.role(rid):<24} {r['answered']}/{r['initiatives']} answered"
                  + (f", mean lag {r['mean_lag_rounds']:.2f} rounds" if r["answered"] else ""))
        d = s["frontier_distance"]
        if d["status"] == "ok":
            w(f"  Distance from the frontier: every role could still gain "
              f"{_f(d['uniform_gain'])} at once; frontier "
              f"{'reachable' if d['frontier_reachable'] else 'NO LONGER reachable'} "
              f"({d['compatible_frontier_packages']} efficient completions)")
    return "\n".join(out)


def coalition_text(sc: Scenario, parties: list[str]) -> str:
    """The bargaining among ``parties`` only (the others held at their status quo), as text
    with the scenario's labels: the same lines as ``analyze --parties``. Raises
    :class:`PartiesError` on bad role ids."""
    report: dict[str, Any] = {}
    _add_coalition(report, sc, parties)
    out: list[str] = []
    _render_coalition(out.append, report["coalition"], _Labels(sc))
    return "\n".join(out)


def _points(w, b: dict[str, Any], L: _Labels) -> None:
    """The Nash and Kalai–Smorodinsky points of a bargaining section, as text lines."""
    for label, key in (("Nash bargaining point", "nash"),
                       ("Kalai–Smorodinsky point", "kalai_smorodinsky")):
        rec = b[key]
        if rec is None:
            w(f"  {label}: none (empty ZOPA)")
            continue
        w(f"  {label}: {L.pkg(rec['package'])}")
        w("    " + "   ".join(f"{L.role(k)} {_f(v)} (+{_f(rec['gains'][k])})"
                              for k, v in rec["utilities"].items()))


def _render_coalition(w, c: dict[str, Any], L: _Labels) -> None:
    _pkg = L.pkg
    w(f"Bargaining among {L.roles(c['parties'])} only ("
      + (f"{L.roles(c['others'])} held at their status quo: not asked, "
         "and every issue the parties leave open stays without a deal"
         if c["others"] else "every player role") + ")")
    if c["status"] != "ok":
        w(f"  Refused: {c['reason']}")
    else:
        if c["frontier"]["size"] is None:
            w(f"  Pareto frontier not built ({c['frontier']['note']}); the points are exact")
        else:
            w(f"  Pareto frontier: {c['frontier']['size']:,} packages, "
              f"{c['zopa_on_frontier']:,} of them at least as good as no deal for each of "
              "them")
        for label, key in (("Nash bargaining point", "nash"),
                           ("Kalai–Smorodinsky point", "kalai_smorodinsky")):
            rec = c[key]
            if rec is None:
                w(f"  {label}: none (no package is at least as good as no deal for all "
                  "of them)")
                continue
            w(f"  {label}: {_pkg(rec['package'])}")
            if rec["left_open"]:
                w(f"    left open: {', '.join(L.issue(i) for i in rec['left_open'])}")
            w("    " + "   ".join(f"{L.role(k)} {_f(v)} (+{_f(rec['gains'][k])})"
                                  for k, v in rec["utilities"].items()))
            if rec.get("others"):
                w("    left out: " + "   ".join(
                    f"{L.role(k)} {_f(o['utility'])} ({o['gain']:+.3f})"
                    for k, o in rec["others"].items()))
            if rec.get("worse_than_no_deal_for"):
                w("    WORSE THAN NO DEAL for " + L.roles(rec["worse_than_no_deal_for"]))
            for x in rec.get("red_lines_crossed_for_others", []):
                w(f"    CROSSES A RED LINE of {L.role(x['role'])}: {x['red_line']}")


def _render_network(w, net: dict[str, Any], L: _Labels) -> None:
    if net.get("status") == "refused":
        w(f"  Refused: {net['reason']}")
        return
    cyc = net["deadlocks"]["cycles"]
    if cyc:
        w("  Deadlocks (precondition cycles):")
        for c in cyc:
            w("    " + " → ".join(L.issue(i) for i in c + [c[0]]))
        if not net["deadlocks"]["complete"]:
            w("    (list cut at the documented limit)")
    else:
        w("  No precondition cycles.")
    w("  Phased order:")
    for k, stage in enumerate(net["phased_order"], start=1):
        steps = ["[" + " + ".join(L.issue(i) for i in s) + "] as one package" if len(s) > 1
                 else L.issue(s[0]) for s in stage]
        w(f"    stage {k}: " + ", ".join(steps))
    for blk in net.get("variable_blocks", []):
        what = L.issue(blk["to"]) + (f" ({L.option(blk['to'], blk['to_option'])})"
                                     if blk.get("to_option") else "")
        w(f"    held back while {blk['while']}: {what} (no package lifts this; it waits "
          "for the situation)")
    keys = [k for k in net["keystones"] if k["reach"] > 0][:5]
    if keys:
        w("  Keystones (issues downstream in the precondition graph):")
        for k in keys:
            w(f"    {L.issue(k['issue']):<28} unlocks {k['reach']}  "
              f"(betweenness {_f(k['betweenness'])})")
