"""Loading the recorded REST responses of ``tests/fixtures/gitlab_rest`` and ``jira_rest``.

Apache DevLake's raw tables (``devlake/*.csv``) hold one API object per row: ``data`` is the
JSON object (one element of a paginated answer), ``url`` the request, ``input`` the parent
(``{"Iid": 1}`` for a merge request's commits, ``{"issue_id": 13383}`` for a changelog).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parents[1] / "fixtures"
GITLAB = FIXTURES / "gitlab_rest"
JIRA = FIXTURES / "jira_rest"
csv.field_size_limit(1 << 30)


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a DevLake raw table, ``data`` and ``input`` decoded."""
    with path.open(encoding="utf-8", newline="") as handle:
        found = []
        for row in csv.DictReader(handle):
            data_input = row.get("input") or "null"
            found.append(
                {
                    "data": json.loads(row["data"]),
                    "url": row["url"],
                    "input": json.loads(data_input),
                }
            )
        return found


def data(path: Path) -> list[Any]:
    return [row["data"] for row in rows(path)]


def by_input(path: Path, key: str) -> dict[int, list[Any]]:
    """Rows grouped by a field of ``input`` (their parent), in file order."""
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in rows(path):
        groups[int(row["input"][key])].append(row["data"])
    return dict(groups)


def gitlab_csv(name: str) -> Path:
    return GITLAB / "devlake" / f"_raw_gitlab_api_{name}.csv"


def jira_csv(name: str) -> Path:
    return JIRA / "devlake" / f"_raw_jira_api_{name}.csv"
