"""Fork: continue a session from any event as a new session file.

The child file holds the scenario copy and the parent's record up to event ``at`` exactly
as stored (sequence numbers, timestamps, visibility and bodies), written through the
store's single insert path, which recomputes the hash chain: the child's fingerprint is the
parent's chain hash at event ``at``. From there it continues live like any session. The child's
``meta`` table keeps where it came from: ``forked_from`` (the parent's path),
``forked_from_fingerprint`` (the parent's record fingerprint when forked) and ``forked_at``.
The parent is only read.

Forking at event ``at`` gives the state after event ``at``, the same state
``peacetable replay --at N`` shows: an undo or redo that comes later in the parent is not
part of the child (it had not happened yet), and an undo at or before ``at`` stays in the
child's record together with the event it cancels, so the child's Edit → Redo can bring it
back, as it could in the parent at that moment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..storage.session_file import SessionFileError, SessionStore
from .session import Session

__all__ = ["fork_session", "fork_origin", "record_fingerprint"]


def record_fingerprint(session: Any) -> str:
    """The fingerprint of a session's record (:attr:`Session.fingerprint`): the chain hash
    of its newest event."""
    return str(session.fingerprint)


def fork_origin(meta: dict[str, str]) -> dict[str, Any] | None:
    """Where a session was forked from (from its ``meta``), or None."""
    if "forked_from" not in meta:
        return None
    at = meta.get("forked_at", "")
    return {"path": meta["forked_from"],
            "fingerprint": meta.get("forked_from_fingerprint", ""),
            "at": int(at) if at.isdigit() else None}


def fork_session(source_path: str | Path, at: int, out_path: str | Path) -> Path:
    """Write a new session file holding ``source_path``'s record up to event ``at``.

    Refuses (with :class:`SessionFileError`) an existing ``out_path``, an ``at`` outside
    1 … last event, and a parent that fails its checks on open. Returns the new path."""
    out = Path(out_path)
    src = Path(source_path)
    if out.exists() or out.is_symlink():
        raise SessionFileError(f"{out}: already exists (choose a new file name; PeaceTable "
                               "never overwrites a session)")
    if isinstance(at, bool) or not isinstance(at, int):
        raise SessionFileError(f"--at must be an event number, not {at!r}")
    parent = Session.open(src, readonly=True)
    try:
        # the child's chain is recomputed from the rows copied: copy only a record that
        # verifies, or an edit made to the parent would come out with a valid chain
        check = parent.verify_record()
        if not check.intact:
            raise SessionFileError(f"{src}: cannot be forked: {check.message}")
        last = parent.store.last_seq
        if not 1 <= at <= last:
            raise SessionFileError(f"{src}: cannot fork at event {at}: the session has events "
                                   f"1..{last} (event 1 starts the session)")
        try:
            if out.resolve() == src.resolve():
                raise SessionFileError(f"{out}: is the session being forked; choose a new file")
        except OSError:
            pass
        text, source, _sha = parent.store.scenario()
        pmeta = parent.store.meta()
        meta = {k: pmeta[k] for k in ("scenario_id", "scenario_title", "app") if k in pmeta}
        meta.update(forked_from=str(src.resolve()),
                    forked_from_fingerprint=record_fingerprint(parent),
                    forked_at=str(at))
        rows = parent.store.raw_rows(at)
    finally:
        parent.close()
    child = SessionStore.create(out, text, source, meta=meta)
    try:
        child._write_rows(rows)
    except BaseException:
        child.close()
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(str(out) + suffix)
            except OSError:
                pass
        raise
    child.close()
    return out
