"""Decoding JSON from outside: fast (orjson), exact (json as a fallback), and bounded in depth.

Every JSON body the service reads goes through ``loads``. Nesting deeper than ``MAX_DEPTH``
is refused with a clear message instead of exhausting the interpreter's recursion limit in
whatever walks the value next (a ``RecursionError`` would be a 500).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

MAX_DEPTH = 256


_LONG_NUMBER = re.compile(rb"\d{20}")
_LONG_NUMBER_TEXT = re.compile(r"\d{20}")


def loads(data: bytes | str) -> Any:
    """The decoded value; ``ValueError`` with a one-line reason when it is not acceptable."""
    long = _LONG_NUMBER.search(data) if isinstance(data, bytes) else _LONG_NUMBER_TEXT.search(data)
    if long is not None:
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
