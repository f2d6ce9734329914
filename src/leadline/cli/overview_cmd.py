"""``leadline overview``: every collection's DORA figures, one row a team (the dashboard's
``/`` and ``GET /v1/overview`` show the same rows: ``services/org_overview.py``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import click

from leadline.cli.context import AppContext
from leadline.cli.csvout import format_option
from leadline.cli.options import window_options
from leadline.csvtext import Cell
from leadline.csvtext import to_csv as csv_text
from leadline.metrics.choices import INTERVALS, STATISTICS

# (section of the report, its figure, its sample size, the table's heading)
FIGURES = (
    ("deployment_frequency", "per_day", "deployments", "deploys\nper day"),
    ("lead_time_for_changes", "total_seconds", "changes", "lead\ntime"),
    ("change_failure_rate", "rate", "deployments", "failure\nrate"),
    ("mean_time_to_restore", "mean_seconds", "incidents", "time to\nrestore"),
    ("deployment_rework_rate", "rate", "deployments", "rework\nrate"),
)


@click.command("overview")
@window_options
@click.option("--interval", type=click.Choice(INTERVALS), default="week", show_default=True,
              help="Bucket size of each team's trend series (json).")  # fmt: skip
@click.option("--stat", type=click.Choice(STATISTICS), default="mean", show_default=True,
              help="Statistic for lead time for changes.")  # fmt: skip
@click.option("--compare", type=click.Choice(["previous", "none"]), default="previous",
              show_default=True,
              help="Compare each figure with the previous window of the same length.")  # fmt: skip
@format_option
@click.pass_obj
def overview_command(
    app: AppContext, window: Any, interval: str, stat: str, compare: str, fmt: str
) -> None:
    """The DORA metrics of every collection (team), in tree order, as the dashboard's / shows
    them. Each team's figures are exactly those of leadline dora --collection NAME [--compare
    previous] --format json; json prints the list of those reports (a team whose profile has no
    dora block: "dora": null and its lead time). table: each figure with its band, sample size
    and change against the previous window; csv: one line a team, a figure with no data an
    empty cell with its reason beside it, never a 0.

    The window is [--from, --to); without them, the 90 days ending at the end of today (UTC).
    """
    from leadline.cli.progress import step_progress
    from leadline.services import collections
    from leadline.services.org_overview import overview

    names = [c.name for c in collections.tree(app.engine)]
    with step_progress("building timelines"):
        rows = overview(app.engine, names, window, interval, stat, compare == "previous",
                        build=True)  # fmt: skip
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif fmt == "csv":
        click.echo(to_csv(rows), nl=False)
    else:
        _table(rows)


def columns() -> list[str]:
    """The CSV's columns: each figure with its sample size, band, reason and comparison."""
    out = ["collection", "profile", "from", "to", "error"]
    for section, figure, samples, _ in FIGURES:
        out += [f"{section}.{figure}", f"{section}.{samples}", f"{section}.band",
                f"{section}.reason", f"{section}.previous", f"{section}.change_percent",
                f"{section}.verdict"]  # fmt: skip
    out.append("change_failure_rate.failures")
    return out


def to_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """One line a team; an empty cell is "no data" or "not measured", never a 0."""
    header = columns()
    lines: list[list[Cell]] = []
    for row in rows:
        lead = row.get("lead_time_for_changes") or {}
        line: dict[str, Any] = {
            "collection": row["collection"],
            "profile": row.get("profile", lead.get("profile")),
            "from": row.get("from", (lead.get("window") or {}).get("from")),
            "to": row.get("to", (lead.get("window") or {}).get("to")),
            "error": row.get("error") or ("no dora block" if "dora" in row else None),
        }
        compared = row.get("comparison") or {}
        for section, figure, samples, _ in FIGURES:
            found = row.get(section)
            if not found:
                continue
            reason = found.get("reason")
            value = found.get(figure)
            if section == "lead_time_for_changes" and not found.get("changes"):
                value = None
            line |= {
                f"{section}.{figure}": None if reason else value,
                f"{section}.{samples}": found.get(samples),
                f"{section}.band": found.get("band"),
                f"{section}.reason": reason,
            }
            if section in compared:
                c = compared[section]
                line |= {f"{section}.previous": c["previous"],
                         f"{section}.change_percent": c["change_percent"],
                         f"{section}.verdict": c["verdict"]}  # fmt: skip
        if row.get("change_failure_rate"):
            line["change_failure_rate.failures"] = row["change_failure_rate"]["failures"]
        lines.append([line.get(c) for c in header])
    return csv_text(header, lines)


def _table(rows: Sequence[Mapping[str, Any]]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from leadline.cli.render import NO_DATA, escape, versus

    console = Console(highlight=False)
    shown = [f for f in FIGURES if f[0] != "deployment_rework_rate" or any(
        (r.get(f[0]) or {}).get("signals") for r in rows)]  # fmt: skip
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 0, 0, 1))
    table.add_column("team", no_wrap=True)
    for *_, heading in shown:
        table.add_column(heading, justify="right")
    for row in rows:
        cells = [escape(row["collection"])]
        for section, figure, samples, _ in shown:
            found = row.get(section)
            if (
                "error" in row
                or not found
                or (row.get("dora", True) is None and section != "lead_time_for_changes")
            ):
                cells.append("—")
                continue
            value = None if found.get("reason") else found.get(figure)
            if section == "lead_time_for_changes" and not found.get("changes"):
                value = None
            text = NO_DATA if value is None else _figure(section, value)
            band = found.get("band")
            count = found.get(samples)
            if section == "change_failure_rate":
                count = f"{found['failures']}/{found['deployments']}"
            cell = f"{text} {escape(band) if band else ''}\n[dim]n={count}[/]"
            compared = (row.get("comparison") or {}).get(section)
            if compared is not None:
                cell += f"\n[dim]{versus(compared)}[/]"
            cells.append(cell)
        table.add_row(*cells)
    console.print(table)
    for row in rows:
        if "error" in row:
            console.print(f"{escape(row['collection'])}: {escape(row['error'])}")
        elif row.get("dora", True) is None:
            console.print(f"{escape(row['collection'])}: its profile has no dora block "
                          "(lead time only)")  # fmt: skip


def _figure(section: str, value: float) -> str:
    from leadline.cli.render import human

    if section == "deployment_frequency":
        return f"{value:.2f}/day"
    if section in ("change_failure_rate", "deployment_rework_rate"):
        return f"{value * 100:.1f} %"
    return human(value)
