"""The buckets of a window as the dashboard shows them: clipped to the window, labelled by
their first day inside it (09-09 for a window starting mid-week, not the calendar week's
09-07), and ``partial`` when the window or "now" cuts them.

The series JSON keeps its calendar ``start`` (``metrics/series.py``, the CLI's and the
API's): only the page clips the labels, and its bars link to the clipped bucket.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from leadline.metrics.series import bucket_end, buckets
from leadline.web import formatting as fmt
from leadline.web.params import View


@dataclass(frozen=True)
class Bucket:
    """A bucket as the dashboard shows it: its part of the window (``view``), its label (the
    first day inside the window, not the calendar start before it), and whether it is
    ``partial`` (cut by the window's start or end, or not over at ``now``)."""

    view: View
    label: str
    partial: bool
    future: bool  # starts at or after now: nothing can be in it yet


def bucket_views(view: View, now_us: int | None = None) -> list[Bucket]:
    """The window's buckets (``metrics.series.buckets``), each clipped to the window."""
    now = int(time.time() * 1_000_000) if now_us is None else now_us
    grid = buckets(view.start, view.end, view.interval)
    ends = [b.start_us for b in grid[1:]] + [bucket_end(grid[-1].start_us, view.interval)]
    out = []
    for b, end in zip(grid, ends, strict=True):
        part = view.between(b.start_us, end)
        cut = part.start > b.start_us or part.end < end or part.end > now
        out.append(Bucket(part, fmt.day(part.start), cut, part.start >= now))
    return out


def short(label: str, interval: str) -> str:
    """A date on the x axis: ``09-09`` (day, week) or ``2024-09`` (month)."""
    return label[:7] if interval == "month" else label[5:]
