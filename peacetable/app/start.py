"""What the start page offers: the exercises shipped with PeaceTable, the sessions run
recently, the demo scripts, and where new sessions are saved.

Everything here reads files only; nothing is folded, and a recent session is read with
:func:`peacetable.storage.session_file.peek` (its meta table and phase starts), so a list of
ten large sessions costs ten small queries.
"""

from __future__ import annotations

import datetime as _dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs


_PACKAGE = Path(__file__).resolve().parents[1]


def _bundled_dir() -> Path | None:
    # a source checkout keeps scenarios/ beside the package; an installed wheel inside it
    for base in (_PACKAGE.parent / "scenarios", _PACKAGE / "scenarios"):
        if base.is_dir():
            return base
    return None


def bundled_scenarios() -> list[Path]:
    """The exercises shipped with PeaceTable (``scenarios/*.toml``)."""
    base = _bundled_dir()
    return sorted(base.glob("*.toml")) if base else []


def default_session_folder() -> Path:
    """Where a new session is saved unless the user chooses otherwise: a "PeaceTable" folder
    in the user's documents folder."""
    return Path(platformdirs.user_documents_dir()) / "PeaceTable"


@dataclass(frozen=True)
class Exercise:
    """One bundled exercise, as a card shows it."""

    path: Path
    scenario_id: str
    title: str
    summary: str
    roles: tuple[str, ...]  # player roles' names
    planned_minutes: int
    phases: int
    script: Path | None  # a bundled script that plays it (``NAME.moves.jsonl``), if any


def exercises() -> tuple[list[Exercise], list[str]]:
    """The bundled exercises, and a message for each bundled file that does not load."""
    from ..domain.loader import ScenarioError, load_scenario

    out: list[Exercise] = []
    problems: list[str] = []
    for path in bundled_scenarios():
        try:
            sc = load_scenario(path).scenario
        except ScenarioError as exc:
            problems.append(str(exc))
            continue
        script = path.with_name(path.stem + ".moves.jsonl")
        out.append(Exercise(
            path=path, scenario_id=sc.scenario.id, title=sc.scenario.title, summary=sc.scenario.summary,
            roles=tuple(r.name for r in sc.roles if r.is_player),
            planned_minutes=sc.scenario.duration_minutes, phases=len(sc.phases),
            script=script if script.is_file() else None))
    return out, problems


def planned_length(minutes: int) -> str:
    """``180`` → "3 h", ``150`` → "2 h 30 min", ``45`` → "45 min"."""
    h, m = divmod(int(minutes), 60)
    if not h:
        return f"{m} min"
    return f"{h} h" if not m else f"{h} h {m} min"


@dataclass(frozen=True)
class RecentSession:
    """One line of the recent-sessions list."""

    path: Path
    title: str  # the run's title (the scenario's title when the run was given none)
    phase: str  # "Phase 2 of 6: Round 2 — ..." or "Not started"
    last_activity: str  # local date and time of the last event, "2026-11-30 14:05"
    problem: str | None = None  # why the file cannot be read (then the other fields are bare)


def recent_session(path: str | Path) -> RecentSession:
    from ..storage.session_file import SessionFileError, peek

    p = Path(path)
    try:
        look = peek(p)
    except (SessionFileError, OSError) as exc:
        return RecentSession(p, p.name, "", "", problem=str(exc))
    phases = _phase_labels(look.scenario_text)
    if look.phase_index is None:
        phase = "Not started"
    else:
        n = look.phase_index + 1
        label = phases[look.phase_index] if 0 <= look.phase_index < len(phases) else look.phase
        phase = f"Phase {n} of {len(phases)}: {label}" if phases else f"Phase {n}: {label}"
    return RecentSession(p, look.title or look.scenario_title or p.stem, phase,
                         _local_time(look.last_ts))


def _phase_labels(text: str) -> list[str]:
    # the copy inside a session file is untrusted: read only what is needed, never raise
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, TypeError):
        return []
    phases = data.get("phases")
    if not isinstance(phases, list):
        return []
    return [str(ph.get("label") or ph.get("id") or "") if isinstance(ph, dict) else ""
            for ph in phases]


def _local_time(ts: str) -> str:
    try:
        when = _dt.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return ""
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%Y-%m-%d %H:%M")


def guide_path() -> Path | None:
    """The facilitator guide (``docs/facilitator-guide.md``), in a source checkout or in the
    built application; None if this installation has none."""
    for base in (_PACKAGE.parent / "docs", _PACKAGE / "docs"):
        p = base / "facilitator-guide.md"
        if p.is_file():
            return p
    return None
