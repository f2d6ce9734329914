"""Time values at the edge: RFC 3339 with an offset (or ``Z``), epoch seconds where allowed.

Everything inside leadline is a timezone-aware UTC ``datetime``; the store keeps integer
microseconds since the epoch (see ``to_micros``/``from_micros``).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?P<tz>[Zz]|[+-]\d{2}:?\d{2})?$"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Epoch seconds outside [1970, 9999] are almost always milliseconds or garbage.
_MAX_EPOCH = 253402300799


def parse_time(value: object) -> datetime:
    """Parse an RFC 3339 string with an offset. Raises ``ValueError`` with a user message."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive time: add an offset or Z (e.g. 2024-05-01T10:00:00Z)")
        return value.astimezone(UTC)
    if not isinstance(value, str):
        raise ValueError(f"expected an RFC 3339 time string, got {_type_name(value)}")
    m = _RFC3339.match(value)
    if m is None:
        raise ValueError(f"not an RFC 3339 time: {value!r} (e.g. 2024-05-01T10:00:00Z)")
    if m.group("tz") is None:
        raise ValueError(f"naive time {value!r}: add an offset or Z (e.g. 2024-05-01T10:00:00Z)")
    text = value.replace(",", ".")
    text = text[:10] + "T" + text[11:]
    if text[-1] == "z":
        text = text[:-1] + "Z"
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError as exc:
        raise ValueError(f"not a valid time: {value!r} ({exc})") from None
    except OverflowError:
        raise ValueError(f"time out of range: {value!r}") from None


def parse_time_or_epoch(value: object) -> datetime:
    """Like ``parse_time`` but also accepts epoch seconds (int or float)."""
    if isinstance(value, bool):
        raise ValueError("expected an RFC 3339 time or epoch seconds, got a boolean")
    if isinstance(value, int | float):
        if not math.isfinite(value) or not 0 <= value <= _MAX_EPOCH:
            raise ValueError(f"epoch seconds out of range: {value!r}")
        return _EPOCH + timedelta(microseconds=round(value * 1_000_000))  # range checked above
    return parse_time(value)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_bound(value: str) -> datetime:
    """A window bound on the command line: a date (midnight UTC) or an RFC 3339 time."""
    text = value.strip()
    if _DATE.match(text):
        try:
            return datetime.fromisoformat(text).replace(tzinfo=UTC)
        except ValueError:
            raise ValueError(f"not a valid date: {value!r}") from None
    try:
        return parse_time(text)
    except ValueError:
        raise ValueError(
            f"not a date or RFC 3339 time: {value!r} (e.g. 2024-05-01 or 2024-05-01T10:00:00Z)"
        ) from None


def to_micros(value: datetime) -> int:
    """UTC-aware datetime → integer microseconds since the epoch (exact)."""
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC with ``Z``; microseconds only when present."""
    # In UTC, ``isoformat`` always ends in ``+00:00`` and gives the year padded to 4 digits
    # and the fraction only when there is one: the same text, in C.
    return value.astimezone(UTC).isoformat()[:-6] + "Z"


def _type_name(value: object) -> str:
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), type(value).__name__)
