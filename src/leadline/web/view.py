"""The overview's widgets, built from one ``dora`` report (or one lead-time report for a
profile without a ``dora`` block): every number with the link to the records behind it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from leadline.metrics.bands import CUSTOM, REWORK, BandScale, scale_of
from leadline.web import formatting as fmt
from leadline.web.axes import unit_of, zones
from leadline.web.buckets import bucket_views, short
from leadline.web.charts import (
    BarChart,
    Part,
    Point,
    Segment,
    StackChart,
    bar_chart,
    share,
    stacked,
)
from leadline.web.params import DRILLS, Subject, View
from leadline.web.trend import stage_trend
from leadline.words import plural


@dataclass
class Fact:
    label: str
    value: str
    href: str | None = None


@dataclass
class Widget:
    key: str
    title: str
    value: str
    band: str | None
    href: str
    facts: list[Fact]
    chart: BarChart
    warnings: list[str] = field(default_factory=list)
    colour: str | None = None  # a custom level's colour, shown as a swatch beside its name
    reason: str | None = None  # why the figure is "No data"
    versus: str | None = None  # the comparison with the previous window, in words
    verdict: str | None = None  # better | worse | no significant change | not enough data


@dataclass
class StageRow:
    name: str
    seconds: float
    rating: str | None
    samples: int
    missing: int
    samples_href: str
    missing_href: str
    width: float  # of the stage's own bar, in % of the slowest stage's
    level: str | None = None  # the stage's maturity level (dora.bands.stages)
    colour: str | None = None  # that level's colour


@dataclass
class LeadTimeView:
    changes: int
    href: str
    total_seconds: float | None
    rating: str | None
    statistic: str
    segments: list[Segment]
    rows: list[StageRow]
    levels: bool = False  # the profile gives stage ranges: the table has a Level column
    trend: StackChart | None = None  # the trend stacked by stage (web/trend.py)


def _link(subject: Subject, page: str, view: View, **extra: str | int | None) -> str:
    return f"{subject.base}/{page}{view.query(**extra)}"


def _points(
    subject: Subject,
    view: View,
    page: str,
    series: list[dict[str, Any]],
    value: Callable[[dict[str, Any], View], float | None],
    title: Callable[[dict[str, Any]], str],
    scale: BandScale | None = None,
    metric: str = "",
    now_us: int | None = None,
) -> list[Point]:
    out = []
    for point, b in zip(series, bucket_views(view, now_us), strict=True):
        v = None if b.future else value(point, b.view)
        band = None if scale is None or not metric else scale.band(metric, v)
        out.append(
            Point(b.label, v, f"{b.label}: {title(point)}", _link(subject, page, b.view),
                  band, b.partial, short(b.label, view.interval))
        )  # fmt: skip
    return out


def colour_of(scale: BandScale, level: str | None) -> str | None:
    """A custom level's colour (``None`` for a preset's band: the stylesheet colours those)."""
    if level is None or scale.name != CUSTOM:
        return None
    return scale.levels[scale.rank(level) - 1].colour


def scale_for(subject: Subject) -> BandScale:
    """The subject's band scale (the profile's ``dora.bands``; harness without a dora block)."""
    dora = subject.profile.dora
    return scale_of(dora.bands if dora is not None else "harness")


SECTIONS = {  # widget key → the report's section and how its figure reads
    "deployment_frequency": ("deployment_frequency", fmt.frequency),
    "lead_time": ("lead_time_for_changes", fmt.duration),
    "change_failure_rate": ("change_failure_rate", fmt.percent),
    "mean_time_to_restore": ("mean_time_to_restore", fmt.duration),
    "deployment_rework_rate": ("deployment_rework_rate", fmt.percent),
}
REWORK_PAGE = "rework"  # the drill-down of the rework rate (only with a dora.rework block)

EDGE_TEXT: dict[str, Callable[[float], str]] = {  # a band's edge in the chart's legend
    "per_day": lambda v: str(fmt.frequency(v)), "duration": fmt.duration,
    "percent": fmt.percent, "count": lambda v: f"{v:g}",
}  # fmt: skip

BOUNDS: dict[str, Callable[[float], str]] = {  # one unit for both ends of an interval
    "deployment_frequency": lambda v: f"{v:.3g}/day",
}


@dataclass(frozen=True)
class Ctx:
    """What every widget needs: whose figures, which window, the drill-down links, the band
    scale and the time that decides which buckets are not over yet."""

    subject: Subject
    view: View
    links: dict[str, str]
    bands: BandScale
    now: int

    def points(
        self,
        page: str,
        series: list[dict[str, Any]],
        value: Callable[[dict[str, Any], View], float | None],
        title: Callable[[dict[str, Any]], str],
        metric: str = "",
    ) -> list[Point]:
        return _points(self.subject, self.view, page, series, value, title, self.bands, metric,
                       self.now)  # fmt: skip

    def chart(
        self, key: str, points: list[Point], shown: Callable[[float], str], label: str,
        kind: str, metric: str = "",
    ) -> BarChart:  # fmt: skip
        """A widget's chart: its y axis in ``kind``'s unit, the scale's zones for ``metric``."""
        values = [p.value for p in points if p.value is not None]
        unit = unit_of(kind, max(values, default=0.0))  # the y axis's
        found = zones(self.bands, metric, EDGE_TEXT[kind]) if metric else []
        return bar_chart(key, points, shown, f"{label}, by {self.view.interval}", unit, found)


def widgets(
    subject: Subject, view: View, report: Mapping[str, Any], now_us: int | None = None
) -> list[Widget]:
    """The four DORA widgets; each number links to the records behind it, each bar to the
    records of its bucket. A figure with no data says so and why; with the report's
    ``comparison``, each widget says how its figure compares with the previous window."""
    links = {page: _link(subject, page, view) for page in DRILLS}
    bands = scale_for(subject)
    now = int(time.time() * 1_000_000) if now_us is None else now_us
    ctx = Ctx(subject, view, links, bands, now)
    cards = [
        _frequency(ctx, report["deployment_frequency"]),
        _lead_time(ctx, report["lead_time_for_changes"]),
        _failure_rate(ctx, report["change_failure_rate"]),
        _restore(ctx, report["mean_time_to_restore"]),
    ]
    rework = report.get("deployment_rework_rate")
    if rework and rework["signals"]:  # measured: the profile has a dora.rework block
        cards.append(_rework(ctx, rework))
    comparison = report.get("comparison")
    for card in cards:
        card.colour = colour_of(bands, card.band)
        name, shown = SECTIONS[card.key]
        if report[name].get("count") == "absolute":  # failures.count: absolute
            shown = _count
        card.reason = report[name].get("reason")
        if card.reason is not None:
            card.value = fmt.NO_DATA
        card.facts.extend(_uncertainty(report[name], BOUNDS.get(card.key, shown), card.href))
        if comparison is not None:
            section = comparison[name]
            card.versus = fmt.versus(section, shown(section["previous"]))
            card.verdict = section["verdict"]
    return cards


def _uncertainty(section: dict[str, Any], shown: Callable[[float], str], href: str) -> list[Fact]:
    """A figure's 95 % interval and, under 10 samples, the warning to read it with care (the
    same as the CLI table and the JSON: ``interval``, ``few_samples``); both link to the
    records behind the figure, like every number on the page."""
    found = section.get("interval")
    if not found:
        return []
    facts = [Fact("95 % interval", f"{shown(found['low'])} – {shown(found['high'])}", href)]
    if section.get("few_samples"):
        facts.append(Fact("Samples", "fewer than 10: read with care", href))
    return facts


def _frequency(ctx: Ctx, df: dict[str, Any]) -> Widget:
    def per_day(p: dict[str, Any], part: View) -> float | None:
        """Deployments per day of the bucket's part of the window (a real 0 when there is a
        deployment source): the headline's rule, which divides by the whole window. A bucket
        not over yet is marked partial, not divided by the time passed, so its bar does not
        change from one request to the next nor spike an hour into a month."""
        if df["per_day"] is None:  # no deployment source: no bar is a 0
            return None
        return float(p["count"]) / ((part.end - part.start) / fmt.DAY_US)

    points = ctx.points(
        "deployments",
        df["series"],
        per_day,
        lambda p: plural(p["count"], "deployment"),
        "deployment_frequency",
    )
    href = ctx.links["deployments"]
    daily = fmt.NO_DATA if df["per_day"] is None else f"{df['per_day']:.4g}"
    return Widget(
        "deployment_frequency", "Deployment frequency", fmt.frequency(df["per_day"]), df["band"],
        href, [Fact("Deployments", str(df["deployments"]), href),
               Fact("Per day", daily, href)],
        ctx.chart("deployment_frequency", points, lambda v: f"{v:.3g}/day",
                  "Deployments per day", "per_day", "deployment_frequency"),
    )  # fmt: skip


def _lead_time(ctx: Ctx, lt: dict[str, Any]) -> Widget:
    points = ctx.points(
        "changes", lt.get("series", []),
        lambda p, _: p["total_seconds"] if p["changes"] else None,
        lambda p: f"{plural(p['changes'], 'change')}, {fmt.duration(p['total_seconds'])}",
        "lead_time",
    )  # fmt: skip
    href = ctx.links["changes"]
    value = fmt.duration(lt["total_seconds"] if lt["changes"] else None)
    return Widget(
        "lead_time", "Lead time for changes", value, lt["band"], href,
        [Fact("Changes", str(lt["changes"]), href), Fact("Statistic", lt["statistic"])],
        ctx.chart("lead_time", points, fmt.duration, f"Lead time ({lt['statistic']})",
                  "duration", "lead_time"),
    )  # fmt: skip


def _count(value: float | None) -> str:
    """A number of failures (``failures.count: absolute``) as the card shows it."""
    return fmt.NO_DATA if value is None else f"{value:.3g}"


def _failure_rate(ctx: Ctx, cfr: dict[str, Any]) -> Widget:
    if cfr.get("count") == "absolute":
        return _failure_count(ctx, cfr)
    points = ctx.points(
        "failures", cfr["series"],
        lambda p, _: p["rate"] if p["rate"] is not None and (p["failures"] or p["deployments"])
        else None,
        lambda p: f"{plural(p['failures'], 'failure')}, {plural(p['deployments'], 'deployment')}",
        "change_failure_rate",
    )  # fmt: skip
    href = ctx.links["failures"]
    facts = [Fact("Failures", str(cfr["failures"]), href),
             Fact("Deployments", str(cfr["deployments"]), ctx.links["deployments"])]  # fmt: skip
    if cfr.get("unlinked"):
        facts.append(Fact("Unlinked", str(cfr["unlinked"]), href + "#unlinked"))
    return Widget(
        "change_failure_rate", "Change failure rate", fmt.percent(cfr["rate"]), cfr["band"],
        href, facts,
        ctx.chart("change_failure_rate", points, fmt.percent, "Change failure rate", "percent",
                  "change_failure_rate"),
        cfr.get("warnings", []),
    )  # fmt: skip


def _failure_count(ctx: Ctx, cfr: dict[str, Any]) -> Widget:
    """``failures.count: absolute``: the card's figure is the number of failures (no band:
    the bands rate fractions), the bars the failures of each bucket."""
    points = ctx.points(
        "failures", cfr["series"], lambda p, _: float(p["failures"]),
        lambda p: f"{plural(p['failures'], 'failure')}, {plural(p['deployments'], 'deployment')}",
    )  # fmt: skip
    href = ctx.links["failures"]
    facts = [Fact("Deployments", str(cfr["deployments"]), ctx.links["deployments"])]
    if cfr.get("unlinked"):
        facts.append(Fact("Unlinked", str(cfr["unlinked"]), href + "#unlinked"))
    return Widget(
        "change_failure_rate", "Change failures", str(cfr["failures"]), None, href, facts,
        ctx.chart("change_failure_rate", points, _count, "Change failures", "count"),
        cfr.get("warnings", []),
    )  # fmt: skip


def _restore(ctx: Ctx, mttr: dict[str, Any]) -> Widget:
    points = ctx.points(
        "incidents", mttr["series"], lambda p, _: p["mean_seconds"],
        lambda p: f"{p['incidents']} restored, mean {fmt.duration(p['mean_seconds'])}", "mttr",
    )  # fmt: skip
    href = ctx.links["incidents"]
    return Widget(
        "mean_time_to_restore", "Time to restore", fmt.duration(mttr["mean_seconds"]),
        mttr["band"], href,
        [Fact("Restored", str(mttr["incidents"]), href),
         Fact("Median", fmt.duration(mttr["median_seconds"]), href),
         Fact("Open at the end", str(mttr["open"]), href + "#open")],
        ctx.chart("mean_time_to_restore", points, fmt.duration, "Mean time to restore",
                  "duration", "mttr"),
        mttr.get("warnings", []),
    )  # fmt: skip


def _rework(ctx: Ctx, rr: dict[str, Any]) -> Widget:
    """The deployment rework rate: no preset bands it (DORA publishes no bands for it), so
    its level and its chart's zones come only from a custom scale with rework edges."""
    points = ctx.points(
        REWORK_PAGE, rr["series"], lambda p, _: p["rate"],
        lambda p: f"{p['rework']} rework, {plural(p['deployments'], 'deployment')}", REWORK,
    )  # fmt: skip
    href = _link(ctx.subject, REWORK_PAGE, ctx.view)
    return Widget(
        "deployment_rework_rate", "Deployment rework rate", fmt.percent(rr["rate"]), rr["band"],
        href,
        [Fact("Rework", str(rr["rework"]), href),
         Fact("Deployments", str(rr["deployments"]), ctx.links["deployments"]),
         Fact("Signals", ", ".join(s.replace("_", " ") for s in rr["signals"]))],
        ctx.chart("deployment_rework_rate", points, fmt.percent, "Deployment rework rate",
                  "percent", REWORK),
    )  # fmt: skip


def lead_time_view(
    subject: Subject, view: View, lead: Mapping[str, Any], now_us: int | None = None
) -> LeadTimeView:
    stages = lead["stages"]
    scale = scale_for(subject)
    peak = max((s["seconds"] for s in stages), default=0.0)
    rows, parts = [], []
    for s in stages:
        samples = _link(subject, "changes", view, stage=s["name"], which="samples")
        missing = _link(subject, "changes", view, stage=s["name"], which="missing")
        css = f"rating-{s['rating'] or 'none'}"
        level = s.get("level")
        rows.append(
            StageRow(s["name"], s["seconds"], s["rating"], s["samples"], s["missing"],
                     samples, missing, share(s["seconds"], peak), level,
                     colour_of(scale, level))
        )  # fmt: skip
        title = f"{s['name']}: {fmt.duration(s['seconds'])} ({fmt.rating_text(s['rating'])})"
        parts.append(Part(s["name"], s["seconds"], css, title, samples))
    return LeadTimeView(
        lead["changes"], _link(subject, "changes", view), lead["total_seconds"], lead["rating"],
        lead["statistic"], stacked(parts), rows, any("level" in s for s in stages),
        stage_trend(subject, view, lead, now_us),
    )  # fmt: skip
