"""Human-readable tables (rich), with ratings in colour."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    _stage_rows(table, result)
    console = Console(highlight=False)
    console.print(table)
    for note in (
        baseline_note(result.get("baseline")),
        out_of_order_note(result.get("out_of_order")),
        completed_note(result.get("completed_work")),
    ):
        if note:
            console.print(note, soft_wrap=True)
    console.print(f"window: {stated_window(start, end)}")


def _stage_rows(table: Any, result: dict[str, Any]) -> None:
    """The stage columns and rows of a lead-time table, then its total; a ``level`` column
    when the profile gives stage maturity ranges, and an ``outliers`` column (with each
    stage's ``minimum–maximum``) when a stage has outlier bounds."""
    bounded = any("outliers" in stage for stage in result["stages"])
    # A maturity level per stage only when the profile's dora.bands gives stage ranges.
    levels = any("level" in stage for stage in result["stages"])
    columns = [("stage", "left"), ("time", "right"), *([("level", "left")] if levels else []),
               ("rating", "left"), ("samples", "right"), ("missing", "right")]  # fmt: skip
    if bounded:
        columns.append(("outliers", "right"))
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for stage in result["stages"]:
        row = [
            escape(stage["name"]),
            human(stage["seconds"]) if stage["samples"] else NO_DATA,
            *([escape(stage.get("level") or "—")] if levels else []),
            _rating(stage["rating"]),
            str(stage["samples"]),
            str(stage["missing"]),
        ]
        if bounded:
            row.append(_outliers(stage))
        table.add_row(*row)
    table.add_section()
    total = human(result["total_seconds"]) if result["changes"] else NO_DATA
    table.add_row("Total", total, *([""] if levels else []), _rating(result["rating"]), "", "",
                  *[""] * bounded)  # fmt: skip


def _outliers(stage: dict[str, Any]) -> str:
    """``2 (outside 1m–1d)``; empty for a stage without bounds."""
    if "outliers" not in stage:
        return ""
    low = human(stage["minimum"]) if stage["minimum"] is not None else "0s"
    high = human(stage["maximum"]) if stage["maximum"] is not None else "∞"
    return f"{stage['outliers']} (outside {low}–{high})"


def category_tables(result: dict[str, Any]) -> None:
    """``lead-time --by category``: one table per category, with its sample size."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    for part in result["categories"]:
        table = Table(
            title=f"{escape(part['name'])} — {result['statistic']} lead time, "
            f"{plural(part['changes'], 'change')}",
            title_justify="left",
        )
        _stage_rows(table, part)
        console.print(table)


def out_of_order_note(section: dict[str, Any] | None) -> str | None:
    """One line on the window's changes whose stages came out of order, or ``None``."""
    if not section or not section["changes"]:
        return None
    changes = plural(section["changes"], "change")
    if section["excluded"]:
        return f"{changes} out of order left out (workflow_order: enforce)"
    return f"{changes} out of order counted, early stages as 0 (workflow_order: allow_exceptions)"


def completed_note(section: dict[str, Any] | None) -> str | None:
    """One line on ``completed_work: all``: the counted changes that were not deployed."""
    if not section or section["work"] != "all":
        return None
    return f"{plural(section['not_deployed'], 'change')} done but not deployed counted"


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
    if explained.get("excluded"):
        console.print(f"excluded: {escape(explained['excluded'])}", soft_wrap=True)
    elif explained.get("out_of_order"):
        console.print(f"out of order, counted: {escape(explained['out_of_order'])}")
    if explained.get("completed"):
        done = explained["completed"]
        console.print(f"completed: {done['at']} ({escape(done['source'] or '')})", soft_wrap=True)
    if "category" in explained:
        console.print(f"category: {escape(explained['category'])}")


BAND_STYLE = {"elite": "bold green", "high": "green", "medium": "yellow", "low": "red"}


def _band(value: str | None, colours: dict[str, str] | None = None) -> str:
    """A band in its colour: a preset's style, or a custom level's own colour (its name is
    the user's text, so escaped)."""
    if not value:
        return "—"
    if colours is not None:
        return f"[{colours[value]}]{escape(value)}[/]" if value in colours else escape(value)
    return f"[{BAND_STYLE[value]}]{value}[/]"


def _level_colours(report: Mapping[str, Any]) -> dict[str, str] | None:
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


def dora_table(report: Mapping[str, Any]) -> None:
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
    if cfr.get("count") == "absolute":  # failures.count: absolute: a number of failures
        table.add_row(
            "Change failures",
            NO_DATA if "reason" in cfr else plural(cfr["failures"], "failure"),
            interval_text(cfr, lambda v: f"{v:.3g}"),
            _band(cfr["band"], colours),
            f"absolute count, over {plural(cfr['deployments'], 'deployment')}" + _few(cfr),
            *vs("change_failure_rate"),
        )
    else:
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
    rework = report.get("deployment_rework_rate") or {}
    if rework.get("signals"):  # measured: the profile has a dora.rework block
        share = rework["rate"]
        table.add_row(
            "Deployment rework rate",
            NO_DATA if share is None else f"{share * 100:.2f} %",
            interval_text(rework, lambda v: f"{v * 100:.1f}", " %"),
            _band(rework["band"], colours),
            f"{rework['rework']} rework / {plural(rework['deployments'], 'deployment')}"
            + _few(rework),
            *vs("deployment_rework_rate"),
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
                          ("Change failure rate", cfr), ("Time to restore", mttr),
                          *([("Deployment rework rate", rework)] if rework.get("signals")
                            else [])):  # fmt: skip
        if "reason" in section:
            console.print(f"{name}: no data: {escape(section['reason'])}")
    for warning in [*cfr.get("warnings", []), *mttr.get("warnings", [])]:
        console.print(f"[yellow]warning:[/] {escape(warning)}")
    if df["series"]:
        trend = " ".join(str(p["count"]) for p in df["series"])
        console.print(f"deployments per {report['interval']}: {trend}")
