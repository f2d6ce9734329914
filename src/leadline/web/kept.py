"""A page's answer kept until the data behind it moves: the dashboard's one use of
``services/answer_cache.py``.

The overview's DORA report, the drill-downs' whole lists, time in status, PR lead time and
data quality read every record of their window; their answer changes only when new data
arrives. Each page asks ``kept`` with what its answer depends on besides the store (the
report, the narrowed profile, the window, and ``more``: its statistic, interval…).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine

from leadline.services import answer_cache
from leadline.web.params import Subject, View

T = TypeVar("T")


def kept(
    engine: Engine, what: str, subject: Subject, view: View, compute: Callable[[], T],
    *more: str,
) -> T:  # fmt: skip
    """A page's answer (a drill-down's whole list, a report) for the subject's window and
    ``more`` (its statistic, interval…), kept until new data arrives
    (``services/answer_cache.py``): its next requests and pages cost no new read."""
    key = (what, subject.profile.model_dump_json(), view.start, view.end, *more)
    return answer_cache.remember(engine, key, compute)
