"""Trainer and facilitator annotations: notes pinned to an event, kept apart from the record.

Annotations live in the session file's ``annotations`` table (id, seq, ts, author, text).
They never touch the ``events`` table: adding, editing or deleting a note leaves the record
exactly as it was. A session opened for replay takes annotations and nothing else; when its
file cannot be written (open for writing elsewhere, a read-only file or folder), every write
here raises :class:`AnnotationsReadOnly` saying why, and :func:`save_copy` makes a copy the
trainer can annotate instead.

The **hot wash** after the last phase asks each team a few questions; each answer is kept as
an annotation on the last event, its author naming the role and the question
(``hotwash:ROLE:KEY``) so that the after-action report can group them.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..storage.session_file import SessionFileError

__all__ = [
    "Annotation", "AnnotationError", "AnnotationsReadOnly", "HOTWASH_PROMPTS", "MAX_TEXT",
    "add_annotation", "add_hotwash", "author_label", "delete_annotation", "edit_annotation",
    "hotwash_of", "list_annotations", "save_copy",
]

MAX_TEXT = 20_000
"""Longest annotation text accepted (characters)."""

HOTWASH_PROMPTS: list[tuple[str, str]] = [
    ("worked", "What worked for your team?"),
    ("change", "What would you change if you played this again?"),
    ("surprised", "What surprised you about the other teams?"),
    ("missed", "Which opportunity for a deal did you see too late or not at all?"),
]
"""Hot wash questions as (key, question), asked of every team after the last phase."""

_HOTWASH_PREFIX = "hotwash:"


@dataclass(frozen=True)
class Annotation:
    id: int
    seq: int
    ts: str
    author: str
    text: str


class AnnotationError(ValueError):
    """An annotation that cannot be made; the message says what is expected."""


class AnnotationsReadOnly(AnnotationError):
    """The session's file cannot take annotations; the message says why and suggests a copy."""


# --------------------------------------------------------------------------- reading


def list_annotations(session: Any) -> list[Annotation]:
    """Every annotation of the session, by event then by creation order."""
    return [Annotation(int(r["id"]), int(r["seq"]), str(r["ts"]), str(r["author"] or ""),
                       str(r["text"] or ""))
            for r in session.store.annotations()]


def hotwash_of(ann: Annotation) -> tuple[str, str] | None:
    """(role id, prompt key) when ``ann`` is a hot wash answer, else None."""
    if not ann.author.startswith(_HOTWASH_PREFIX):
        return None
    role, sep, key = ann.author[len(_HOTWASH_PREFIX):].partition(":")
    return (role, key) if sep and role else None


def author_label(session: Any, ann: Annotation) -> str:
    """Who wrote an annotation, for people: a hot wash answer names the team and question."""
    hw = hotwash_of(ann)
    if hw is None:
        return ann.author or "trainer"
    role_id, key = hw
    role = session.scenario.role_by_id.get(role_id)
    name = role.name if role else role_id
    team = session.teams.get(role_id)
    question = dict(HOTWASH_PROMPTS).get(key, key)
    who = f"{team} ({name})" if team else name
    return f"hot wash, {who}: {question}"


# --------------------------------------------------------------------------- writing


def _why_not_writable(session: Any) -> str | None:
    note = getattr(session, "replay_note", None)
    if note:
        return str(note)
    path = Path(session.path)
    if session.store.readonly and not hasattr(session, "replay_note"):
        return f"{path.name} is open read-only"
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return f"{path.name} cannot be written (file or folder permissions)"
    return None


def _refuse(session: Any, why: str) -> AnnotationsReadOnly:
    return AnnotationsReadOnly(
        f"{session.path}: notes cannot be saved in this file: {why}. Save a copy of the "
        "session and annotate the copy; the original stays as it is.")


def _writable(session: Any) -> None:
    why = _why_not_writable(session)
    if why:
        raise _refuse(session, why)


def _clean_text(text: Any) -> str:
    if not isinstance(text, str):
        raise AnnotationError(f"an annotation's text must be text, not {type(text).__name__}")
    if not text.strip():
        raise AnnotationError("an annotation needs some text (it is empty)")
    if len(text) > MAX_TEXT:
        raise AnnotationError(f"an annotation is limited to {MAX_TEXT:,} characters "
                              f"(this one has {len(text):,})")
    return text


def _write(session: Any, fn, *args):
    _writable(session)
    try:
        return fn(*args)
    except (sqlite3.Error, SessionFileError) as exc:
        raise _refuse(session, f"the file refused the write ({exc})") from None


def add_annotation(session: Any, seq: int, text: str, author: str = "") -> int:
    """Pin a note to event ``seq`` (1 … last event); returns the annotation's id."""
    last = session.store.last_seq
    if isinstance(seq, bool) or not isinstance(seq, int):
        raise AnnotationError(f"an annotation is pinned to an event number, not {seq!r}")
    if not 1 <= seq <= last:
        raise AnnotationError(f"there is no event {seq} to annotate (this session has events "
                              f"1 to {last})")
    text = _clean_text(text)
    if not isinstance(author, str):
        raise AnnotationError("an annotation's author must be text")
    return int(_write(session, session.store.annotate, seq, text, author.strip()))


def _existing(session: Any, ident: int) -> None:
    if not any(int(r["id"]) == int(ident) for r in session.store.annotations()):
        raise AnnotationError(f"there is no annotation {ident} in {Path(session.path).name}")


def edit_annotation(session: Any, id: int, text: str) -> None:  # noqa: A002 - public API name
    """Replace the text of annotation ``id``."""
    text = _clean_text(text)
    _existing(session, id)
    if not _write(session, session.store.update_annotation, int(id), text):
        raise AnnotationError(f"there is no annotation {id} in {Path(session.path).name}")


def delete_annotation(session: Any, id: int) -> None:  # noqa: A002 - public API name
    """Remove annotation ``id``."""
    _existing(session, id)
    if not _write(session, session.store.delete_annotation, int(id)):
        raise AnnotationError(f"there is no annotation {id} in {Path(session.path).name}")


def add_hotwash(session: Any, role: str, key: str, text: str) -> int:
    """Keep one team's answer to a hot wash question as an annotation on the last event."""
    sc = session.scenario
    r = sc.role_by_id.get(role)
    if r is None or not r.is_player:
        players = ", ".join(x.id for x in sc.roles if x.is_player)
        raise AnnotationError(f"unknown team role '{role}' for the hot wash (expected one of: "
                              f"{players})")
    keys = [k for k, _ in HOTWASH_PROMPTS]
    if key not in keys:
        raise AnnotationError(f"unknown hot wash question '{key}' (expected one of: "
                              f"{', '.join(keys)})")
    return add_annotation(session, session.store.last_seq, text, f"{_HOTWASH_PREFIX}{role}:{key}")


# --------------------------------------------------------------------------- a copy to annotate


def save_copy(session: Any, out_path: str | Path) -> Path:
    """Write a complete copy of the session to ``out_path`` (which must not exist yet), for
    annotating when the original cannot be written. The record is copied as it is."""
    out = Path(out_path)
    if out.exists():
        raise AnnotationError(f"{out}: already exists (choose a new file name; PeaceTable never "
                              "overwrites a session)")
    if not out.parent.is_dir():
        raise AnnotationError(f"{out}: folder {out.parent} does not exist")
    try:
        fd = os.open(out, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise AnnotationError(f"{out}: already exists (PeaceTable never overwrites a session)") \
            from None
    except OSError as exc:
        raise AnnotationError(f"{out}: cannot be created: {exc.strerror}") from None
    os.close(fd)
    try:
        dst = sqlite3.connect(out)
        try:
            session.store.conn.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    except BaseException as exc:
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(str(out) + suffix)
            except OSError:
                pass
        if isinstance(exc, sqlite3.Error):
            raise AnnotationError(f"{out}: the copy could not be written ({exc})") from None
        raise
    return out
