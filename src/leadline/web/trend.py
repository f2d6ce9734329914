"""The lead-time trend stacked by stage: one bar per bucket of the window, split by stage.

Built from the lead-time report's ``series`` (``services/leadtime.py``: each bucket's
changes, total and ``stages``), the same figures as ``leadline lead-time --interval`` and
``GET /v1/metrics/lead-time?interval=``; each bar links to its bucket's changes, and the
table under the chart has one column per stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadline.web import formatting as fmt
from leadline.web.axes import unit_of
from leadline.web.buckets import bucket_views, short
from leadline.web.charts import Bucketed, StackChart, stacked_bars
from leadline.web.params import Subject, View


def stage_trend(
    subject: Subject, view: View, lead: Mapping[str, Any], now_us: int | None = None
) -> StackChart | None:
    """The stacked chart, or ``None`` when the report has no per-stage series (a lead-time
    report without ``interval``)."""
    series = lead.get("series") or []
    if not series or any("stages" not in p for p in series):
        return None
    names = [s["name"] for s in series[0]["stages"]]
    rows = []
    for point, b in zip(series, bucket_views(view, now_us), strict=True):
        href = f"{subject.base}/changes{b.view.query()}"
        seconds = [s["seconds"] for s in point["stages"]]
        links = [f"{subject.base}/changes{b.view.query(stage=name, which='samples')}"
                 for name in names]  # fmt: skip
        rows.append(Bucketed(b.label, short(b.label, view.interval), int(point["changes"]),
                             seconds, href, b.partial, links))  # fmt: skip
    label = f"Lead time by stage ({lead['statistic']}), by {view.interval}"
    return stacked_bars(
        "lead-time-trend", names, rows, fmt.duration, label, lambda peak: unit_of("duration", peak)
    )
