"""Values the database can hold, checked before anything is written.

A record is stored as columns and as its JSON text (the ``data`` column), on SQLite or
PostgreSQL. Four kinds of value decode from JSON (or come from a parser) but cannot be
stored, and would otherwise fail deep in the writer — a ``UnicodeEncodeError`` or a
database error, a 500 for the whole transaction:

* a string with a **lone surrogate** (JSON ``"\\ud800"`` decodes to a ``str`` that has no
  UTF-8 form);
* a **NUL character** (``"\\u0000"``: PostgreSQL text cannot hold it; refused on SQLite too,
  so both databases accept the same records);
* an **integer outside the signed 64-bit range** (a BIGINT column cannot hold it, and other
  JSON readers lose its precision);
* a **non-finite number** (``NaN``, ``Infinity``, ``1e400``: not JSON at all once written).

The rule lives here, once, and is applied by record validation itself: every record model
(``domain.records``) runs ``problem_in`` over its fields and extra fields after validating
them, so *every* record that exists — parsed from an NDJSON line, an HTTP body, a webhook
payload or a stored row — is storable, and each way in refuses a bad value as an input
error naming its field path (``title: contains a lone surrogate (\\ud800) the database
cannot store``). The write path (``store.upsert``) checks the records it writes once more
with ``unstorable``, for records made without validation (``model_copy``,
``model_construct``).

Checking is cheap but not free: a walk over every value would double the time of
validating an NDJSON line. So records validated from JSON text by pydantic (whose reader
refuses lone surrogate escapes and invalid UTF-8) skip the walk over their *typed* fields
when the text has no ``\u0000`` escape (``nul_free_json``, one pass in C): a typed string
then holds neither a NUL nor a surrogate, and typed integers carry their own bounds. Only
the values typed ``Any`` — extra fields, ``params`` — are walked, as always. The outcome is
the same as the full walk; ``domain.parse`` passes the hint as validation context.

``storable_text`` makes any text storable (a message quoting the bad value, a webhook body
kept verbatim) by escaping what cannot be stored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1

NUL_PROBLEM = "contains a NUL character (\\u0000), which databases cannot store"


def nul_free_json(text: str | bytes) -> bool:
    """True when the JSON text ``text`` cannot decode to a string holding a NUL (it has no
    ``\\u0000`` escape; a raw NUL byte is not valid JSON)."""
    return (b"\\u0000" not in text) if isinstance(text, bytes) else ("\\u0000" not in text)


def problem_in(value: Any) -> tuple[str, str] | None:
    """The first value in ``value`` (a JSON-like tree: dicts, lists, scalars) the database
    cannot hold, as (its path below ``value``, the problem); ``None`` when all can be held.
    The path is ``""`` for ``value`` itself, ``name``/``[2]``/``name[2].key`` below it."""
    if isinstance(value, str):
        problem = _text_problem(value)
        return None if problem is None else ("", problem)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if INT_MIN <= value <= INT_MAX else ("", _int_problem(value))
    if isinstance(value, float):
        return None if math.isfinite(value) else ("", _float_problem(value))
    if isinstance(value, dict):
        return problem_in_fields(value.items())
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if type(item) is str and "\x00" not in item and item.isascii():
                continue
            found = problem_in(item)
            if found is not None:
                return _join(f"[{i}]", found)
        return None
    return None  # datetimes and other typed values: validated by their own fields


def problem_in_fields(items: Iterable[tuple[Any, Any]]) -> tuple[str, str] | None:
    """``problem_in`` over named values (an object's members, a model's fields)."""
    for name, item in items:
        if type(name) is str and (not name.isascii() or "\x00" in name):
            key_problem = _text_problem(name)
            if key_problem is not None:
                return storable_text(name), f"the name {key_problem}"
        kind = type(item)
        if kind is str:  # the common case, inline
            if "\x00" not in item and item.isascii():
                continue
        elif item is None or kind is bool or kind is datetime:
            continue
        found = problem_in(item)
        if found is not None:
            return _join(storable_text(str(name)), found)
    return None


def unstorable(value: Any) -> str | None:
    """``problem_in`` as one line (``title: contains…``), or ``None``."""
    found = problem_in(value)
    if found is None:
        return None
    path, problem = found
    return f"{path}: {problem}" if path else problem


def storable_text(text: str) -> str:
    """``text`` with what the database cannot store escaped: a NUL as ``\\u0000``, a lone
    surrogate as ``\\udXXX`` (the JSON escapes of both). Storable text is returned as is."""
    if _text_problem(text) is None:
        return text
    out = text.replace("\x00", "\\u0000")
    return out.encode("utf-8", errors="backslashreplace").decode("utf-8")


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return NUL_PROBLEM
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"contains a lone surrogate (\\u{ord(text[exc.start]):04x}) the database cannot store"
        )
    return None


def _int_problem(value: int) -> str:
    digits = str(abs(value))
    shown = digits if len(digits) <= 30 else f"{digits[:12]}…({len(digits)} digits)"
    sign = "-" if value < 0 else ""
    return f"the integer {sign}{shown} is outside the 64-bit range the database can store"


def _float_problem(value: float) -> str:
    return f"the number {value!r} is not finite; the database cannot store it"


def _join(head: str, found: tuple[str, str]) -> tuple[str, str]:
    path, problem = found
    if not path:
        return head, problem
    return (head + path if path.startswith("[") else f"{head}.{path}"), problem
