"""Seats on one laptop: which roles are played here, in which order, and their PINs.

A class can share one computer: each team takes its turn at the keyboard, sees only its
own seat, and hands over through a blank screen. The plan is a setting of the session
file, kept in its ``meta`` table beside the record (never an event: who sits where is not
part of the exercise, and the record stays as it is). PINs are stored only as salted
scrypt hashes.

A PIN keeps a team's material from the eyes of the next team at the same laptop. It is
not encryption: whoever has the session file can read it with the command line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from .session import Session

META_KEY = "seats"
CONTROL = "control"
PIN_MIN = 4
PIN_MAX = 64
# scrypt cost: about 30 ms per check on a laptop (slow for guessing, quick for a person)
_N, _R, _P = 2**14, 8, 1


class SeatsError(Exception):
    """A seat plan that cannot be used; the message says why."""


def hash_pin(pin: str) -> dict[str, Any]:
    """A salted scrypt hash of ``pin`` (as stored; the PIN itself is never kept)."""
    check_pin_text(pin)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return {"alg": "scrypt", "n": _N, "r": _R, "p": _P, "salt": salt.hex(), "hash": digest.hex()}


def pin_matches(record: dict[str, Any] | None, pin: str) -> bool:
    """Whether ``pin`` is the PIN hashed in ``record`` (no record: no PIN needed)."""
    if record is None:
        return True
    try:
        salt = bytes.fromhex(record["salt"])
        want = bytes.fromhex(record["hash"])
        n, r, p = int(record["n"]), int(record["r"]), int(record["p"])
    except (KeyError, TypeError, ValueError):
        return False
    if record.get("alg") != "scrypt" or not (2 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16):
        return False
    try:
        got = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(want),
                             maxmem=256 * 1024 * 1024)
    except ValueError:
        return False
    return hmac.compare_digest(got, want)


def check_pin_text(pin: str) -> None:
    if len(pin) < PIN_MIN:
        raise SeatsError(f"a PIN needs at least {PIN_MIN} characters")
    if len(pin) > PIN_MAX:
        raise SeatsError(f"a PIN has at most {PIN_MAX} characters")
    if pin != pin.strip():
        raise SeatsError("a PIN cannot begin or end with a space")


@dataclass(frozen=True)
class SeatPlan:
    """``seats``: the roles played at this laptop, in hand-over order. ``pins``: role id
    or ``"control"`` → PIN hash. ``handed_over``: the laptop is with the seats (opening
    the session shows the hand-over screen, not the console)."""

    seats: tuple[str, ...] = ()
    pins: dict[str, dict[str, Any]] = field(default_factory=dict)
    handed_over: bool = False

    def has_pin(self, who: str) -> bool:
        return who in self.pins

    def check(self, who: str, pin: str) -> bool:
        """Whether ``pin`` opens ``who`` (a seat's role or "control")."""
        if who != CONTROL and who not in self.seats:
            return False
        return pin_matches(self.pins.get(who), pin)

    def next_seat(self, current: str | None) -> str | None:
        if not self.seats:
            return None
        if current not in self.seats:
            return self.seats[0]
        return self.seats[(self.seats.index(current) + 1) % len(self.seats)]

    def to_json(self) -> str:
        return json.dumps({"version": 1, "seats": list(self.seats), "pins": self.pins,
                           "handed_over": self.handed_over}, sort_keys=True)


def plan_from_json(text: str, player_ids: tuple[str, ...] | list[str], where: str) -> SeatPlan:
    """Read a stored plan; a damaged one is refused with what is wrong (the file is
    untrusted input)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeatsError(f"{where}: the seat plan is not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or data.get("version") != 1:
        raise SeatsError(f"{where}: the seat plan has an unknown format (expected version 1)")
    seats = data.get("seats")
    pins = data.get("pins")
    if not isinstance(seats, list) or not all(isinstance(s, str) for s in seats):
        raise SeatsError(f"{where}: seats: expected a list of role ids")
    unknown = [s for s in seats if s not in player_ids]
    if unknown:
        raise SeatsError(f"{where}: seats: '{unknown[0]}' is not a player role of this scenario "
                         f"(expected one of: {', '.join(player_ids)})")
    if not isinstance(pins, dict) or not all(
            isinstance(k, str) and isinstance(v, dict) for k, v in pins.items()):
        raise SeatsError(f"{where}: pins: expected an object of PIN hashes")
    return SeatPlan(seats=tuple(dict.fromkeys(seats)), pins=dict(pins),
                    handed_over=bool(data.get("handed_over", False)))


def load_plan(session: Session) -> SeatPlan:
    """The session's seat plan (an empty plan when none was set up)."""
    raw = session.store.meta().get(META_KEY)
    if raw is None:
        return SeatPlan()
    return plan_from_json(raw, session.scenario.player_ids, str(session.path))


def save_plan(session: Session, plan: SeatPlan) -> None:
    for s in plan.seats:
        if s not in session.scenario.player_ids:
            raise SeatsError(f"'{s}' is not a player role (expected one of: "
                             f"{', '.join(session.scenario.player_ids)})")
    if plan.handed_over and not plan.seats:
        raise SeatsError("choose at least one seat before handing the laptop over")
    session.store.set_meta(META_KEY, plan.to_json())


def configure(plan: SeatPlan, seats: list[str] | tuple[str, ...],
              new_pins: dict[str, str | None]) -> SeatPlan:
    """A new plan with ``seats``; ``new_pins``: who → new PIN text, or None to remove the
    PIN (who is not listed keeps theirs). Raises :class:`SeatsError` on a bad PIN."""
    pins = dict(plan.pins)
    for who, pin in new_pins.items():
        if pin is None:
            pins.pop(who, None)
        else:
            try:
                pins[who] = hash_pin(pin)
            except SeatsError as exc:
                name = "control" if who == CONTROL else who
                raise SeatsError(f"PIN for {name}: {exc}") from None
    seats = tuple(dict.fromkeys(seats))
    pins = {k: v for k, v in pins.items() if k == CONTROL or k in seats}
    return replace(plan, seats=seats, pins=pins)


def hand_over(session: Session, plan: SeatPlan, on: bool) -> SeatPlan:
    """Mark the laptop as handed to the seats (or back to control) and save."""
    new = replace(plan, handed_over=on)
    save_plan(session, new)
    return new


# --------------------------------------------------------------------------- solo play

SOLO_KEY = "solo"


def save_solo(session: Session, role: str, bots: dict[str, str], seed: int) -> None:
    """Mark ``session`` as one student's game against bots (opening it again resumes the
    game at the student's seat, not at the console)."""
    sc = session.scenario
    if role not in sc.player_ids:
        raise SeatsError(f"'{role}' is not a player role")
    session.store.set_meta(SOLO_KEY, json.dumps(
        {"version": 1, "role": role, "bots": dict(sorted(bots.items())), "seed": int(seed)},
        sort_keys=True))


def load_solo(session: Session) -> tuple[str, dict[str, str], int] | None:
    """(role, bots, seed) of a solo game, or None; a damaged entry is refused."""
    from .autoplay import parse_bots

    raw = session.store.meta().get(SOLO_KEY)
    if raw is None:
        return None
    where = str(session.path)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SeatsError(f"{where}: the solo game settings are not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or data.get("version") != 1:
        raise SeatsError(f"{where}: the solo game settings have an unknown format")
    role, bots, seed = data.get("role"), data.get("bots"), data.get("seed")
    if role not in session.scenario.player_ids:
        raise SeatsError(f"{where}: solo role {role!r} is not a player role of this scenario")
    if not isinstance(bots, dict) or not isinstance(seed, int) or role in bots:
        raise SeatsError(f"{where}: the solo game's bots or seed are damaged")
    try:
        bots = parse_bots(session.scenario, bots)
    except ValueError as exc:
        raise SeatsError(f"{where}: solo game: {exc}") from None
    return role, bots, seed
