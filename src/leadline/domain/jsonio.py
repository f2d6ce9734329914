"""Decoding JSON from outside: strict, fast (orjson), exact (json as a fallback), bounded.

Every JSON body and NDJSON line the service reads goes through ``loads``. It accepts exactly
RFC 8259 JSON and refuses, with a ``JSONError`` (a ``ValueError``) of one line:

- **non-finite numbers**: ``NaN``, ``Infinity``, ``-Infinity`` (not JSON, though Python's
  ``json`` reads them) and numbers too large for a double (``1e999``, which would read as
  infinity): no database or report can hold them;
- **duplicate object keys** (``duplicate key "title" in $.pull_request``): which one wins
  differs from one parser to the next, so a body that says two things is refused rather
  than read one way here and another way elsewhere;
- nesting deeper than ``MAX_DEPTH``, instead of exhausting the interpreter's recursion
  limit in whatever walks the value next (a ``RecursionError`` would be a 500).

orjson reads most bodies. It refuses non-finite numbers itself but keeps the last of
duplicate keys, and a decoded dict no longer shows them, so duplicates are found by
counting: in valid JSON every ``:`` outside a string separates a key from its value, so
(colons in the text) − (colons inside its strings) is the number of members written, and
``orjson.dumps`` of the value (no spaces, ``:`` never escaped) has (members kept) + (colons
in the kept strings). The two counts are equal exactly when no key was dropped, provided no
string spells a colon as ``\\u003a`` (a body that does is checked the slow way). Cost on a
28 kB GitHub delivery: one ``dumps``, two ``bytes.count`` and two ``rfind`` passes, about
30 µs more per body (docs/reliability.md). Any doubt goes to the exact path: ``json`` with an
``object_pairs_hook`` that sees every pair, which also reads integers past 64 bits exactly
(orjson would round them to floats) and lone surrogates (which orjson refuses).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

from leadline.domain.storable import storable_text

MAX_DEPTH = 256


class JSONError(ValueError):
    """Why a text is not acceptable JSON, in one line; ``reason`` without the position,
    ``line``/``column`` (1-based) where the decoder knows them."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"{reason}{where}")

    def in_line(self) -> str:
        """The message for text known to be one line (an NDJSON record): no line number."""
        return self.reason if self.column is None else f"{self.reason} at column {self.column}"


# Digits → "0", both opening brackets → "[", anything else → " ": a run of 19 zeros is a
# number of 19+ digits, and one count gives the brackets. C passes over the body (a regex
# search for \d{20} took ~10x longer on a 28 kB webhook).
_SHAPE = bytes(
    0x30 if 0x30 <= b <= 0x39 else 0x5B if b in (0x5B, 0x7B) else 0x20 for b in range(256)
)
_RUN = b"0" * 19  # 19 digits already pass int64 (-9223372036854775809): orjson gives a float
_ORJSON_WHERE = re.compile(r":? ?line (\d+) column (\d+) \(char \d+\)$")
_TOO_DEEP = f"JSON nested deeper than {MAX_DEPTH} levels"


def has_long_number(data: bytes | str) -> bool:
    """Whether the JSON text holds a number of 19 digits or more (it may pass 64 bits; read exactly
    by the slow path; ``domain/parse.py`` then checks every field for what the database can
    store)."""
    raw = data.encode("utf-8", errors="surrogatepass") if isinstance(data, str) else data
    return _RUN in raw.translate(_SHAPE)


def loads(data: bytes | str) -> Any:
    """The decoded value; ``JSONError`` (a ``ValueError``) with a one-line reason when it is
    not acceptable."""
    raw = data.encode("utf-8", errors="surrogatepass") if isinstance(data, str) else data
    shape = raw.translate(_SHAPE)
    if _RUN in shape:
        value = _exact(data)  # orjson reads integers past 64 bits as floats: inexact
    else:
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            message = str(exc)
            if message.startswith("depth limit exceeded"):
                raise JSONError(_TOO_DEEP) from None
            # Lone surrogates, which orjson refuses: the exact path reads them; anything
            # else it refuses too, with its own message, or with orjson's.
            value = _exact(data, orjson_error=message)
        else:
            # Cheap pre-check: fewer brackets in all than the limit cannot nest past it.
            if shape.count(b"[") > MAX_DEPTH and _depth_over(value, MAX_DEPTH):
                raise JSONError(_TOO_DEEP)
            if not _members_kept(raw, value):
                value = _exact(data)  # a duplicate key, or a colon spelt \u003a: look closely
            return value
    if shape.count(b"[") > MAX_DEPTH and _depth_over(value, MAX_DEPTH):
        raise JSONError(_TOO_DEEP)
    return value


def _members_kept(raw: bytes, value: Any) -> bool:
    """True when ``value`` (orjson's reading of ``raw``) certainly kept every member: no key
    was written twice (see the module doc). False means "look closely", not "duplicate"."""
    if _escaped_colon(raw):
        return False
    try:
        dumped = orjson.dumps(value)
    except orjson.JSONEncodeError:  # nested past orjson's own limit for writing (254)
        return False
    return raw.count(b":") == dumped.count(b":")


def _escaped_colon(raw: bytes) -> bool:
    # rfind: CPython's reverse search is several times faster than ``in`` here.
    return raw.rfind(b"\\u003a") >= 0 or raw.rfind(b"\\u003A") >= 0


class _Duplicate(dict[str, Any]):
    """An object that had a key twice (the exact path), found again by ``_where``."""

    key = ""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    marked = _Duplicate(obj)
    marked.key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return marked


def _constant(name: str) -> Any:
    raise JSONError(f"{name} is not a JSON number: non-finite numbers are refused")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONError(
            f"the number {text[:40]} overflows to infinity: non-finite numbers are refused"
        )
    return value


def _exact(data: bytes | str, orjson_error: str | None = None) -> Any:
    try:
        value = json.loads(data, object_pairs_hook=_pairs, parse_constant=_constant,
                           parse_float=_float)  # fmt: skip
    except RecursionError:
        raise JSONError(_TOO_DEEP) from None
    except json.JSONDecodeError as exc:
        if orjson_error is not None:
            found = _ORJSON_WHERE.search(orjson_error)
            if found:
                reason = orjson_error[: found.start()].rstrip(": ")
                raise JSONError(reason, int(found[1]), int(found[2])) from None
        raise JSONError(exc.msg, exc.lineno, exc.colno) from None
    except UnicodeDecodeError as exc:
        raise JSONError(f"not UTF-8: byte {exc.start} is {exc.object[exc.start]:#04x}") from None
    path = _where(value, "$")
    if path is not None:
        key, where = path
        # The key as its JSON escape when it holds a lone surrogate: the message must encode.
        message = f"duplicate key {json.dumps(key, ensure_ascii=False)} in {where}"
        raise JSONError(storable_text(message))
    return value


def _where(value: Any, path: str) -> tuple[str, str] | None:
    """The first object (depth-first, in document order) that had a duplicate key."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, _Duplicate):
            return item.key, at
        if isinstance(item, dict):
            children = [(v, f"{at}{_member(k)}") for k, v in item.items()]
        elif isinstance(item, list):
            children = [(v, f"{at}[{i}]") for i, v in enumerate(item)]
        else:
            continue
        stack.extend(reversed([c for c in children if isinstance(c[0], dict | list)]))
    return None


def _member(key: str) -> str:
    if key.isidentifier() and key.isascii():
        return f".{key}"
    return f"[{json.dumps(key, ensure_ascii=False)}]"


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
