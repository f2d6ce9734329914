"""The attribute each counted change is grouped by (``lead-time --by type|priority|label|
project``), read with the change's timeline row in one query.

The attribute comes from the change's own record, joined in SQL with the window's rows (no
per-row lookups):

* a ticket-based set (the change key is the issue key): the issue's ``type``, ``priority``,
  ``project`` and ``labels``;
* a pull-request-based set (the key is ``repo#number``): the PR's ``labels`` and its
  repository as ``project``; ``type`` and ``priority`` come from the PR's linked issue (the
  first by key of the issues its ``pr_ticket_keys`` name that are stored), if any.

A change without the attribute has ``None`` (``label``: no labels, ``[]``); the report names
it ``(none)`` / ``(no label)``. ``label`` is a list: a change with two labels belongs to both.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from sqlalchemy import Connection

from leadline.store.raw import fetch_all
from leadline.store.timelines import Matrix, TimelineSet, matrix_of, window_condition

GROUPINGS: tuple[str, ...] = ("type", "priority", "label", "project")

_LABELS = {  # the JSON text of a record's ``labels`` list (NULL when it has none)
    "sqlite": "json_extract({t}.data, '$.labels')",
    "postgresql": "CAST(CAST({t}.data AS jsonb) -> 'labels' AS text)",
}
_FIND = {"sqlite": "instr", "postgresql": "strpos"}  # the position of '#' in a PR key


def _ticket(dialect: str, by: str) -> tuple[str, str]:
    join = "LEFT JOIN issues i ON i.key = change_key"
    column = _LABELS[dialect].format(t="i") if by == "label" else f"i.{by}"
    return column, join


def _pull_request(dialect: str, by: str) -> tuple[str, str]:
    find = f"{_FIND[dialect]}(change_key, '#')"
    join = (
        "LEFT JOIN pull_requests p ON p.repo = substr(change_key, 1, " + find + " - 1) "
        "AND p.number = CAST(substr(change_key, " + find + " + 1) AS BIGINT)"
    )
    if by == "label":
        return _LABELS[dialect].format(t="p"), join
    if by == "project":
        return "p.repo", join
    linked = (
        f"(SELECT i.{by} FROM pr_ticket_keys k JOIN issues i ON i.key = k.key "
        "WHERE k.pull_request_id = p.id ORDER BY i.key LIMIT 1)"
    )
    return linked, join


def read_grouped(
    conn: Connection,
    ts: TimelineSet,
    start_us: int | None,
    end_us: int | None,
    by: str,
    *,
    baseline: bool | None = None,
) -> Matrix:
    """The rows ``timelines.read_matrix(..., with_keys=True)`` gives (``end`` the stored
    ``end_at``), with ``groups``: each row's attribute ``by`` (a label list for ``label``)."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    dialect = conn.dialect.name
    pick = _pull_request if ts.unit == "pull_request" else _ticket
    column, join = pick(dialect, by)
    condition, params = window_condition(ts, start_us, end_us, baseline)
    sql = (
        f"SELECT change_key, end_at, times, {column} FROM timelines {join} WHERE "
        + condition.replace("set_id", "timelines.set_id")
    )
    rows = fetch_all(conn, sql, params, binary=True)
    blob = b"".join([bytes(row[2]) for row in rows])
    end = [int(row[1]) for row in rows]
    matrix = matrix_of(
        [row[0] for row in rows], len(rows), blob, ts.stages, np.array(end, np.int64)
    )
    groups: list[Any] = [_labels(row[3]) if by == "label" else row[3] for row in rows]
    return Matrix(matrix.keys, matrix.start, matrix.times, matrix.end, None, groups)


def _labels(text: Any) -> list[str]:
    if text is None:
        return []
    found = json.loads(text)
    return sorted({str(x) for x in found}) if isinstance(found, list) else []
