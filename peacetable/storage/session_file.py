"""One session = one self-contained SQLite file (``.peacetable``).

The file holds the schema version, a copy of the scenario it was started from, the
append-only event log and snapshots (cached folds). Writes go through sqlite-utils, with
WAL and ``synchronous=FULL``: an event is on disk before :meth:`SessionStore.append`
returns. Triggers make the event log append-only inside SQLite itself.

Opening checks, in order and without changing the file: it exists and is a regular file;
it starts with the SQLite header; no other process holds it open for writing; SQLite can
read it (``quick_check``); it carries PeaceTable's application id; its schema is not newer
than this program. Only then is it opened for writing (WAL, migrations).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from ..domain.events import (
    Body,
    Event,
    MoveSubmitted,
    body_type,
    decode_body,
    decode_visibility,
    encode_body,
    encode_visibility,
    Visibility,
)
from ..domain.state import FOLD_VERSION, State, decode_state, encode_state

try:  # POSIX advisory lock; independent of SQLite's own fcntl locks
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

APPLICATION_ID = 0x50454143  # "PEAC"
FORMAT_NAME = "peacetable-session"
SUFFIX = ".peacetable"
_HEADER = b"SQLite format 3\x00"


class SessionFileError(Exception):
    """A session file that cannot be opened or written; the message names the file."""


class SessionLocked(SessionFileError):
    pass


# --------------------------------------------------------------------------- schema

migrations = Migrations("peacetable")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["scenario"].create({"id": int, "source": str, "sha256": str, "text": str}, pk="id")
    db["events"].create(
        {"seq": int, "ts": str, "type": str, "actor": str, "visibility": str, "body": str},
        pk="seq",
    )
    db["events"].create_index(["type"])
    db["snapshots"].create({"seq": int, "fold_version": int, "state": bytes}, pk="seq")
    db.execute("""CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
                  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END""")
    db.execute("""CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
                  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END""")
    db["meta"].upsert({"key": "schema_version", "value": "1"}, pk="key")


@migrations()
def m002_annotations(db: sqlite_utils.Database) -> None:
    """Trainer annotations: kept apart from the record, attached to an event number."""
    db["annotations"].create(
        {"id": int, "seq": int, "ts": str, "author": str, "text": str}, pk="id"
    )
    db["meta"].upsert({"key": "schema_version", "value": "2"}, pk="key")


SCHEMA_VERSION = 2

_INSERT_EVENT = ("INSERT INTO events (seq, ts, type, actor, visibility, body) "
                 "VALUES (:seq, :ts, :type, :actor, :visibility, :body)")


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SessionStore:
    """An open session file. Use :meth:`create` or :meth:`open`; close when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock_fd: int | None, readonly: bool):
        self.path = path
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._lock_fd = lock_fd
        self.readonly = readonly
        self._events = self.db.table("events")
        row = conn.execute("SELECT MAX(seq) FROM events").fetchone()
        self.last_seq: int = row[0] or 0
        self._last_snapshot: int = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM snapshots").fetchone()[0]

    # ------------------------------------------------------------------ open / create
    @classmethod
    def create(cls, path: str | Path, scenario_text: str, source: str,
               meta: dict[str, str] | None = None) -> SessionStore:
        p = Path(path)
        if p.exists():
            raise SessionFileError(f"{p}: already exists (choose a new file name; "
                                   "PeaceTable never overwrites a session)")
        if not p.parent.exists():
            raise SessionFileError(f"{p}: folder {p.parent} does not exist")
        try:
            fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise SessionFileError(f"{p}: already exists (PeaceTable never overwrites a session)") from None
        except OSError as exc:
            raise SessionFileError(f"{p}: cannot create: {exc.strerror}") from None
        os.close(fd)
        lock = _lock(p)
        try:
            conn = _connect(p)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db = sqlite_utils.Database(conn)
            migrations.apply(db)
            with db.atomic():
                rows = {"format": FORMAT_NAME, "created_at": _now(), **(meta or {})}
                db["meta"].upsert_all([{"key": k, "value": str(v)} for k, v in rows.items()], pk="key")
                db["scenario"].insert({"id": 1, "source": source, "sha256": sha256_text(scenario_text),
                                       "text": scenario_text})
        except BaseException:
            _unlock(lock)
            try:
                conn.close()  # type: ignore[possibly-undefined]
            except Exception:
                pass
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.unlink(str(p) + suffix)
                except OSError:
                    pass
            raise
        return cls(p, conn, lock, readonly=False)

    @classmethod
    def open(cls, path: str | Path, readonly: bool = False) -> SessionStore:
        p = Path(path)
        _check_header(p)
        lock = None if readonly else _lock(p)
        try:
            _check_readonly(p)
            if readonly:
                conn = sqlite3.connect(f"file:{p}?mode=ro", uri=True, check_same_thread=False)
            else:
                conn = _connect(p)
                db = sqlite_utils.Database(conn)
                if migrations.pending(db):
                    migrations.apply(db)
            return cls(p, conn, lock, readonly)
        except sqlite3.DatabaseError as exc:
            _unlock(lock)
            raise SessionFileError(f"{p}: cannot be read as a session ({exc}); the file was not "
                                   "changed") from None
        except BaseException:
            _unlock(lock)
            raise

    def close(self) -> None:
        try:
            if not self.readonly:
                # Leave the file self-contained (no -wal/-shm beside it) when nobody else has
                # it open; a concurrent reader keeps WAL mode and that is fine too.
                try:
                    self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    self.conn.execute("PRAGMA journal_mode = DELETE")
                except sqlite3.Error:
                    pass
            self.conn.close()
        finally:
            _unlock(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ contents
    def meta(self) -> dict[str, str]:
        return {k: v for k, v in self.conn.execute("SELECT key, value FROM meta")}

    def scenario(self) -> tuple[str, str, str]:
        """(text, source, sha256) of the scenario copy stored in the file."""
        row = self.conn.execute("SELECT text, source, sha256 FROM scenario WHERE id = 1").fetchone()
        if row is None:
            raise SessionFileError(f"{self.path}: holds no scenario copy (damaged session)")
        return row

    def append(self, items: list[tuple[Body, Visibility]], ts: str | None = None) -> list[Event]:
        """Append events in one transaction; durable when this returns."""
        if self.readonly:
            raise SessionFileError(f"{self.path}: opened read-only")
        ts = ts or _now()
        out: list[Event] = []
        rows = []
        seq = self.last_seq
        for body, vis in items:
            seq += 1
            actor = body.role if isinstance(body, MoveSubmitted) else "control"
            rows.append({"seq": seq, "ts": ts, "type": body_type(body), "actor": actor,
                         "visibility": encode_visibility(vis), "body": encode_body(body)})
            out.append(Event(seq=seq, ts=ts, visibility=vis, body=body))
        self._write_rows(rows)
        return out

    def _write_rows(self, rows: list[dict]) -> None:
        """Insert event rows (seq, ts, type, actor, visibility, body) in one transaction.

        The one place events enter a file: :meth:`append` and forking both come here. Rows
        must continue the log without a gap (``seq`` = last + 1, + 2 …)."""
        if self.readonly:
            raise SessionFileError(f"{self.path}: opened read-only")
        expected = self.last_seq
        for row in rows:
            expected += 1
            if row["seq"] != expected:
                raise SessionFileError(f"{self.path}: event {row['seq']} does not continue the "
                                       f"log (expected event {expected}); nothing was recorded")
        try:
            with self.db.atomic():
                # one prepared INSERT per event: sqlite-utils' table.insert introspects the
                # table on every call, which costs more than the write itself here
                for row in rows:
                    self.db.execute(_INSERT_EVENT, row)
        except sqlite3.Error as exc:
            raise SessionFileError(f"{self.path}: could not write the event ({exc}); nothing "
                                   "was recorded") from None
        self.last_seq = expected

    def iter_rows(self, after: int = 0, upto: int | None = None) -> Iterator[tuple]:
        sql = "SELECT seq, ts, visibility, body FROM events WHERE seq > ?"
        args: list = [after]
        if upto is not None:
            sql += " AND seq <= ?"
            args.append(upto)
        return self.conn.execute(sql + " ORDER BY seq", args)

    def events(self, after: int = 0, upto: int | None = None) -> list[Event]:
        vis: dict[str, Visibility] = {}  # few distinct visibilities: decode each once

        def visibility(raw: str) -> Visibility:
            v = vis.get(raw)
            if v is None:
                v = vis[raw] = decode_visibility(raw)
            return v

        try:
            return [
                Event(seq=s, ts=t, visibility=visibility(v), body=decode_body(b))
                for s, t, v, b in self.iter_rows(after, upto)
            ]
        except (sqlite3.Error, ValueError) as exc:
            raise SessionFileError(f"{self.path}: an event cannot be read ({exc}); the file may "
                                   "be damaged") from None

    # ------------------------------------------------------------------ snapshots
    def save_snapshot(self, state: State) -> None:
        if self.readonly or state.seq <= self._last_snapshot:
            return
        with self.db.atomic():
            self.db["snapshots"].insert({"seq": state.seq, "fold_version": FOLD_VERSION,
                                         "state": encode_state(state)}, replace=True)
        self._last_snapshot = state.seq

    @property
    def last_snapshot_seq(self) -> int:
        return self._last_snapshot

    def snapshot_at_or_before(self, seq: int) -> State | None:
        row = self.conn.execute(
            "SELECT state FROM snapshots WHERE seq <= ? AND fold_version = ? "
            "ORDER BY seq DESC LIMIT 1", (seq, FOLD_VERSION)).fetchone()
        if row is None:
            return None
        try:
            return decode_state(row[0])
        except Exception:
            return None  # a snapshot is only a cache: fall back to folding events

    # ------------------------------------------------------------------ annotations
    def annotate(self, seq: int, text: str, author: str = "") -> int:
        with self.db.atomic():
            return self.db["annotations"].insert(
                {"seq": seq, "ts": _now(), "author": author, "text": text}).last_pk

    def annotations(self) -> list[dict]:
        return list(self.db["annotations"].rows_where(order_by="seq, id"))

    def update_annotation(self, ident: int, text: str) -> bool:
        """Replace an annotation's text; False when there is no annotation ``ident``."""
        with self.db.atomic():
            cur = self.conn.execute("UPDATE annotations SET text = ? WHERE id = ?",
                                    (text, int(ident)))
        return cur.rowcount > 0

    def delete_annotation(self, ident: int) -> bool:
        """Remove an annotation; False when there is no annotation ``ident``."""
        with self.db.atomic():
            cur = self.conn.execute("DELETE FROM annotations WHERE id = ?", (int(ident),))
        return cur.rowcount > 0

    def raw_rows(self, upto: int) -> list[dict]:
        """Event rows 1..``upto`` exactly as stored (for copying a record into a new file)."""
        cur = self.conn.execute("SELECT seq, ts, type, actor, visibility, body FROM events "
                                "WHERE seq <= ? ORDER BY seq", (int(upto),))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur]

    def integrity(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]


# --------------------------------------------------------------------------- helpers


def _connect(p: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(p, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _check_header(p: Path) -> None:
    if not p.exists():
        raise SessionFileError(f"{p}: no such file")
    if not p.is_file():
        raise SessionFileError(f"{p}: is not a file (expected a {SUFFIX} session)")
    try:
        with open(p, "rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise SessionFileError(f"{p}: cannot be read: {exc.strerror}") from None
    if len(head) == 0:
        raise SessionFileError(f"{p}: is empty (expected a {SUFFIX} session)")
    if not head.startswith(_HEADER):
        hint = " — it looks like a scenario; start a session with 'peacetable new'" \
            if head.lstrip().startswith((b"#", b"format", b"[")) else ""
        raise SessionFileError(f"{p}: is not a PeaceTable session (not an SQLite database){hint}")
    if len(head) < 100:
        raise SessionFileError(f"{p}: is truncated ({len(head)} bytes; the file was not changed)")


def _check_readonly(p: Path) -> None:
    """Validate the file with a read-only connection, so that nothing is written to it."""
    try:
        conn = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise SessionFileError(f"{p}: cannot be opened ({exc})") from None
    try:
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise SessionFileError(f"{p}: is damaged or truncated ({exc}); the file was not "
                                   "changed") from None
        if check != "ok":
            raise SessionFileError(f"{p}: is damaged ({check}); the file was not changed")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if app_id != APPLICATION_ID or "events" not in tables or "meta" not in tables:
            raise SessionFileError(f"{p}: is an SQLite database but not a PeaceTable session; "
                                   "the file was not changed")
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        version = int(row[0]) if row and str(row[0]).isdigit() else 0
        if version > SCHEMA_VERSION:
            raise SessionFileError(
                f"{p}: was written by a newer PeaceTable (session schema {version}; this version "
                f"reads up to {SCHEMA_VERSION}); update PeaceTable to open it")
        if version < 1:
            raise SessionFileError(f"{p}: has no valid schema version (damaged session)")
    finally:
        conn.close()


def _lock(p: Path) -> int | None:
    if fcntl is None:  # pragma: no cover
        return None
    try:
        fd = os.open(p, os.O_RDONLY)
    except OSError as exc:
        raise SessionFileError(f"{p}: cannot be opened: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise SessionLocked(f"{p}: is open for writing in another PeaceTable window or process; "
                            "close it there first (or open it read-only)") from None
    return fd


def _unlock(fd: int | None) -> None:
    if fd is not None:
        try:
            os.close(fd)  # closing the descriptor releases the flock
        except OSError:
            pass
