"""Reading a decoded payload, shared by every tool's mapping code.

``Node`` reads a decoded JSON payload and names the JSON path in every complaint
(``event.data.id: expected a string, got the number 5``), so a malformed body becomes a
``PayloadError``, never a ``KeyError`` or ``TypeError``. ``build`` turns a dict into a record
through the same validation as NDJSON import.

The lowest module of ``leadline.sources``: it imports no other (``base`` builds on it), which
is why ``PayloadError``, the error ``Node`` raises, is defined here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from leadline.domain.parse import json_type, parse_object
from leadline.domain.records import RecordModel
from leadline.domain.times import format_time, parse_time
from leadline.errors import InputError, LineError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
_MISSING: Any = object()
R = TypeVar("R", bound=RecordModel)


class PayloadError(InputError):
    """A payload leadline cannot read: the message names the JSON path and what is wrong
    (``pull_request.created_at: required field is missing``). HTTP 422."""

    code = "invalid_payload"


def describe(value: object) -> str:
    """A JSON value's type, for messages: ``the number 5``, ``null``, ``a list``; ``nothing``
    for a missing field (the wording is ``domain.parse.json_type``'s, shared with imports)."""
    return "nothing" if value is _MISSING else json_type(value)


class Node:
    """A value inside a payload and its JSON path (``""`` is the whole body)."""

    __slots__ = ("path", "value")

    def __init__(self, value: object, path: str = "") -> None:
        self.value = value
        self.path = path

    def error(self, problem: str) -> PayloadError:
        return PayloadError(f"{self.path or '(body)'}: {problem}")

    def _expected(self, what: str) -> PayloadError:
        if self.value is _MISSING:
            return self.error("required field is missing")
        return self.error(f"expected {what}, got {describe(self.value)}")

    @property
    def present(self) -> bool:
        """Present and not null."""
        return self.value is not _MISSING and self.value is not None

    def get(self, key: str) -> Node:
        """The member ``key`` (missing → a node whose value is missing). A missing or null
        parent reads as empty; any other non-object parent is an error."""
        path = f"{self.path}.{key}" if self.path else key
        if not self.present:
            return Node(_MISSING, path)
        return Node(self.obj().get(key, _MISSING), path)

    def obj(self) -> dict[str, Any]:
        if not isinstance(self.value, dict):
            raise self._expected("an object")
        return self.value

    def items(self) -> list[Node]:
        """A list (missing or null → empty)."""
        if not self.present:
            return []
        if not isinstance(self.value, list):
            raise self._expected("a list")
        return [Node(v, f"{self.path}[{i}]") for i, v in enumerate(self.value)]

    def text(self) -> str:
        if not isinstance(self.value, str):
            raise self._expected("a string")
        if not self.value.strip():
            raise self.error("must not be empty")
        return self.value

    def opt_text(self) -> str | None:
        """A string; missing, null or blank → ``None``."""
        if not self.present or (isinstance(self.value, str) and not self.value.strip()):
            return None
        return self.text()

    def id_text(self) -> str:
        """An identifier: a string, or an integer kept as text."""
        if isinstance(self.value, int) and not isinstance(self.value, bool):
            return str(self.value)
        if not isinstance(self.value, str):
            raise self._expected("a string or an integer")
        return self.text()

    def opt_id_text(self) -> str | None:
        if not self.present or (isinstance(self.value, str) and not self.value.strip()):
            return None
        return self.id_text()

    def number(self) -> float | int:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._expected("a number")
        if not math.isfinite(value):
            raise self.error(f"expected a finite number, got {value!r}")
        return value

    def opt_bool(self) -> bool | None:
        if not self.present:
            return None
        if not isinstance(self.value, bool):
            raise self._expected("true or false")
        return self.value

    def texts(self) -> list[str]:
        """A list of strings (missing or null → empty; blank entries are skipped)."""
        return [t for t in (n.opt_text() for n in self.items()) if t is not None]

    # --- times ---------------------------------------------------------------------------

    def rfc3339(self) -> datetime:
        """An RFC 3339 time with an offset; Jira's ``+0000`` (no colon) is accepted too."""
        text = self.text()
        try:
            return parse_time(text)
        except ValueError as exc:
            raise self.error(str(exc)) from None

    def opt_rfc3339(self) -> datetime | None:
        return None if self.opt_text() is None else self.rfc3339()

    def epoch(self, unit: int, unit_name: str) -> datetime:
        """An epoch number in ``unit`` ticks per second (1000 = milliseconds)."""
        value = self.number()
        # Integers stay exact (nanoseconds do not fit a float); floats round to microseconds.
        micros = value * 1_000_000 // unit if isinstance(value, int) else value * 1e6 / unit
        if not 0 <= micros <= _MAX_MS * 1000:
            raise self.error(f"epoch {unit_name} out of range: {value!r}")
        return _EPOCH + timedelta(microseconds=round(micros))

    def epoch_ms(self) -> datetime:
        return self.epoch(1000, "milliseconds")

    def epoch_auto(self) -> datetime:
        """Epoch nanoseconds, microseconds or milliseconds, told apart by magnitude (Opsgenie
        sends ``updatedAt`` in ns but ``createdAt`` in ms)."""
        value = abs(self.number())
        if value >= 1e17:
            return self.epoch(1_000_000_000, "nanoseconds")
        if value >= 1e14:
            return self.epoch(1_000_000, "microseconds")
        return self.epoch_ms()


def build(model: type[R], data: dict[str, Any], paths: Mapping[str, str]) -> R:
    """Validate ``data`` as a record (the NDJSON rules); a problem names the payload path
    the field came from (``paths`` maps record fields to JSON paths: a field, ``repo``, or
    one key of an object field, ``params.cluster``)."""
    fields = model.model_fields
    # A record field that is a time takes the datetime as it is (its validator reads aware
    # datetimes exactly as their RFC 3339 text); everything else, extra fields included,
    # must be plain JSON.
    plain = {
        k: v if k in fields and isinstance(v, datetime) else _jsonable(v) for k, v in data.items()
    }
    result = parse_object(plain, "payload", 1)
    if isinstance(result, LineError):
        head = result.field.split(".", 1)[0].split("[", 1)[0]
        where = paths.get(result.field) or paths.get(head, result.field)
        raise PayloadError(f"{where}: {result.problem}")
    if not isinstance(result, model):  # pragma: no cover - the kind is always ours
        raise TypeError(f"expected {model.__name__}, got {type(result).__name__}")
    return result


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def renamed_paths(files: Iterable[tuple[str | None, str]]) -> list[str]:
    """The paths a commit changes from its changed files as ``(old path of a rename, path)``
    pairs (a REST commit's ``files``, a commit's diff): a rename is its old path and then its
    new one, as ``git log --no-renames`` lists it (a delete and an add); each path once."""
    found = [p for old, new in files for p in (old, new) if p is not None]
    return list(dict.fromkeys(found))


def changed_paths(commit: Node) -> list[str]:
    """The paths a pushed commit changes, as GitHub's and GitLab's push payloads list them
    (``added``, ``modified``, ``removed``; a rename is its old path removed and its new one
    added), in that order, each once. Missing lists read as empty: no paths."""
    keys = ("added", "modified", "removed")
    return list(dict.fromkeys(p for key in keys for p in commit.get(key).texts()))
