"""Turn pydantic validation errors on a profile into friendly ``(where, what)`` problems."""

from __future__ import annotations

import datetime as dt
import difflib
import inspect
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from leadline.profiles.conditions import FILTER_TAGS
from leadline.profiles.dora_models import BANDS_TAGS
from leadline.profiles.model_types import RULE_ERROR
from leadline.profiles.models import Profile
from leadline.profiles.problems import Loc, Problem

_EXPECTED = {
    "string_type": "a string",
    "string_unicode": "a string",
    "list_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dict_type": "a mapping",
    "float_type": "a number",
    "int_type": "an integer",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}
_EMPTY_LIST = "empty list matches nothing"
# Fields whose bad value reads best as "unknown event 'x'" rather than "must be one of".
_NAMED_CHOICES = ("event", "source")


def validation_problems(exc: ValidationError) -> list[Problem]:
    """One problem per pydantic error, located at the exact key."""
    return [_describe(err) for err in exc.errors(include_url=False)]


def _describe(err: ErrorDetails) -> Problem:
    kind = err["type"]
    # A mapping's bad key is reported at the key itself (pydantic adds a "[key]" part).
    tags = (*BANDS_TAGS, *FILTER_TAGS, "[key]")
    loc: Loc = tuple(part for part in err["loc"] if part not in tags)
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    value = err.get("input")
    if kind == RULE_ERROR:
        return (*loc, *ctx["loc"]), str(ctx["what"])
    if kind == "missing":
        return loc, "required"
    if kind == "extra_forbidden":
        return loc, _unknown_field(loc)
    if kind == "literal_error":
        return loc, _bad_choice(loc, value, str(ctx.get("expected", "")))
    if kind == "value_error":
        return loc, err["msg"].removeprefix("Value error, ")
    if kind == "too_short":
        if isinstance(value, dict):
            return loc, "empty mapping matches nothing"
        return loc, "at least one stage is required" if loc == ("stages",) else _EMPTY_LIST
    if kind in ("string_too_short", "string_pattern_mismatch"):
        return loc, "must not be empty"
    if kind == "recursion_loop":
        return loc, "refers to itself"
    if kind in _EXPECTED:
        return loc, f"expected {_EXPECTED[kind]}, got {describe_value(value)}{_hint(kind, value)}"
    return loc, err["msg"]


def describe_value(value: object) -> str:
    """A short, YAML-flavoured description of a value: ``the string 'x'``, ``a list``, …"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int) and value.bit_length() > 64:
        return "a very large number"
    if isinstance(value, int | float):
        text = repr(value)
        return f"the number {text if len(text) <= 20 else text[:20] + '…'}"
    if isinstance(value, str):
        return f"the string {_short(value)}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bytes):
        return "binary data"
    return f"a value of type {type(value).__name__}"


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _hint(kind: str, value: object) -> str:
    if kind == "string_type" and isinstance(value, bool | int | float | dt.date):
        return " (put it in quotes to make it text)"
    if kind == "list_type" and isinstance(value, str) and 0 < len(value) <= 40:
        return f" (write [{value}])"
    return ""


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc`` (``None`` when not a model)."""
    model: type[BaseModel] = Profile
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        found = _find_model(field.annotation) if field is not None else None
        if found is None:
            return None
        model = found
    return model


def _find_model(annotation: object) -> type[BaseModel] | None:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _find_model(arg)
        if found is not None:
            return found
    return None


def _literal_values(annotation: object) -> list[str]:
    if get_origin(annotation) is Literal:
        return [str(arg) for arg in get_args(annotation)]
    return [value for arg in get_args(annotation) for value in _literal_values(arg)]


def _suggest(given: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(given, choices, n=1, cutoff=0.7)
    return f"; did you mean {close[0]!r}?" if close else ""


def _unknown_field(loc: Loc) -> str:
    key = str(loc[-1]) if loc else ""
    model = _model_at(loc[:-1])
    if model is None:
        return f"unknown field {_short(key)}"
    fields = [info.alias or name for name, info in model.model_fields.items()]
    expected = ", ".join(fields)
    return f"unknown field {_short(key)} (expected one of {expected}){_suggest(key, fields)}"


def _bad_choice(loc: Loc, value: object, fallback: str) -> str:
    field = loc[-1] if loc else ""
    model = _model_at(loc[:-1])
    info = model.model_fields.get(field) if model is not None and isinstance(field, str) else None
    choices = _literal_values(info.annotation) if info is not None else []
    expected = ", ".join(choices) if choices else fallback
    if not isinstance(value, str):
        return f"must be one of {expected}, got {describe_value(value)}"
    hint = _suggest(value, choices)
    if field in _NAMED_CHOICES:
        return f"unknown {field} {_short(value)} (expected one of {expected}){hint}"
    return f"must be one of {expected}, got {_short(value)}{hint}"
