"""Mutating real payloads for the parser fuzz tests: delete or retype random keys."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from hypothesis import strategies as st


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path inside a decoded JSON value."""
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, child in items:
        yield (*prefix, key)
        yield from paths(child, (*prefix, key))


def mutate(
    draw: st.DrawFn,
    payload: Any,
    values: st.SearchStrategy[Any],
    read_keys: Collection[str] | None = None,
) -> Any:
    """1–3 times: delete a random key, or replace its value with one of ``values``.

    With ``read_keys``, keys the parser reads (and list items) are preferred, so the fuzzing
    spends its examples where a parser could break. ``payload`` is changed in place."""
    for _ in range(draw(st.integers(1, 3))):
        found = list(paths(payload))
        if not found:
            break
        if read_keys is not None:
            found = [p for p in found if p[-1] in read_keys or isinstance(p[-1], int)] or found
        path = draw(st.sampled_from(found))
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(values)
    return payload
