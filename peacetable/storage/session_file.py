"""One session = one self-contained SQLite file (``.peacetable``).

The file holds the schema version, a copy of the scenario it was started from, the
append-only event log and snapshots (cached folds). Writes go through one method,
:meth:`SessionStore._write_rows`, with WAL and ``synchronous=FULL``: an event is on disk
before :meth:`SessionStore.append` returns. Triggers make the event log append-only inside
SQLite itself, and every event carries a hash chaining it to the one before (see
:func:`chain_hash`), so that edits made with other tools show.

A session file is untrusted input. Opening checks, in order and with a read-only
connection (``trusted_schema=OFF``, so that no SQL stored in the file runs): it exists and
is a regular file; it starts with the SQLite header; no other process holds it open for
writing; SQLite can read it (``quick_check``); it carries PeaceTable's application id; its
schema version is one this program knows; its schema (tables, columns, indexes, triggers,
views) is exactly the schema of that version; the scenario copy matches its sha256. Only
then, and only when opened for writing, is the record verified, the file switched to WAL
and migrated. A refused open changes no byte of the file.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain as _then
from pathlib import Path

import msgspec
import sqlite_utils
from sqlite_utils.migrations import Migrations

from ..domain.events import (
    AnyBody,
    Body,
    Event,
    MoveSubmitted,
    Visibility,
    _body_decoder,  # decode_body's decoder, called without the wrapper in events()
    body_type,
    decode_body,
    decode_visibility,
    encode_body,
    encode_visibility,
)
from ..domain.state import FOLD_VERSION, State, decode_state, encode_state
from .proofs import proofs, snapshot_digest

try:  # POSIX advisory lock; independent of SQLite's own fcntl locks
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

APPLICATION_ID = 0x50454143  # "PEAC"
FORMAT_NAME = "peacetable-session"
SUFFIX = ".peacetable"
_HEADER = b"SQLite format 3\x00"
GENESIS = bytes(32)  # the "previous hash" of event 1


class SessionFileError(Exception):
    """A session file that cannot be opened or written; the message names the file."""


class SessionLocked(SessionFileError):
    """Another process has the file open for writing."""


class SessionNotWritable(SessionFileError):
    """The file or its folder may not be written by this user: it can only be replayed."""


class RecordBroken(SessionFileError):
    """The record does not verify: it may be replayed read-only but not continued."""


# --------------------------------------------------------------------------- schema

migrations = Migrations("peacetable")

_APPEND_ONLY = ("""CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
                  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END""",
                """CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
                  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END""")


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
    for sql in _APPEND_ONLY:
        db.execute(sql)
    db["meta"].upsert({"key": "schema_version", "value": "1"}, pk="key")


@migrations()
def m002_annotations(db: sqlite_utils.Database) -> None:
    """Trainer annotations: kept apart from the record, attached to an event number."""
    db["annotations"].create(
        {"id": int, "seq": int, "ts": str, "author": str, "text": str}, pk="id"
    )
    db["meta"].upsert({"key": "schema_version", "value": "2"}, pk="key")


@migrations()
def m003_hash_chain(db: sqlite_utils.Database) -> None:
    """Every event carries the hash chaining it to the one before; a snapshot records the
    chain hash at its event. Existing events are hashed as they stand."""
    db["events"].add_column("hash", bytes)
    db["snapshots"].add_column("chain", bytes)
    conn = db.conn
    prev = GENESIS
    hashes = []
    for seq, ts, typ, actor, vis, body in conn.execute(
            "SELECT seq, ts, type, actor, visibility, body FROM events ORDER BY seq"):
        prev = chain_hash(prev, seq, ts, typ, actor, vis, body)
        hashes.append((prev, seq))
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.executemany("UPDATE events SET hash = ? WHERE seq = ?", hashes)
    conn.execute(_APPEND_ONLY[0])
    conn.execute("UPDATE snapshots SET chain = (SELECT hash FROM events "
                 "WHERE events.seq = snapshots.seq)")
    if hashes:
        db["meta"].upsert({"key": "head", "value": f"{hashes[-1][1]}:{prev.hex()}"}, pk="key")
    db["meta"].upsert({"key": "schema_version", "value": "3"}, pk="key")


SCHEMA_VERSION = 3
#: the migration that brings a file to each schema version (version n: first n migrations)
_MIGRATION_NAMES = ("m001_initial", "m002_annotations", "m003_hash_chain")

_INSERT_EVENT = ("INSERT INTO events (seq, ts, type, actor, visibility, body, hash) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)")
_SET_HEAD = "INSERT OR REPLACE INTO meta (key, value) VALUES ('head', ?)"

_canon = msgspec.json.Encoder()
_NO_ROW = object()  # equal to no column's value


def chain_hash(prev: bytes, seq, ts, type_, actor, visibility, body) -> bytes:
    """SHA-256 over the previous event's hash and this event's canonical bytes.

    The canonical bytes are the JSON array ``[seq, ts, type, actor, visibility, body]``
    (the columns as stored; ``body`` and ``visibility`` are JSON text themselves)."""
    return hashlib.sha256(prev + _canon.encode((seq, ts, type_, actor, visibility, body))).digest()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RecordCheck:
    """The outcome of :meth:`SessionStore.verify_record`.

    ``intact`` is True when every event verifies; otherwise ``seq`` is the first event
    where the record breaks and ``message`` says what is wrong there."""

    intact: bool
    message: str
    seq: int | None = None
    fingerprint: str = ""  # the chain hash of the last event, as computed

    def __str__(self) -> str:
        return self.message


class Snapshot:
    """A usable snapshot: its event, its bytes, its digest (None for a file without the
    chain), whether this computer has shown it to be the fold of the events, and its state
    (decoded when first asked for)."""

    __slots__ = ("seq", "raw", "digest", "proven", "_state")

    def __init__(self, seq: int, raw: bytes, digest: bytes | None, proven: bool,
                 state: State | None = None):
        self.seq = seq
        self.raw = raw
        self.digest = digest
        self.proven = proven
        self._state = state

    @property
    def state(self) -> State:
        if self._state is None:
            self._state = decode_state(self.raw)
        return self._state


class BodyRefs(msgspec.Struct, frozen=True):
    """What :meth:`SessionStore.verify_record` reads of an event body: its type and the
    fields that name other events or scenario items (a light decode of the same JSON)."""

    type: str
    move: int | None = None
    target: int | None = None
    moves: tuple[int, ...] = ()
    agreement: int | None = None
    inject_event: int | None = None
    role: str | None = None
    template: str | None = None
    phase: str | None = None
    index: int | None = None
    inject: str | None = None
    #: an inject's effects as recorded (checked against the scenario, like its id)
    effects: dict | None = None


_TAGS = frozenset(cls.__struct_config__.tag for cls in AnyBody.__args__)  # type: ignore[attr-defined]
#: body type -> (field naming an earlier event, the type that event must have or None)
_REF_FIELDS: dict[str, tuple[str, str | None]] = {
    "move_adjudicated": ("move", "move_submitted"),
    "dice_rolled": ("move", "move_submitted"),
    "withdrawn": ("move", "move_submitted"),
    "agreement_published": ("agreement", "move_submitted"),
    "action_recorded": ("inject_event", "inject_fired"),
    "undone": ("target", None),
    "redone": ("target", None),
    "move_submitted": ("target", "move_submitted"),  # answers name their proposal
}
#: bodies that name scenario items (checked by verify_record's ``check_body``)
SCENARIO_TYPES = frozenset(("move_submitted", "phase_started", "inject_fired"))
_refs_decoder = msgspec.json.Decoder(BodyRefs)
#: body types whose fields verify_record checks one by one (beyond the scenario's types)
_LOOKED_AT = frozenset((*_REF_FIELDS, "moves_revealed", "session_started"))
#: body types whose ``move`` names a move that must come before them
_ON_MOVES = frozenset(t for t, (field, want) in _REF_FIELDS.items()
                      if field == "move" and want == "move_submitted")


class SessionStore:
    """An open session file. Use :meth:`create`, :meth:`open` or :meth:`open_checked`;
    close when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock_fd: int | None, readonly: bool,
                 version: int = SCHEMA_VERSION):
        self.path = path
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._lock_fd = lock_fd
        self.readonly = readonly
        #: schema version of the file as it stands
        self.schema_version = version
        #: things a reader should know that did not stop the file from opening
        self.warnings: list[str] = []
        #: SQLite's quick_check of the file when it was opened ("ok": else it is refused)
        self.health = "ok"
        self._distrusted: dict[int, str] = {}
        self._computed_head: bytes | None = None
        self._refresh()

    def _refresh(self) -> None:
        conn = self.conn
        row = conn.execute("SELECT MAX(seq) FROM events").fetchone()
        self.last_seq: int = row[0] or 0
        self._last_snapshot: int = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM snapshots").fetchone()[0]
        self._head: bytes | None = GENESIS
        if self.last_seq and self.schema_version >= 3:
            h = conn.execute("SELECT hash FROM events WHERE seq = ?", (self.last_seq,)).fetchone()
            self._head = h[0] if h and isinstance(h[0], bytes) else None
        elif self.last_seq:
            self._head = None  # no chain stored: computed on demand

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
        """Open for replay (``readonly``) or for writing. Writing also verifies the whole
        record first (:class:`RecordBroken` if it does not verify)."""
        store = cls.open_checked(path, lock=not readonly)
        if readonly:
            return store
        try:
            check = store.verify_record()
            if not check.intact:
                raise RecordBroken(f"{store.path}: {check.message}; the file was not changed "
                                   "(it can still be replayed read-only)")
            store.begin_writing()
            return store
        except BaseException:
            store.close()
            raise

    @classmethod
    def open_checked(cls, path: str | Path, lock: bool = False) -> SessionStore:
        """Every opening check on a read-only connection; the store stays read-only until
        :meth:`begin_writing`. ``lock``: take the write lock now (refused if held)."""
        p = Path(path)
        _check_header(p)
        fd = _lock(p) if lock else None
        conn = None
        try:
            conn = _connect_ro(p)
            version = _check_file(p, conn)
            store = cls(p, conn, fd, readonly=True, version=version)
            store.scenario()  # the copy is there and matches its sha256
            return store
        except sqlite3.OperationalError as exc:
            _close_quietly(conn)
            _unlock(fd)
            if _is_busy(exc):
                raise SessionLocked(_locked_message(p)) from None
            raise SessionFileError(f"{p}: cannot be read as a session ({exc}); the file was not "
                                   "changed") from None
        except sqlite3.DatabaseError as exc:
            _close_quietly(conn)
            _unlock(fd)
            raise SessionFileError(f"{p}: cannot be read as a session ({exc}); the file was not "
                                   "changed") from None
        except BaseException:
            _close_quietly(conn)
            _unlock(fd)
            raise

    def begin_writing(self) -> None:
        """Switch a checked store to writing: WAL, ``synchronous=FULL``, pending migrations.

        The first call that may change the file; call it only when every check passed."""
        if not self.readonly:
            return
        if self._lock_fd is None:
            self._lock_fd = _lock(self.path)
        why = not_writable_reason(self.path)
        if why:
            raise SessionNotWritable(f"{self.path}: {why}; it can be replayed but not continued")
        self.conn.close()
        try:
            conn = _connect(self.path)
            db = sqlite_utils.Database(conn)
            if migrations.pending(db):
                migrations.apply(db)
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise SessionLocked(_locked_message(self.path)) from None
            raise SessionFileError(f"{self.path}: cannot be written ({exc})") from None
        self.conn = conn
        self.db = db
        self.readonly = False
        self.schema_version = SCHEMA_VERSION
        self._refresh()

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

    def set_meta(self, key: str, value: str) -> None:
        """Store a setting beside the record (never an event: the record stays as it is)."""
        if self.readonly:
            raise SessionFileError(f"{self.path}: is open read-only; settings cannot be changed")
        try:
            with self.conn:
                self.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                                  (key, value))
        except sqlite3.Error as exc:
            raise SessionFileError(f"{self.path}: could not save the setting '{key}' "
                                   f"({exc})") from None

    def scenario(self) -> tuple[str, str, str]:
        """(text, source, sha256) of the scenario copy stored in the file, checked against
        its sha256."""
        row = self.conn.execute("SELECT text, source, sha256 FROM scenario WHERE id = 1").fetchone()
        if row is None:
            raise SessionFileError(f"{self.path}: holds no scenario copy (damaged session)")
        text, source, sha = row
        if not isinstance(text, str) or not isinstance(sha, str) or sha256_text(text) != sha:
            raise SessionFileError(f"{self.path}: its scenario copy was changed after the session "
                                   "was created (it does not match its sha256); the file was "
                                   "not changed")
        return text, str(source), sha

    def append(self, items: list[tuple[Body, Visibility]], ts: str | None = None) -> list[Event]:
        """Append events in one transaction; durable when this returns."""
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

    def _write_rows(self, rows: Iterable[Mapping]) -> None:
        """Insert event rows (mappings with seq, ts, type, actor, visibility and body, the
        columns as stored) with their chain hashes, in one transaction: the only way events
        enter a file. Numbers must continue the log without a gap. Copying another file's
        rows through here reproduces its chain exactly."""
        if self.readonly:
            raise SessionFileError(f"{self.path}: opened read-only")
        prev = self._head
        if prev is None:
            raise SessionFileError(f"{self.path}: its record has no chain to continue")
        seq = self.last_seq
        out = []
        for r in rows:
            s = r["seq"]
            if s != seq + 1:
                raise SessionFileError(f"{self.path}: event {s} cannot follow event {seq}")
            vals = (s, r["ts"], r["type"], r["actor"], r["visibility"], r["body"])
            prev = chain_hash(prev, *vals)
            out.append((*vals, prev))
            seq = s
        if not out:
            return
        try:
            with self.db.atomic():
                # one prepared INSERT per event: sqlite-utils' table.insert introspects the
                # table on every call, which costs more than the write itself here
                self.conn.executemany(_INSERT_EVENT, out)
                self.conn.execute(_SET_HEAD, (f"{seq}:{prev.hex()}",))
        except sqlite3.Error as exc:
            raise SessionFileError(f"{self.path}: could not write the event ({exc}); nothing "
                                   "was recorded") from None
        self.last_seq = seq
        self._head = prev

    def iter_rows(self, after: int = 0, upto: int | None = None) -> Iterator[tuple]:
        sql = "SELECT seq, ts, visibility, body FROM events WHERE seq > ?"
        args: list = [after]
        if upto is not None:
            sql += " AND seq <= ?"
            args.append(upto)
        return self.conn.execute(sql + " ORDER BY seq", args)

    def events(self, after: int = 0, upto: int | None = None) -> list[Event]:
        """Events ``after`` < seq <= ``upto``, decoded. Each is checked against the chain
        from the stored hash of event ``after``: what is decoded is what was recorded (short
        of someone recomputing the chain, see :meth:`verify_record`)."""
        chained = self.schema_version >= 3
        sql = "SELECT seq, ts, type, actor, visibility, body" + (", hash" if chained else "") + \
            " FROM events WHERE seq > ?"
        args: list = [after]
        if upto is not None:
            sql += " AND seq <= ?"
            args.append(upto)
        sql += " ORDER BY seq"
        try:
            prev = self.chain_at(after) if chained else None
            if chained:
                if prev is None:
                    raise ValueError(f"event {after} carries no chain hash")
                out = self._events_intact(sql, args, after, prev)
                if out is not None:
                    return out
            # something is wrong (or the record predates the chain): read again, row by row,
            # to name the first problem
            return self._events_each(sql, args, after, prev)
        except (sqlite3.Error, ValueError, TypeError) as exc:
            raise SessionFileError(f"{self.path}: an event cannot be read ({exc}); the file may "
                                   "be damaged or edited ('peacetable info' names the first "
                                   "broken event)") from None

    def _events_intact(self, sql: str, args: list, after: int, prev: bytes) -> list[Event] | None:
        """:meth:`events` of a chained record, with as few steps per row as it can (this
        loop is the read of every cold fold): None at the first thing that is not as it
        should be, which :meth:`_events_each` then finds and words. Every row is checked
        against the chain, hashed from a copy of an empty SHA-256 (cheaper than a new one);
        the numbers, the table's integer key read in order, are checked at the end."""
        vis: dict[str, Visibility] = {}  # few distinct visibilities: decode each once
        out: list[Event] = []
        append = out.append
        fresh, canon, decode = hashlib.sha256().copy, _canon.encode, _body_decoder.decode
        last: object = _NO_ROW  # the visibility of the row before, as stored, and decoded
        w: Visibility | None = None
        try:
            for s, t, typ, actor, v, b, h in self.conn.execute(sql, args):
                x = fresh()
                x.update(prev)
                x.update(canon((s, t, typ, actor, v, b)))
                prev = x.digest()
                if h != prev:
                    return None
                if v != last:  # most rows have the visibility of the row before
                    w = vis.get(v)
                    if w is None:
                        if v is None:
                            return None
                        w = vis[v] = decode_visibility(v)
                    last = v
                append(Event(s, t if type(t) is str else str(t), w, decode(b)))  # b None: TypeError
        except (ValueError, TypeError):  # a body or visibility that cannot be decoded
            return None
        # increasing integers run without a gap from after + 1 exactly when the last is
        # after + their count
        if out and (out[0].seq != after + 1 or out[-1].seq != after + len(out)):
            return None
        return out

    def _events_each(self, sql: str, args: list, after: int, prev: bytes | None) -> list[Event]:
        """:meth:`events` row by row: raises ValueError naming the first problem."""
        vis: dict[str, Visibility] = {}
        chained = prev is not None
        out: list[Event] = []
        expect = after + 1
        for row in self.conn.execute(sql, args):
            if chained:
                s, t, typ, actor, v, b, h = row
                prev = chain_hash(prev, s, t, typ, actor, v, b)
                if h != prev:
                    if s != expect:  # a gap or a swap: say that rather than the hash
                        raise ValueError(f"event {expect} is missing" if s > expect
                                         else f"event number {s} is out of order")
                    raise ValueError(f"event {s} was changed after it was recorded (it "
                                     "does not match the record's chain)")
            else:
                s, t, typ, actor, v, b = row
            if s != expect:
                raise ValueError(f"event {expect} is missing" if s > expect else
                                 f"event number {s} is out of order")
            if b is None or v is None:
                raise ValueError(f"event {s} has no {'body' if b is None else 'visibility'}")
            w = vis.get(v)
            if w is None:
                w = vis[v] = decode_visibility(v)
            out.append(Event(s, t if type(t) is str else str(t), w, decode_body(b)))
            expect += 1
        return out

    # ------------------------------------------------------------------ the chain
    def fingerprint(self) -> str:
        """The record's fingerprint: the chain hash of its newest event, in hex (as stored;
        computed for files from before the chain). The empty record's is all zeros."""
        if self._head is not None:
            return self._head.hex()
        if self._computed_head is None:
            self._computed_head = bytes.fromhex(self.verify_record().fingerprint or GENESIS.hex())
        return self._computed_head.hex()

    def chain_at(self, seq: int) -> bytes | None:
        """The stored chain hash of event ``seq`` (None before schema 3 or if missing)."""
        if seq == 0:
            return GENESIS
        if self.schema_version < 3:
            return None
        row = self.conn.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()
        return row[0] if row and isinstance(row[0], bytes) else None

    def verify_record(self, check_body: Callable[[int, BodyRefs], str | None] | None = None
                      ) -> RecordCheck:
        """Recompute the chain over every event and check each one can be read and refers
        only to events that exist. ``check_body(seq, refs)`` adds checks against the
        scenario for the bodies that name scenario items (moves, phases, injects: see
        :data:`SCENARIO_TYPES`); it returns what is wrong, or None. Its answer must depend
        only on the body's type, role, template, phase, index, inject and effects: a
        combination found sound is not asked about again (a body with effects always is).

        Returns the first problem found, or "record intact". What this proves: no event was
        edited, removed or inserted with another tool since it was written, unless whoever
        did it recomputed every hash after it — the chain is not a signature."""
        if self.schema_version >= 3:
            fast = self._verify_fast(check_body)
            if fast is not None:
                return fast
        return self._verify_each(check_body)

    def _verify_fast(self, check_body: Callable[[int, BodyRefs], str | None] | None
                     ) -> RecordCheck | None:
        """:meth:`verify_record` for an intact chained record, with as few Python steps
        per event as it can: an event whose body names no other event and no scenario item
        (most of a record) costs a light decode, one comparison of types, the hash and its
        comparison. Returns "record intact", or None at the first thing that is not as it
        should be: :meth:`_verify_each` then finds and words the first problem."""
        decode = _refs_decoder.decode
        enc = _canon.encode
        sha = hashlib.sha256
        refs = _REF_FIELDS
        tags = _TAGS
        scenario_types = SCENARIO_TYPES if check_body is not None else frozenset()
        special = _LOOKED_AT | scenario_types
        on_moves = _ON_MOVES
        types: list[str | None] = [None]  # types[n]: type of event n
        append = types.append
        sound: set[tuple] = set()
        seen_vis: set = set()
        prev = GENESIS
        expect = 1
        try:
            cur = self.conn.execute("SELECT seq, ts, type, actor, visibility, body, hash "
                                    "FROM events ORDER BY seq")
            first = cur.fetchone()
            if first is None or first[2] != "session_started":
                return None if first is not None else self._verify_each(check_body)
            for seq, ts, typ, actor, vis, body, stored in _then((first,), cur):
                b = decode(body)
                if b.type != typ or seq != expect:
                    return None
                if vis not in seen_vis:
                    decode_visibility(vis)
                    seen_vis.add(vis)
                if typ == "move_submitted":  # the commonest, checked in line
                    if b.role != actor:
                        return None
                    t = b.target
                    if t is not None and not (0 < t < seq and types[t] == typ):
                        return None
                    if check_body is not None:
                        key = (typ, b.role, b.template, None, None, None)
                        if key not in sound:
                            if check_body(seq, b):
                                return None
                            sound.add(key)
                elif typ in on_moves:  # a ruling, a roll, a withdrawal: names a move
                    t = b.move
                    if t is None or not 0 < t < seq or types[t] != "move_submitted":
                        return None
                elif typ in special:
                    ref = refs.get(typ)
                    if ref is not None:
                        target = getattr(b, ref[0])
                        if not isinstance(target, int) or not 0 < target < seq or \
                                (ref[1] is not None and types[target] != ref[1]):
                            return None
                    if typ == "moves_revealed":
                        for m in b.moves:
                            if not 0 < m < seq or types[m] != "move_submitted":
                                return None
                    elif typ == "session_started" and seq != 1:
                        return None
                    if typ in scenario_types:
                        key = (typ, b.role, b.template, b.phase, b.index, b.inject)
                        if key not in sound or b.effects:
                            if check_body(seq, b):  # type: ignore[misc]
                                return None
                            sound.add(key)
                elif typ not in tags:
                    return None
                prev = sha(prev + enc((seq, ts, typ, actor, vis, body))).digest()
                if stored != prev:
                    return None
                append(typ)
                expect += 1
            head = self.conn.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
        except (sqlite3.Error, msgspec.DecodeError, TypeError, ValueError):
            return None
        if head is not None and head[0] != f"{expect - 1}:{prev.hex()}":
            return None
        self._computed_head = prev
        return RecordCheck(True, "record intact", None, prev.hex())

    def _verify_each(self, check_body: Callable[[int, BodyRefs], str | None] | None
                     ) -> RecordCheck:
        """:meth:`verify_record` event by event: finds and words the first problem."""
        chained = self.schema_version >= 3
        cols = "seq, ts, type, actor, visibility, body" + (", hash" if chained else "")
        prev = GENESIS
        expect = 1
        types: list[str | None] = [None]  # types[n]: type of event n
        # hot loop: local names, a light decode of each body, one dict look-up per type
        decode = _refs_decoder.decode
        sha = hashlib.sha256
        enc = _canon.encode
        tags = _TAGS
        refs = _REF_FIELDS
        scenario_types = SCENARIO_TYPES if check_body is not None else ()
        sound: set[tuple] = set()  # scenario items check_body found sound
        seen_vis: set[str] = set()
        append = types.append

        def broken(seq: int, what: str) -> RecordCheck:
            return RecordCheck(False, f"the record breaks at event {seq}: {what}", seq, prev.hex())

        try:
            cur = self.conn.execute(f"SELECT {cols} FROM events ORDER BY seq" if chained else
                                    f"SELECT {cols}, NULL FROM events ORDER BY seq")
            for seq, ts, typ, actor, vis, body, stored in cur:
                if seq != expect:
                    if not isinstance(seq, int) or seq < 1:
                        return broken(expect, f"an event is numbered {seq!r} (numbers start at 1)")
                    if seq < expect:
                        return broken(seq, "its number appears twice")
                    return broken(expect, f"event {expect} is missing (the record jumps from "
                                          f"event {expect - 1} to {seq}): a row was deleted")
                if body is None:
                    return broken(seq, "it has no body (NULL)")
                try:
                    b = decode(body)
                    if vis not in seen_vis:
                        decode_visibility(vis)
                        seen_vis.add(vis)
                except (msgspec.DecodeError, TypeError) as exc:
                    return broken(seq, f"its content cannot be read ({exc})")
                btype = b.type
                if btype != typ:
                    return broken(seq, f"its type column says '{typ}' but its body is '{btype}'")
                ref = refs.get(btype)
                if ref is not None:
                    target = getattr(b, ref[0])
                    if target is not None or btype != "move_submitted":
                        problem = _bad_reference(types, target, ref[1])
                        if problem:
                            return broken(seq, problem)
                if btype == "move_submitted":
                    if b.role != actor:
                        return broken(seq, f"its actor '{actor}' is not the role '{b.role}' "
                                           "that made the move")
                elif btype not in tags:
                    return broken(seq, f"it is of an unknown type '{btype}'")
                elif btype == "moves_revealed":
                    for m in b.moves:
                        problem = _bad_reference(types, m, "move_submitted")
                        if problem:
                            return broken(seq, problem)
                elif btype == "session_started" and seq != 1:
                    return broken(seq, "a second session_started")
                if seq == 1 and btype != "session_started":
                    return broken(1, "the record does not start with session_started")
                if btype in scenario_types:
                    key = (btype, b.role, b.template, b.phase, b.index, b.inject)
                    if key not in sound or b.effects:  # effects: checked every time
                        problem = check_body(seq, b)  # type: ignore[misc]
                        if problem:
                            return broken(seq, problem)
                        sound.add(key)
                h = sha(prev + enc((seq, ts, typ, actor, vis, body))).digest()
                if chained:
                    if stored != h:
                        if stored is None:
                            return broken(seq, "it carries no chain hash (added with another tool)")
                        return broken(seq, "it was changed after it was recorded (its content — "
                                           "body, visibility, time or number — no longer "
                                           "matches the chain)")
                append(btype)
                prev = h
                expect += 1
        except sqlite3.Error as exc:
            return RecordCheck(False, f"the record cannot be read ({exc})", expect, prev.hex())
        if chained:
            head = self.conn.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
            last = expect - 1
            if head is not None and head[0] != f"{last}:{prev.hex()}":
                n, _, hx = str(head[0]).partition(":")
                if n.isdigit() and int(n) > last:
                    return RecordCheck(False, f"the record ends at event {last} but was last "
                                              f"written at event {n}: events were removed from "
                                              "its end", last + 1, prev.hex())
                return RecordCheck(False, f"the record's last event {last} is not the one last "
                                          "written", last, prev.hex())
        self._computed_head = prev
        return RecordCheck(True, "record intact", None, prev.hex())

    # ------------------------------------------------------------------ snapshots
    def save_snapshot(self, state: State) -> None:
        """Store ``state`` as the snapshot at its event. The caller vouches that it is the
        fold of the events (it folded them, from the start or from a proven snapshot): it
        is recorded as proven on this computer (see :mod:`.proofs`)."""
        if self.readonly or state.seq <= self._last_snapshot or state.seq > self.last_seq:
            return
        self._write_snapshots([state])
        self._last_snapshot = state.seq

    def _write_snapshots(self, states: list[State]) -> None:
        rows, digests = [], []
        for state in states:
            chain = self._head if state.seq == self.last_seq else self.chain_at(state.seq)
            raw = encode_state(state)
            rows.append({"seq": state.seq, "fold_version": FOLD_VERSION, "state": raw,
                         "chain": chain})
            if chain is not None:
                digests.append(snapshot_digest(FOLD_VERSION, state.seq, chain, raw))
        with self.db.atomic():
            self.db["snapshots"].insert_all(rows, replace=True)
        proofs().add(digests)

    def stale_snapshot_seqs(self) -> list[int]:
        """Events whose snapshot was written by another fold version (ascending)."""
        return [r[0] for r in self.conn.execute(
            "SELECT seq FROM snapshots WHERE fold_version IS NOT ? ORDER BY seq", (FOLD_VERSION,))
            if isinstance(r[0], int)]

    def replace_snapshots(self, states: list[State]) -> None:
        """Write ``states`` (folds of the events, by the caller) as snapshots of this fold
        version, replacing any snapshot at their events, in one transaction. Only the
        snapshots table changes: the events are never touched."""
        if self.readonly:
            raise SessionFileError(f"{self.path}: opened read-only")
        states = [s for s in states if 0 < s.seq <= self.last_seq]
        if not states:
            return
        try:
            self._write_snapshots(states)
        except sqlite3.Error as exc:
            raise SessionFileError(f"{self.path}: could not write snapshots ({exc})") from None
        self._last_snapshot = max(self._last_snapshot, *(s.seq for s in states))

    def snapshot_counts(self) -> tuple[int, int]:
        """(snapshots of this fold version, snapshots of another one)."""
        cur, other = self.conn.execute(
            "SELECT COALESCE(SUM(fold_version IS ?), 0), COALESCE(SUM(fold_version IS NOT ?), 0) "
            "FROM snapshots", (FOLD_VERSION, FOLD_VERSION)).fetchone()
        return int(cur), int(other)

    @property
    def last_snapshot_seq(self) -> int:
        return self._last_snapshot

    def snapshot_records(self, seq: int) -> Iterator[Snapshot]:
        """Usable snapshots at or before event ``seq``, newest first, each with whether
        this computer has shown it true (:attr:`Snapshot.proven`). Usable: of this fold
        version, readable, and recording the chain hash of their event. Any other snapshot
        is skipped with a warning (it is only a cache: the events are the record); one of
        an older fold version is skipped silently."""
        chained = self.schema_version >= 3
        cols = "seq, fold_version, state" + (", chain" if chained else "")
        rows = self.conn.execute(
            f"SELECT {cols} FROM snapshots WHERE seq <= ? ORDER BY seq DESC", (seq,))
        book = proofs()
        for row in rows:
            sseq, version, raw = row[:3]
            if sseq in self._distrusted:
                continue
            if version != FOLD_VERSION:
                continue  # an older fold's cache: not a fault
            problem = None
            chain = None
            if not isinstance(sseq, int) or not 0 < sseq <= self.last_seq:
                problem = "it is for an event the record does not have"
            elif chained and (row[3] is None or row[3] != (chain := self.chain_at(sseq))):
                problem = "it does not match the record's chain at that event"
            elif not isinstance(raw, bytes):
                problem = "it cannot be read"
            digest = None
            if problem is None and chain is not None:
                digest = snapshot_digest(version, sseq, chain, raw)
                if book.known(digest):  # shown true here: its bytes are a fold of the events
                    yield Snapshot(sseq, raw, digest, True)
                    continue
            if problem is None:
                try:
                    state = decode_state(raw)
                except Exception:
                    problem = "it cannot be read"
                else:
                    if state.seq != sseq:
                        problem = f"it claims to be the state after event {state.seq}"
            if problem:
                self.distrust(sseq, problem)
                continue
            yield Snapshot(sseq, raw, digest, False, state)

    def snapshots_at_or_before(self, seq: int) -> Iterator[State]:
        """The states of :meth:`snapshot_records` (proven or not: see there)."""
        for snap in self.snapshot_records(seq):
            yield snap.state

    def prove(self, snaps: Iterable[Snapshot]) -> None:
        """Record snapshots the caller has compared with a fold of the events."""
        proofs().add(s.digest for s in snaps if s.digest is not None)

    def distrust(self, seq: int, why: str) -> None:
        """Ignore the snapshot at ``seq`` from now on, with a warning."""
        if seq not in self._distrusted:
            self._distrusted[seq] = why
            self.warnings.append(f"{self.path}: the snapshot at event {seq} is ignored ({why}); "
                                 "the state is folded from the events instead")

    @property
    def distrusted(self) -> dict[int, str]:
        """Events whose snapshot is ignored, with why (see :meth:`distrust`)."""
        return dict(self._distrusted)

    def snapshot_at_or_before(self, seq: int) -> State | None:
        return next(self.snapshots_at_or_before(seq), None)

    # ------------------------------------------------------------------ annotations
    def annotate(self, seq: int, text: str, author: str = "") -> int:
        row = {"seq": seq, "ts": _now(), "author": author, "text": text}
        cur = self._annotation_write("INSERT INTO annotations (seq, ts, author, text) "
                                     "VALUES (:seq, :ts, :author, :text)", row)
        return int(cur.lastrowid or 0)

    def _annotation_write(self, sql: str, params) -> sqlite3.Cursor:
        """Run one write to the annotations table. A store opened for replay writes it
        alone (no WAL switch, no migration) and holds the write lock only meanwhile."""
        if not self.readonly:
            with self.db.atomic():
                return self.conn.execute(sql, params)
        why = self.replay_note()
        if why:
            raise SessionFileError(f"{self.path}: cannot write the annotation: {why}")
        fd = _lock(self.path)
        try:
            conn = sqlite3.connect(self.path, timeout=2.0)
            try:
                _harden(conn)
                conn.execute("PRAGMA synchronous = FULL")
                with conn:
                    return conn.execute(sql, params)
            except sqlite3.Error as exc:
                raise SessionFileError(f"{self.path}: cannot write the annotation ({exc})") from None
            finally:
                conn.close()
        finally:
            _unlock(fd)

    def replay_note(self) -> str | None:
        """Why annotations cannot be written to this file now, or None if they can."""
        if not self.readonly:
            return None
        if self.schema_version < SCHEMA_VERSION:
            return (f"it uses an older session schema ({self.schema_version}); open it for "
                    "writing once to bring it up to date")
        why = not_writable_reason(self.path)
        if why:
            return why
        if fcntl is not None:
            try:
                fd = os.open(self.path, os.O_RDONLY)
            except OSError as exc:
                return f"it cannot be opened ({exc.strerror})"
            os.close(fd)
        if self.writer_active():
            return "another PeaceTable window or process has it open for writing"
        return None

    def writer_active(self) -> bool:
        """Does a program (this one included, through another opening) hold the file's
        write lock now? False when this store is the writer or the lock cannot be probed."""
        if not self.readonly or fcntl is None:
            return False
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        finally:
            os.close(fd)  # releases the probe lock at once
        return False

    def annotations(self) -> list[dict]:
        if self.schema_version < 2:
            return []
        return list(self.db["annotations"].rows_where(order_by="seq, id"))

    def update_annotation(self, ident: int, text: str) -> bool:
        """Replace an annotation's text; False when there is no annotation ``ident``."""
        cur = self._annotation_write("UPDATE annotations SET text = ? WHERE id = ?",
                                     (text, int(ident)))
        return cur.rowcount > 0

    def delete_annotation(self, ident: int) -> bool:
        """Remove an annotation; False when there is no annotation ``ident``."""
        cur = self._annotation_write("DELETE FROM annotations WHERE id = ?", (int(ident),))
        return cur.rowcount > 0

    def raw_rows(self, upto: int) -> list[dict]:
        """Event rows 1..``upto`` exactly as stored (for copying a record into a new file)."""
        cur = self.conn.execute("SELECT seq, ts, type, actor, visibility, body FROM events "
                                "WHERE seq <= ? ORDER BY seq", (int(upto),))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur]

    def integrity(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]


def _bad_reference(types: list[str | None], target, want: str | None) -> str | None:
    if not isinstance(target, int) or not 0 < target < len(types):
        return f"it refers to event {target}, which does not come before it"
    if want is not None and types[target] != want:
        what = "move" if want == "move_submitted" else "inject"
        return f"it refers to {what} {target}, but event {target} is a {types[target]}"
    return None


# --------------------------------------------------------------------------- helpers


def _harden(conn: sqlite3.Connection) -> None:
    """No SQL stored in the file (triggers, views) may call functions with side effects."""
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA cell_size_check = ON")


def _connect(p: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(p, check_same_thread=False, timeout=2.0)
    _harden(conn)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _connect_ro(p: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(f"file:{p}?mode=ro", uri=True, check_same_thread=False,
                               timeout=1.0)
    except sqlite3.Error as exc:
        raise SessionFileError(f"{p}: cannot be opened ({exc})") from None
    _harden(conn)
    conn.execute("PRAGMA query_only = ON")
    return conn


def _close_quietly(conn: sqlite3.Connection | None) -> None:
    if conn is not None:
        try:
            conn.close()
        except sqlite3.Error:
            pass


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _locked_message(p: Path) -> str:
    return (f"{p}: is locked by another program that is writing to it; the file was not "
            "changed (close it there, or try again in a moment)")


def not_writable_reason(p: Path) -> str | None:
    """Why this user may not write ``p`` (the file, or its folder for SQLite's journal), or
    None. Uses the permission check the system itself applies (``os.access``)."""
    if not os.access(p, os.W_OK):
        return "you may not write this file (it is read-only for you)"
    folder = p.parent if str(p.parent) else Path(".")
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"you may not write its folder {folder} (SQLite needs it for its journal)"
    return None


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


def _check_file(p: Path, conn: sqlite3.Connection) -> int:
    """The read-only checks; returns the file's schema version."""
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise
        raise SessionFileError(f"{p}: is damaged or truncated ({exc}); the file was not "
                               "changed") from None
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
    try:
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise
        raise SessionFileError(f"{p}: its meta table cannot be read ({exc}); the file was "
                               "not changed") from None
    version = int(row[0]) if row and str(row[0]).isdigit() else 0
    if version > SCHEMA_VERSION:
        raise SessionFileError(
            f"{p}: was written by a newer PeaceTable (session schema {version}; this version "
            f"reads up to {SCHEMA_VERSION}); update PeaceTable to open it")
    if version < 1:
        raise SessionFileError(f"{p}: has no valid schema version (damaged session)")
    problem = schema_difference(conn, version)
    if problem:
        raise SessionFileError(f"{p}: {problem}; PeaceTable refuses a session file whose schema "
                               "was changed (the file was not changed)")
    return version


# --------------------------------------------------------------------------- exact schema

_QUOTES = re.compile(r'[\[\]"`]')
_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"\s*([(),;])\s*")


def _norm_sql(sql) -> str | None:
    if sql is None:
        return None
    s = _SPACE.sub(" ", _QUOTES.sub("", str(sql))).strip()
    return _PUNCT.sub(r"\1", s).lower()


def _schema_of(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple]:
    """(type, name) -> normalised definition of every schema object, with the columns of
    tables and indexes as SQLite reports them."""
    out: dict[tuple[str, str], tuple] = {}
    for typ, name, tbl, sql in conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"):
        detail: tuple = ()
        if typ == "table":
            detail = tuple(conn.execute(
                "SELECT cid, name, lower(type), \"notnull\", dflt_value, pk, hidden "
                "FROM pragma_table_xinfo(?)", (name,)))
        elif typ == "index":
            detail = tuple(conn.execute(
                "SELECT seqno, cid, name, \"desc\", coll, key FROM pragma_index_xinfo(?)", (name,)))
        out[(str(typ), str(name))] = (str(tbl).lower(), _norm_sql(sql), detail)
    return out


@lru_cache(maxsize=None)
def expected_schema(version: int) -> dict[tuple[str, str], tuple]:
    """The schema PeaceTable creates for ``version``, built by running its migrations."""
    conn = sqlite3.connect(":memory:")
    try:
        db = sqlite_utils.Database(conn)
        stop = _MIGRATION_NAMES[version] if version < len(_MIGRATION_NAMES) else None
        migrations.apply(db, stop_before=stop)
        return _schema_of(conn)
    finally:
        conn.close()


def _show(name: str) -> str:
    return "'" + name.encode("unicode_escape").decode("ascii") + "'"


def schema_difference(conn: sqlite3.Connection, version: int) -> str | None:
    """What makes the file's schema differ from PeaceTable's schema ``version``, or None."""
    want = expected_schema(version)
    have = _schema_of(conn)
    for key in sorted(set(have) - set(want)):
        return f"has an extra {key[0]} {_show(key[1])} that PeaceTable does not create " \
               f"(schema {version})"
    for key in sorted(set(want) - set(have)):
        return f"lacks the {key[0]} {_show(key[1])} of session schema {version}"
    for key in sorted(want):
        if want[key] != have[key]:
            what = "its columns" if key[0] in ("table", "index") and \
                want[key][2] != have[key][2] else "its definition"
            return f"the {key[0]} {_show(key[1])} differs from session schema {version} " \
                   f"({what} changed)"
    applied = [r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'peacetable' ORDER BY rowid")]
    if applied != list(_MIGRATION_NAMES[:version]):
        return (f"its migration history ({', '.join(applied) or 'none'}) does not match "
                f"session schema {version}")
    return None


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


# --------------------------------------------------------------------------- peek


@dataclass(frozen=True)
class SessionPeek:
    """What a list of recent sessions shows, read without decoding or checking the record."""

    title: str
    scenario_title: str
    scenario_text: str
    created_at: str
    last_ts: str
    events: int
    phase: str | None  # the phase reached (its id), None before the first advance
    phase_index: int | None


def peek(path: str | Path) -> SessionPeek:
    """Read a session's title, phase reached and last activity cheaply: a read-only look at
    its meta table, its first event and its phase starts (undone ones left out). Raises
    :class:`SessionFileError` for a file that is not a readable session; nothing is written."""
    p = Path(path)
    _check_header(p)
    conn = None
    try:
        conn = _connect_ro(p)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID or \
                not {"events", "meta", "scenario"} <= tables:
            raise SessionFileError(f"{p}: is an SQLite database but not a PeaceTable session")
        meta = {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM meta")}
        text_row = conn.execute("SELECT text FROM scenario WHERE id = 1").fetchone()
        first = conn.execute("SELECT body FROM events WHERE seq = 1 AND type = 'session_started'"
                             ).fetchone()
        last = conn.execute("SELECT seq, ts FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        cancelled: dict[int, bool] = {}
        for type_, body in conn.execute("SELECT type, body FROM events WHERE type IN "
                                        "('undone', 'redone') ORDER BY seq"):
            target = _json_field(body, "target")
            if isinstance(target, int):
                cancelled[target] = type_ == "undone"
        phase: tuple[str, int] | None = None
        for seq, body in conn.execute("SELECT seq, body FROM events WHERE type = 'phase_started' "
                                      "ORDER BY seq DESC"):
            if not cancelled.get(seq):
                pid, index = _json_field(body, "phase"), _json_field(body, "index")
                if isinstance(pid, str) and isinstance(index, int):
                    phase = (pid, index)
                break
    except sqlite3.DatabaseError as exc:
        raise SessionFileError(f"{p}: cannot be read as a session ({exc})") from None
    finally:
        _close_quietly(conn)
    title = _json_field(first[0], "title") if first else None
    return SessionPeek(
        title=title if isinstance(title, str) else "",
        scenario_title=meta.get("scenario_title", ""),
        scenario_text=str(text_row[0]) if text_row and text_row[0] is not None else "",
        created_at=meta.get("created_at", ""),
        last_ts=str(last[1]) if last else meta.get("created_at", ""),
        events=int(last[0]) if last else 0,
        phase=phase[0] if phase else None,
        phase_index=phase[1] if phase else None)


def _json_field(body, name: str):
    try:
        data = msgspec.json.decode(body if isinstance(body, (str, bytes)) else b"")
    except msgspec.DecodeError:
        return None
    return data.get(name) if isinstance(data, dict) else None
