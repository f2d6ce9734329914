"""The organisation overview's table (``/``): one row per collection the viewer may see, in
tree order or sorted by a column, each figure as its collection's overview widget shows it.

The numbers come from ``services.org_overview.overview`` (the rows ``GET /v1/overview`` and
``leadline overview`` print); each cell's words (value, band, reason, comparison, link) come
from ``web.view.widgets``, the overview page's own builder, so a team's row and its page say
the same thing. Sorting is by the figure's value, rows without one ("No data", no ``dora``
block, no profile) last whichever the order; the column headers are plain links
(``?sort=lead_time&order=desc``), so it works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from leadline.errors import InputError
from leadline.profiles.models import Profile
from leadline.services import collections
from leadline.services.org_overview import Team, teams
from leadline.services.org_overview import rows as rows_of
from leadline.web import formatting as fmt
from leadline.web.axes import unit_of
from leadline.web.charts import bar_chart
from leadline.web.params import Subject, View, Viewer, subject_path
from leadline.web.view import SECTIONS, Widget, widgets
from leadline.words import plural

COLUMNS = {  # sort key → the column's heading
    "deployment_frequency": "Deployment frequency",
    "lead_time": "Lead time for changes",
    "change_failure_rate": "Change failure rate",
    "mean_time_to_restore": "Time to restore",
    "deployment_rework_rate": "Deployment rework rate",
}
SORTS = ("name", *COLUMNS)
ORDERS = ("asc", "desc")
VALUES = {  # sort key → the figure a row is sorted by (the report's own number)
    "deployment_frequency": "per_day",
    "lead_time": "total_seconds",
    "change_failure_rate": "rate",
    "mean_time_to_restore": "mean_seconds",
    "deployment_rework_rate": "rate",
}


@dataclass
class Cell:
    """One figure of a row: the widget's words and its sample size in words."""

    widget: Widget
    samples: str


@dataclass
class TeamRow:
    name: str
    depth: int
    href: str
    profile: str | None
    cells: dict[str, Cell] = field(default_factory=dict)
    note: str | None = None  # why the row has no DORA figures (no dora block, no profile)
    values: dict[str, float | None] = field(default_factory=dict)


@dataclass
class Header:
    key: str
    title: str
    href: str
    sort: str | None  # aria-sort: ascending | descending, on the current column only


@dataclass
class OrgTable:
    rows: list[TeamRow]
    headers: list[Header]
    sort: str | None
    order: str
    rework: bool  # some team measures the rework rate: the table has its column


def read_sort(sort: str | None, order: str | None) -> tuple[str | None, str]:
    """The ``sort``/``order`` query; a bad one is an ``InputError`` (the error page)."""
    chosen = (sort or "").strip().lower() or None
    if chosen is not None and chosen not in SORTS:
        raise InputError(f"sort: expected one of {', '.join(SORTS)}, got {sort!r}")
    direction = (order or "asc").strip().lower()
    if direction not in ORDERS:
        raise InputError(f"order: expected one of {', '.join(ORDERS)}, got {order!r}")
    return chosen, direction


def org_table(
    engine: Engine,
    view: View,
    who: Viewer,
    sort: str | None,
    order: str,
    settle: Callable[[Profile], None] | None = None,
) -> OrgTable:
    """The table of every collection ``who`` may see, sorted by ``sort`` (``None``: tree);
    ``settle`` as ``services.org_overview.overview`` takes it."""
    seen = [c for c in collections.tree(engine) if who.sees(engine, "c", c.name)]
    found = teams(engine, [c.name for c in seen])
    reports = rows_of(engine, found, view.window(), view.interval, view.stat, view.compare,
                      settle=settle, partial=True)  # fmt: skip
    rows = [_row(c, t, report, view) for c, t, report in zip(seen, found, reports, strict=True)]
    rework = any("deployment_rework_rate" in r.cells for r in rows)
    keys = ["name", *(k for k in COLUMNS if rework or k != "deployment_rework_rate")]
    if sort not in (None, *keys):  # sorted by a column no team has: the tree's order
        sort = None
    if sort == "name":
        rows.sort(key=lambda r: r.name.casefold(), reverse=order == "desc")
    elif sort is not None:
        known = [r for r in rows if r.values.get(sort) is not None]
        known.sort(key=lambda r: r.values[sort] or 0.0, reverse=order == "desc")
        rows = known + [r for r in rows if r.values.get(sort) is None]
    headers = []
    for key in keys:
        current = key == sort
        flip = "desc" if current and order == "asc" else "asc"
        headers.append(Header(
            key, "Team" if key == "name" else COLUMNS[key], "/" + view.query(sort=key, order=flip),
            ("ascending" if order == "asc" else "descending") if current else None,
        ))  # fmt: skip
    return OrgTable(rows, headers, sort, order, rework)


def _row(c: collections.Collection, team: Team, report: Mapping[str, Any], view: View) -> TeamRow:
    href = f"{subject_path('c', c.name)}{view.query()}"
    row = TeamRow(c.name, c.depth, href, c.profile)
    if team.profile is None or "building" in report:
        row.note = team.error or str(report["building"]).capitalize() + "."
        return row
    subject = Subject("c", c.name, team.profile, c)
    if report.get("dora", True) is None:  # no dora block: lead time only
        row.note = "No dora block in its profile: lead time only."
        lead = report["lead_time_for_changes"]
        value = lead["total_seconds"] if lead["changes"] else None
        row.values["lead_time"] = value
        href = f"{subject.base}/changes{view.query()}"
        chart = bar_chart("none", [], fmt.duration, "", unit_of("duration", 0.0))  # not drawn
        card = Widget("lead_time", COLUMNS["lead_time"], fmt.duration(value), None, href, [], chart)
        if value is None:
            card.value, card.reason = fmt.NO_DATA, "no change finished in this window"
        row.cells["lead_time"] = Cell(card, plural(lead["changes"], "change"))
        return row
    for card in widgets(subject, view, report):
        name, _ = SECTIONS[card.key]
        section = report[name]
        row.cells[card.key] = Cell(card, _samples(card.key, section))
        figure = None if section.get("reason") else section.get(VALUES[card.key])
        if card.key == "lead_time" and not section["changes"]:
            figure = None
        if card.key == "change_failure_rate" and section.get("count") == "absolute":
            figure = None  # a number of failures does not sort among rates
        row.values[card.key] = figure
    return row


def _samples(key: str, section: Mapping[str, Any]) -> str:
    """The sample size behind a figure, in words."""
    if key == "deployment_frequency":
        return plural(section["deployments"], "deployment")
    if key == "lead_time":
        return plural(section["changes"], "change")
    if key == "change_failure_rate":
        return f"{plural(section['failures'], 'failure')} / {section['deployments']} deployed"
    if key == "mean_time_to_restore":
        return f"{plural(section['incidents'], 'incident')} restored"
    return f"{section['rework']} rework / {section['deployments']} deployed"
