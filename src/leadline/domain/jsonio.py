"""Decoding JSON from outside: fast (orjson), exact (json as a fallback), and bounded in depth.

Every JSON body the service reads goes through ``loads``. Nesting deeper than ``MAX_DEPTH``
is refused with a clear message instead of exhausting the interpreter's recursion limit in
whatever walks the value next (a ``RecursionError`` would be a 500).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

MAX_DEPTH = 256


# Digits → "0", anything else → " ": a run of 20 zeros is a number of 20+ digits. Two C
# passes over the body (a regex search for \d{20} took ~10x longer on a 28 kB webhook).
_DIGITS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_RUN = b"0" * 20


def _long_number(data: bytes | str) -> bool:
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    return _RUN in data.translate(_DIGITS)


def loads(data: bytes | str) -> Any:
    """The decoded value; ``ValueError`` with a one-line reason when it is not acceptable."""
    if _long_number(data):
        value = _exact(data)  # orjson reads integers past 64 bits as floats: inexact
    else:
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            if str(exc).startswith("depth limit exceeded"):
                raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
            value = _exact(data)  # lone surrogates, which orjson refuses
    if _may_be_deep(data) and _depth_over(value, MAX_DEPTH):
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
    return value


def _exact(data: bytes | str) -> Any:
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels") from None


def _may_be_deep(data: bytes | str) -> bool:
    """Cheap pre-check: fewer brackets in all than the limit cannot nest past it."""
    if isinstance(data, str):
        return data.count("[") + data.count("{") > MAX_DEPTH
    return data.count(b"[") + data.count(b"{") > MAX_DEPTH


def _depth_over(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
