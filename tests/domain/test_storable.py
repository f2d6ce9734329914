"""Values the database cannot hold: refused by record validation, named by field path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from leadline.domain.parse import parse_line, parse_object
from leadline.domain.storable import storable_text, unstorable
from leadline.errors import LineError

BASE = {"kind": "pull_request", "repo": "r", "number": 1, "created_at": "2024-05-01T10:00:00Z"}
SURROGATE = "contains a lone surrogate (\\ud800) the database cannot store"
NUL = "contains a NUL character (\\u0000), which databases cannot store"
BIG = "the integer 1180591620717411303424 is outside the 64-bit range the database can store"

CASES = [
    ({"title": "\ud800"}, "title", SURROGATE),
    ({"title": "a\x00"}, "title", NUL),
    ({"labels": ["ok", "\ud800"]}, "labels[1]", SURROGATE),
    ({"reviews": [{"state": "approved", "at": "2024-05-01T10:00:00Z", "x": {"y": "\x00"}}]},
     "reviews[0].x.y", NUL),
    ({"extra": {"n": [1, 2**70]}}, "extra.n[1]", BIG),
    ({"extra": -(2**63) - 1}, "extra",
     "the integer -9223372036854775809 is outside the 64-bit range the database can store"),
    ({"extra": float("nan")}, "extra",
     "the number nan is not finite; the database cannot store it"),
    ({"extra": [float("inf")]}, "extra[0]",
     "the number inf is not finite; the database cannot store it"),
    ({"a\x00": 1}, "a\\u0000", f"the name {NUL}"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "field", "problem"), CASES)
def test_unstorable_values_are_named_by_field(
    changes: dict[str, Any], field: str, problem: str
) -> None:
    data = BASE | changes
    from_object = parse_object(data, "body", 3)
    assert from_object == LineError("body", 3, field, problem)
    line = json.dumps(data)  # NaN and Infinity as Python writes them
    if "not finite" in problem:  # NDJSON is strict JSON: NaN and Infinity are not numbers
        field = "(line)"
        problem = parse_line(line, "f.ndjson", 4).problem  # type: ignore[union-attr]
        assert problem.startswith("not valid JSON (") and "refused" in problem
    assert parse_line(line, "f.ndjson", 4) == LineError("f.ndjson", 4, field, problem)
    assert parse_line(line.encode(), "f.ndjson", 4) == LineError("f.ndjson", 4, field, problem)


def test_edges_of_the_64_bit_range_are_storable() -> None:
    for n in (2**63 - 1, -(2**63)):
        assert not isinstance(parse_line(json.dumps(BASE | {"x": n}), "f", 1), LineError)
    assert not isinstance(parse_line(json.dumps(BASE | {"t": "\U0001f600"}), "f", 1), LineError)


def test_storable_text_escapes_what_cannot_be_stored() -> None:
    assert storable_text("a\x00b\ud800c") == "a\\u0000b\\ud800c"
    assert storable_text("plain é") == "plain é"
    assert unstorable({"a": ["x", "\x00"]}) == f"a[1]: {NUL}"
    assert unstorable({"a": 1}) is None
