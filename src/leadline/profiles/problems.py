"""A rule's finding: ``Problem`` is ``(where, what)``, ``where`` a location tuple such as
``("stages", 2, "pipelines")``; ``render_loc`` writes it as users read it (``stages[2].pipelines``).

Shared by the rule modules (``rules``, ``dora_rules``), the parsers and the messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


def is_given(data: Mapping[str, Any], key: str) -> bool:
    """Whether ``key`` is set (present and not ``None``) in raw ``data``."""
    return data.get(key) is not None


def render_loc(loc: Loc) -> str:
    """``("stages", 3, "event")`` → ``stages[3].event``; the empty location → ``""``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _plain(part):
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else part
    return out


def _plain(key: str) -> bool:
    """A key that reads unambiguously unquoted in a location (``issue_types``, ``my key``)."""
    return (
        key.isprintable()
        and key == key.strip()
        and bool(key)
        and not any(char in key for char in ".[]'\"")
    )
