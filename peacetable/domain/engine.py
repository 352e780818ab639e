"""Decide: check a command against the scenario and the state; refuse it or return events.

``decide`` is pure: it reads the scenario, the current state and the undo ledger and
returns ``(body, visibility)`` pairs to append, or raises :class:`Refused` with a reason a
facilitator can act on. Nothing is written when a command is refused.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from pydantic import ValidationError

from . import commands as C
from .events import (
    CONTROL,
    PUBLIC,
    ActionRecorded,
    Body,
    CarriedOver,
    ClockCorrected,
    ClockPaused,
    ClockResumed,
    DiceRolled,
    Event,
    InjectFired,
    InjectRescheduled,
    InjectSkipped,
    MessageSent,
    MoveAdjudicated,
    AgreementPublished,
    MovesRevealed,
    MoveSubmitted,
    RevealedMove,
    Note,
    PhaseStarted,
    Redone,
    RulingNote,
    Undone,
    Visibility,
    Withdrawn,
    private_to,
)
from .calendar import carried_date
from .scenario import Choice, Condition, Effects, Scenario, _condition_problems, _effects_problems
from .state import IssueStatuses, State, channel_visibility, hold_text


class Refused(Exception):
    """A command the rules do not allow now; the message says why."""


@dataclass
class Ledger:
    """Undo/redo stacks derived from the event log (feed it every event in order)."""

    undo: list[int] = field(default_factory=list)
    redo: list[int] = field(default_factory=list)

    def feed(self, ev: Event) -> None:
        b = ev.body
        if isinstance(b, Undone):
            if self.undo and self.undo[-1] == b.target:
                self.undo.pop()
            self.redo.append(b.target)
        elif isinstance(b, Redone):
            if self.redo and self.redo[-1] == b.target:
                self.redo.pop()
            self.undo.append(b.target)
        elif type(b).undoable:
            self.undo.append(ev.seq)
            self.redo.clear()


def roll_draw(seed: int, n: int) -> int:
    """The n-th dice draw (1..100) of a session: a function of the seed and the count only."""
    return random.Random(f"peacetable:{seed}:{n}").randint(1, 100)


def decide(
    sc: Scenario,
    st: State,
    cmd: C.Command,
    ledger: Ledger | None = None,
    visibility_of: dict[int, Visibility] | None = None,
) -> list[tuple[Body, Visibility]]:
    if not st.started:
        raise Refused("the session has not been started")
    handler = _HANDLERS.get(type(cmd))
    if handler is None:
        raise Refused(f"unknown command {type(cmd).__name__}")
    ledger = ledger or Ledger()
    if isinstance(cmd, (C.Undo, C.Redo)):
        return _undo_redo(cmd, ledger, visibility_of or {})
    return handler(sc, st, cmd)


def _phase(sc: Scenario, st: State):
    if st.phase is None:
        raise Refused("no phase has started yet (advance to start phase 1)")
    return sc.phase_by_id[st.phase]


def _advance(sc: Scenario, st: State, cmd: C.Advance):
    sealed = [m.id for m in st.moves.values() if m.sealed]
    if sealed:
        raise Refused(f"reveal the sealed moves first ({len(sealed)} still sealed: "
                      f"{', '.join(map(str, sorted(sealed)))})")
    nxt = st.phase_index + 1
    if nxt >= len(sc.phases):
        raise Refused(f"'{sc.phases[-1].label}' is the last phase; there is no phase to advance to")
    started = (PhaseStarted(phase=sc.phases[nxt].id, index=nxt), PUBLIC)
    pending = sorted((m for m in st.moves.values() if m.status == "pending"),
                     key=lambda m: m.id)
    if not pending:
        return [started]
    ending = sc.phase_by_id[st.phase].label if st.phase else "the briefing"
    if cmd.pending == "withdraw":
        return [*((Withdrawn(move=m.id, reason=f"not decided when '{ending}' ended"),
                   m.visibility) for m in pending), started]
    return [started, (CarriedOver(moves=tuple(m.id for m in pending), phase=sc.phases[nxt].id),
                      CONTROL)]


def _reveal(sc: Scenario, st: State, cmd: C.Reveal):
    sealed = sorted((m for m in st.moves.values() if m.sealed), key=lambda m: m.id)
    if not sealed:
        raise Refused("there are no sealed moves to reveal")

    def shown(m) -> RevealedMove:
        return RevealedMove(move=m.id, role=m.role, template=m.template, kind=m.kind,
                            magnitude=m.magnitude, package=dict(m.package), target=m.target,
                            rationale=m.rationale)

    public = [m for m in sealed if m.channel == "public"]
    out: list[tuple[Body, Visibility]] = []
    if public:
        out.append((MovesRevealed(moves=tuple(m.id for m in public),
                                  revealed=tuple(shown(m) for m in public)), PUBLIC))
    for m in sealed:
        if m.channel != "public":
            out.append((MovesRevealed(moves=(m.id,), revealed=(shown(m),)),
                        channel_visibility(m.role, m.channel, m.recipients)))
    return out


def _publish(sc: Scenario, st: State, cmd: C.Publish):
    a = st.agreements.get(cmd.agreement)
    if a is None:
        raise Refused(f"{cmd.agreement} is not an agreement in the record")
    if a.visibility.scope == "public":
        raise Refused(f"agreement {cmd.agreement} is already public")
    return [(AgreementPublished(agreement=a.id, reason=cmd.reason), PUBLIC)]


def check_condition(sc: Scenario, data: dict) -> dict:
    try:
        cond = Condition.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "condition"
        raise Refused(f"condition {where}: {first['msg']}") from None
    problems = list(_condition_problems(sc, cond, ("condition",)))
    if problems:
        raise Refused(problems[0].message)
    return cond.model_dump(exclude_none=True)  # the stored form; cond.typed() tests and describes it


def _submit(sc: Scenario, st: State, cmd: C.SubmitMove):
    phase = _phase(sc, st)
    role = sc.role_by_id.get(cmd.role)
    if role is None or not role.is_player:
        raise Refused(f"'{cmd.role}' is not a player role (expected one of: "
                      f"{', '.join(sc.player_ids)})")
    tpl = sc.template_by_id.get(cmd.template)
    if tpl is None:
        raise Refused(f"unknown move template '{cmd.template}'")
    if tpl.roles and cmd.role not in tpl.roles:
        raise Refused(f"{role.name} may not use '{tpl.label}' (only "
                      f"{', '.join(sc.role_by_id[r].name for r in tpl.roles)})")
    if tpl.kind not in phase.allowed_moves:
        raise Refused(f"'{tpl.kind}' moves are not allowed in phase '{phase.label}' (allowed: "
                      f"{', '.join(phase.allowed_moves)})")
    if not 1 <= cmd.magnitude <= tpl.magnitude_max:
        raise Refused(f"magnitude {cmd.magnitude} is out of range for '{tpl.label}' "
                      f"(1..{tpl.magnitude_max})")
    channel = cmd.channel or tpl.channel
    if tpl.channel_locked and channel != tpl.channel:
        raise Refused(f"'{tpl.label}' is made only on the {tpl.channel} channel")
    recipients = tuple(dict.fromkeys(cmd.to))
    for r in recipients:
        if r not in sc.player_ids or r == cmd.role:
            raise Refused(f"recipient '{r}' must be another player role")
    if channel == "public" and recipients:
        raise Refused("a public move has no recipients (use the private channel to address roles)")
    package: dict[str, str] = {}
    parties: tuple[str, ...] = ()
    target = None
    condition = None
    if tpl.kind == "proposal":
        package, parties = _check_proposal(sc, st, cmd, tpl)
        if channel == "private":  # a private proposal is addressed to those who must accept it
            recipients = tuple(dict.fromkeys((*recipients, *parties)))
    elif tpl.kind in ("acceptance", "rejection"):
        target = _check_answer(sc, st, cmd)
        prop_vis = st.moves[target].visibility
        if prop_vis.scope != "public":
            # an answer to a private proposal is seen by exactly those who saw the proposal:
            # answering it in public would tell the room that it exists
            channel = "private"
            recipients = tuple(r for r in prop_vis.roles if r != cmd.role)
        elif channel == "private":  # a private answer to a public proposal reaches its author
            recipients = tuple(dict.fromkeys((*recipients, st.moves[target].role)))
    elif cmd.package or cmd.parties or cmd.target is not None:
        raise Refused(f"'{tpl.kind}' moves take no package, parties or target")
    if cmd.condition is not None:
        if tpl.kind not in ("conditional_offer", "proposal"):
            raise Refused(f"only conditional offers and proposals carry a condition, not '{tpl.kind}'")
        condition = check_condition(sc, cmd.condition)
    elif tpl.kind == "conditional_offer":
        condition = tpl.condition.model_dump(exclude_none=True)  # type: ignore[union-attr]
    if tpl.kind == "conditional_offer":
        standing = [o.id for o in st.offers.values() if o.role == cmd.role and o.template == tpl.id]
        standing += [m.id for m in st.moves.values() if m.role == cmd.role and m.template == tpl.id]
        if standing:
            raise Refused(f"{role.name} already has this offer in play (move {standing[0]}); "
                          "withdraw it before making it again")
    if channel == "private" and not recipients:
        raise Refused(f"a private move is addressed to at least one other role: choose its "
                      f"recipients, or send '{tpl.label}' on the public channel")
    sealed = phase.sequencing == "sealed"
    # a sealed move is seen by its author (and control) alone until the reveal event, which
    # shows it to the audience of its channel
    vis = private_to(cmd.role) if sealed else channel_visibility(cmd.role, channel, recipients)
    body = MoveSubmitted(
        role=cmd.role, template=tpl.id, kind=tpl.kind, magnitude=cmd.magnitude, channel=channel,
        recipients=recipients, package=package, parties=parties, target=target,
        condition=condition, rationale=cmd.rationale, sealed=sealed,
    )
    return [(body, vis)]


def _check_proposal(sc: Scenario, st: State, cmd: C.SubmitMove, tpl):
    if not cmd.package:
        raise Refused("a proposal needs a package: at least one issue with its option")
    stat = IssueStatuses(sc, st)
    statuses = stat  # each status worked out when looked up
    for iid, opt in cmd.package.items():
        issue = sc.issue_by_id.get(iid)
        if issue is None:
            raise Refused(f"unknown issue '{iid}' in the package")
        if tpl.issues and iid not in tpl.issues:
            raise Refused(f"'{tpl.label}' covers only {', '.join(tpl.issues)}, not '{iid}'")
        if issue.option(opt) is None:
            raise Refused(f"'{opt}' is not an option of '{issue.label}' (expected one of: "
                          f"{', '.join(o.id for o in issue.options)})")
        rec = statuses[iid]
        if rec["status"] == "agreed":
            raise Refused(f"'{issue.label}' is already agreed (agreement {rec['agreement']})")
        _check_holds(sc, st, {iid: opt}, cmd.role)
        _refuse_blocked(sc, st, cmd.role, iid, stat.held)
        held = {**stat.held, **cmd.package}
        for link in sc.links_into("precondition", iid, opt):
            if link.met_by(held):
                continue
            if not link.known_to(cmd.role):
                raise Refused(_unknown_link(sc, cmd.role, sc.choice_text(Choice(issue=iid,
                                                                                option=opt))))
            if link.from_option is None and link.to_option is None:
                raise Refused(
                    f"'{issue.label}' needs '{sc.issue_by_id[link.source].label}' settled first "
                    f"or in the same package (precondition linkage)")
            need = (sc.choice_text(Choice(issue=link.source, option=link.from_option))
                    if link.from_option else sc.issue_by_id[link.source].label)
            raise Refused(f"'{sc.choice_text(Choice(issue=iid, option=opt))}' needs '{need}' "
                          f"agreed first or in the same package (precondition linkage)")
        for link in sc.links_into("blocks", iid, opt):
            if link.to_option is None:
                continue
            what = sc.choice_text(Choice(issue=iid, option=opt))
            if link.condition is not None:
                if link.holds(st.variables):
                    raise Refused(_unknown_link(sc, cmd.role, what) if not link.known_to(cmd.role)
                                  else _while_text(sc, st, f"Talks on '{what}'", link))
            elif link.met_by(stat.held):
                raise Refused(_unknown_link(sc, cmd.role, what) if not link.known_to(cmd.role)
                              else f"'{what}' is blocked by the agreement on "
                                   f"{sc.issue_by_id[link.source].label}")
    check_constraints(sc, statuses, cmd.package)
    parties = cmd.parties or tpl.parties or sc.player_ids
    for p in parties:
        if p not in sc.player_ids:
            raise Refused(f"party '{p}' is not a player role")
    parties = tuple(p for p in dict.fromkeys(parties) if p != cmd.role)
    if not parties:
        raise Refused("a proposal needs at least one other party to accept it")
    return dict(cmd.package), parties


def _while_text(sc: Scenario, st: State, subject: str, link) -> str:
    """"Talks on X are blocked while <test> (now <values>)"."""
    now = []
    for vid in sorted(link.variables):
        v = sc.variable_by_id[vid]
        now.append(f"{v.label} {st.variables[vid]:g}" + (f" {v.unit}" if v.unit else ""))
    return (f"{subject} are blocked while {link.condition.typed().describe(sc)} "
            f"(now: {'; '.join(now)})")


def _unknown_link(sc: Scenario, role: str, what: str) -> str:
    """A refusal by a linkage ``role`` does not know of: says that, and not which."""
    r = sc.role_by_id.get(role)
    name = r.name if r is not None else role
    return (f"'{what}' cannot be proposed now: it is held back by a linkage that {name} does "
            f"not know of")


def _refuse_blocked(sc: Scenario, st: State, role: str, iid: str,
                    held: dict[str, str]) -> None:
    """Refuse a package on an issue a ``blocks`` linkage holds back (``held``: the settled
    options it reads), in words ``role`` may read: a linkage it knows of says why; one it
    does not know of says only that. (Blocks put on by a move or inject: ``_check_holds``.)"""
    issue = sc.issue_by_id[iid]
    links = [k for k in sc.links_into("blocks", iid) if k.to_option is None and (
        k.holds(st.variables) if k.condition is not None else k.met_by(held))]
    if not links:
        return
    known = [k for k in links if k.known_to(role)]
    if not known:
        raise Refused(_unknown_link(sc, role, issue.label))
    k = known[0]
    if k.condition is not None:
        raise Refused(_while_text(sc, st, f"Talks on '{issue.label}'", k))
    raise Refused(f"'{issue.label}' is blocked by the agreement on "
                  f"{sc.issue_by_id[k.source].label}")


def check_constraints(sc: Scenario, statuses: dict, package: dict[str, str],
                      agreed: dict[str, str] | None = None) -> None:
    """Refuse a package that, with what is already agreed, breaks a scenario constraint.
    ``agreed``: issue -> option of those agreed or declared in ``statuses``, if known."""
    if agreed is not None:
        pass
    elif isinstance(statuses, IssueStatuses):  # what is settled, without every status
        agreed = statuses.held
    else:
        agreed = {iid: rec["option"] for iid, rec in statuses.items()
                  if rec["status"] in ("agreed", "declared")}
    held = {**agreed, **package}
    for con in sc.constraints:
        if con.first.issue not in package and con.second.issue not in package:
            continue
        if not con.broken_by(held):
            continue
        first, second = sc.choice_text(con.first), sc.choice_text(con.second)
        why = f" ({con.note})" if con.note else ""
        def settled(iid: str) -> str:
            return "already declared" if statuses[iid]["status"] == "declared" else "already agreed"

        where = settled(con.second.issue) if con.second.issue in agreed else "in this package"
        if con.kind == "incompatible":
            if con.first.issue in agreed:
                first, second, where = second, first, settled(con.first.issue)
            raise Refused(f"'{first}' cannot go with '{second}', {where}{why}")
        if con.second.issue in held:
            raise Refused(f"'{first}' needs '{second}', but {sc.issue_by_id[con.second.issue].label} "
                          f"is settled otherwise {where}{why}")
        raise Refused(f"'{first}' needs '{second}' agreed first or in the same package{why}")


def _check_holds(sc: Scenario, st: State, package: dict[str, str], viewer: str,
                 answer: bool = False) -> None:
    """Refuse when a block in force covers an issue of ``package`` or the option it settles
    it on (``answer``: the package is a tabled proposal being accepted). Who put the block
    on is named only to a viewer who may see the event that did."""
    for h in st.holds:
        if not h.covers(package):
            continue
        issue = sc.issue_by_id[h.issue]
        what = (f"'{issue.label}'" if h.option is None
                else f"'{sc.choice_text(Choice(issue=h.issue, option=h.option))}'")
        why = hold_text(sc, h, viewer)
        if answer:
            raise Refused(f"{what} is {why}: the proposal cannot be accepted while the block "
                          "holds")
        if h.option is None:
            raise Refused(f"{what} is {why}: no proposal may include it while the block holds")
        raise Refused(f"{what} is {why}: no proposal may settle {issue.label} on it while the "
                      "block holds")


def _check_answer(sc: Scenario, st: State, cmd: C.SubmitMove) -> int:
    if cmd.target is None:
        raise Refused("an acceptance or rejection names the proposal it answers (target)")
    prop = st.moves.get(cmd.target)
    if prop is None or prop.kind != "proposal":
        raise Refused(f"move {cmd.target} is not a proposal on the table")
    if prop.status != "accepted":
        raise Refused(f"proposal {cmd.target} has not been tabled by control yet")
    if cmd.role == prop.role:
        raise Refused("a role cannot answer its own proposal")
    if cmd.role not in prop.parties:
        raise Refused(f"{sc.role_by_id[cmd.role].name} is not a party to proposal {cmd.target} "
                      f"(parties: {', '.join(prop.parties)})")
    if cmd.role in prop.acceptances:
        raise Refused(f"{sc.role_by_id[cmd.role].name} has already accepted proposal {cmd.target}")
    if sc.template_by_id[cmd.template].kind == "acceptance":
        _check_holds(sc, st, prop.package, cmd.role, answer=True)
    if not prop.visibility.allows(cmd.role):
        raise Refused(f"proposal {cmd.target} was not addressed to {cmd.role}")
    pending = [m.id for m in st.moves.values()
               if m.target == cmd.target and m.role == cmd.role and m.status == "pending"]
    if pending:
        raise Refused(f"{sc.role_by_id[cmd.role].name} already has an answer to proposal "
                      f"{cmd.target} awaiting adjudication (move {pending[0]})")
    return cmd.target


def _pending(st: State, move_id: int):
    m = st.moves.get(move_id)
    if m is None:
        raise Refused(f"move {move_id} is not awaiting adjudication")
    if m.status != "pending":
        raise Refused(f"move {move_id} has already been adjudicated")
    if m.sealed:
        raise Refused(f"move {move_id} is sealed: reveal the sealed moves before adjudicating")
    return m


def _adjudicate(sc: Scenario, st: State, cmd: C.Adjudicate):
    m = _pending(st, cmd.move)
    tpl = sc.template_by_id[m.template]
    magnitude = m.magnitude
    if cmd.decision == "modify":
        if cmd.magnitude is None:
            raise Refused("a modification gives the new magnitude")
        if not 1 <= cmd.magnitude <= tpl.magnitude_max:
            raise Refused(f"magnitude {cmd.magnitude} is out of range (1..{tpl.magnitude_max})")
        magnitude = cmd.magnitude
    elif cmd.magnitude is not None and cmd.magnitude != m.magnitude:
        raise Refused("to change the magnitude, adjudicate with decision 'modify'")
    if cmd.decision == "reject" and not cmd.reason.strip():
        raise Refused("a rejection needs a reason the team can hear")
    _check_acceptance_feasible(sc, st, m, cmd.decision != "reject")
    body = MoveAdjudicated(
        move=m.id, decision="rejected" if cmd.decision == "reject" else "accepted",
        magnitude=magnitude, modified=cmd.decision == "modify", reason=cmd.reason,
    )
    out: list[tuple[Body, Visibility]] = [(body, m.visibility)]
    if cmd.note.strip():  # control's own note: an event of its own that only control sees
        out.append((RulingNote(move=m.id, text=cmd.note.strip()), CONTROL))
    return out


def _check_acceptance_feasible(sc: Scenario, st: State, m, accepting: bool) -> None:
    if not accepting or m.kind != "acceptance" or m.target is None:
        return
    prop = st.moves.get(m.target)
    if prop is None:
        raise Refused(f"proposal {m.target} is no longer on the table")
    _check_holds(sc, st, prop.package, "control", answer=True)


def _roll(sc: Scenario, st: State, cmd: C.Roll):
    m = _pending(st, cmd.move)
    if not 1 <= cmd.odds <= 99:
        raise Refused(f"odds must be between 1 and 99 percent, not {cmd.odds}")
    _check_acceptance_feasible(sc, st, m, True)
    draw = roll_draw(st.seed, st.rolls)
    body = DiceRolled(move=m.id, odds=cmd.odds, draw=draw, success=draw <= cmd.odds,
                      reason=cmd.reason)
    return [(body, m.visibility)]


def _inject(sc: Scenario, st: State, cmd: C.FireInject):
    if cmd.id is not None:
        inj = sc.inject_by_id.get(cmd.id)
        if inj is None:
            raise Refused(f"unknown inject '{cmd.id}' (expected one of: {', '.join(sc.inject_by_id)})")
        if cmd.id in st.injects_fired:
            raise Refused(f"inject '{inj.title}' was already fired (event {st.injects_fired[cmd.id]})")
        vis = PUBLIC if inj.visibility == "public" else CONTROL if inj.visibility == "control" \
            else private_to(*inj.targets)
        if cmd.id in st.injects_skipped:
            raise Refused(f"inject '{inj.title}' was skipped (event {st.injects_skipped[cmd.id]}); "
                          "undo the skip to fire it")
        # control may edit the text before firing; the scenario's is used where left empty
        title = (cmd.title or "").strip() or inj.title
        synopsis = (cmd.synopsis or "").strip() or inj.synopsis
        body = InjectFired(
            inject=inj.id, title=title, synopsis=synopsis, targets=inj.targets,
            expected_action=inj.expected_action,
            effects=inj.effects.model_dump(exclude_defaults=True), scheduled=inj.id in sc.inject_phase,
        )
        return [(body, vis)]
    if not (cmd.title or "").strip() or not (cmd.synopsis or "").strip():
        raise Refused("an unscheduled inject needs a title and a synopsis")
    for r in cmd.targets:
        if r not in sc.role_by_id:
            raise Refused(f"unknown target role '{r}'")
    try:
        eff = Effects.model_validate(cmd.effects)
    except ValidationError as exc:
        raise Refused(f"inject effects: {exc.errors(include_url=False)[0]['msg']}") from None
    problems = list(_effects_problems(sc, eff, ("effects",), mover=False))
    if problems:
        raise Refused(f"inject effects: {problems[0].message}")
    _check_acts(sc, st, eff)
    if cmd.visibility == "targets" and not cmd.targets:
        raise Refused("an inject visible to its targets needs target roles")
    vis = PUBLIC if cmd.visibility == "public" else CONTROL if cmd.visibility == "control" \
        else private_to(*cmd.targets)
    body = InjectFired(inject=None, title=cmd.title.strip(), synopsis=cmd.synopsis.strip(),  # type: ignore[union-attr]
                       targets=cmd.targets, expected_action=cmd.expected_action,
                       effects=eff.model_dump(exclude_defaults=True), scheduled=False)
    return [(body, vis)]


def _check_acts(sc: Scenario, st: State, eff: Effects) -> None:
    """Blocks, lifts and postures that would change nothing, in effects control writes on the
    spot (an unscheduled inject): refused with what stands already. A scenario's own injects
    and moves are not refused for it (see docs/scenario-format.md, precedence)."""
    who = sc.role_by_id[eff.by].name if eff.by in sc.role_by_id else None
    items = [(iid, None, flag) for iid, flag in eff.issues.items()]
    items += [(iid, oid, flag) for iid, flags in eff.options.items() for oid, flag in flags.items()]
    for iid, oid, flag in items:
        label = (sc.issue_by_id[iid].label if oid is None
                 else sc.choice_text(Choice(issue=iid, option=oid)))
        on = [h for h in st.holds if h.issue == iid and h.option == oid]
        if flag == "blocked" and any(h.by == eff.by for h in on):
            raise Refused(f"inject effects: '{label}' is already blocked"
                          + (f" by {who}" if who else "") + " (nothing would change)")
        if flag == "open" and not [h for h in on if eff.by is None or h.by in (None, eff.by)]:
            raise Refused(f"inject effects: '{label}' is not blocked"
                          + (f" by {who}" if who else "") + " (there is no block to lift)")
    standing = IssueStatuses(sc, st)
    for iid, oid in eff.declare.items():
        rec = standing[iid]
        if rec["status"] == "declared" and rec["option"] == oid and rec["declared_by"] == eff.by:
            raise Refused(f"inject effects: {who} has already declared "
                          f"'{sc.choice_text(Choice(issue=iid, option=oid))}' (nothing would change)")


def _record_action(sc: Scenario, st: State, cmd: C.RecordAction):
    if cmd.role not in sc.role_by_id:
        raise Refused(f"unknown role '{cmd.role}'")
    if not cmd.text.strip():
        raise Refused("the recorded action is empty")
    if cmd.inject_event not in st.inject_events:
        raise Refused(f"event {cmd.inject_event} is not a fired inject")
    return [(ActionRecorded(inject_event=cmd.inject_event, role=cmd.role, text=cmd.text.strip()),
             CONTROL)]


def _withdraw(sc: Scenario, st: State, cmd: C.Withdraw):
    m = st.moves.get(cmd.move)
    if m is not None:
        if m.kind != "proposal" or m.status != "accepted":
            raise Refused(f"move {cmd.move} is awaiting adjudication: reject it instead")
        return [(Withdrawn(move=cmd.move, reason=cmd.reason), m.visibility)]
    o = st.offers.get(cmd.move)
    if o is None:
        raise Refused(f"move {cmd.move} is neither a tabled proposal nor a conditional offer in play")
    return [(Withdrawn(move=cmd.move, reason=cmd.reason), o.visibility)]


MESSAGE_MAX = 4000


def _message(sc: Scenario, st: State, cmd: C.SendMessage):
    if cmd.sender != "control":
        role = sc.role_by_id.get(cmd.sender)
        if role is None or not role.is_player:
            raise Refused(f"'{cmd.sender}' cannot send messages (expected control or one of: "
                          f"{', '.join(sc.player_ids)})")
    to = tuple(dict.fromkeys(cmd.to))
    if not to:
        raise Refused("a message needs at least one recipient")
    for r in to:
        if r == cmd.sender:
            raise Refused("a role cannot send a message to itself")
        if r not in sc.player_ids:
            raise Refused(f"recipient '{r}' is not a player role (expected one of: "
                          f"{', '.join(p for p in sc.player_ids if p != cmd.sender)})")
    text = cmd.text.strip()
    if not text:
        raise Refused("the message is empty")
    if len(text) > MESSAGE_MAX:
        raise Refused(f"the message is {len(text)} characters long; the limit is {MESSAGE_MAX}")
    vis = private_to(*to) if cmd.sender == "control" else private_to(cmd.sender, *to)
    return [(MessageSent(sender=cmd.sender, to=to, text=text), vis)]


def _scheduled(sc: Scenario, st: State, iid: str, verb: str):
    inj = sc.inject_by_id.get(iid)
    if inj is None:
        raise Refused(f"unknown inject '{iid}' (expected one of: {', '.join(sc.inject_by_id)})")
    if iid not in sc.inject_phase:
        raise Refused(f"inject '{inj.title}' is a reserve inject (in no phase): fire it when "
                      f"you choose; there is nothing to {verb}")
    if iid in st.injects_fired:
        raise Refused(f"inject '{inj.title}' was already fired (event {st.injects_fired[iid]})")
    if iid in st.injects_skipped:
        raise Refused(f"inject '{inj.title}' was skipped (event {st.injects_skipped[iid]})")
    return inj


def _reschedule(sc: Scenario, st: State, cmd: C.RescheduleInject):
    inj = _scheduled(sc, st, cmd.id, "reschedule")
    phase = cmd.phase or st.inject_plan.get(cmd.id, (sc.inject_phase[cmd.id], 0.0))[0]
    ph = sc.phase_by_id.get(phase)
    if ph is None:
        raise Refused(f"unknown phase '{phase}' (expected one of: {', '.join(sc.phase_by_id)})")
    index = sc.phases.index(ph)
    if st.phase_index is not None and index < st.phase_index:
        raise Refused(f"phase '{ph.label}' is over: reschedule '{inj.title}' to this phase or "
                      "a later one")
    if not (0 <= cmd.at_minute <= ph.duration_minutes) or cmd.at_minute != cmd.at_minute:
        raise Refused(f"minute {cmd.at_minute:g} is outside phase '{ph.label}' "
                      f"(0 to {ph.duration_minutes})")
    day = carried_date(sc, inj.id, phase)
    return [(InjectRescheduled(inject=inj.id, phase=phase, at_minute=float(cmd.at_minute),
                               reason=cmd.reason.strip(),
                               date=day if day != inj.date else None), CONTROL)]


def _skip(sc: Scenario, st: State, cmd: C.SkipInject):
    inj = _scheduled(sc, st, cmd.id, "skip")
    return [(InjectSkipped(inject=inj.id, reason=cmd.reason.strip()), CONTROL)]


def _note(sc: Scenario, st: State, cmd: C.AddNote):
    if not cmd.text.strip():
        raise Refused("the note is empty")
    return [(Note(text=cmd.text.strip()), CONTROL)]


def _pause(sc: Scenario, st: State, cmd: C.PauseClock):
    # whether the clock runs is read from the log by the app layer (app/clock.py), which
    # refuses a pause of a paused clock before it gets here
    return [(ClockPaused(reason=cmd.reason), CONTROL)]


def _correct_clock(sc: Scenario, st: State, cmd: C.CorrectClock):
    if st.phase is None:
        raise Refused("the clock starts with phase 1; there is nothing to correct yet")
    if cmd.seconds == 0:
        raise Refused("a clock correction adds or takes off some time (0 seconds given)")
    return [(ClockCorrected(seconds=cmd.seconds, reason=cmd.reason), CONTROL)]


def _resume(sc: Scenario, st: State, cmd: C.ResumeClock):
    return [(ClockResumed(), CONTROL)]


def _undo_redo(cmd, ledger: Ledger, visibility_of: dict[int, Visibility]):
    if isinstance(cmd, C.Undo):
        if not ledger.undo:
            raise Refused("there is nothing to undo")
        target = ledger.undo[-1]
        return [(Undone(target=target), visibility_of.get(target, CONTROL))]
    if not ledger.redo:
        raise Refused("there is nothing to redo")
    target = ledger.redo[-1]
    return [(Redone(target=target), visibility_of.get(target, CONTROL))]


_HANDLERS = {
    C.Advance: _advance,
    C.SubmitMove: _submit,
    C.Adjudicate: _adjudicate,
    C.Roll: _roll,
    C.Reveal: _reveal,
    C.FireInject: _inject,
    C.RescheduleInject: _reschedule,
    C.SkipInject: _skip,
    C.RecordAction: _record_action,
    C.Withdraw: _withdraw,
    C.Publish: _publish,
    C.SendMessage: _message,
    C.AddNote: _note,
    C.PauseClock: _pause,
    C.ResumeClock: _resume,
    C.CorrectClock: _correct_clock,
    C.Undo: _undo_redo,
    C.Redo: _undo_redo,
}
