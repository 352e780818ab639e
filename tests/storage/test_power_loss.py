"""Power loss: what reached the disk when the power went keeps every acknowledged event.

SIGKILL (test_crash.py) leaves the operating system's page cache intact, so it cannot lose
a write that was never synced. Here the disk image at a power cut is built by hand: the
main file as it was, and the write-ahead log cut short -- at every frame boundary and in
the middle of frames (a torn write) -- anywhere after the point where an event was
acknowledged. Each image must open cleanly, pass SQLite's integrity check, hold every event
acknowledged before the cut, and nothing of a transaction that was not complete.

The second half checks the settings that make an acknowledgement mean "on disk":
write-ahead logging with ``synchronous=FULL`` on every connection that writes.
"""

from __future__ import annotations

import shutil
import sqlite3
import struct
from pathlib import Path

from peacetable.app.session import Session
from peacetable.domain import commands as C
from peacetable.domain.state import FOLD_VERSION
from peacetable.storage.session_file import SessionStore

WAL_HEADER = 32
FRAME_HEADER = 24


def _read(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


def _play(s: Session, n: int) -> list[tuple[int, int, str]]:
    """Apply ``n`` commands; after each, (last event acknowledged, WAL length, event types)."""
    wal = Path(str(s.path) + "-wal")
    cmds = [C.Advance()]
    for k in range(n):
        role = ("upland", "lowland", "midland")[k % 3]
        cmds.append(C.SubmitMove(role=role, template="statement", rationale=f"said {k}"))
        if k % 4 == 3:
            cmds.append(C.AddNote(text=f"note {k}"))
    out = []
    for cmd in cmds:
        if isinstance(cmd, C.SubmitMove) and s.state.moves:
            pending = min(s.state.moves)
            s.execute(C.Adjudicate(move=pending, decision="accept"))
            out.append((s.store.last_seq, len(_read(wal)), ""))
        s.execute(cmd)
        out.append((s.store.last_seq, len(_read(wal)), ""))
    return out


def _image(src: Path, main: bytes, wal: bytes, dest: Path) -> Path:
    dest.mkdir()
    p = dest / src.name
    p.write_bytes(main)
    Path(str(p) + "-wal").write_bytes(wal)
    return p


def _events(path: Path) -> list[tuple[int, str, str]]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT seq, type, body FROM events ORDER BY seq").fetchall()
    finally:
        con.close()


def test_a_power_cut_keeps_every_acknowledged_event(tmp_path, river_path):
    path = tmp_path / "live.peacetable"
    s = Session.create(river_path, path, seed=4)
    try:
        main = _read(path)
        created = len(_read(Path(str(path) + "-wal")))  # Session.create has returned
        acks = [(1, created, "")] + _play(s, 12)
        wal = _read(Path(str(path) + "-wal"))
        # no checkpoint ran: the main file is as it was, the log only grew
        assert _read(path) == main
        assert [a[1] for a in acks] == sorted(a[1] for a in acks)
        truth = _events(path)  # read while the writer is open: what a clean run holds
    finally:
        s.close()
    assert len(truth) == acks[-1][0] >= 25
    page = struct.unpack(">I", wal[8:12])[0]
    frame = FRAME_HEADER + page
    assert (len(wal) - WAL_HEADER) % frame == 0
    boundaries = range(WAL_HEADER, len(wal) + 1, frame)
    torn = [b + d for b in boundaries for d in (1, FRAME_HEADER, FRAME_HEADER + page // 2)
            if b + d < len(wal)]
    cuts = sorted(c for c in {*boundaries, *torn} if c >= created)
    seen_counts = set()
    for n, cut in enumerate(cuts):
        # every event acknowledged while the log was no longer than the cut was synced
        acknowledged = max(seq for seq, length, _ in acks if length <= cut)
        img = _image(path, main, wal[:cut], tmp_path / f"cut{n}")
        re = Session.open(img)  # opens for writing, as after the power came back
        try:
            assert re.store.integrity() == "ok", cut
            got = _events(img)
            assert len(got) >= acknowledged, (cut, len(got), acknowledged)
            # nothing invented or half-written: a prefix of the true record
            assert got == truth[:len(got)], cut
            assert re.state.seq == len(got)
            seen_counts.add(len(got))
            # and the session goes on from there
            assert re.execute(C.AddNote(text="after the power cut"))[0].seq == len(got) + 1
        finally:
            re.close()
    # the cuts covered the whole run, from nothing but the first event to all of it
    assert min(seen_counts) == 1 and max(seen_counts) == len(truth)
    assert len(seen_counts) > len(truth) // 2


def test_a_torn_last_transaction_is_dropped_whole(tmp_path, river_path):
    """A command that writes two events (the sealed round's reveal... or any batch) is
    either entirely in the record or not at all after a cut inside its frames."""
    path = tmp_path / "batch.peacetable"
    s = Session.create(river_path, path, seed=4)
    wal = Path(str(path) + "-wal")
    try:
        s.execute(C.Advance())
        s.execute(C.Advance())  # sealed round
        s.execute(C.SubmitMove(role="lowland", template="pull_back"))
        s.execute(C.SubmitMove(role="midland", template="statement", channel="private",
                               to=["upland"]))
        main, before = _read(path), _read(wal)
        new = s.execute(C.Reveal())
        after = _read(wal)
        assert len(new) == 2 and after[:len(before)] == before
    finally:
        s.close()
    for n, cut in enumerate(range(len(before), len(after))):
        if (cut - len(before)) % 512:
            continue
        img = _image(path, main, after[:cut], tmp_path / f"t{n}")
        re = Session.open(img)
        try:
            assert re.store.last_seq == 5  # the reveal's two events are both missing
            assert len([m for m in re.state.moves.values() if m.sealed]) == 2
        finally:
            re.close()
    img = _image(path, main, after, tmp_path / "whole")
    re = Session.open(img)
    try:
        assert re.store.last_seq == 7
    finally:
        re.close()


# --------------------------------------------------------------------------- settings


def _pragmas(con: sqlite3.Connection) -> tuple[str, int]:
    return (con.execute("PRAGMA journal_mode").fetchone()[0],
            con.execute("PRAGMA synchronous").fetchone()[0])


def test_writers_commit_with_full_sync(tmp_path, river_path):
    """``synchronous=FULL`` (2): in WAL mode, NORMAL (1) and OFF (0) may lose acknowledged
    events on power loss."""
    path = tmp_path / "sync.peacetable"
    s = Session.create(river_path, path, seed=1)
    try:
        assert _pragmas(s.store.conn) == ("wal", 2)
    finally:
        s.close()
    s = Session.open(path)
    try:
        assert _pragmas(s.store.conn) == ("wal", 2)
    finally:
        s.close()


def test_a_snapshot_of_another_fold_version_is_not_used(tmp_path, river_path):
    path = tmp_path / "fold.peacetable"
    s = Session.create(river_path, path, seed=1)
    s.snapshot_every = 3
    s.execute(C.Advance())
    for k in range(4):
        s.execute(C.AddNote(text=f"n{k}"))
    last = s.store.last_seq
    assert s.store.last_snapshot_seq >= 3
    s.close()
    con = sqlite3.connect(path)
    try:
        snaps = con.execute("SELECT seq, fold_version FROM snapshots").fetchall()
        assert snaps and {v for _, v in snaps} == {FOLD_VERSION}
        with con:
            con.execute("UPDATE snapshots SET fold_version = ?", (FOLD_VERSION + 1,))
    finally:
        con.close()
    with SessionStore.open(path, readonly=True) as store:
        assert store.snapshot_at_or_before(last) is None
    s = Session.open(path, readonly=True)
    try:
        assert s.state.seq == last and s.state_at(3).seq == 3
    finally:
        s.close()
    # put one back at this version: it is used again
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute("UPDATE snapshots SET fold_version = ? WHERE seq = ?",
                        (FOLD_VERSION, snaps[0][0]))
    finally:
        con.close()
    with SessionStore.open(path, readonly=True) as store:
        assert store.snapshot_at_or_before(last).seq == snaps[0][0]
