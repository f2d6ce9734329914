"""Human-readable tables (rich), with ratings in colour."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from leadline.correlate.baseline import LABEL as BASELINE_LABEL
from leadline.profiles.models import Profile
from leadline.words import plural

NO_DATA = "no data"  # a figure with no source or nothing to measure: never a 0
RATING_STYLE = {"good": "green", "needs_attention": "yellow", "slow": "red"}
RATING_TEXT = {"good": "good", "needs_attention": "needs attention", "slow": "slow"}


def human(seconds: float | None) -> str:
    """``4200.0`` → ``1h 10m``; exact seconds under a minute; ``—`` for none."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:g}s"
    total = round(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    shown = [f"{n}{u}" for n, u in parts if n][:2]
    return " ".join(shown) or "0s"


def _rating(value: str | None) -> str:
    if value is None:
        return ""
    return f"[{RATING_STYLE[value]}]{RATING_TEXT[value]}[/]"


def escape(text: str) -> str:
    """Text from profiles and records is shown as is, never read as rich markup."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _bound(at: datetime) -> str:
    """A window bound as the user would type it: a date at midnight UTC, else RFC 3339."""
    from datetime import UTC

    from leadline.domain.times import format_time

    utc = at.astimezone(UTC)
    if (utc.hour, utc.minute, utc.second, utc.microsecond) == (0, 0, 0, 0):
        return utc.date().isoformat()
    return format_time(utc)


def window_text(start: datetime | None, end: datetime | None) -> str:
    """``2024-01-01 → 2024-04-01`` (end exclusive), or ``all time`` without bounds."""
    if start and end:
        return f"{_bound(start)} → {_bound(end)}"
    if start:
        return f"from {_bound(start)} on (no end)"
    if end:
        return f"before {_bound(end)} (no start)"
    return "all time"


def stated_window(start: datetime | None, end: datetime | None) -> str:
    """``window_text`` with the window's length: ``2024-05-01 → 2024-05-02 (1 day)``."""
    if start and end:
        days = plural((end - start).total_seconds() / 86_400, "day", spec="g")
        return f"{window_text(start, end)} ({days})"
    return window_text(start, end)


def lead_time_table(
    result: dict[str, Any], profile: Profile, start: datetime | None, end: datetime | None
) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{escape(result['profile'])} — {result['statistic']} lead time, "
        f"{plural(result['changes'], 'change')} ({result.get('in_flight', 0)} in flight)",
        title_justify="left",
    )
    # A maturity level per stage only when the profile's dora.bands gives stage ranges.
    levels = any("level" in stage for stage in result["stages"])
    for name, justify in [
        ("stage", "left"),
        ("time", "right"),
        *([("level", "left")] if levels else []),
        ("rating", "left"),
        ("samples", "right"),
        ("missing", "right"),
    ]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for stage in result["stages"]:
        table.add_row(
            escape(stage["name"]),
            human(stage["seconds"]) if stage["samples"] else NO_DATA,
            *([escape(stage.get("level") or "—")] if levels else []),
            _rating(stage["rating"]),
            str(stage["samples"]),
            str(stage["missing"]),
        )
    table.add_section()
    total = human(result["total_seconds"]) if result["changes"] else NO_DATA
    table.add_row("Total", total, *([""] if levels else []), _rating(result["rating"]), "", "")
    console = Console(highlight=False)
    console.print(table)
    note = baseline_note(result.get("baseline"))
    if note:
        console.print(note, soft_wrap=True)
    console.print(f"window: {stated_window(start, end)}")


def baseline_note(baseline: dict[str, Any] | None) -> str | None:
    """One line on the baseline changes of the window, or ``None`` when there are none."""
    if not baseline or not baseline["changes"]:
        return None
    changes = plural(baseline["changes"], "change")
    if baseline["included"]:
        return f"{changes} {BASELINE_LABEL} counted (deployments.baseline: include)"
    return f"{changes} {BASELINE_LABEL} left out (deployments.baseline: include counts them)"


def change_table(explained: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"change {escape(explained['change'])}", title_justify="left")
    for name in ("stage", "reached at", "duration", "source"):
        table.add_column(name)
    table.add_row("(start)", explained["start"], "", escape(explained["start_source"] or ""))
    for s in explained["stages"]:
        source = escape(s["source"]) if s["source"] else "not reached"
        table.add_row(escape(s["name"]), s["at"] or "—", human(s["seconds"]), source)
    table.add_section()
    table.add_row("Total", "", human(explained["total_seconds"]), "")
    console = Console(highlight=False)
    console.print(table)
    if explained.get("baseline"):
        console.print(
            f"{BASELINE_LABEL}: the first known deployment of its pipeline shipped it",
            soft_wrap=True,
        )


BAND_STYLE = {"elite": "bold green", "high": "green", "medium": "yellow", "low": "red"}


def _band(value: str | None, colours: dict[str, str] | None = None) -> str:
    """A band in its colour: a preset's style, or a custom level's own colour (its name is
    the user's text, so escaped)."""
    if not value:
        return "—"
    if colours is not None:
        return f"[{colours[value]}]{escape(value)}[/]" if value in colours else escape(value)
    return f"[{BAND_STYLE[value]}]{value}[/]"


def _level_colours(report: dict[str, Any]) -> dict[str, str] | None:
    """Custom levels (``bands: custom``): name → colour; ``None`` for a preset."""
    levels = report.get("levels")
    return None if levels is None else {lv["name"]: lv["colour"] for lv in levels}


def p_value(p: float) -> str:
    """``p=0.03``; ``p<0.001`` below a thousandth."""
    return "p<0.001" if p < 0.001 else f"p={p:.2g}"


def versus(section: dict[str, Any]) -> str:
    """A comparison cell: ``+12 % (worse, p=0.03)``, ``no significant change`` or
    ``not enough data``."""
    verdict = section["verdict"]
    if verdict not in ("better", "worse"):
        return str(verdict)
    change = section["change_percent"]
    shown = "" if change is None else f"{change:+.0f} % "
    return f"{shown}({verdict}, {p_value(section['p_value'])})"


def interval_text(section: dict[str, Any], show: Callable[[float], str], unit: str = "") -> str:
    """A figure's 95 % interval, ``low–high`` and the unit once; ``—`` without one."""
    found = section.get("interval")
    if not found:
        return "—"
    return f"{show(found['low'])}–{show(found['high'])}{unit}"


def _few(section: dict[str, Any]) -> str:
    """``; few samples`` under ten (``metrics.intervals.few_samples``): read with care."""
    return "; few samples" if section.get("few_samples") and section.get("interval") else ""


def dora_table(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    df = report["deployment_frequency"]
    lt = report["lead_time_for_changes"]
    cfr = report["change_failure_rate"]
    mttr = report["mean_time_to_restore"]
    table = Table(
        title=f"{escape(report['profile'])} — DORA, {report['from']} → {report['to']} "
        f"({plural(report['window']['days'], 'day', spec='g')}, {report['bands']} bands)",
        title_justify="left",
    )
    comparison = report.get("comparison")
    colours = _level_colours(report)
    columns = [("metric", "left"), ("value", "right"), ("95 % CI", "left"),
               ("band", "left"), ("detail", "left")]  # fmt: skip
    if comparison is not None:
        columns.append(("vs previous", "left"))
    for name, justify in columns:  # the figures never wrap; the detail does
        table.add_column(name, justify=justify, no_wrap=name != "detail")  # type: ignore[arg-type]

    def vs(section: str) -> list[str]:
        return [] if comparison is None else [versus(comparison[section])]

    per_day = df["per_day"]
    table.add_row(
        "Deployment frequency",
        NO_DATA if per_day is None else f"{per_day:g}/day",
        interval_text(df, lambda v: f"{v:.3g}", "/day"),
        _band(df["band"], colours),
        f"{plural(df['deployments'], 'deployment')} in {plural(df['days'], 'day', spec='g')}"
        + _few(df),
        *vs("deployment_frequency"),
    )
    lead = lt["total_seconds"]
    table.add_row(
        "Lead time for changes",
        NO_DATA if lead is None or not lt["changes"] else human(lead),
        interval_text(lt, human),
        _band(lt["band"], colours),
        f"{lt['statistic']} over {plural(lt['changes'], 'change')}" + _few(lt),
        *vs("lead_time_for_changes"),
    )
    rate = cfr["rate"]
    table.add_row(
        "Change failure rate",
        NO_DATA if rate is None else f"{rate * 100:.2f} %",
        interval_text(cfr, lambda v: f"{v * 100:.1f}", " %"),
        _band(cfr["band"], colours),
        f"{plural(cfr['failures'], 'failure')} / {plural(cfr['deployments'], 'deployment')}"
        + _few(cfr),
        *vs("change_failure_rate"),
    )
    mean = mttr["mean_seconds"]
    table.add_row(
        "Time to restore",
        NO_DATA if mean is None else human(mean),
        interval_text(mttr, human),
        _band(mttr["band"], colours),
        f"mean of {mttr['incidents']} restored ({mttr['open']} open); "
        f"median {human(mttr['median_seconds'])}" + _few(mttr),
        *vs("mean_time_to_restore"),
    )
    console = Console(highlight=False)
    console.print(table)
    note = baseline_note(lt.get("baseline"))
    if note:
        console.print(note, soft_wrap=True)
    if colours is not None:
        names = ", ".join(_band(name, colours) for name in colours)
        console.print(f"levels, best first: {names}")
    if comparison is not None:
        console.print(f"previous window: {comparison['from']} → {comparison['to']}")
    for name, section in (("Deployment frequency", df), ("Lead time for changes", lt),
                          ("Change failure rate", cfr), ("Time to restore", mttr)):  # fmt: skip
        if "reason" in section:
            console.print(f"{name}: no data: {escape(section['reason'])}")
    for warning in [*cfr.get("warnings", []), *mttr.get("warnings", [])]:
        console.print(f"[yellow]warning:[/] {escape(warning)}")
    if df["series"]:
        trend = " ".join(str(p["count"]) for p in df["series"])
        console.print(f"deployments per {report['interval']}: {trend}")
