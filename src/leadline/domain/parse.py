"""Turn lines of NDJSON into records, or into ``LineError``s that name the field.

A line is decoded by ``jsonio.loads`` (strict: no NaN or Infinity, no duplicate keys; a
syntax error names the column only, as the line number is the file's), then validated. A
value the database cannot hold (``domain.storable``) is refused by record validation and
named like any other problem (``title: contains a lone surrogate (\\ud800) the database
cannot store``). Lines whose text cannot hold such a value in a typed field — no ``\\u0000``
or ``\\udXXX`` escape, no integer of 19 digits or more — skip the walk over those fields.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from leadline.domain import jsonio
from leadline.domain.records import KINDS, TYPED_OK, Record, RecordModel
from leadline.domain.storable import nul_free_json, unstorable
from leadline.errors import LineError

_ADAPTER: TypeAdapter[RecordModel] = TypeAdapter(Record)
_KIND_LIST = ", ".join(sorted(KINDS))
_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "bool_type": "true or false",
    "float_type": "a number",
}


def parse_line(text: str | bytes, path: str, line: int) -> RecordModel | LineError:
    """Validate one NDJSON line; return the record or a ``LineError`` (never raises)."""
    try:
        value = jsonio.loads(text)
    except ValueError as exc:
        reason = exc.in_line() if isinstance(exc, jsonio.JSONError) else str(exc)
        return LineError(path, line, "(line)", f"not valid JSON ({reason})")
    try:
        return _ADAPTER.validate_python(value, strict=None, context=_context(text))
    except ValidationError as exc:
        return _line_error(exc, path, line)


def parse_object(obj: Any, path: str, line: int) -> RecordModel | LineError:
    """Validate an already-decoded JSON value (the HTTP API's JSON arrays)."""
    try:
        return _ADAPTER.validate_python(obj, strict=None)
    except ValidationError as exc:
        return _line_error(exc, path, line)


def _context(text: str | bytes) -> dict[str, bool] | None:
    """``TYPED_OK`` when no typed field of the decoded line can hold an unstorable value:
    the text has no NUL escape, no surrogate escape (``jsonio`` decodes lone ones) and no
    integer past 64 bits (``jsonio`` reads those exactly)."""
    lowered = text.lower()
    surrogate = (b"\\ud" in lowered) if isinstance(lowered, bytes) else ("\\ud" in lowered)
    if surrogate or not nul_free_json(text) or jsonio.has_long_number(text):
        return None
    return TYPED_OK


def _line_error(exc: ValidationError, path: str, line: int) -> LineError:
    errors = exc.errors(include_url=False)
    problems = [_describe(err) for err in errors]
    field, problem = problems[0]
    if len(problems) > 1:
        rest = "; ".join(f"{f}: {p}" for f, p in problems[1:4])
        more = f" (+{len(problems) - 4} more)" if len(problems) > 4 else ""
        problem = f"{problem}; {rest}{more}"
    return LineError(path, line, field, problem)


def _describe(err: ErrorDetails) -> tuple[str, str]:
    kind = err["type"]
    loc = list(err["loc"])
    if kind == "json_invalid":
        reason = str(err.get("ctx", {}).get("error", "")).strip()
        return "(line)", f"not valid JSON ({reason})" if reason else "not valid JSON"
    if kind == "union_tag_not_found":
        return "kind", "missing (expected one of " + _KIND_LIST + ")"
    if kind == "union_tag_invalid":
        tag = err.get("ctx", {}).get("tag", "")
        return "kind", f"unknown kind {tag!r} (expected one of {_KIND_LIST})"
    if kind in ("model_attributes_type", "model_type", "dict_type") and len(loc) <= 1:
        return "(line)", "expected a JSON object"
    # loc starts with the discriminator tag; drop it.
    if loc and isinstance(loc[0], str) and loc[0] in KINDS:
        loc = loc[1:]
    field = _render_loc(loc) or "(record)"
    if kind == "unstorable":
        ctx = err.get("ctx", {})
        below = str(ctx.get("field", ""))
        if below:
            field = below if field == "(record)" else _below(field, below)
        return field, str(ctx.get("problem", err["msg"]))
    if kind == "string_unicode":  # pydantic's word for a lone surrogate in a typed string
        return field, unstorable(err.get("input")) or err["msg"]
    if kind == "missing":
        return field, "required field is missing"
    message = err["msg"]
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif kind in _EXPECTED:
        message = f"expected {_EXPECTED[kind]}, got {json_type(err.get('input'))}"
    elif kind == "literal_error":
        message = f"{message}, got {err.get('input')!r}"
    return field, message


def _render_loc(loc: list[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _below(field: str, path: str) -> str:
    return field + path if path.startswith("[") else f"{field}.{path}"


def json_type(value: object) -> str:
    """A JSON value's type, for messages: ``the number 5``, ``null``, ``a list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}"[:80]
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
