"""Who sees what, at every event of both bundled scripts, for every viewer.

The oracle below is written from the rules in the docs, not from the engine's code: it
walks the record and works out, from the event bodies and the scenario alone, which roles
may see each event and each move at each moment. Then, for control, the audience and every
role, at every event number, it compares

- the events ``Session.visible_events`` lists with the oracle's, and
- the moves, agreements and offers ``Session.view`` shows with the oracle's (and with
  control's view, so that nothing a viewer may see is missing either).

Rules (docs/scenario-format.md, docs/architecture.md): a sealed move is seen by its author
alone (and control) until the event that reveals it, recipients included; a private move by
its author, its recipients and the parties it names; an answer to a private proposal by
exactly those who saw the proposal; notes, recorded actions and clock marks by control
alone; an inject as the scenario says; adjudications, rolls, withdrawals and undo/redo by
whoever sees what they act on; a published agreement by everyone; a declared posture by
whoever sees the event that made it (an inject, or the ruling on a move); a block is known
to hold by everyone (it refuses their proposals), and who put it on, and with what, only by
whoever sees the event that did.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from peacetable.app.script import ScriptRunner, read_script
from peacetable.app.session import Session

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = [ROOT / "scenarios" / "peace-of-inches.moves.jsonl",
           ROOT / "scenarios" / "framework-agreement.moves.jsonl",
           ROOT / "tests" / "fixtures" / "highland-talks.moves.jsonl"]
ALL = "everyone"


class Oracle:
    def __init__(self, scenario):
        self.sc = scenario
        self.roles = [r.id for r in scenario.roles]
        self.event_audience: dict[int, object] = {}   # seq -> ALL or set of roles
        self.move_channel_audience: dict[int, object] = {}
        self.move_author: dict[int, str] = {}
        self.revealed_at: dict[int, int] = {}          # sealed move -> reveal event
        self.sealed: set[int] = set()
        self.published_at: dict[int, int] = {}         # agreement -> publish event

    def move_audience(self, m: int, at: int):
        """Who may see move ``m`` after event ``at``."""
        if m in self.sealed and not self.revealed_at.get(m, at + 1) <= at:
            return {self.move_author[m]}
        return self.move_channel_audience[m]

    def feed(self, ev) -> None:
        b, t, seq = ev.body, ev.type, ev.seq
        if t in ("session_started", "phase_started", "agreement_published"):
            aud = ALL
            if t == "agreement_published":
                self.published_at[b.agreement] = seq
        elif t in ("note", "action_recorded", "clock_paused", "clock_resumed"):
            aud = set()
        elif t == "inject_fired":
            inj = self.sc.inject_by_id[b.inject]
            aud = ALL if inj.visibility == "public" else set() if inj.visibility == "control" \
                else set(inj.targets)
        elif t == "move_submitted":
            self.move_author[seq] = b.role
            if b.kind in ("acceptance", "rejection") and \
                    self.move_channel_audience[b.target] is not ALL:
                chan = set(self.move_channel_audience[b.target])
            elif b.channel == "public":
                chan = ALL
            else:
                chan = {b.role, *b.recipients, *b.parties}
            self.move_channel_audience[seq] = chan
            if b.sealed:
                self.sealed.add(seq)
                aud = {b.role}
            else:
                aud = chan
        elif t == "moves_revealed":
            aud = set()
            for m in b.moves:
                self.revealed_at[m] = seq
                chan = self.move_channel_audience[m]
                aud = ALL if chan is ALL or aud is ALL else aud | chan
        elif t in ("move_adjudicated", "dice_rolled", "withdrawn"):
            aud = self.move_audience(b.move, seq)
        elif t == "message_sent":
            aud = set(b.to) | ({b.sender} if b.sender != "control" else set())
        elif t in ("undone", "redone"):
            aud = self.event_audience[b.target]
        else:  # pragma: no cover - a new event type needs a rule here
            raise AssertionError(f"no visibility rule for {t}")
        self.event_audience[seq] = aud

    def sees_event(self, viewer: str, seq: int) -> bool:
        aud = self.event_audience[seq]
        if viewer == "control" or aud is ALL:
            return True
        return viewer != "audience" and viewer in aud

    def sees_move(self, viewer: str, m: int, at: int) -> bool:
        aud = self.move_audience(m, at)
        if viewer == "control" or aud is ALL:
            return True
        return viewer != "audience" and viewer in aud

    def sees_agreement(self, viewer: str, a: int, at: int) -> bool:
        if self.published_at.get(a, at + 1) <= at:
            return True
        return self.sees_move(viewer, a, at)


@pytest.fixture(scope="module", params=SCRIPTS, ids=lambda p: p.name.split(".")[0])
def played(request, tmp_path_factory):
    script = request.param
    scenario = script.with_name(script.name.replace(".moves.jsonl", ".toml"))
    path = tmp_path_factory.mktemp("oracle") / "s.peacetable"
    s = Session.create(scenario, path, seed=11)
    ScriptRunner(s, str(script)).run(read_script(script))
    s.close()
    s = Session.open(path, readonly=True)
    yield s
    s.close()


def test_every_viewer_at_every_event_sees_exactly_what_the_rules_allow(played):
    s = played
    oracle = Oracle(s.scenario)
    viewers = ["control", "audience", *oracle.roles]
    events = s.events
    secrets_checked = 0
    blocks_hidden: set[int] = set()  # blocks put on by an event some viewer may not see
    for ev in events:
        oracle.feed(ev)
        n = ev.seq
        full = s.view("control", at=n)
        for v in viewers:
            got = [e.seq for e in s.visible_events(v, upto=n)]
            want = [e.seq for e in events[:n] if oracle.sees_event(v, e.seq)]
            assert got == want, f"{v} at event {n}: events {sorted(set(got) ^ set(want))}"
            view = s.view(v, at=n)
            for key, rule in (("moves_open", oracle.sees_move), ("offers", oracle.sees_move),
                              ("agreements", oracle.sees_agreement)):
                shown = [x["id"] for x in view[key]]
                allowed = [x["id"] for x in full[key] if rule(v, x["id"], n)]
                assert shown == allowed, f"{v} at event {n}: {key} {shown} != {allowed}"
            # a declared posture: seen by whoever sees the event that made it
            shown = [(p["issue"], p["event"]) for p in view["postures"]]
            allowed = [(p["issue"], p["event"]) for p in full["postures"]
                       if oracle.sees_event(v, p["event"])]
            assert shown == allowed, f"{v} at event {n}: postures {shown} != {allowed}"
            # a block binds everyone, so everyone sees that it holds; who put it on and with
            # what, only whoever sees the event that did
            assert len(view["blocks"]) == len(full["blocks"])
            for got_b, all_b in zip(view["blocks"], full["blocks"]):
                assert (got_b["issue"], got_b["option"]) == (all_b["issue"], all_b["option"])
                if oracle.sees_event(v, all_b["event"]):
                    assert got_b == all_b, f"{v} at event {n}: {got_b}"
                else:
                    assert (got_b["by"], got_b["event"], got_b["source"]) == (None, None, ""), \
                        f"{v} at event {n}: {got_b}"
                    hidden = events[all_b["event"] - 1].body
                    if getattr(hidden, "title", ""):
                        blocks_hidden.add(all_b["event"])
                        assert hidden.title not in json.dumps(view, ensure_ascii=False), (v, n)
            # what a sealed or private move said appears nowhere in what the viewer gets
            text = json.dumps(view, ensure_ascii=False) + "\n".join(
                s.describe(e, v) for e in s.visible_events(v, upto=n))
            for m, author in oracle.move_author.items():
                if not oracle.sees_move(v, m, n):
                    body = events[m - 1].body
                    if body.rationale and len(body.rationale) > 20:
                        assert body.rationale not in text, (v, n, m)
                        secrets_checked += 1
    assert secrets_checked > 0
    if any(e.type == "inject_fired" and e.body.inject == "arms_cache" for e in events):
        assert blocks_hidden  # the control-only freeze on disarmament was checked


# Peace of Inches plays sealed rounds (Framework Agreement has none)
@pytest.mark.parametrize("played", [SCRIPTS[0]], indirect=True, ids=["peace-of-inches"])
def test_a_sealed_move_is_hidden_from_every_other_role_until_revealed(played):
    """Every sealed move of the script: no other role — its recipients included — sees it
    before its reveal; its recipients see the reveal."""
    s = played
    sealed = [e for e in s.events if e.type == "move_submitted" and e.body.sealed]
    assert len(sealed) >= 4
    players = s.scenario.player_ids
    for e in sealed:
        reveal = next(r.seq for r in s.events if r.type == "moves_revealed" and e.seq in r.body.moves)
        for r in players:
            if r == e.body.role:
                continue
            assert e.seq not in {x.seq for x in s.visible_events(r)}, (e.seq, r)
            assert e.seq not in [m["id"] for m in s.view(r, at=reveal - 1)["moves_open"]], (e.seq, r)
        for r in (*e.body.recipients, *e.body.parties):
            assert reveal in {x.seq for x in s.visible_events(r)}, (e.seq, r)


def test_the_in_game_date_each_viewer_sees_comes_from_what_it_heard(played):
    """docs/scenario-format.md, the in-game calendar: the current phase's date, moved on by
    the dated injects fired during the phase that the viewer hears (read here from the
    events the viewer may see, not from the inject's definition)."""
    from peacetable.domain.events import InjectFired
    from peacetable.domain.state import cancelled_set

    s = played
    sc = s.scenario
    viewers = ["control", "audience", *sc.player_ids]
    events = s.events
    moved = 0
    for ev in events:
        n = ev.seq
        st = s.state_at(n)
        cancelled = cancelled_set(events[:n])
        for v in viewers:
            got = s.view(v, at=n)["game_date"]
            if st.phase is None:
                assert got is None, (v, n)
                continue
            days = [sc.phase_by_id[st.phase].date]
            days += [sc.inject_by_id[e.body.inject].date for e in s.visible_events(v, upto=n)
                     if isinstance(e.body, InjectFired) and e.body.inject
                     and e.seq >= st.phase_started_at and e.seq not in cancelled]
            days = [d for d in days if d is not None]
            want = max(days).isoformat() if days else None
            assert got == want, f"{v} at event {n}: {got} != {want}"
            phase_day = sc.phase_by_id[st.phase].date
            if want is not None and phase_day is not None and want != phase_day.isoformat():
                moved += 1
    if any(p.date for p in sc.phases):
        assert moved > 0  # an inject moved someone's calendar: the rule was exercised


def _decoy(sc, ev):
    """``ev`` with everything a move says swapped for something else (another role,
    another template, no package): what a describer must not read."""
    from msgspec.structs import replace

    from peacetable.domain.events import MovesRevealed, MoveSubmitted

    b = ev.body
    other_role = lambda r: next(x.id for x in sc.roles if x.id != r)  # noqa: E731
    other_tpl = lambda t: next(x.id for x in sc.moves if x.id != t)  # noqa: E731
    if isinstance(b, MoveSubmitted):
        return replace(ev, body=replace(b, role=other_role(b.role), template=other_tpl(b.template),
                                        package={}, kind="lever", target=None))
    if isinstance(b, MovesRevealed):
        return replace(ev, body=replace(b, revealed=tuple(
            replace(r, role=other_role(r.role), template=other_tpl(r.template), package={},
                    kind="lever") for r in b.revealed)))
    return ev


def test_every_line_a_viewer_reads_names_only_what_it_may_see(played):
    """The event line each viewer reads (``Session.describe(ev, viewer)``: the event log,
    a seat's feed, the replay window) names moves by their roles, templates and packages.
    At every event, for every viewer, the line is the same when every event the viewer may
    not see (and every event after it) is replaced by a decoy: nothing hidden shapes it. An
    agreement once announced is everyone's, so its proposal is never a decoy after that."""
    from peacetable.domain.views import EventsBySeq, describe_event

    s = played
    sc = s.scenario
    oracle = Oracle(sc)
    for ev in s.events:
        oracle.feed(ev)
    viewers = ["audience", *sc.player_ids]
    events = s.events
    named = 0
    for v in viewers:
        for ev in s.visible_events(v):
            n = ev.seq
            public = {a for a, at in oracle.published_at.items() if at <= n}
            decoys = EventsBySeq([e if e.seq == n or e.visibility.allows(v) or e.seq in public
                                  else _decoy(sc, e) for e in events[:n]])
            line = s.describe(ev, v)
            assert line == describe_event(sc, ev, decoys, v), (v, n, line)
            assert not re.search(r"\(#\d+\)", line), (v, n, line)  # numbers are control's
            if re.search(r"'s? (proposal|offer|acceptance|rejection|concession)", line):
                named += 1
    assert named > 0  # lines that name a move by its role and kind were checked
    # control reads every move by what it is and finds it in the log by its number
    lines = [s.describe(e) for e in events]
    adjudications = [ln for e, ln in zip(events, lines) if e.type == "move_adjudicated"]
    assert all(re.match(r"Control (accepted|rejected) .+'s? [a-z -]+ \(#\d+\)", ln)
               for ln in adjudications), adjudications
    assert not any(re.search(r"\b(move|proposal|event|agreement) \d", ln) for ln in lines), lines
