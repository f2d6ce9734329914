"""The reviewed-snapshot scaffolding every source test shares.

A tool's fixtures sit in ``tests/fixtures/<tool>/`` next to ``expected.json``, the reviewed
outcome of each case: ``{"ignored": …, "records": [...]}`` or ``{"error": message}``. A test
module names its cases, says how one case is parsed, and gets the snapshot back with
``snapshot``; ``LEADLINE_UPDATE_SNAPSHOTS=1 pytest tests/sources`` rewrites it first (review
the diff by hand).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from leadline.sources.base import Parsed, PayloadError

FIXTURES_ROOT = Path(__file__).parents[1] / "fixtures"
SNAPSHOT_NAME = "expected.json"

Outcome = dict[str, Any]


def fixture_names(folder: Path, *, recursive: bool = True) -> list[str]:
    """The JSON fixtures of ``folder`` (``recursive``: and of its subfolders), as sorted
    ``/``-separated paths relative to it; the snapshot itself excluded."""
    snapshot = folder / SNAPSHOT_NAME
    found = folder.rglob("*.json") if recursive else folder.glob("*.json")
    return sorted(p.relative_to(folder).as_posix() for p in found if p != snapshot)


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def outcome_of(parse: Callable[[], Parsed]) -> Outcome:
    """What a snapshot holds for one case: the error message, or the reason it is ignored
    and its records as JSON."""
    try:
        parsed = parse()
    except PayloadError as exc:
        return {"error": str(exc)}
    records = [r.model_dump(mode="json") for r in parsed.records]
    return {"ignored": parsed.ignored, "records": records}


def snapshot(
    path: Path, names: Iterable[str], outcome: Callable[[str], Outcome]
) -> dict[str, Outcome]:
    """The reviewed snapshot at ``path``; with ``LEADLINE_UPDATE_SNAPSHOTS`` set it is first
    rewritten from ``outcome`` of every name."""
    if os.environ.get("LEADLINE_UPDATE_SNAPSHOTS"):
        text = json.dumps({n: outcome(n) for n in sorted(names)}, indent=2, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")
    expected: dict[str, Outcome] = load_json(path)
    return expected


def assert_covers(expected: dict[str, Outcome], names: Iterable[str]) -> None:
    """The snapshot holds exactly the cases (a new fixture needs a reviewed outcome)."""
    assert sorted(expected) == sorted(names)
