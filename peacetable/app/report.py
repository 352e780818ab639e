"""After-action report of a session, shaped like an HSEEP after-action report (no Qt).

:func:`build_report` gathers the data for one viewer at one event: overview, objectives and
what the record shows about each, phases with their key moves and injects (expected and
actual response), the escalation series, issue statuses at the end, agreements made and
broken, each team's outcome against its objectives, red lines and BATNA, the debrief
analytics (:func:`~peacetable.app.debrief.debrief_at`), strengths and areas for improvement
from the annotations, and an improvement plan. Visibility is the engine's: a report for a
team or the audience holds only what that viewer could see at that moment.

Renderers: :func:`render_html` (Jinja2, autoescaping on: text a user typed never becomes
markup), :func:`render_csv` (the visible events) and :func:`render_json` (the data and the
visible events; no NaN). The figures (escalation chart, issue network) are SVG written by
:mod:`peacetable.app.report_figures` (no Qt); the PDF is Qt's and is made in
``peacetable.ui.report_export``. Every export carries the record's fingerprint.
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import json
import math
import os
import unicodedata
from pathlib import Path
from typing import Any

from ..domain.events import (
    ActionRecorded,
    DiceRolled,
    Event,
    event_time,
    InjectFired,
    MoveAdjudicated,
    MoveSubmitted,
    PhaseStarted,
    to_builtins,
)
from ..domain.views import view_state, viewer_label
from .annotations import HOTWASH_PROMPTS, author_label, hotwash_of, list_annotations
from .debrief import debrief_with_timeline
from .fork import fork_origin, record_fingerprint

__all__ = ["KEY_MOVES", "REPORT_FORMATS", "TEMPLATES", "build_report", "render_csv",
           "render_html", "render_json", "safe_text"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
REPORT_FORMATS = (".html", ".pdf", ".csv", ".json")
KEY_MOVES = 8
"""Most key moves listed per phase (the moves that moved the index most, then the rest by
order); the count of the others is given."""

STRENGTH_PREFIXES = ("strength:", "+")
IMPROVE_PREFIXES = ("improve:", "improvement:", "-")
_HOTWASH_KIND = {"worked": "strength", "change": "improve", "missed": "improve",
                 "surprised": "observation"}


# --------------------------------------------------------------------------- text safety


def safe_text(text: Any) -> str:
    """Text a user typed, made inert for any output: control characters (terminal escapes)
    and bidirectional overrides are shown as visible escapes (U+202E → ``\\u202e``).
    Markup is not touched here: the HTML template escapes it."""
    text = str(text)
    if text.isprintable():  # no control, format or separator character but the space
        return text
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\n\t":
            out.append(ch)
        elif cat in ("Cc", "Cf", "Cs", "Co") or cat.startswith("Z") and ch not in " \u00a0":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def _clean(obj: Any) -> Any:
    """A JSON-ready copy with every string made inert and every float finite."""
    if isinstance(obj, str):
        return safe_text(obj)
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {safe_text(k) if isinstance(k, str) else k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


# --------------------------------------------------------------------------- helpers




def _minutes(a: str, b: str) -> float:
    ta, tb = event_time(a), event_time(b)
    return 0.0 if ta is None or tb is None else max(0.0, (tb - ta).total_seconds() / 60.0)


def _when(raw: str) -> str:
    t = event_time(raw)
    return t.strftime("%Y-%m-%d %H:%M UTC") if t else str(raw)


# --------------------------------------------------------------------------- build


def build_report(session: Any, viewer: str = "control", at: int | None = None) -> dict[str, Any]:
    """The report's data for ``viewer`` after event ``at`` (default: the last).

    Raises ValueError for an unknown viewer or an event out of range."""
    from ..domain.analytics.debrief import cause_label, role_name
    from ..domain.calendar import date_label, fired_inject_days, phase_span, span_label

    sc = session.scenario
    viewer_label(sc, viewer)
    last = session.store.last_seq
    if at is not None and (isinstance(at, bool) or not 1 <= int(at) <= last):
        raise ValueError(f"event {at} is out of range (the session has events 1..{last})")
    seq = last if at is None else int(at)
    events: list[Event] = session.events[:seq]
    by_seq = {e.seq: e for e in events}
    visible = [e for e in events if e.visibility.allows(viewer)]
    vis_seqs = {e.seq for e in visible}
    debrief, tl, st = debrief_with_timeline(session, seq, viewer)
    state_view = view_state(sc, st, viewer)  # what `peacetable replay --at` prints
    started = events[0].body
    meta = session.store.meta()
    teams = session.teams
    is_control = viewer == "control"
    is_role = viewer not in ("control", "audience")

    def label(ev: Event) -> str:
        return cause_label(sc, ev, by_seq, viewer) if ev.seq in vis_seqs else ""

    # ---- overview
    first_ts, last_ts = events[0].ts, events[-1].ts
    overview = {
        "scenario": sc.scenario.title,
        "scenario_id": sc.scenario.id,
        "summary": sc.scenario.summary,
        "title": getattr(started, "title", "") or sc.scenario.title,
        "date": _when(first_ts),
        "ended": _when(last_ts),
        "minutes": round(_minutes(first_ts, last_ts), 1),
        "events": seq,
        "last_event": last,
        "phases_reached": state_view["phase"]["index"] + 1 if state_view["phase"] else 0,
        "story_date": state_view.get("game_date_label") or "",  # as the viewer knows it
        "phases": len(sc.phases),
        "teams": [{"role": r.name, "team": teams.get(r.id, ""), "player": r.is_player}
                  for r in sc.roles],
        "viewer": "control" if is_control else "audience" if viewer == "audience"
        else role_name(sc, viewer),
        "viewer_id": viewer,
        "source": Path(session.path).name,
        "forked_from": fork_origin(meta),
    }

    # ---- phases, key moves, injects
    moves_sub: dict[int, Event] = {e.seq: e for e in events if isinstance(e.body, MoveSubmitted)}
    inject_days = fired_inject_days(sc, events)  # a rescheduled inject's day, if it moved
    phase_starts = [e for e in events if isinstance(e.body, PhaseStarted)]
    trace = {p["seq"]: p["index"] for p in tl}  # applied events only (undone ones are not)
    index_before: dict[int, float] = {}
    for prev, cur in zip(tl, tl[1:]):
        index_before[cur["seq"]] = prev["index"]
    phases = []
    for k, pe in enumerate(phase_starts):
        end = phase_starts[k + 1].seq if k + 1 < len(phase_starts) else seq + 1
        ph = sc.phases[pe.body.index] if 0 <= pe.body.index < len(sc.phases) else None
        carried = []
        injects = []
        for e in events[pe.seq - 1:end - 1]:
            b = e.body
            if isinstance(b, (MoveAdjudicated, DiceRolled)) and e.seq in vis_seqs:
                ok = b.decision == "accepted" if isinstance(b, MoveAdjudicated) else b.success
                src = moves_sub.get(b.move)
                if ok and src is not None and src.seq in vis_seqs and e.seq in trace:
                    carried.append({"event": e.seq, "rationale": src.body.rationale,
                                    "change": round(trace[e.seq] - index_before[e.seq], 2)})
            elif isinstance(b, InjectFired) and e.seq in vis_seqs:
                responses = [
                    {"event": r.seq, "team": role_name(sc, r.body.role), "text": r.body.text}
                    for r in visible
                    if isinstance(r.body, ActionRecorded) and r.body.inject_event == e.seq]
                day = inject_days.get(e.seq)
                injects.append({"event": e.seq, "title": b.title, "synopsis": b.synopsis,
                                "date": day.isoformat() if day else None,
                                "date_label": date_label(day),
                                "targets": [role_name(sc, t) for t in b.targets],
                                "expected": b.expected_action if is_control else "",
                                "responses": responses, "scheduled": b.scheduled})
        ranked = sorted(carried, key=lambda m: (-abs(m["change"]), m["event"]))[:KEY_MOVES]
        # described once kept (a long phase carries out thousands of moves)
        key = [{"event": m["event"], "text": label(by_seq[m["event"]]), **m}
               for m in sorted(ranked, key=lambda m: m["event"])]
        end_ts = by_seq[end].ts if end in by_seq else last_ts
        first, last_day = phase_span(sc, pe.body.index) if ph else (None, None)
        phases.append({
            "label": ph.label if ph else f"phase {pe.body.index + 1}",
            "date": first.isoformat() if first else None,
            "end_date": last_day.isoformat() if last_day else None,
            "date_label": span_label(first, last_day),
            "description": ph.description if ph else "",
            "objectives": list(ph.objectives) if ph else [],
            "sequencing": ph.sequencing if ph else "open",
            "start_event": pe.seq, "end_event": end - 1,
            "minutes": round(_minutes(pe.ts, end_ts), 1),
            "key_moves": key, "other_moves": len(carried) - len(key),
            "injects": injects,
            "agreements_made": [a for a in debrief["agreement_history"]
                                if a["change"] == "made" and pe.seq <= a["event"] < end],
        })

    # ---- objectives: phase objectives with what the record shows in that phase
    objectives = []
    for ph in phases:
        if not ph["objectives"]:
            continue
        shown = []
        if ph["agreements_made"]:
            shown += [f"agreement made: {a['package']}" for a in ph["agreements_made"]]
        n_moves = len(ph["key_moves"]) + ph["other_moves"]
        shown.append(f"{n_moves} move{'s' if n_moves != 1 else ''} carried out")
        if ph["injects"]:
            answered = sum(1 for i in ph["injects"] if i["responses"])
            shown.append(f"{answered} of {len(ph['injects'])} injects answered")
        objectives.append({"phase": ph["label"], "objectives": ph["objectives"],
                           "record": shown})

    # ---- teams against objectives, red lines and BATNA
    bar = debrief["bargaining"]
    outcome_roles = [r for r in sc.roles if r.is_player and (is_control or r.id == viewer)]
    team_outcomes = []
    for r in outcome_roles:
        val = bar.get("teams", {}).get(r.id) if is_control else bar.get("team")
        team_outcomes.append({
            "role": r.name, "team": teams.get(r.id, ""),
            "objectives": list(r.objectives), "red_lines": list(r.red_lines),
            "batna": r.batna, "batna_description": r.batna_description,
            "value": None if not val else val["value"],
            "gain_over_batna": None if not val else val["gain_over_batna"],
            "worse_than_batna": bool(val and val["worse_than_batna"]),
            "nash_gain": None if not val else val.get("nash_gain"),
            "ruled_out": [] if not val else list(val.get("ruled_out", [])),
            "red_lines_crossed": [] if not val else list(val.get("red_lines_crossed", [])),
        })

    # ---- issues at the end (from the viewer's state view)
    issues = []
    for iid, rec in state_view["issues"].items():
        issue = sc.issue_by_id.get(iid)
        opt = rec.get("option")
        opt_label = next((o.label for o in issue.options if o.id == opt), opt) if issue else opt
        issues.append({"issue": issue.label if issue else iid, "status": rec["status"],
                       "option": opt_label or "", "reason": rec.get("reason", "") or ""})

    # ---- annotations: strengths, improvements, observations
    strengths, improve, observations, hotwash = [], [], [], []
    for ann in list_annotations(session):
        if ann.seq > seq:
            continue
        hw = hotwash_of(ann)
        if hw is not None:
            role, key = hw
            if not (is_control or role == viewer):
                continue
        elif ann.seq not in vis_seqs:
            continue
        ev = by_seq.get(ann.seq)
        rec = {"event": ann.seq, "at": label(ev) if ev else "", "by": author_label(session, ann),
               "text": ann.text, "ts": _when(ann.ts)}
        if hw is not None:
            role, key = hw
            kind = _HOTWASH_KIND.get(key, "observation")
            rec.update(team=role_name(sc, role), question=dict(HOTWASH_PROMPTS).get(key, key),
                       at="", by=f"{role_name(sc, role)}, hot wash")
            hotwash.append(rec)
        else:
            low = ann.text.lstrip().lower()
            kind = "strength" if low.startswith(STRENGTH_PREFIXES) else \
                "improve" if low.startswith(IMPROVE_PREFIXES) else "observation"
        {"strength": strengths, "improve": improve, "observation": observations}[kind].append(rec)
    plan = [{"area": a["text"], "raised_by": a["by"], "at": a["at"]} for a in improve]

    # ---- escalation series (public)

    data = {
        "report_version": 1,
        "fingerprint": record_fingerprint(session),
        "generated": _when(_dt.datetime.now(_dt.timezone.utc).isoformat()),
        "overview": overview,
        "objectives": objectives,
        "phases": phases,
        "escalation": debrief["escalation"],
        "issues": issues,
        "agreements": {"in_force": debrief["agreements_in_force"],
                       "history": debrief["agreement_history"],
                       "postures": debrief["postures"], "blocks": debrief["blocks"]},
        "teams": team_outcomes,
        "teams_private": not is_control and not is_role,
        "debrief": debrief,
        "annotations": {"strengths": strengths, "improvements": improve,
                        "observations": observations, "hotwash": hotwash},
        "improvement_plan": plan,
        "state": state_view,
    }
    data = _clean(data)
    # numbers only: added after the text cleaning, which it does not need. A team or the
    # audience gets a point where an event it saw happened or where the picture changed: a
    # hidden event that moved nothing leaves no mark of when it happened (as in the window)
    if not is_control:
        from .replay import viewer_trace

        kept = {r[0] for r in viewer_trace(
            ((p["seq"], p["phase_index"], round(p["index"], 4), None) for p in tl),
            vis_seqs.__contains__, viewer)}
        tl = [p for p in tl if p["seq"] in kept]
    data["escalation"]["series"] = [
        {"event": p["seq"], "phase_index": p["phase_index"], "index": round(p["index"], 4)}
        for p in tl]
    return data


# --------------------------------------------------------------------------- renderers


@functools.lru_cache(maxsize=1)
def _env():
    """The template environment (templates are compiled once per process, and kept
    compiled in the user's cache folder between processes: see :func:`_template_cache`)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every template: text a user typed never becomes markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
        bytecode_cache=_template_cache(),
    )
    env.filters["num"] = lambda x, nd=2: "—" if x is None else f"{x:.{nd}f}"
    env.filters["signed"] = lambda x, nd=2: "—" if x is None else f"{x:+.{nd}f}"
    return env


def _template_cache():
    """The compiled templates kept in the user's own cache folder (``peacetable/templates``
    under platformdirs' cache folder, made readable by the user alone), as Python keeps
    compiled modules; Jinja2 checks each entry against its template's text and compiles
    again when they differ. Compiling the report's template takes a tenth of a second, a
    good part of a short command's time. None (compile every time) when the folder cannot
    be made."""
    import jinja2
    import platformdirs

    folder = Path(platformdirs.user_cache_dir("peacetable", appauthor=False)) / "templates"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK | os.X_OK):
            return None
    except OSError:
        return None

    class Cache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket):
            try:
                super().load_bytecode(bucket)
            except Exception:  # an unreadable entry (cut short, another version): compile
                bucket.reset()

    return Cache(str(folder))


def render_html(data: dict[str, Any], figures: dict[str, Any] | None = None,
                image_urls: dict[str, str] | None = None) -> str:
    """The report as one HTML page. ``figures`` (from
    :func:`peacetable.app.report_figures.report_figures`: name -> SVG markup) are written
    into the page; ``image_urls`` (name -> URL) are referenced as images instead (for Qt's
    document renderer, which takes the same figures drawn as named image resources)."""
    return _env().get_template("report.html").render(r=data, figures=figures or {},
                                                     images=image_urls or {})


CSV_COLUMNS = ("event", "time", "phase", "phase_date", "phase_end_date", "inject_date", "type",
               "actor", "visibility", "description", "fingerprint")
"""The CSV's columns. ``phase`` is the phase in force after the event; ``phase_date`` and
``phase_end_date`` its first and last day in the story (ISO dates, empty when the phase has
none or its end is open); ``inject_date`` the story day of a fired inject that has one."""


def render_csv(session: Any, data: dict[str, Any]) -> str:
    """The events visible to the report's viewer up to its event, one row each, with the
    phase in force after it and the story's calendar (the phase's days, a fired inject's
    day); every row carries the record's fingerprint. Cells that a spreadsheet would run as
    a formula start with an apostrophe."""
    from ..domain.calendar import fired_inject_days, phase_span
    from ..domain.views import EventsBySeq, describe_event

    sc = session.scenario
    viewer = data["overview"]["viewer_id"]
    upto = data["overview"]["events"]
    # the phase after every applied event, from the report's own fold (an undone event
    # leaves the phase as the event before it had it)
    phase_after = {p["event"]: p["phase_index"] for p in data["escalation"]["series"]}
    spans: dict[int, tuple[str, str, str]] = {}

    def phase_cells(index: int) -> tuple[str, str, str]:
        if index not in spans:
            if not 0 <= index < len(sc.phases):
                spans[index] = ("", "", "")
            else:
                first, last = phase_span(sc, index)
                spans[index] = (_cell(sc.phases[index].label),
                                first.isoformat() if first else "",
                                last.isoformat() if last else "")
        return spans[index]

    by_seq = EventsBySeq(session.events)
    # the day a fired inject happened on (control may have moved it to another phase)
    inject_days = fired_inject_days(sc, session.events)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    index = -1
    seqs = sorted(phase_after)
    k = 0
    for ev in session.visible_events(viewer, upto=upto):
        while k < len(seqs) and seqs[k] <= ev.seq:
            index = phase_after[seqs[k]]
            k += 1
        day = inject_days.get(ev.seq) if isinstance(ev.body, InjectFired) else None
        actor = getattr(ev.body, "role", None) or getattr(ev.body, "sender", None) or "control"
        w.writerow([ev.seq, ev.ts, *phase_cells(index), day.isoformat() if day else "",
                    ev.type, _cell(actor), ev.visibility.describe(),
                    _cell(describe_event(sc, ev, by_seq, viewer)), data["fingerprint"]])
    return buf.getvalue()


def _cell(text: str) -> str:
    text = safe_text(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_json(session: Any, data: dict[str, Any]) -> str:
    """The report data and the events visible to its viewer, as stable JSON (no NaN)."""
    viewer = data["overview"]["viewer_id"]
    upto = data["overview"]["events"]
    events = [{"seq": e.seq, "ts": e.ts, "type": e.type,
               "visibility": e.visibility.describe(),
               "description": session.describe(e, viewer), "body": to_builtins(e.body)}
              for e in session.visible_events(viewer, upto=upto)]
    doc = {"fingerprint": data["fingerprint"], "report": data, "events": _clean(events)}
    return json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False)
