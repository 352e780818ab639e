"""In-game dates: the calendar of the story an exercise tells (no clock, no Qt).

A phase may say when it happens in the story (``date``, and ``end_date`` for a phase
that spans several days); an inject may say on which day it happens (``date``). Dates are
written ``"YYYY-MM-DD"`` (a string) or as a TOML date (``2025-03-11``, unquoted); a date
with a time of day, another layout or a day the calendar does not have is refused with a
message saying what is expected.

The rules across the file (:func:`date_problems`): a phase ends on or after the day it
starts; phases run in order (a phase starts on or after the previous dated phase ends);
a scheduled inject's date lies within its phase (from the phase's date to its end date,
or, when it has none, before the next dated phase starts).

The in-game date shown at a moment (:func:`game_date`) is the current phase's date, moved
on by the dated injects fired during the phase that the viewer may see.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING, Any

from .events import CONTROL, PUBLIC, private_to

if TYPE_CHECKING:  # pragma: no cover
    from .scenario import Problem, Scenario
    from .state import State

__all__ = ["parse_game_date", "date_label", "short_date_label", "span_label", "phase_span", "game_date",
           "date_problems", "carried_date", "fired_inject_days"]

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def parse_game_date(value: Any) -> _dt.date:
    """A date as written in a scenario, or ValueError saying what is expected."""
    if isinstance(value, _dt.datetime):
        raise ValueError(f"got {value.isoformat()} (expected a date without a time of day, "
                         "e.g. \"2025-03-11\")")
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, _dt.time):
        raise ValueError(f"got the time {value.isoformat()} (expected a date, e.g. "
                         "\"2025-03-11\")")
    if not isinstance(value, str):
        shown = "true" if value is True else "false" if value is False else repr(value)
        raise ValueError(f"got {shown} (expected a date written \"YYYY-MM-DD\", e.g. "
                         "\"2025-03-11\")")
    m = _ISO.match(value.strip())
    if m is None:
        raise ValueError(f"got {value!r} (expected a date written \"YYYY-MM-DD\", e.g. "
                         "\"2025-03-11\")")
    y, mo, d = (int(g) for g in m.groups())
    if not 1 <= mo <= 12:
        raise ValueError(f"got {value!r}: there is no month {mo} (expected 01 to 12)")
    if y < 1:
        raise ValueError(f"got {value!r}: there is no year 0 (expected a year from 0001)")
    try:
        return _dt.date(y, mo, d)
    except ValueError:
        last = (_dt.date(y + (mo == 12), mo % 12 + 1, 1) - _dt.timedelta(days=1)).day \
            if y < 9999 or mo < 12 else 31
        raise ValueError(f"got {value!r}, a day the calendar does not have ({_MONTH_NAMES[mo - 1]} "
                         f"{y} has {last} days)") from None


def date_label(d: _dt.date | None) -> str:
    """"11 Mar 2025" (empty for None)."""
    if d is None:
        return ""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def short_date_label(d: _dt.date | None) -> str:
    """"11 Mar" (empty for None): where the year is plain from the context."""
    return "" if d is None else f"{d.day} {_MONTHS[d.month - 1]}"


def span_label(start: _dt.date | None, end: _dt.date | None = None) -> str:
    """A day or a span of days, as short as it reads: "11 Mar 2025", "11–14 Mar 2025",
    "28 Feb – 3 Mar 2025", "30 Dec 2025 – 2 Jan 2026" (empty without a start)."""
    if start is None:
        return ""
    if end is None or end == start:
        return date_label(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {_MONTHS[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{start.day} {_MONTHS[start.month - 1]} – {date_label(end)}"
    return f"{date_label(start)} – {date_label(end)}"


def phase_span(sc: Scenario, index: int) -> tuple[_dt.date | None, _dt.date | None]:
    """(first day, last day) of phase ``index`` in the story; the last day is the phase's
    ``end_date``, else the day before the next dated phase starts, else None (open)."""
    ph = sc.phases[index]
    if ph.date is None:
        return None, None
    if ph.end_date is not None:
        return ph.date, ph.end_date
    nxt = next((p.date for p in sc.phases[index + 1:] if p.date is not None), None)
    if nxt is None or nxt <= ph.date:
        return ph.date, None
    return ph.date, nxt - _dt.timedelta(days=1)


def carried_date(sc: Scenario, iid: str, phase_id: str) -> _dt.date | None:
    """The in-game day inject ``iid`` happens on when it is played in phase ``phase_id``
    (control may reschedule it there): its own date when that lies within the phase's days
    (or either is undated), else the phase's day nearest to it — an inject moved to a later
    phase happens on that phase's first day, one moved back on its last."""
    inj = sc.inject_by_id.get(iid)
    ph = sc.phase_by_id.get(phase_id)
    if inj is None or inj.date is None or ph is None:
        return None if inj is None else inj.date
    start, end = phase_span(sc, sc.phases.index(ph))
    if start is None:
        return inj.date
    if inj.date < start:
        return start
    if end is not None and inj.date > end:
        return end
    return inj.date


def fired_inject_days(sc: Scenario, events) -> dict[int, _dt.date | None]:
    """The in-game day each scheduled inject fired in ``events`` happened on (by the
    firing event's number): its own date, or the day it carried when control had
    rescheduled it (the reschedule last in force before it fired: an undone one does not
    count)."""
    from .events import InjectFired, InjectRescheduled
    from .state import cancelled_set

    cancelled = cancelled_set(events)
    moved: dict[str, _dt.date | None] = {}
    out: dict[int, _dt.date | None] = {}
    for ev in events:
        b = ev.body
        if isinstance(b, InjectRescheduled) and ev.seq not in cancelled:
            moved[b.inject] = b.date
        elif isinstance(b, InjectFired) and b.inject:
            inj = sc.inject_by_id.get(b.inject)
            own = inj.date if inj is not None else None
            day = moved.get(b.inject)
            out[ev.seq] = own if day is None else day
    return out


def game_date(sc: Scenario, st: State, viewer: str = "control") -> _dt.date | None:
    """The in-game date at ``st`` as ``viewer`` may know it: the current phase's date, or
    the latest date of the dated injects fired since the phase started that ``viewer`` may
    see (an inject heard only by control or by its targets moves no one else's calendar).
    None before the first phase, and when neither the phase nor such an inject is dated."""
    if st.phase is None:
        return None
    best = sc.phase_by_id[st.phase].date
    for iid, seq in st.injects_fired.items():
        inj = sc.inject_by_id.get(iid)
        if inj is None or inj.date is None or seq < st.phase_started_at:
            continue
        # a rescheduled inject happens on the day it carries in the phase it was moved to
        day = carried_date(sc, iid, st.inject_plan[iid][0]) if iid in st.inject_plan \
            else inj.date
        vis = PUBLIC if inj.visibility == "public" else CONTROL \
            if inj.visibility == "control" else private_to(*inj.targets)
        if not vis.allows(viewer):
            continue
        if best is None or day > best:
            best = day
    return best


# --------------------------------------------------------------------------- the file


def _as_date(x: Any) -> _dt.date | None:
    try:
        return parse_game_date(x) if x is not None else None
    except ValueError:
        return None  # reported by the field check


def date_problems(phases: list[tuple[int, dict]], injects: list[tuple[int, dict]],
                  ok) -> list[Problem]:
    """The calendar rules on the file's data as parsed: ``phases``/``injects`` are (index,
    table) pairs; ``ok(path)`` says whether the field checks left that value alone."""
    from .scenario import Problem

    out: list[Problem] = []
    spans: dict[str, tuple[_dt.date, _dt.date | None, int]] = {}
    # (phase index, start, end, id) of each dated phase
    dated: list[tuple[int, _dt.date, _dt.date | None, Any]] = []
    for k, ph in phases:
        start = _as_date(ph.get("date")) if ok(("phases", k, "date")) else None
        end = _as_date(ph.get("end_date")) if ok(("phases", k, "end_date")) else None
        if "end_date" in ph and "date" not in ph:
            out.append(Problem(("phases", k, "end_date"), "an end date needs the phase's "
                                                         "date (the day it starts) as well"))
            continue
        if start is not None and end is not None and end < start:
            out.append(Problem(("phases", k, "end_date"), f"ends on {end.isoformat()}, before "
                                                          f"the phase starts "
                                                          f"({start.isoformat()})"))
            end = None
        if start is None:
            continue
        if dated:
            pk, pstart, pend, _ = dated[-1]
            last = pend or pstart
            if start < last:
                what = f"ends on {pend.isoformat()}" if pend else f"starts on {pstart.isoformat()}"
                out.append(Problem(("phases", k, "date"),
                                   f"starts on {start.isoformat()}, before phases[{pk}] {what} "
                                   "(phases run in order in the story)"))
                continue  # not a bound for its neighbours' injects
        dated.append((k, start, end, ph.get("id")))
    # a phase without an end date runs until the day before the next dated phase
    for n, (k, start, end, pid) in enumerate(dated):
        if end is None and n + 1 < len(dated) and dated[n + 1][1] > start:
            end = dated[n + 1][1] - _dt.timedelta(days=1)
        if isinstance(pid, str):
            spans.setdefault(pid, (start, end, k))
    inj_phase: dict[str, str] = {}
    for _k, ph in phases:
        ids = ph.get("injects", [])
        pid = ph.get("id")
        if isinstance(ids, list) and isinstance(pid, str):
            for iid in ids:
                if isinstance(iid, str):
                    inj_phase.setdefault(iid, pid)
    for k, inj in injects:
        if not ok(("injects", k, "date")):
            continue
        d = _as_date(inj.get("date"))
        iid = inj.get("id")
        if d is None or not isinstance(iid, str) or inj_phase.get(iid) not in spans:
            continue
        start, end, pk = spans[inj_phase[iid]]
        if d < start or (end is not None and d > end):
            within = f"from {start.isoformat()}" + (f" to {end.isoformat()}" if end else "")
            out.append(Problem(("injects", k, "date"),
                               f"is {d.isoformat()}, outside its phase '{inj_phase[iid]}' "
                               f"(phases[{pk}], {within}); date the inject within its phase "
                               "or move it to the phase of that day"))
    return out
