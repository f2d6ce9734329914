"""Durations in profiles: ``90s``, ``10m``, ``4h``, ``2d``, ``1w``, ``1h30m``, or seconds.

Units: ``s`` seconds, ``m`` minutes, ``h`` hours, ``d`` days (24 h), ``w`` weeks (7 d). Parts may
be combined (``1h30m``, ``1d 12h``) and may be fractional (``1.5h``). A bare number (YAML/JSON
integer or float) is a number of seconds. Negative, infinite and NaN values are rejected.
"""

from __future__ import annotations

import math
import re

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_WHOLE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[smhdw]\s*)+$")
_FORMS = "e.g. 90s, 10m, 4h, 2d, 1w or 1h30m"


def parse_duration(value: object) -> float:
    """Return seconds. Raises ``ValueError`` with a message naming the accepted forms."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration ({_FORMS}), got a boolean")
    if isinstance(value, int | float):
        try:
            seconds = float(value)
        except OverflowError:
            raise ValueError("a duration must be a finite number of seconds") from None
    elif isinstance(value, str) and len(value) <= 200 and _WHOLE.match(value):
        seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(value))
    elif isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise ValueError(f"not a duration: {shown!r} (expected {_FORMS})")
    else:
        raise ValueError(f"expected a duration ({_FORMS}), got {_kind(value)}")
    if not math.isfinite(seconds):
        raise ValueError("a duration must be a finite number of seconds")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


def format_duration(seconds: float) -> str:
    """Render seconds compactly in the profile syntax: ``5400`` → ``1h30m``, ``0.5`` → ``0.5s``."""
    if not math.isfinite(seconds) or seconds < 0:
        return f"{seconds}s"
    whole = int(seconds)
    if whole != seconds:
        return f"{seconds:g}s"
    if whole == 0:
        return "0s"
    parts: list[str] = []
    for unit in ("w", "d", "h", "m", "s"):
        size = int(_UNITS[unit])
        count, whole = divmod(whole, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
