"""Chart geometry for server-rendered SVG: bar charts of a series, stacked bars of stages.

No chart library and no JavaScript: the page draws ``<rect>``s from these numbers inside a
``viewBox`` that stretches to the card's width, so a chart costs a few hundred bytes, renders
on any browser and needs nothing from another host. Every bar is a link (to the records of
its bucket) with a ``<title>`` (its tooltip), for the mouse; the same values and links are
in a table under the chart (``label`` and ``text`` of each bar), for screen readers and the
keyboard.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

STEP = 10.0  # one bar per STEP units of the viewBox
BAR = 8.0
HEIGHT = 60.0
STACK_WIDTH = 1000.0


@dataclass(frozen=True)
class Point:
    label: str  # the bucket's first day
    value: float | None  # None: nothing to show (e.g. no incident restored in it)
    title: str
    href: str | None = None
    css: str = "band-none"
    level: str | None = None  # a custom level's name (its ``fill`` colours the bar)
    fill: str | None = None


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str
    href: str | None
    label: str = ""  # the bucket's first day
    text: str = ""  # the value as the table under the chart shows it
    level: str | None = None  # a custom level's name, for the table under the chart
    fill: str | None = None  # a custom level's colour (an SVG attribute: no inline style)


@dataclass(frozen=True)
class BarChart:
    width: float
    height: float
    bars: list[Bar]
    first: str
    last: str
    top: str  # the value at the top of the scale
    label: str  # what the chart shows, for screen readers


def bar_chart(points: Sequence[Point], top: Callable[[float], str], label: str) -> BarChart:
    values = [p.value for p in points if p.value is not None]
    peak = max(values, default=0.0)
    scale = HEIGHT / peak if peak > 0 else 0.0
    bars = []
    for i, p in enumerate(points):
        h = (p.value or 0.0) * scale
        if p.value and h < 1.5:
            h = 1.5  # a small non-zero value stays visible
        text = "no data" if p.value is None else top(p.value)
        x = i * STEP + (STEP - BAR) / 2
        bars.append(
            Bar(x, HEIGHT - h, BAR, h, p.css, p.title, p.href, p.label, text, p.level, p.fill)
        )
    return BarChart(
        width=max(len(points), 1) * STEP,
        height=HEIGHT,
        bars=bars,
        first=points[0].label if points else "",
        last=points[-1].label if points else "",
        top=top(peak) if peak > 0 else "",
        label=label,
    )


@dataclass(frozen=True)
class Part:
    label: str
    value: float
    css: str
    title: str
    href: str | None = None


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    css: str
    title: str
    href: str | None
    label: str


def stacked(parts: Sequence[Part], width: float = STACK_WIDTH) -> list[Segment]:
    """One bar split into ``parts`` in proportion to their values (zero parts are left out)."""
    total = sum(max(p.value, 0.0) for p in parts)
    if total <= 0:
        return []
    out, x = [], 0.0
    for p in parts:
        w = max(p.value, 0.0) / total * width
        if w > 0:
            out.append(Segment(x, w, p.css, p.title, p.href, p.label))
            x += w
    return out


def share(value: float | None, peak: float, width: float = 100.0) -> float:
    """The length of ``value`` on a scale where ``peak`` is ``width``."""
    if not value or peak <= 0:
        return 0.0
    return max(value / peak * width, 0.5)
