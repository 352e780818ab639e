"""The state as a given viewer may see it.

A viewer is ``"control"`` (everything), a role id (public material, its own private brief
and what was addressed to it) or ``"audience"`` (public material only, for the projector).
Views are plain JSON-ready dicts; no screen filters anything by itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .calendar import date_label, game_date
from .conditions import VariableTest, typed
from .events import Event, MovesRevealed, MoveSubmitted, Redone, RevealedMove, Undone
from .scenario import Linkage, Scenario
from .state import State, hold_text, issue_statuses, standing_postures


def viewer_label(sc: Scenario, viewer: str) -> str:
    if viewer in ("control", "audience"):
        return viewer
    if viewer not in sc.role_by_id:
        raise ValueError(f"unknown viewer '{viewer}' (expected control, audience or a role id: "
                         f"{', '.join(sc.role_by_id)})")
    return viewer


def visibility_text(sc: Scenario, vis) -> str:
    """Who may see an event, as a person reads it: "public", "control only", "private:
    Ukraine, United States" (control sees every private event as well)."""
    if vis.scope == "roles":
        return "private: " + ", ".join(
            sc.role_by_id[r].name if r in sc.role_by_id else r for r in vis.roles)
    return "control only" if vis.scope == "control" else vis.scope


def visible_events(events: list[Event], viewer: str) -> list[Event]:
    return [e for e in events if e.visibility.allows(viewer)]


def _r(x: float) -> float:
    return round(x, 4)


def _iso(d) -> str | None:
    return None if d is None else d.isoformat()


def view_state(sc: Scenario, st: State, viewer: str = "control") -> dict[str, Any]:
    """A JSON-ready picture of the session at ``st`` for ``viewer`` (stable key order)."""
    viewer_label(sc, viewer)
    agreements = [a for a in st.agreements.values() if a.visibility.allows(viewer)]
    moves = [m for m in st.moves.values() if m.visibility.allows(viewer)]
    tabled = [m for m in moves if m.kind == "proposal" and m.status == "accepted"]
    known = sc.linkages_for(viewer)
    postures = [p for p in st.postures if p.visibility.allows(viewer)]
    statuses = issue_statuses(sc, st, agreements, tabled, known, postures, viewer)
    standing = standing_postures(postures)
    phase = sc.phase_by_id.get(st.phase) if st.phase else None
    rung = next((r for r in sc.escalation.rungs if r.id == st.rung), sc.escalation.rungs[0])
    out: dict[str, Any] = {
        "viewer": viewer,
        "scenario": sc.scenario.id,
        "event": st.seq,
        "phase": None if phase is None else {
            "id": phase.id, "index": st.phase_index, "label": phase.label,
            "sequencing": phase.sequencing, "of": len(sc.phases),
            "date": _iso(phase.date), "end_date": _iso(phase.end_date)},
        # the in-game date as this viewer may know it (domain/calendar.py)
        "game_date": _iso(day := game_date(sc, st, viewer)),
        "game_date_label": date_label(day),
        "escalation": {
            "index": _r(st.index), "scale": sc.escalation.scale, "rung": rung.id,
            "rung_label": rung.label,
            "variables": {k: round(v, 4) for k, v in st.variables.items()},  # _r, inline
        },
        "leverage": {k: round(v, 4) for k, v in st.leverage.items()},
        "issues": statuses,
        "linkages": [_linkage_entry(sc, k, st.variables, viewer) for k in known],
        "agreements": [
            {"id": a.id, "package": a.package, "parties": list(a.parties), "proposer": a.proposer,
             "status": a.status, "formed_at": a.formed_at, "condition": a.condition,
             "blocked": a.blocked, "superseded_by": a.superseded_by,
             "visibility": a.visibility.describe()}
            for a in sorted(agreements, key=lambda a: a.id)
        ],
        # every declaration this viewer may see; the latest on an issue stands unless an
        # agreement in force settles the issue
        "postures": [
            {"issue": p.issue, "option": p.option, "role": p.role, "event": p.event,
             "source": p.source,
             "standing": standing.get(p.issue) is p and statuses[p.issue]["status"] == "declared",
             "visibility": p.visibility.describe()}
            for p in postures
        ],
        # blocks in force: that one holds is known to all (it refuses their proposals); who
        # put it on, and with what, only to those who may see the event that did
        "blocks": [
            {"issue": h.issue, "option": h.option, "reason": hold_text(sc, h, viewer),
             **({"by": h.by, "event": h.event, "source": h.source}
                if h.visibility.allows(viewer) else {"by": None, "event": None, "source": ""})}
            for h in st.holds
        ],
        "offers": [
            {"id": o.id, "role": o.role, "template": o.template, "condition": o.condition,
             "status": o.status, "variables": o.variables, "leverage": o.leverage,
             "visibility": o.visibility.describe()}
            for o in sorted(st.offers.values(), key=lambda o: o.id) if o.visibility.allows(viewer)
        ],
        "moves_open": [
            {"id": m.id, "role": m.role, "template": m.template, "kind": m.kind,
             "status": "tabled" if m.status == "accepted" else
             ("sealed" if m.sealed else "awaiting adjudication"),
             "magnitude": m.magnitude, "channel": m.channel, "package": m.package,
             "parties": list(m.parties), "acceptances": list(m.acceptances), "target": m.target,
             "condition": m.condition, "visibility": m.visibility.describe()}
            for m in sorted(moves, key=lambda m: m.id)
        ],
        "injects_fired": dict(sorted(st.injects_fired.items())) if viewer == "control" else None,
        "totals": {"accepted_moves": st.accepted_moves, "rejected_moves": st.rejected_moves,
                   "rolls": st.rolls},
    }
    if viewer != "control":
        out.pop("injects_fired")
    out["sealed_moves"] = sum(1 for m in st.moves.values() if m.sealed)
    # who has handed in a sealed move (not what): the room sees the envelopes arrive
    out["sealed_roles"] = sorted({m.role for m in st.moves.values() if m.sealed})
    if viewer not in ("control", "audience"):
        role = sc.role_by_id[viewer]
        out["role"] = {"id": role.id, "name": role.name, "public_brief": role.public_brief,
                       "private_brief": role.private_brief,
                       "objectives": list(role.objectives), "red_lines": list(role.red_lines),
                       "batna": role.batna, "batna_description": role.batna_description}
    return out


def linkage_view(sc: Scenario, k: Linkage, variables: dict[str, float] | None = None,
                 viewer: str = "control") -> dict[str, Any]:
    """One linkage as a viewer who knows of it reads it: ids, and ``text``, a sentence with
    the scenario's labels ("talks on Water release are blocked while Troops at the border >
    6 battalions"); a linkage from a variable test says whether it holds now. Only control
    is told which roles know of a linkage."""
    out: dict[str, Any] = {"kind": k.kind, "from": k.source, "from_option": k.from_option,
                           "to": k.target, "to_option": k.to_option, "note": k.note,
                           "text": linkage_text(sc, k)}
    if k.condition is not None:
        out["while"] = k.condition.model_dump(exclude_none=True)
        out["variables"] = sorted(k.variables)
        out["label"] = while_label(sc, k)
        if variables is not None:
            out["holds"] = k.holds(variables)
    if k.visible_to is not None and viewer == "control":
        out["visible_to"] = list(k.visible_to)
    return out


_ENTRIES: dict[tuple[int, bool], tuple[Linkage, Scenario, dict[str, Any]]] = {}


def _linkage_entry(sc: Scenario, k: Linkage, variables: dict[str, float],
                   viewer: str) -> dict[str, Any]:
    """``linkage_view(sc, k, variables, viewer)``; for a linkage without a variable test
    (the same whatever the values) made once and copied."""
    if k.condition is not None:
        return linkage_view(sc, k, variables, viewer)
    key = (id(k), viewer == "control")
    got = _ENTRIES.get(key)
    if got is None or got[0] is not k or got[1] is not sc:
        if len(_ENTRIES) > 4096:
            _ENTRIES.clear()
        got = _ENTRIES[key] = (k, sc, linkage_view(sc, k, variables, viewer))  # k kept: its id stays its own
    out = dict(got[2])
    if "visible_to" in out:
        out["visible_to"] = list(out["visible_to"])
    return out


def while_label(sc: Scenario, k: Linkage) -> str:
    """The short label of a linkage from a variable test, for an edge drawn from the
    variable: "while > 6 battalions" (the whole test when it reads several variables)."""
    c = k.condition
    if c is None:
        return ""
    t = c.typed()
    if isinstance(t, VariableTest):
        v = sc.variable_by_id.get(t.variable)
        # the describer's wording, without the variable's label (the node shows it)
        full = t.describe(sc)
        return "while " + (full[len(v.label) + 1:] if v is not None else full)
    return "while " + t.describe(sc)


_TEXTS: dict[int, tuple[Linkage, Scenario, str]] = {}


def linkage_text(sc: Scenario, k: Linkage) -> str:
    """A linkage as one sentence with the scenario's labels (made once per linkage: every
    view of every viewer lists the linkages it knows of)."""
    got = _TEXTS.get(id(k))
    if got is not None and got[0] is k and got[1] is sc:
        return got[2]
    text = _linkage_sentence(sc, k)
    if len(_TEXTS) > 4096:
        _TEXTS.clear()
    _TEXTS[id(k)] = (k, sc, text)  # the linkage kept: its id stays its own
    return text


def _linkage_sentence(sc: Scenario, k: Linkage) -> str:
    def side(iid: str | None, oid: str | None) -> str:
        issue = sc.issue_by_id.get(iid or "")
        label = issue.label if issue is not None else str(iid)
        opt = issue.option(oid) if issue is not None and oid else None
        return f"{label} ({opt.label if opt else oid})" if oid else label

    a, b = side(k.source, k.from_option), side(k.target, k.to_option)
    if k.condition is not None:
        return f"talks on {b} are blocked while {k.condition.typed().describe(sc)}"
    return {
        "precondition": f"{a} must be settled before {b}",
        "trade_off": f"{a} and {b} trade off against each other",
        "reinforces": f"settling {a} makes {b} easier",
        "blocks": f"an agreement on {a} blocks {b}",
    }.get(k.kind, f"{a} → {b}")


def acts_text(sc: Scenario, effects: Mapping[str, Any], by: str | None) -> list[str]:
    """What effects do to issues, as sentences with labels: "Upland blocks: Water release",
    "Block lifted: Monitoring: None", "Lowland declared: Water release: High release"."""
    who = sc.role_by_id[by].name if by in sc.role_by_id else None
    out = []
    items = [(iid, None, flag) for iid, flag in (effects.get("issues") or {}).items()]
    items += [(iid, oid, flag) for iid, flags in (effects.get("options") or {}).items()
              for oid, flag in flags.items()]
    for iid, oid, flag in items:
        what = package_text(sc, {iid: oid}) if oid is not None else _issue_name(sc, iid)
        if flag == "blocked":
            out.append(f"{who} blocks: {what}" if who else f"Blocked: {what}")
        else:
            out.append(f"{who} lifts its block: {what}" if who else f"Block lifted: {what}")
    for iid, oid in (effects.get("declare") or {}).items():
        out.append(f"{who} declared: {package_text(sc, {iid: oid})}" if who
                   else f"Declared: {package_text(sc, {iid: oid})}")
    return out


def _issue_name(sc: Scenario, iid: str) -> str:
    issue = sc.issue_by_id.get(iid)
    return issue.label if issue is not None else iid


def _move_acts(sc: Scenario, move: Event | MoveSubmitted | RevealedMove | None) -> list[str]:
    """The blocks and postures an accepted move makes (its template's effects, for its mover)."""
    m = move.body if isinstance(move, Event) else move
    if not isinstance(m, (MoveSubmitted, RevealedMove)):
        return []
    tpl = sc.template_by_id.get(m.template)
    if tpl is None or not tpl.effects.acts():
        return []
    return acts_text(sc, tpl.effects.model_dump(), m.role)


class EventsBySeq(Mapping):
    """A session's events (numbered 1, 2, 3 … in a list) looked up by number, for the
    describers below."""

    def __init__(self, events: Sequence[Event]):
        self.events = events
        self._reveals: dict[int, list[tuple[Event, RevealedMove]]] | None = None
        self._reveals_n = -1

    def reveals(self, move: int, viewer: str, before: int | None = None) -> list[RevealedMove]:
        """What the reveals ``viewer`` may see (before event ``before``) said of sealed
        move ``move``."""
        if self._reveals is None or self._reveals_n != len(self.events):
            self._reveals = {}
            for e in self.events:
                if isinstance(e.body, MovesRevealed):
                    for r in e.body.revealed:
                        self._reveals.setdefault(r.move, []).append((e, r))
            self._reveals_n = len(self.events)
        return [r for e, r in self._reveals.get(move, ())
                if e.visibility.allows(viewer) and (before is None or e.seq < before)]

    def __getitem__(self, seq: int) -> Event:
        if isinstance(seq, int) and 1 <= seq <= len(self.events):
            ev = self.events[seq - 1]
            if ev.seq == seq:
                return ev
        for ev in self.events:
            if ev.seq == seq:
                return ev
        raise KeyError(seq)

    def __iter__(self):
        return (e.seq for e in self.events)

    def __len__(self) -> int:
        return len(self.events)


_KIND_NOUN = {
    "proposal": "proposal", "acceptance": "acceptance", "rejection": "rejection",
    "concession": "concession", "conditional_offer": "offer", "escalation": "escalation",
    "de_escalation": "de-escalation step", "statement": "statement", "lever": "move",
}


def possessive(name: str) -> str:
    """"Ukraine's", "United States'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def known_move(events: Mapping[int, Event] | None, seq: int | None,
               viewer: str = "control", before: int | None = None
               ) -> MoveSubmitted | RevealedMove | None:
    """What ``viewer`` knows of move ``seq``: its submission when the viewer may see it,
    else what a reveal the viewer may see (before event ``before``) said of it (a sealed
    move), else nothing."""
    if events is None or seq is None:
        return None
    ev = events.get(seq)
    if ev is None or not isinstance(ev.body, MoveSubmitted):
        return None
    if ev.visibility.allows(viewer):
        return ev.body
    reveals = getattr(events, "reveals", None)
    found = reveals(seq, viewer, before) if reveals is not None else [
        r for e in events.values() if isinstance(e.body, MovesRevealed)
        and e.visibility.allows(viewer) and (before is None or e.seq < before)
        for r in e.body.revealed if r.move == seq]
    return found[0] if found else None


def move_name(sc: Scenario, m: MoveSubmitted | RevealedMove,
              events: Mapping[int, Event] | None = None, viewer: str = "control",
              seq: int | None = None, depth: int = 0) -> str:
    """A move as a person names it: "Ukraine's offer: Offer deep-strike restraint for grid
    restraint", "United States' proposal: Prisoner exchanges: Regular swaps", "Russian
    Federation's acceptance of Ukraine's proposal: …" (the proposal as far as ``viewer`` may
    know it). Control also reads the event numbers, as "(#57)"."""
    role = sc.role_by_id[m.role].name if m.role in sc.role_by_id else m.role
    tpl = sc.template_by_id.get(m.template)
    label = tpl.label if tpl else m.template
    noun = _KIND_NOUN.get(m.kind, "move")
    head = f"{possessive(role)} {noun}{_num(seq, viewer)}"
    tgt = known_move(events, m.target, viewer, seq) if m.target is not None and depth == 0 else None
    if tgt is not None:
        return f"{head} of {move_name(sc, tgt, events, viewer, m.target, depth + 1)}"
    if m.package:
        # a proposal says what it is by its package; other moves by their template too
        return (f"{head}: {package_text(sc, m.package)}" if m.kind == "proposal"
                else f"{head}: {label} ({package_text(sc, m.package)})")
    return head if label.lower() == noun else f"{head}: {label}"


def _num(seq: int | None, viewer: str) -> str:
    """The event number, for control only (it finds the event in the log by it)."""
    return f" (#{seq})" if viewer == "control" and seq is not None else ""


def describe_event(sc: Scenario, ev: Event, events: Mapping[int, Event] | None = None,
                   viewer: str = "control", _depth: int = 0) -> str:
    """One line for an event as ``viewer`` reads it (the CLI's text, the event log, a seat's
    feed). Moves, proposals and agreements are named by their roles, templates and packages;
    control also gets the event number of a move named, as "(#57)". With ``events`` (the
    session's events by number), an accepted move's line says what it blocked or declared,
    and a line about a move names it — as far as ``viewer`` may know it: a move the viewer
    may not see is "a move", never its content."""
    b = ev.body
    t = ev.type
    role_name = lambda r: sc.role_by_id[r].name if r in sc.role_by_id else r  # noqa: E731
    acts = []
    if events is not None and (t == "move_adjudicated" and b.decision == "accepted"
                               or t == "dice_rolled" and b.success):
        acts = _move_acts(sc, known_move(events, b.move, viewer, ev.seq))
    then = (" — " + "; ".join(acts)) if acts else ""

    def named(seq: int) -> str:
        m = known_move(events, seq, viewer, ev.seq)
        if m is None:
            return f"move #{seq}" if viewer == "control" else "a move"
        return move_name(sc, m, events, viewer, seq)

    if isinstance(b, MoveSubmitted):
        tpl = sc.template_by_id.get(b.template)
        label = tpl.label if tpl else b.template
        extra = ""
        if b.package:
            extra = " {" + package_text(sc, b.package) + "}"
        if b.target is not None:
            tgt = known_move(events, b.target, viewer, ev.seq)
            if tgt is not None:
                extra += " — on " + move_name(sc, tgt, events, viewer, b.target, 1)
            elif viewer == "control":
                extra += f" — on move #{b.target}"
        if b.condition:
            extra += " if " + condition_text(b.condition, sc)
        if b.magnitude != 1:
            extra += f" x{b.magnitude}"
        ch = "private" if b.channel == "private" else "public"
        sealed = ", sealed" if b.sealed else ""
        return f"{role_name(b.role)}: {label}{extra} [{ch}{sealed}]"
    if t == "move_adjudicated":
        mod = f" at strength {b.magnitude}" if b.modified else ""
        why = f" — {b.reason}" if b.reason else ""
        return f"Control {b.decision} {named(b.move)}{mod}{why}{then}"
    if t == "ruling_note":
        return f"Note for control on the ruling on {named(b.move)}: {b.text}"
    if t == "dice_rolled":
        res = "success" if b.success else "failure"
        why = f" — {b.reason}" if b.reason else ""
        return f"Roll for {named(b.move)}: drew {b.draw} against {b.odds}%, {res}{why}{then}"
    if t == "phase_started":
        label = sc.phases[b.index].label
        return label if label.lower().startswith(("phase", "round", "week", "step")) \
            else f"phase {b.index + 1}: {label}"
    if t == "inject_fired":
        acts = acts_text(sc, b.effects, b.effects.get("by"))
        return (f"inject: {b.title}" + ("" if b.scheduled else " (unscheduled)")
                + ((" — " + "; ".join(acts)) if acts else ""))
    if t in ("inject_rescheduled", "inject_skipped"):
        inj = sc.inject_by_id.get(b.inject)
        name = inj.title if inj is not None else b.inject
        why = f" ({b.reason})" if b.reason else ""
        if t == "inject_skipped":
            return f"inject skipped: {name}{why}"
        ph = sc.phase_by_id.get(b.phase)
        day = ""
        if b.date is not None:  # moved out of its own date's phase: the day it carries now
            own = date_label(inj.date) if inj is not None else ""
            day = (f" — in the story on {date_label(b.date)}"
                   + (f" instead of {own}" if own else ""))
        return (f"inject rescheduled: {name} to minute {b.at_minute:g} of "
                f"{ph.label if ph is not None else b.phase}{why}{day}")
    if isinstance(b, MovesRevealed):
        if not b.revealed:
            n = len(b.moves)
            nums = (" (" + ", ".join(f"#{m}" for m in b.moves) + ")") if viewer == "control" else ""
            return f"{n} sealed move{'s' if n != 1 else ''} revealed{nums}"
        parts = []
        for r in b.revealed:
            tpl = sc.template_by_id.get(r.template)
            extra = f" x{r.magnitude}" if r.magnitude != 1 else ""
            if r.package:
                extra += " {" + package_text(sc, r.package) + "}"
            parts.append(f"{role_name(r.role)}: {tpl.label if tpl else r.template}{extra}"
                         f"{_num(r.move, viewer)}")
        return "Revealed: " + "; ".join(parts)
    if t == "agreement_published":
        prop = events.get(b.agreement) if events is not None else None
        what = ""
        if prop is not None and isinstance(prop.body, MoveSubmitted):
            # announcing makes the agreement public: its terms and parties are everyone's
            p = prop.body
            what = (": " + package_text(sc, p.package)) if p.package else ""
            what += " (" + ", ".join(role_name(r) for r in dict.fromkeys([p.role, *p.parties])) + ")"
        return (f"Agreement announced{what}{_num(b.agreement, viewer)}"
                + (f" — {b.reason}" if b.reason else ""))
    if isinstance(b, (Undone, Redone)):
        word = "Undo" if isinstance(b, Undone) else "Redo"
        target = events.get(b.target) if events is not None else None
        if target is None or _depth > 2 or not target.visibility.allows(viewer):
            return f"{word}: " + (f"event #{b.target}" if viewer == "control" else "an earlier event")
        return f"{word}: " + describe_event(sc, target, events, viewer, _depth + 1)
    if t == "session_started":
        return f"session started: {b.title or b.scenario_id} (seed {b.seed})"
    if t == "withdrawn":
        return f"Withdrawn: {named(b.move)}" + (f" — {b.reason}" if b.reason else "")
    if t == "message_sent":
        sender = "Control" if b.sender == "control" else role_name(b.sender)
        return f"message from {sender} to {', '.join(role_name(r) for r in b.to)}: {b.text}"
    if t == "carried_over":
        n = len(b.moves)
        to = sc.phase_by_id[b.phase].label if b.phase in sc.phase_by_id else b.phase
        known = [named(m) for m in b.moves if known_move(events, m, viewer, ev.seq) is not None]
        return (f"{n} undecided move{'s' if n != 1 else ''} carried over into {to}"
                + (": " + "; ".join(known) if known else ""))
    if t == "note":
        return f"control note: {b.text}"
    if t == "action_recorded":
        inj = events.get(b.inject_event) if events is not None else None
        title = getattr(inj.body, "title", "") if inj is not None and \
            inj.visibility.allows(viewer) else ""
        about = f"the inject “{title}”" if title else "an inject"
        return f"{role_name(b.role)} answered {about}{_num(b.inject_event, viewer)}: {b.text}"
    if t == "clock_paused":
        return "clock paused" + (" (session closed)" if b.reason == "closed" else
                                 " (PeaceTable stopped without closing the session)"
                                 if b.reason == "crashed" else
                                 f": {b.reason}" if b.reason else "")
    if t == "clock_resumed":
        return "clock resumed"
    if t == "clock_corrected":
        sign = "+" if b.seconds > 0 else "-"
        secs = abs(b.seconds)
        return (f"clock corrected by {sign}{secs // 60}:{secs % 60:02d}"
                + (f": {b.reason}" if b.reason else ""))
    return t.replace("_", " ")


def describe_for_room(sc: Scenario, ev: Event, events: Mapping[int, Event],
                      viewer: str = "audience") -> str:
    """One line for an event as the room hears it (the projector's feed).

    ``events`` maps sequence numbers to the session's events, so that an acceptance,
    a ruling or a roll can name the move it concerns by what the move says. Labels only:
    no move or event numbers, no engine wording; a ruling's note for control is left out,
    and a move ``viewer`` may not see (a private proposal) is not mentioned at all."""
    b = ev.body
    t = ev.type
    role_name = lambda r: sc.role_by_id[r].name if r in sc.role_by_id else r  # noqa: E731

    def seen(seq: int | None) -> Event | None:
        e = events.get(seq) if seq is not None else None
        return e if e is not None and e.visibility.allows(viewer) else None

    def label(template: str) -> str:
        tpl = sc.template_by_id.get(template)
        return tpl.label if tpl else template

    def terms(m: MoveSubmitted) -> str:
        """What a move says: its package, the proposal it accepts, its condition."""
        out = ""
        if m.package:
            out += " — " + package_text(sc, m.package)
        tgt = seen(m.target)
        if tgt is not None and isinstance(tgt.body, MoveSubmitted) and tgt.body.package:
            out += (f" — the proposal from {role_name(tgt.body.role)}: "
                    + package_text(sc, tgt.body.package))
        if m.condition:
            out += ", if " + condition_text(m.condition, sc)
        if m.magnitude != 1:
            out += f" (strength {m.magnitude})"
        return out

    def subject(move: int) -> str:
        e = seen(move)
        if e is None or not isinstance(e.body, MoveSubmitted):
            return "a move"
        return f"{role_name(e.body.role)}: {label(e.body.template)}"

    if isinstance(b, MoveSubmitted):
        said = f" — “{b.rationale.strip()}”" if b.rationale.strip() else ""
        if b.kind == "statement" and said:
            return f"{role_name(b.role)}: “{b.rationale.strip()}”"
        return f"{role_name(b.role)}: {label(b.template)}{terms(b)}{said}"
    def acted(move: int, done: bool) -> str:
        # what the ruling did is told to whoever hears the ruling: a sealed move's ruling
        # comes after its reveal, and goes to the audience of the move's channel
        acts = _move_acts(sc, events.get(move)) if done else []
        return (" — " + "; ".join(acts)) if acts else ""

    if t == "move_adjudicated":
        verdict = "Not accepted" if b.decision == "rejected" else (
            f"Accepted at strength {b.magnitude}" if b.modified else "Accepted")
        return (f"{verdict}: {subject(b.move)}" + (f" — {b.reason}" if b.reason else "")
                + acted(b.move, b.decision == "accepted"))
    if t == "dice_rolled":
        why = f" ({b.reason})" if b.reason else ""
        outcome = "it succeeds" if b.success else "it fails"
        return (f"Chance decides {subject(b.move)}{why}: {b.odds}% odds, "
                f"drew {b.draw} — {outcome}" + acted(b.move, b.success))
    if t == "inject_fired":
        acts = acts_text(sc, b.effects, b.effects.get("by"))
        return f"News: {b.title}" + ((" — " + "; ".join(acts)) if acts else "")
    if isinstance(b, MovesRevealed):
        if not b.revealed:
            n = len(b.moves)
            return f"{n} sealed move{'s' if n != 1 else ''} revealed"
        return "Sealed moves revealed: " + "; ".join(
            f"{role_name(r.role)}: {label(r.template)}"
            + (" — " + package_text(sc, r.package) if r.package else "")
            for r in b.revealed)
    if t == "agreement_published":
        prop = events.get(b.agreement)
        what = ""
        if prop is not None and isinstance(prop.body, MoveSubmitted):
            p = prop.body
            what = ": " + package_text(sc, p.package) if p.package else ""
            parties = dict.fromkeys([p.role, *p.parties])
            what += " (" + ", ".join(role_name(r) for r in parties) + ")"
        return "Agreement announced" + what + (f" — {b.reason}" if b.reason else "")
    if t == "withdrawn":
        return f"Withdrawn: {subject(b.move)}" + (f" — {b.reason}" if b.reason else "")
    if t == "message_sent":
        sender = "Control" if b.sender == "control" else role_name(b.sender)
        return f"{sender} to {', '.join(role_name(r) for r in b.to)}: {b.text}"
    if t == "carried_over":
        n = len(b.moves)
        to = sc.phase_by_id[b.phase].label if b.phase in sc.phase_by_id else b.phase
        return f"{n} undecided move{'s' if n != 1 else ''} carried over into {to}"
    if t == "action_recorded":
        inj = events.get(b.inject_event)
        title = getattr(inj.body, "title", "") if inj is not None else ""
        about = f" to {title}" if title else ""
        return f"{role_name(b.role)} responds{about}: {b.text}"
    if t == "note":
        return b.text
    line = describe_event(sc, ev, events, viewer)
    return line[:1].upper() + line[1:]


def condition_text(c: dict, sc: Scenario | None = None) -> str:
    """A condition as a person reads it, with the scenario's labels and units:
    "Strikes on the power grid ≤ 4 major strikes a week", "Monitoring is agreed",
    "Monitoring settled on International monitors". Without ``sc``, the ids stand in."""
    return typed(c).describe(sc)


def package_text(sc: Scenario, package: dict[str, str]) -> str:
    """A package as a person reads it: "Monitoring: International monitors; Water: …"."""
    parts = []
    for iid, oid in package.items():
        issue = sc.issue_by_id.get(iid)
        opt = issue.option(oid) if issue is not None else None
        parts.append(f"{issue.label if issue else iid}: {opt.label if opt else oid}")
    return "; ".join(parts)
