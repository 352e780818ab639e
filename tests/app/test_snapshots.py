"""Snapshot + tail == full fold, for random command sequences (hypothesis), and seeking."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.engine import Refused
from peacetable.domain.state import fold

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "river-accord.toml"
ROLES = ["upland", "lowland", "midland"]
TEMPLATES = ["propose", "accept", "reject", "statement", "mass_troops", "pull_back", "open_sluices"]
OPTIONS = {"release": ["low", "medium", "high"], "monitoring": ["none", "joint", "international"]}


def canon(state) -> str:
    return json.dumps(msgspec.to_builtins(state), sort_keys=True)


@st.composite
def commands(draw):
    kind = draw(st.sampled_from(["advance", "move", "move", "move", "adjudicate", "adjudicate",
                                 "roll", "reveal", "inject", "undo", "undo", "redo", "note"]))
    if kind == "advance":
        return C.Advance()
    if kind == "reveal":
        return C.Reveal()
    if kind == "undo":
        return C.Undo()
    if kind == "redo":
        return C.Redo()
    if kind == "note":
        return C.AddNote(text=draw(st.text(min_size=1, max_size=8)))
    if kind == "inject":
        return C.FireInject(id=draw(st.sampled_from(["flash_flood", "leak"])))
    if kind == "move":
        tpl = draw(st.sampled_from(TEMPLATES))
        package = {}
        if tpl == "propose":
            issues = draw(st.lists(st.sampled_from(sorted(OPTIONS)), min_size=1, max_size=2,
                                   unique=True))
            package = {i: draw(st.sampled_from(OPTIONS[i])) for i in issues}
        return ("move", dict(role=draw(st.sampled_from(ROLES)), template=tpl,
                             magnitude=draw(st.integers(1, 3)), package=package,
                             channel=draw(st.sampled_from([None, "public", "private"]))))
    return (kind, draw(st.integers(0, 5)), draw(st.sampled_from(["accept", "reject", "modify"])),
            draw(st.integers(1, 99)))


def run(session: Session, cmds) -> None:
    for c in cmds:
        try:
            if isinstance(c, tuple) and c[0] == "move":
                kw = dict(c[1])
                if kw["template"] in ("accept", "reject"):
                    tabled = [m.id for m in session.state.moves.values()
                              if m.kind == "proposal" and m.status == "accepted"]
                    if not tabled:
                        continue
                    kw["target"] = tabled[0]
                    kw["package"] = {}
                session.execute(C.SubmitMove(**kw))
            elif isinstance(c, tuple):
                kind, k, decision, odds = c
                pending = sorted(m.id for m in session.state.moves.values() if m.status == "pending")
                if not pending:
                    continue
                mid = pending[k % len(pending)]
                if kind == "roll":
                    session.execute(C.Roll(move=mid, odds=odds))
                else:
                    session.execute(C.Adjudicate(move=mid, decision=decision,
                                                 magnitude=2 if decision == "modify" else None,
                                                 reason="r"))
            else:
                session.execute(c)
        except Refused:
            pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cmds=st.lists(commands(), min_size=1, max_size=60), every=st.integers(2, 9))
def test_snapshot_plus_tail_equals_full_fold(cmds, every):
    with tempfile.TemporaryDirectory() as tmp:
        s = Session.create(FIXTURE, Path(tmp) / "h.peacetable", seed=11)
        s.snapshot_every = every
        try:
            run(s, [C.Advance(), *cmds])
            last = s.store.last_seq
            # the incrementally maintained state equals a fold of the whole log
            assert canon(s.state) == canon(fold(s.scenario, s.events))
            # and every seek (through snapshots) equals a fold of the prefix
            for n in range(1, last + 1):
                assert canon(s.state_at(n)) == canon(fold(s.scenario, s.events[:n])), n
        finally:
            s.close()
        # reopening (snapshots read back from the file) gives the same state
        s2 = Session.open(Path(tmp) / "h.peacetable", readonly=True)
        try:
            assert canon(s2.state) == canon(fold(s2.scenario, s2.events))
        finally:
            s2.close()


def test_snapshots_are_written_and_used(tmp_path, river_path):
    s = Session.create(river_path, tmp_path / "s.peacetable", seed=1)
    s.snapshot_every = 10
    s.execute(C.Advance())
    for k in range(40):
        s.execute(C.AddNote(text=f"note {k}"))
        m = s.execute(C.SubmitMove(role="upland", template="statement"))[0].seq
        s.execute(C.Adjudicate(move=m, decision="accept"))
    assert s.store.last_snapshot_seq >= 110
    snap = s.store.snapshot_at_or_before(s.store.last_seq)
    assert snap is not None and snap.seq == s.store.last_snapshot_seq
    assert canon(s.state_at(snap.seq)) == canon(snap)
    s.close()


def test_replay_twice_is_byte_identical(tmp_path, river_path):
    outs = []
    for k in range(2):
        s = Session.create(river_path, tmp_path / f"d{k}.peacetable", seed=5)
        run(s, [C.Advance(), ("move", dict(role="lowland", template="mass_troops", magnitude=2,
                                           package={}, channel=None)),
                ("roll", 0, "accept", 60), C.FireInject(id="flash_flood"), C.Undo(), C.Redo()])
        outs.append(json.dumps(s.view(), sort_keys=True))
        s.close()
        s = Session.open(tmp_path / f"d{k}.peacetable", readonly=True)
        outs.append(json.dumps(s.view(), sort_keys=True))
        s.close()
    assert len(set(outs)) == 1


def test_phase_clock_counts_only_running_time(tmp_path, river_path):
    import datetime as dt

    s = Session.create(river_path, tmp_path / "c.peacetable", seed=1)
    t0 = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone.utc)
    ts = lambda minutes: (t0 + dt.timedelta(minutes=minutes)).isoformat()  # noqa: E731
    s.execute(C.Advance(), ts=ts(0))
    s.execute(C.PauseClock(), ts=ts(5))
    s.execute(C.AddNote(text="lunch"), ts=ts(20))
    s.execute(C.ResumeClock(), ts=ts(30))
    elapsed, running = s.phase_clock(now=t0 + dt.timedelta(minutes=40))
    assert running and elapsed == 15 * 60
    s.execute(C.PauseClock(), ts=ts(41))
    elapsed, running = s.phase_clock(now=t0 + dt.timedelta(minutes=90))
    assert not running and elapsed == 16 * 60
    # the flash flood is due at minute 10 of the talks phase: 16 running minutes have passed
    due = {r["id"]: r["due"] for r in s.injects_due(now=t0 + dt.timedelta(minutes=90))}
    assert due == {"flash_flood": True}
    # a new phase starts its clock afresh, paused if the clock was paused
    s.execute(C.Advance(), ts=ts(95))
    assert s.phase_clock(now=t0 + dt.timedelta(minutes=99)) == (0.0, False)
    s.execute(C.ResumeClock(), ts=ts(100))
    assert s.phase_clock(now=t0 + dt.timedelta(minutes=103)) == (180.0, True)
    s.close()


def test_trace_kept_up_to_date_equals_a_fresh_one(tmp_path, river_path):
    s = Session.create(river_path, tmp_path / "t.peacetable", seed=2)
    s.trace()  # computed once, then appended to
    run(s, [C.Advance(), ("move", dict(role="lowland", template="mass_troops", magnitude=2,
                                       package={}, channel=None)),
            ("adjudicate", 0, "accept", 50), C.FireInject(id="flash_flood"), C.AddNote(text="n"),
            C.Undo(), C.Redo(), C.Advance(),
            ("move", dict(role="lowland", template="pull_back", magnitude=1, package={},
                          channel=None)), C.Reveal(), ("adjudicate", 0, "accept", 50)])
    kept = s.trace()
    s.close()
    fresh = Session.open(tmp_path / "t.peacetable", readonly=True)
    assert kept == fresh.trace()
    assert [p[0] for p in kept][:5] == [0, 1, 2, 3, 4]
    fresh.close()


CONDITIONS = [
    {"variable": "troops", "op": "<=", "value": 4},
    {"variable": "flow", "op": ">", "value": 65},
    {"issue": "monitoring", "status": "agreed"},
    {"issue": "release", "status": "on_table"},
    {"issue": "monitoring", "option": "joint"},
    {"any": [{"variable": "troops", "op": "<", "value": 3}, {"issue": "release", "status": "agreed"}]},
    {"all": [{"variable": "flow", "op": ">=", "value": 60}, {"variable": "troops", "op": "<=", "value": 6}]},
]


@st.composite
def offer_commands(draw):
    if draw(st.booleans()):
        return ("offer", draw(st.sampled_from(CONDITIONS)))
    if draw(st.booleans()):
        return ("proposal_with_condition", draw(st.sampled_from(CONDITIONS)))
    return draw(commands())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cmds=st.lists(offer_commands(), min_size=1, max_size=80))
def test_fast_condition_checks_equal_rechecking_everything(cmds):
    """Settling re-tests only conditions whose inputs changed; the result must be the same
    as re-testing every condition after every change."""
    with tempfile.TemporaryDirectory() as tmp:
        s = Session.create(FIXTURE, Path(tmp) / "c.peacetable", seed=3)
        plain = []
        for c in [C.Advance(), *cmds]:
            if isinstance(c, tuple) and c[0] == "offer":
                for role in ROLES:  # withdraw earlier offers so the template can be reused
                    for o in list(s.state.offers.values()):
                        if o.role == role:
                            try:
                                s.execute(C.Withdraw(move=o.id))
                            except Refused:
                                pass
                plain += [("move", dict(role="upland", template="open_sluices", magnitude=1,
                                        package={}, channel=None)), ("adjudicate", 0, "accept", 50)]
                try:
                    ev = s.execute(C.SubmitMove(role="upland", template="open_sluices",
                                                condition=c[1]))
                    s.execute(C.Adjudicate(move=ev[0].seq, decision="accept"))
                except Refused:
                    pass
            elif isinstance(c, tuple) and c[0] == "proposal_with_condition":
                try:
                    ev = s.execute(C.SubmitMove(role="upland", template="propose", condition=c[1],
                                                package={"monitoring": "joint",
                                                         "release": "medium"}))
                    s.execute(C.Adjudicate(move=ev[0].seq, decision="accept"))
                    a = s.execute(C.SubmitMove(role="lowland", template="accept",
                                               target=ev[0].seq))
                    s.execute(C.Adjudicate(move=a[0].seq, decision="accept"))
                except Refused:
                    pass
            else:
                run(s, [c])
        fast = fold(s.scenario, s.events)
        slow = fold(s.scenario, s.events, recheck_all=True)
        s.close()
        assert canon(fast) == canon(slow)
