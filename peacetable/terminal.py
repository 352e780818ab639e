"""Text for a terminal: what a file says is shown, never obeyed.

Every line the command-line tool prints passes through :func:`safe_text` (the CLI wraps its
standard output and error in :class:`SafeStream`): control characters, format characters
such as direction overrides, and line/paragraph separators from scenario, script or session
files are shown as ``\\u``-escapes (ESC as ``\\u001b``), so a title carrying ANSI escape sequences cannot
recolour, move the cursor or retitle the terminal. Newlines and tabs are kept. JSON goes out
through :func:`dumps_json`, which never writes NaN or Infinity.
"""

from __future__ import annotations

import json
import math
import unicodedata
from typing import Any, TextIO

_KEEP = frozenset("\n\t")
_ESCAPED = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs"))


def safe_text(text: str) -> str:
    """``text`` with every character that acts on a terminal shown as an escape."""
    text = str(text)
    if text.isascii():
        if all(" " <= ch < "\x7f" or ch in _KEEP for ch in text):
            return text
    out = []
    for ch in text:
        if ch not in _KEEP and unicodedata.category(ch) in _ESCAPED:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return "".join(out)


class SafeStream:
    """A text stream that writes :func:`safe_text` of everything to the stream it wraps."""

    def __init__(self, raw: TextIO):
        self.raw = raw

    def write(self, text: str) -> int:
        return self.raw.write(safe_text(text))

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def finite(obj: Any) -> tuple[Any, bool]:
    """``obj`` with NaN and ±Infinity replaced by None; and whether any was replaced."""
    found = False

    def walk(x: Any) -> Any:
        nonlocal found
        if isinstance(x, float) and not math.isfinite(x):
            found = True
            return None
        if isinstance(x, dict):
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [walk(v) for v in x]
        return x

    return walk(obj), found


def dumps_json(obj: Any, **kw: Any) -> tuple[str, bool]:
    """Strict JSON text (no NaN/Infinity: such numbers become null) and whether any did."""
    kw.setdefault("sort_keys", True)
    kw.setdefault("indent", 2)
    kw.setdefault("ensure_ascii", False)
    try:
        return json.dumps(obj, allow_nan=False, **kw), False
    except ValueError:
        clean, found = finite(obj)
        return json.dumps(clean, allow_nan=False, **kw), found
