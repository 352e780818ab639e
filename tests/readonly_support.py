"""A session file that this process may not write, for the tests of read-only handling."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def read_only_view(played: Path, tmp_path: Path) -> Iterator[Path]:
    """``played`` in a folder this process may not write (nor the file in it). As root,
    whom permissions do not stop, the folder is bind-mounted read-only (or made immutable
    with chattr): the same checks the kernel applies to every user."""
    folder = played.parent
    if os.geteuid() != 0:
        played.chmod(0o444)
        folder.chmod(0o555)
        try:
            yield played
        finally:
            folder.chmod(0o755)
            played.chmod(0o644)
        return
    view = tmp_path / "ro-view"
    view.mkdir()
    ok = subprocess.run(["mount", "--bind", str(folder), str(view)],
                        capture_output=True).returncode == 0
    if ok and subprocess.run(["mount", "-o", "remount,bind,ro", str(view)],
                             capture_output=True).returncode == 0:
        try:
            yield view / played.name
        finally:
            subprocess.run(["umount", str(view)], capture_output=True)
        return
    if ok:
        subprocess.run(["umount", str(view)], capture_output=True)
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        subprocess.run(["chattr", "+i", str(played)], capture_output=True)
        try:
            yield played
        finally:
            subprocess.run(["chattr", "-i", str(played)], capture_output=True)
            subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
        return
    pytest.skip("running as root without mount or chattr: cannot make a file read-only for root")
