"""Durations in profiles: ``90s``, ``10m``, ``4h``, ``2d``, ``1w`` (or a number of seconds)."""

from __future__ import annotations

import re

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_WHOLE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[smhdw]\s*)+$")


def parse_duration(value: object) -> float:
    """Return seconds. Raises ``ValueError`` with a message naming the accepted forms."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like 90s, 10m, 4h, 2d or 1w")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return float(value)
    if isinstance(value, str) and _WHOLE.match(value):
        return sum(float(n) * _UNITS[u] for n, u in _PART.findall(value))
    raise ValueError(f"not a duration: {value!r} (expected e.g. 90s, 10m, 4h, 2d, 1w)")
