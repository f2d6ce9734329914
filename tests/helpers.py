"""Small helpers shared by tests."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Engine, select

from leadline.store.tables import metadata

# A count of 1 followed by a plural noun (``1 changes``, ``1 bad records``); ``1 restored``,
# ``1 s`` and ``11 changes`` are fine.
WRONG_PLURAL = re.compile(r"(?<![\d.,])1 (?:[a-z]+ )?(?!s\b)[a-z]+s\b")


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every leadline table, ordered by id: equal snapshots = nothing changed."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def ndjson(*records: dict[str, Any]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def current(answer: dict[str, Any]) -> dict[str, Any]:
    """A server's metric answer without its ``as_of``, which must say it is up to date (the
    CLI's answer, computed after a synchronous refresh, has none)."""
    out = dict(answer)
    fresh = out.pop("as_of", None)
    if fresh is not None:
        assert fresh["waiting"] == 0 and fresh["position"] == fresh["head"], fresh
    return out
