"""Logging to a rotating file in the user's log folder (platformdirs), not to the console."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import platformdirs

_configured = False


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir("peacetable", appauthor=False))


def setup() -> Path:
    global _configured
    path = log_dir() / "peacetable.log"
    if not _configured:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = logging.handlers.RotatingFileHandler(
                path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        except OSError:
            handler = logging.NullHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger("peacetable")
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        _configured = True
    return path


def log_exception(exc: BaseException) -> Path:
    path = setup()
    logging.getLogger("peacetable").error("unhandled error", exc_info=exc)
    return path
