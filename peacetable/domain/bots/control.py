"""The control bot: runs the exercise as a facilitator would, through the same commands.

Its duties, in order, whenever it is asked (:meth:`ControlBot.duty`):

1. start the first phase;
2. announce every agreement reached on the private channel (so every team knows which
   issues are settled and nobody proposes on a settled issue);
3. fire the current phase's scheduled injects that are due in the current round (each
   inject's ``at_minute`` placed on the phase's rounds);
4. adjudicate the oldest move awaiting adjudication: moves of the kinds below are rolled
   against their odds (the draw is recorded in the event); the others are accepted; an
   acceptance whose proposal has left the table is rejected with that reason;
5. once every player has had its turn in the round, reveal the sealed moves;
6. once the phase's rounds are over, advance to the next phase (the caller decides when the
   rounds are over).

Odds: a template's ``odds`` if the scenario gives one (100 = accepted without a roll);
otherwise the kind's base odds moved by the mover's leverage, half a point per point of
leverage above or below 50, kept within 5–95 %.
"""

from __future__ import annotations

from .. import commands as C
from ..scenario import Scenario
from ..state import State

BASE_ODDS = {"escalation": 70, "de_escalation": 80, "concession": 80, "lever": 75,
             "conditional_offer": 85}
"""Base chance of success (%) by move kind; other kinds are accepted without a roll."""


def move_odds(sc: Scenario, st: State, move_id: int) -> int:
    """Chance (1..100 %) that control carries out move ``move_id``; 100 = no roll."""
    m = st.moves[move_id]
    tpl = sc.template_by_id[m.template]
    if tpl.odds is not None:
        return tpl.odds
    base = BASE_ODDS.get(m.kind)
    if base is None:
        return 100
    lev = st.leverage.get(m.role, 50.0)
    return int(max(5, min(95, round(base + (lev - 50.0) / 2))))


def due_injects(sc: Scenario, st: State, round_: int, rounds: int) -> list[str]:
    """The current phase's scheduled injects not yet fired and due by the end of round
    ``round_`` of ``rounds`` (all of them in the last round), in order of their minute."""
    if st.phase is None:
        return []
    phase = sc.phase_by_id[st.phase]
    out = []
    for k, iid in enumerate(phase.injects):
        if iid in st.injects_fired:
            continue
        inj = sc.inject_by_id[iid]
        if round_ >= rounds - 1 or inj.at_minute * rounds < phase.duration_minutes * (round_ + 1):
            out.append((inj.at_minute, k, iid))
    return [iid for *_k, iid in sorted(out)]


class ControlBot:
    """Decides control's next command from the whole state (control sees everything)."""

    def __init__(self, sc: Scenario):
        self.sc = sc
        self._due: tuple[tuple, list[str]] = ((), [])

    def duty(self, st: State, round_: int, rounds: int, turns_done: bool) -> C.Command | None:
        """The next thing control must do now, or None. ``turns_done``: every player has
        had its turn in this round."""
        sc = self.sc
        if st.phase is None:
            return C.Advance()
        private = [a.id for a in st.agreements.values() if a.visibility.scope != "public"]
        if private:
            return C.Publish(agreement=min(private), reason="control announces the agreement")
        key = (st.phase, round_, rounds, len(st.injects_fired))
        if self._due[0] != key:
            self._due = (key, due_injects(sc, st, round_, rounds))
        due = self._due[1]
        if due:
            return C.FireInject(id=due[0])
        pending = sorted(m.id for m in st.moves.values() if m.status == "pending" and not m.sealed)
        for mid in pending:
            m = st.moves[mid]
            if m.kind == "acceptance" and (m.target is None or m.target not in st.moves):
                return C.Adjudicate(move=mid, decision="reject",
                                    reason="the proposal is no longer on the table")
            odds = move_odds(sc, st, mid)
            if odds >= 100:
                return C.Adjudicate(move=mid, decision="accept")
            return C.Roll(move=mid, odds=odds, reason=f"control bot: {odds}% chance")
        if turns_done and any(m.sealed for m in st.moves.values()):
            return C.Reveal()
        return None
