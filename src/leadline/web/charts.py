"""Chart geometry for server-rendered SVG: bar charts of a series, stacked bars of stages.

No chart library and no JavaScript. The plot is an SVG *without* a ``viewBox``: every
coordinate is a percentage of the plot's box (bars, gridlines, zones) and every label is
``<text>`` at a percentage, so the plot stretches to the card's width while the text keeps
its size and shape (a stretched ``viewBox`` with ``preserveAspectRatio="none"`` would
distort it) — checked in the browser at 390 px and 1366 px (tests/web/test_chart_browser.py).

A chart has a y axis of 3–5 nice ticks in the metric's unit with a gridline at each
(``web/axes.py``), a few date ticks on the x axis, the bands as zones behind the bars with
a legend naming each, and bars in ONE series colour, so the headline's band and the chart
never contradict. A bucket cut by the window or not over yet is ``partial`` (hatched, and
"(partial)" in its title and its table row); a bucket without data has no bar but a "no
data" mark, never a 0 bar. Every bar is a link (to the records of its bucket) with a
``<title>``, for the mouse; the same values, bands and links are in the table under the
chart, for screen readers and the keyboard.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from leadline.web.axes import Unit, Zone, ticks
from leadline.words import plural

STACK_WIDTH = 1000.0
SLOT = 0.7  # a bar's share of its bucket's width
MIN_HEIGHT = 2.0  # % of the plot: a small non-zero value stays visible
X_TICKS = 4  # at most this many date labels


@dataclass(frozen=True)
class Point:
    label: str  # the bucket's first day inside the window
    value: float | None  # None: nothing to show (e.g. no incident restored in it)
    title: str
    href: str | None = None
    band: str | None = None  # the value's band or level, in words in the table
    partial: bool = False  # cut by the window, or not over yet
    short: str = ""  # the label on the x axis


@dataclass(frozen=True)
class Tick:
    at: float  # % from the top (y ticks) or from the left (x ticks)
    text: str
    anchor: str = "middle"


@dataclass(frozen=True)
class Bar:
    x: float  # % of the plot's width
    width: float
    y: float  # % of the plot's height, from the top
    height: float
    title: str
    href: str | None
    label: str = ""
    text: str = ""  # the value as the table under the chart shows it
    band: str | None = None
    partial: bool = False
    empty: bool = False  # no data: no bar, a mark
    slot: float = 0.0  # the bucket's left edge (its link's hit area), % of the width
    slot_width: float = 0.0
    value: float | None = None  # the figure itself (the table's data-value); None: no data

    @property
    def centre(self) -> float:
        return self.slot + self.slot_width / 2


@dataclass(frozen=True)
class Band:
    """A zone as drawn: its y range in % of the plot, and the zone it draws."""

    y: float
    height: float
    zone: Zone


@dataclass
class BarChart:
    key: str  # unique on the page: the ids of the chart's table and hatch pattern
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    label: str  # what the chart shows, for screen readers
    unit: str = ""
    bands: list[Band] = field(default_factory=list)
    legend: list[Zone] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        return any(b.partial for b in self.bars)

    @property
    def empty(self) -> bool:
        return any(b.empty for b in self.bars)


def y_of(value: float, top: float) -> float:
    return 100.0 - value / top * 100.0


def x_ticks(labels: Sequence[str], count: int = X_TICKS) -> list[Tick]:
    """At most ``count`` labels, evenly spaced from the first bucket, each centred on its bar."""
    n = len(labels)
    if not n:
        return []
    step = max(1, -(-n // count))
    return [Tick((i + 0.5) / n * 100.0, labels[i]) for i in range(0, n, step)]


def bar_chart(
    key: str,
    points: Sequence[Point],
    shown: Callable[[float], str],
    label: str,
    unit: Unit,
    zones: Sequence[Zone] = (),
) -> BarChart:
    values = [p.value for p in points if p.value is not None]
    peak = max(values, default=0.0)
    marks = ticks(peak, unit)
    top = marks[-1]
    n = max(len(points), 1)
    bars = []
    for i, p in enumerate(points):
        h = 0.0 if p.value is None else p.value / top * 100.0
        if p.value and h < MIN_HEIGHT:
            h = MIN_HEIGHT
        text = "no data" if p.value is None else shown(p.value)
        title = p.title + (" (partial)" if p.partial else "")
        slot = i / n * 100.0
        bars.append(
            Bar(slot + (1 - SLOT) / 2 * 100.0 / n, SLOT * 100.0 / n, 100.0 - h, h, title,
                p.href, p.label, text, p.band, p.partial, p.value is None, slot, 100.0 / n,
                p.value)
        )  # fmt: skip
    y_ticks = [Tick(y_of(v, top), unit.text(v)) for v in marks] if values else []
    return BarChart(
        key, bars, y_ticks, x_ticks([p.short or p.label for p in points]) if values else [],
        label, unit.suffix.strip(), _bands(zones, top) if values else [], list(zones),
    )  # fmt: skip


def _bands(zones: Sequence[Zone], top: float) -> list[Band]:
    """The zones inside ``[0, top]``, clipped to it."""
    out = []
    for z in zones:
        high = top if z.high is None else min(z.high, top)
        if z.low >= top or high <= z.low:
            continue
        out.append(Band(y_of(high, top), (high - z.low) / top * 100.0, z))
    return out


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


STAGE_COLOURS = 10  # stage-0 … stage-9 in the stylesheet, then again from stage-0


@dataclass(frozen=True)
class Piece:
    """One stage's part of a stacked bar (% of the plot's height, from the top)."""

    y: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Column:
    """One bucket of a stacked chart: its pieces bottom-up, and its row in the table."""

    slot: float
    slot_width: float
    x: float
    width: float
    pieces: list[Piece]
    title: str
    href: str | None
    label: str
    partial: bool
    changes: int
    total: str  # the total as the table shows it ("no data" without changes)
    cells: list[tuple[str, str | None]]  # each stage's value as the table shows it, its link
    total_value: float | None = None  # the total in seconds (data-value); None: no changes
    values: tuple[float | None, ...] = ()  # each stage's seconds (data-value); None: no sample

    @property
    def empty(self) -> bool:
        return self.changes == 0

    @property
    def centre(self) -> float:
        return self.slot + self.slot_width / 2


@dataclass(frozen=True)
class Bucketed:
    """A bucket's stage figures for ``stacked_bars``: seconds per stage (``None``: no sample)."""

    label: str
    short: str
    changes: int
    seconds: list[float | None]
    href: str | None
    partial: bool
    stage_hrefs: Sequence[str | None] = ()  # each stage's samples in the bucket


@dataclass
class StackChart:
    key: str
    columns: list[Column]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    stages: list[tuple[str, str]]  # (name, css) of each stage, in order: the legend
    label: str

    @property
    def partial(self) -> bool:
        return any(c.partial for c in self.columns)

    @property
    def empty(self) -> bool:
        return any(c.empty for c in self.columns)


def stacked_bars(
    key: str,
    stages: Sequence[str],
    buckets: Sequence[Bucketed],
    shown: Callable[[float], str],
    label: str,
    unit: Callable[[float], Unit],
) -> StackChart:
    """One bar per bucket, split by stage bottom-up (the first stage at the bottom), each
    bar as high as the bucket's total (the sum of its stage figures)."""
    totals = [sum(s or 0.0 for s in b.seconds) for b in buckets if b.changes]
    peak = max(totals, default=0.0)
    axis = unit(peak)
    marks = ticks(peak, axis)
    top = marks[-1]
    n = max(len(buckets), 1)
    css = [f"seg stage-{i % STAGE_COLOURS}" for i in range(len(stages))]
    columns = []
    for i, b in enumerate(buckets):
        pieces, base = [], 0.0
        if b.changes:
            for name, value, c in zip(stages, b.seconds, css, strict=True):
                if not value:
                    continue
                h = value / top * 100.0
                pieces.append(Piece(100.0 - base - h, h, c, f"{b.label}: {name} {shown(value)}"))
                base += h
        total = sum(s or 0.0 for s in b.seconds)
        title = (
            f"{b.label}: {plural(b.changes, 'change')}, {shown(total) if b.changes else 'no data'}"
        )
        slot = i / n * 100.0
        columns.append(
            Column(slot, 100.0 / n, slot + (1 - SLOT) / 2 * 100.0 / n, SLOT * 100.0 / n, pieces,
                   title + (" (partial)" if b.partial else ""), b.href, b.label, b.partial,
                   b.changes, shown(total) if b.changes else "no data",
                   [(shown(s), link) if s is not None and b.changes else ("—", None)
                    for s, link in zip(b.seconds, b.stage_hrefs or [None] * len(stages),
                                       strict=True)],
                   total if b.changes else None,
                   tuple(s if b.changes else None for s in b.seconds))
        )  # fmt: skip
    y_ticks = [Tick(y_of(v, top), axis.text(v)) for v in marks] if totals else []
    x_labels = [b.short or b.label for b in buckets]
    return StackChart(
        key, columns, y_ticks, x_ticks(x_labels) if totals else [],
        [(name, c.removeprefix("seg ")) for name, c in zip(stages, css, strict=True)], label,
    )  # fmt: skip
