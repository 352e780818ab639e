"""Snapshots this installation has shown to be true, kept in the user's data folder.

A snapshot is a cached fold stored inside a session file, so it is as untrusted as the file:
whoever edits the file can write any state into it (and into the snapshot before it, so that
one checks against the other). It is used only once its truth has been shown *here*: this
program folded the events to that very state — it wrote the snapshot itself after folding,
or it compared the snapshot with a fold of the events from a state already shown true.

What is kept is a digest per proven snapshot: SHA-256 over the fold version, the event
number, the record's chain hash at that event (which stands for every event up to it) and
the snapshot's bytes (see :func:`snapshot_digest`). A file from elsewhere carries no proof
that counts: its snapshots are checked by folding the first time they are needed, and are
fast from then on. The digests live in ``snapshot-proofs.sqlite`` in the user's data folder
(``platformdirs.user_data_dir("peacetable")``), outside every session file; if that folder
cannot be written, proofs are kept for the running program only. It is a cache of work
done, never a record: deleting it costs time, not truth.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

FILE_NAME = "snapshot-proofs.sqlite"
_PREFIX = b"peacetable-snapshot-proof\x00"


def snapshot_digest(fold_version: int, seq: int, chain: bytes, state: bytes) -> bytes:
    """What is kept of a proven snapshot: the fold version, its event, the chain hash of
    that event and the snapshot's bytes, hashed together."""
    head = f"{int(fold_version)}:{int(seq)}:".encode()
    return hashlib.sha256(_PREFIX + head + bytes(chain) + b"\x00" + bytes(state)).digest()


def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("peacetable", appauthor=False)) / FILE_NAME


class ProofBook:
    """The digests of snapshots shown true on this computer (see the module docstring)."""

    def __init__(self, path: Path | None = None):
        self._path = path
        self._memory: set[bytes] = set()
        self._conn: sqlite3.Connection | None = None
        self._opened = False
        self._lock = threading.Lock()

    def _db(self) -> sqlite3.Connection | None:
        if self._opened:
            return self._conn
        self._opened = True
        try:
            path = self._path or default_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=2.0, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA trusted_schema = OFF")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS proofs (digest BLOB PRIMARY KEY) "
                         "WITHOUT ROWID")
            self._conn = conn
        except (OSError, sqlite3.Error):
            self._conn = None  # proofs are then kept for this program's run only
        return self._conn

    def known(self, digest: bytes) -> bool:
        if digest in self._memory:
            return True
        with self._lock:
            conn = self._db()
            if conn is None:
                return False
            try:
                row = conn.execute("SELECT 1 FROM proofs WHERE digest = ?", (digest,)).fetchone()
            except sqlite3.Error:
                return False
        if row is not None:
            self._memory.add(digest)
        return row is not None

    def add(self, digests: Iterable[bytes]) -> None:
        new = [d for d in digests if d not in self._memory]
        if not new:
            return
        self._memory.update(new)
        with self._lock:
            conn = self._db()
            if conn is None:
                return
            try:
                with conn:
                    conn.execute("BEGIN")
                    conn.executemany("INSERT OR IGNORE INTO proofs (digest) VALUES (?)",
                                     [(d,) for d in new])
            except sqlite3.Error:
                pass  # a cache: the proof holds for this run

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.close()
                except sqlite3.Error:
                    pass
            self._conn = None
            self._opened = False


_book: ProofBook | None = None


def proofs() -> ProofBook:
    """The proof book of this program (one per process)."""
    global _book
    if _book is None:
        _book = ProofBook()
    return _book
