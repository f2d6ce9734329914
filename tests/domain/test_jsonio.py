"""Strict JSON (``domain/jsonio.loads``): non-finite numbers and duplicate keys are refused
with one line naming the problem and where; everything else reads as ``json.loads`` does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadline.domain import jsonio


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"NaN", "NaN is not a JSON number"),
        (b'{"a": [1, Infinity]}', "Infinity is not a JSON number"),
        (b'{"a": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"a": 1e999}', "the number 1e999 overflows to infinity"),
        (b'{"a": -1E+400}', "the number -1E+400 overflows to infinity"),
        (b'{"big": 123456789012345678901234567890, "n": NaN}', "NaN is not a JSON number"),
        (b'{"a": 1, "a": 1}', 'duplicate key "a" in $'),
        (b'{"pull_request": {"title": "x", "id": 1, "title": "y"}}',
         'duplicate key "title" in $.pull_request'),
        (b'{"a": [{"x": 1}, {"y": {"k": 1, "k": 2}}]}', 'duplicate key "k" in $.a[1].y'),
        (b'{"a b": {"\xc3\xa9": 1, "\xc3\xa9": 2}}', 'duplicate key "é" in $["a b"]'),
        (b'{"a": "x\\u003a", "a": "y"}', 'duplicate key "a" in $'),  # escaped colon
        (b'{"a": "\\u003A:", "b": 1, "b": 2}', 'duplicate key "b" in $'),
        (b'{"a": "\\ud800", "a": 1}', 'duplicate key "a" in $'),  # lone surrogate
        (b'{"\\ud800": 1, "\\ud800": 2}', r'duplicate key "\ud800" in $'),  # kept escaped
        (b'{"\xc3\xa9": {"\\udfff": 1, "\\udfff": 2}}', r'duplicate key "\udfff" in $["é"]'),
        (b'{"big": 123456789012345678901234567890, "big": 1}', 'duplicate key "big" in $'),
        (b'{"a" : 1 , "b" : {"c":"::", "c" : 2}}', 'duplicate key "c" in $.b'),
        ('{"a": "\u00e9", "a": 1}', 'duplicate key "a" in $'),  # str input
    ],
)  # fmt: skip
def test_refused_with_the_reason(text: bytes | str, message: str) -> None:
    with pytest.raises(jsonio.JSONError) as caught:
        jsonio.loads(text)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)


def test_syntax_errors_name_one_position() -> None:
    with pytest.raises(jsonio.JSONError) as caught:
        jsonio.loads(b'{"kind": "event",\n "key": "ab')
    error = caught.value
    assert (error.line, error.column) == (2, 12), str(error)
    assert str(error).endswith("at line 2, column 12")
    assert error.in_line().endswith("at column 12") and "line" not in error.in_line()


@pytest.mark.parametrize(
    "text",
    [b'{"a": "x:y", "b": "::", "c:": {"d": ":"}}', b'{"a": "\\u003a", "b": 1}',
     b'[{"a": 1}, {"a": 2}]', b'{"a": {"a": {"a": 1}}}', b'{"a": 1.5e300, "b": -0.0}',
     b'{"a": "\\u003c:\\u003e"}'],
)  # fmt: skip
def test_accepted_as_json_reads_it(text: bytes) -> None:
    assert jsonio.loads(text) == json.loads(text)


# Keys and strings full of colons, quotes and escapes: the counting shortcut must hold.
KEYS = st.sampled_from(["a", "b", ":", "a:b", '"', '":', "\\", "é", "k"])
TEXT = st.text(alphabet=':"\\ab{}[]é\u2028', max_size=6)
LEAVES = st.one_of(st.integers(-(2**70), 2**70), st.booleans(), st.none(), TEXT,
                   st.floats(allow_nan=False, allow_infinity=False))  # fmt: skip
TREES = st.recursive(
    LEAVES,
    lambda children: (
        st.lists(children, max_size=4) | st.lists(st.tuples(KEYS, children), min_size=1, max_size=4)
    ),  # an object as its pairs
    max_leaves=25,
)


def _write(value: Any, escape: bool) -> str:
    """JSON text with objects written pair by pair (keys may repeat); with ``escape``, every
    colon inside a string is written ``\\u003a``."""
    if isinstance(value, list) and value and all(isinstance(p, tuple) for p in value):
        return "{" + ", ".join(f"{_write(k, escape)} : {_write(v, escape)}" for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_write(v, escape) for v in value) + "]"
    text = json.dumps(value, ensure_ascii=False)
    return text.replace(":", "\\u003a") if escape and isinstance(value, str) else text


def _has_duplicate(value: Any) -> bool:
    if isinstance(value, list) and value and all(isinstance(p, tuple) for p in value):
        keys = [k for k, _ in value]
        return len(set(keys)) < len(keys) or any(_has_duplicate(v) for _, v in value)
    if isinstance(value, list):
        return any(_has_duplicate(v) for v in value)
    return False


@settings(max_examples=500, deadline=None)
@given(TREES, st.booleans())
def test_duplicates_are_found_exactly(tree: Any, escape: bool) -> None:
    text = _write(tree, escape)
    if _has_duplicate(tree):
        with pytest.raises(jsonio.JSONError, match="duplicate key"):
            jsonio.loads(text.encode())
    else:
        assert jsonio.loads(text.encode()) == json.loads(text)
