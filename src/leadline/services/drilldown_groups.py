"""The changes of one group of ``lead-time --by``: the dashboard's ``changes?group=type:Bug``.

The rows are read as the grouped report reads them (``store/timeline_groups.py``, or the
stored category) and kept when they belong to the group by the report's own rule
(``services/leadtime_groups.member``), so the list's length is the group's ``changes``.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection

from leadline.correlate.categories import UNCATEGORIZED
from leadline.errors import InputError
from leadline.profiles.models import Profile
from leadline.services.leadtime import BY, check_by
from leadline.services.leadtime_groups import member
from leadline.store import timelines
from leadline.store.timeline_groups import GROUPINGS, read_grouped


def parse_group(profile: Profile, text: str) -> tuple[str, str]:
    """``type:Bug`` → ``("type", "Bug")``; an ``InputError`` for anything else."""
    by, sep, name = text.partition(":")
    if not sep or not name:
        raise InputError(f"group: expected GROUPING:NAME (e.g. type:Bug), got {text!r}")
    if by not in BY:
        raise InputError(f"group: unknown grouping {by!r} (expected one of {', '.join(BY)})")
    check_by(profile, by)
    return by, name


def group_matrix(
    conn: Connection, ts: timelines.TimelineSet, profile: Profile, start: int, end: int,
    group: tuple[str, str],
) -> timelines.Matrix:  # fmt: skip
    """The window's rows (with keys, baseline ones too) that belong to ``group``."""
    by, name = group
    if by in GROUPINGS:
        matrix = read_grouped(conn, ts, start, end, by)
        values = matrix.groups or []
        keep = [member(by, v, name) for v in values]
    else:
        matrix = timelines.read_matrix(conn, ts, start, end, True, with_categories=True)
        keep = [(c or UNCATEGORIZED) == name for c in matrix.categories or []]
    mask = np.array(keep, dtype=bool)
    keys = [k for k, ok in zip(matrix.keys or [], keep, strict=True) if ok]
    return timelines.Matrix(keys, matrix.start[mask], matrix.times[mask], matrix.end[mask])
