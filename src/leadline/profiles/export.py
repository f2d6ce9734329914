"""A profile written back out (``leadline profile export|show``), as JSON or YAML.

JSON is exactly ``profile_to_dict`` — what ``GET /v1/profiles/{name}`` answers and what the
database keeps — so an export can be ``PUT`` back unchanged. YAML is the same document with
its durations in the profile syntax (``600.0`` → ``10m``) when that reads back to the very same
number of seconds (else the number stays). Either form loads back, with ``load_profile_text``,
to a profile equal to the one exported: ``leadline profile apply`` of an export is a no-op.

A profile written with ``phases`` is exported as what it means: its ``start`` and ``stages``
(docs/profiles.md, "Phases": the mapping is one-to-one, every figure the same).
"""

from __future__ import annotations

import json
import typing
from typing import Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator

from leadline.profiles.durations import format_duration, parse_duration
from leadline.profiles.loader import profile_to_dict
from leadline.profiles.models import Profile

Format = Literal["yaml", "json"]
FORMATS: tuple[str, ...] = ("yaml", "json")


def export_text(profile: Profile, fmt: Format = "yaml") -> str:
    """The profile as a JSON or YAML document, ending in a newline."""
    if fmt == "json":
        return json.dumps(profile_to_dict(profile), indent=2, ensure_ascii=False) + "\n"
    data = _readable(profile, profile_to_dict(profile))
    return yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1 << 30
    )


def format_for(path: str) -> Format:
    """The format a file name asks for: ``.json`` → JSON, anything else → YAML (as the loader
    reads it)."""
    return "json" if path.lower().endswith(".json") else "yaml"


def _readable(model: BaseModel, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (the model's dump) with every duration field in the duration syntax."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        field = type(model).model_fields.get(key)
        attr = getattr(model, key, None)
        if field is not None and _is_duration(field.annotation, field.metadata):
            out[key] = _duration(value)
        elif isinstance(attr, BaseModel) and isinstance(value, dict):
            out[key] = _readable(attr, value)
        elif isinstance(attr, list | tuple) and isinstance(value, list):
            out[key] = [
                _readable(a, v) if isinstance(a, BaseModel) and isinstance(v, dict) else v
                for a, v in zip(attr, value, strict=True)
            ]
        else:
            out[key] = value
    return out


def _is_duration(annotation: Any, metadata: list[Any] | tuple[Any, ...] = ()) -> bool:
    """Whether a field is typed with ``Seconds`` (possibly optional)."""
    if any(isinstance(m, BeforeValidator) and m.func is parse_duration for m in metadata):
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_duration(None, getattr(annotation, "__metadata__", ()))
    return any(_is_duration(arg) for arg in typing.get_args(annotation))


def _duration(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    text = format_duration(value)
    try:
        same = parse_duration(text) == value
    except ValueError:
        same = False
    return text if same else value
