"""The overview's widgets, built from one ``dora`` report (or one lead-time report for a
profile without a ``dora`` block): every number with the link to the records behind it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from leadline.metrics.bands import CUSTOM, REWORK, BandScale, scale_of
from leadline.metrics.series import buckets
from leadline.web import formatting as fmt
from leadline.web.charts import BarChart, Part, Point, Segment, bar_chart, share, stacked
from leadline.web.params import DRILLS, Subject, View
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


def _bucket_views(view: View) -> list[View]:
    grid = buckets(view.start, view.end, view.interval)
    ends = [b.start_us for b in grid[1:]] + [view.end]
    return [view.between(b.start_us, end) for b, end in zip(grid, ends, strict=True)]


def _link(subject: Subject, page: str, view: View, **extra: str | int | None) -> str:
    return f"{subject.base}/{page}{view.query(**extra)}"


def _points(
    subject: Subject,
    view: View,
    page: str,
    series: list[dict[str, Any]],
    value: Callable[[dict[str, Any], View], float | None],
    title: Callable[[dict[str, Any]], str],
    css: Callable[[float | None, View], str],
    scale: BandScale | None = None,
    metric: str = "",
) -> list[Point]:
    out = []
    for point, part in zip(series, _bucket_views(view), strict=True):
        v = value(point, part)
        level = fill = None
        if scale is not None and scale.name == CUSTOM:
            level = scale.band(metric, v)
            fill = None if level is None else colour_of(scale, level)
        out.append(
            Point(point["start"], v, f"{point['start']}: {title(point)}",
                  _link(subject, page, part), css(v, part), level, fill)
        )  # fmt: skip
    return out


def _css(metric: str, scale: BandScale) -> Callable[[float | None, View], str]:
    """A bar's class: ``band-<band>`` for a preset; custom levels are coloured by ``fill``
    (``band-level``), or ``band-none`` without a value."""

    def pick(value: float | None, _: View) -> str:
        found = scale.band(metric, value)
        if found is None:
            return "band-none"
        return "band-level" if scale.name == CUSTOM else f"band-{found}"

    return pick


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

BOUNDS: dict[str, Callable[[float], str]] = {  # one unit for both ends of an interval
    "deployment_frequency": lambda v: f"{v:.3g}/day",
}


def widgets(subject: Subject, view: View, report: Mapping[str, Any]) -> list[Widget]:
    """The four DORA widgets; each number links to the records behind it, each bar to the
    records of its bucket. A figure with no data says so and why; with the report's
    ``comparison``, each widget says how its figure compares with the previous window."""
    links = {page: _link(subject, page, view) for page in DRILLS}
    bands = scale_for(subject)
    cards = [
        _frequency(subject, view, report["deployment_frequency"], links, bands),
        _lead_time(subject, view, report["lead_time_for_changes"], links, bands),
        _failure_rate(subject, view, report["change_failure_rate"], links, bands),
        _restore(subject, view, report["mean_time_to_restore"], links, bands),
    ]
    rework = report.get("deployment_rework_rate")
    if rework and rework["signals"]:  # measured: the profile has a dora.rework block
        cards.append(_rework(subject, view, rework, links, bands))
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


def _frequency(
    subject: Subject, view: View, df: dict[str, Any], links: dict[str, str], bands: BandScale
) -> Widget:
    def per_day(p: dict[str, Any], part: View) -> float | None:
        if df["per_day"] is None:  # no deployment source: no bar is a 0
            return None
        return float(p["count"]) / ((part.end - part.start) / fmt.DAY_US)

    points = _points(
        subject, view, "deployments", df["series"], per_day,
        lambda p: plural(p["count"], "deployment"), _css("deployment_frequency", bands),
        bands, "deployment_frequency",
    )  # fmt: skip
    href = links["deployments"]
    daily = fmt.NO_DATA if df["per_day"] is None else f"{df['per_day']:.4g}"
    return Widget(
        "deployment_frequency", "Deployment frequency", fmt.frequency(df["per_day"]), df["band"],
        href, [Fact("Deployments", str(df["deployments"]), href),
               Fact("Per day", daily, href)],
        bar_chart(points, lambda v: f"{v:.3g}/day", f"Deployments per day, by {view.interval}"),
    )  # fmt: skip


def _lead_time(
    subject: Subject, view: View, lt: dict[str, Any], links: dict[str, str], bands: BandScale
) -> Widget:
    points = _points(
        subject, view, "changes", lt.get("series", []),
        lambda p, _: p["total_seconds"] if p["changes"] else None,
        lambda p: f"{plural(p['changes'], 'change')}, {fmt.duration(p['total_seconds'])}",
        _css("lead_time", bands), bands, "lead_time",
    )  # fmt: skip
    href = links["changes"]
    value = fmt.duration(lt["total_seconds"] if lt["changes"] else None)
    return Widget(
        "lead_time", "Lead time for changes", value, lt["band"], href,
        [Fact("Changes", str(lt["changes"]), href), Fact("Statistic", lt["statistic"])],
        bar_chart(points, fmt.duration, f"Lead time ({lt['statistic']}), by {view.interval}"),
    )  # fmt: skip


def _count(value: float | None) -> str:
    """A number of failures (``failures.count: absolute``) as the card shows it."""
    return fmt.NO_DATA if value is None else f"{value:.3g}"


def _failure_rate(
    subject: Subject, view: View, cfr: dict[str, Any], links: dict[str, str], bands: BandScale
) -> Widget:
    if cfr.get("count") == "absolute":
        return _failure_count(subject, view, cfr, links)
    points = _points(
        subject, view, "failures", cfr["series"],
        lambda p, _: p["rate"] if p["rate"] is not None and (p["failures"] or p["deployments"])
        else None,
        lambda p: f"{plural(p['failures'], 'failure')}, {plural(p['deployments'], 'deployment')}",
        _css("change_failure_rate", bands), bands, "change_failure_rate",
    )  # fmt: skip
    href = links["failures"]
    facts = [Fact("Failures", str(cfr["failures"]), href),
             Fact("Deployments", str(cfr["deployments"]), links["deployments"])]  # fmt: skip
    if cfr.get("unlinked"):
        facts.append(Fact("Unlinked", str(cfr["unlinked"]), href + "#unlinked"))
    return Widget(
        "change_failure_rate", "Change failure rate", fmt.percent(cfr["rate"]), cfr["band"],
        href, facts,
        bar_chart(points, fmt.percent, f"Change failure rate, by {view.interval}"),
        cfr.get("warnings", []),
    )  # fmt: skip


def _failure_count(
    subject: Subject, view: View, cfr: dict[str, Any], links: dict[str, str]
) -> Widget:
    """``failures.count: absolute``: the card's figure is the number of failures (no band:
    the bands rate fractions), the bars the failures of each bucket."""
    points = _points(
        subject, view, "failures", cfr["series"], lambda p, _: float(p["failures"]),
        lambda p: f"{plural(p['failures'], 'failure')}, {plural(p['deployments'], 'deployment')}",
        lambda _value, _view: "band-none",
    )  # fmt: skip
    href = links["failures"]
    facts = [Fact("Deployments", str(cfr["deployments"]), links["deployments"])]
    if cfr.get("unlinked"):
        facts.append(Fact("Unlinked", str(cfr["unlinked"]), href + "#unlinked"))
    return Widget(
        "change_failure_rate", "Change failures", str(cfr["failures"]), None, href, facts,
        bar_chart(points, _count, f"Change failures, by {view.interval}"),
        cfr.get("warnings", []),
    )  # fmt: skip


def _restore(
    subject: Subject, view: View, mttr: dict[str, Any], links: dict[str, str], bands: BandScale
) -> Widget:
    points = _points(
        subject, view, "incidents", mttr["series"], lambda p, _: p["mean_seconds"],
        lambda p: f"{p['incidents']} restored, mean {fmt.duration(p['mean_seconds'])}",
        _css("mttr", bands), bands, "mttr",
    )  # fmt: skip
    href = links["incidents"]
    return Widget(
        "mean_time_to_restore", "Time to restore", fmt.duration(mttr["mean_seconds"]),
        mttr["band"], href,
        [Fact("Restored", str(mttr["incidents"]), href),
         Fact("Median", fmt.duration(mttr["median_seconds"]), href),
         Fact("Open at the end", str(mttr["open"]), href + "#open")],
        bar_chart(points, fmt.duration, f"Mean time to restore, by {view.interval}"),
        mttr.get("warnings", []),
    )  # fmt: skip


def _rework(
    subject: Subject, view: View, rr: dict[str, Any], links: dict[str, str], bands: BandScale
) -> Widget:
    """The deployment rework rate: no preset bands it (DORA publishes no bands for it), so
    its level and its bars' colours come only from a custom scale with rework edges; without
    them the bars are drawn without a band colour."""
    points = _points(
        subject, view, REWORK_PAGE, rr["series"], lambda p, _: p["rate"],
        lambda p: f"{p['rework']} rework, {plural(p['deployments'], 'deployment')}",
        _css(REWORK, bands), bands, REWORK,
    )  # fmt: skip
    href = _link(subject, REWORK_PAGE, view)
    return Widget(
        "deployment_rework_rate", "Deployment rework rate", fmt.percent(rr["rate"]), rr["band"],
        href,
        [Fact("Rework", str(rr["rework"]), href),
         Fact("Deployments", str(rr["deployments"]), links["deployments"]),
         Fact("Signals", ", ".join(s.replace("_", " ") for s in rr["signals"]))],
        bar_chart(points, fmt.percent, f"Deployment rework rate, by {view.interval}"),
    )  # fmt: skip


def lead_time_view(subject: Subject, view: View, lead: Mapping[str, Any]) -> LeadTimeView:
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
    )  # fmt: skip
