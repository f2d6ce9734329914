"""``GET /metrics``: what a Prometheus scrape sees (text exposition format 0.0.4).

* ``leadline_records{kind}``: records stored, by kind;
* ``leadline_webhook_deliveries{source,status}``: deliveries kept, by parse status
  (``parsed``, ``ignored``, ``failed``): read from the database, so they survive restarts
  and add up across ``serve --workers``;
* per stored profile with a ``dora`` block, over the ``dora`` default window (the 90 days
  ending at the end of today, UTC) or the scrape's ``?from=&to=``: ``leadline_dora_deployments``,
  ``leadline_dora_deployments_per_day``, ``leadline_dora_lead_time_seconds`` (the profile's
  statistic), ``leadline_dora_change_failure_rate`` (a fraction; with ``failures.count:
  absolute`` ``leadline_dora_change_failures``, a count, instead),
  ``leadline_dora_time_to_restore_seconds`` (mean), ``leadline_dora_deployment_rework_rate``
  (a fraction; only for profiles with a ``dora.rework`` block; banded only when the
  profile's custom ``dora.bands`` gives its range) and ``leadline_dora_band{metric,band}`` = 1
  (``band`` is the level's name: a preset's band or a custom level); the band's rank is
  ``leadline_dora_band_rank{profile,metric}`` (1 = the best level) and the number of levels
  ``leadline_dora_band_levels{profile}`` (4 for a preset), so an alert can read "worse than
  the second level" whatever the levels are called.
  A figure that does not exist (no incidents resolved: no restore time) is left out, as
  Prometheus expects, rather than written as 0. Each figure's 95 % interval is
  ``leadline_dora_interval{profile,metric,bound="low"|"high"}`` (in the figure's unit) and
  ``leadline_dora_few_samples{profile,metric}`` is 1 when it rests on fewer than 10 samples.
* per stored profile with ``categories``, over the same window: lead time by category
  (``leadline lead-time --by category``): ``leadline_lead_time_category_changes{profile,
  category}`` and ``leadline_lead_time_category_seconds{profile,category}`` (the total, the
  profile's lead-time statistic ``mean``; left out for a category with no change).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from leadline.errors import LeadlineError
from leadline.metrics.bands import BANDS
from leadline.metrics.windows import closed
from leadline.services import profiles
from leadline.services.dora import dora
from leadline.services.leadtime import Window, lead_time
from leadline.store import raw_events
from leadline.store import tables as t
from leadline.store.db import reading

COUNTED = {
    "issue": t.issues, "version": t.versions, "commit": t.commits,
    "pull_request": t.pull_requests, "pipeline_run": t.pipeline_runs,
    "incident": t.incidents, "event": t.events,
}  # fmt: skip

DORA_GAUGES = (
    ("deployments", "Deployments in the window.", ("deployment_frequency", "deployments")),
    ("deployments_per_day", "Deployments per day.", ("deployment_frequency", "per_day")),
    ("lead_time_seconds", "Lead time for changes (the profile's statistic).",
     ("lead_time_for_changes", "total_seconds")),
    ("change_failure_rate", "Change failure rate, a fraction.", ("change_failure_rate", "rate")),
    ("time_to_restore_seconds", "Mean time to restore.", ("mean_time_to_restore", "mean_seconds")),
    ("deployment_rework_rate", "Deployment rework rate (unplanned deployments), a fraction.",
     ("deployment_rework_rate", "rate")),
)  # fmt: skip
#: The sections that may have a band: the four, and the rework rate when a custom scale gives
#: its range (no preset does: docs/dora.md#deployment-rework-rate); a null band is left out.
BANDED = ("deployment_frequency", "lead_time_for_changes", "change_failure_rate",
          "mean_time_to_restore", "deployment_rework_rate")  # fmt: skip
#: The sections with an interval: all five.
ESTIMATED = BANDED


def exposition(engine: Engine, window: Window | None = None) -> str:
    lines: list[str] = []
    with reading(engine) as conn:
        counts = {kind: conn.execute(select(func.count()).select_from(table)).scalar_one()
                  for kind, table in COUNTED.items()}  # fmt: skip
        deliveries = raw_events.counts(conn)
    _family(lines, "leadline_records", "Records stored, by kind.",
            ([{"kind": k}, n] for k, n in counts.items()))  # fmt: skip
    _family(lines, "leadline_webhook_deliveries", "Webhook deliveries kept, by parse status.",
            ([{"source": s, "status": p}, n] for s, p, n in deliveries))  # fmt: skip
    reports: list[tuple[str, Mapping[str, Any]]] = []
    categories: list[tuple[str, dict[str, Any]]] = []
    for name in profiles.names(engine):
        try:
            profile = profiles.get(engine, name)
            if profile.dora is not None:
                reports.append((name, dora(engine, profile, window, build=False)))
            if profile.categories is not None:
                span = closed(window, datetime.now(UTC))
                found = lead_time(engine, profile, "mean", span, build=False, by="category")
                categories += [(name, part) for part in found.get("categories", [])]
        except LeadlineError as exc:  # one bad profile must not hide the others
            lines.append(f"# profile {_escape(name)} skipped: {_escape(exc.message)}")
    for metric, help_text, (section, field) in DORA_GAUGES:
        samples = [([{"profile": name}, report[section][field]]) for name, report in reports
                   if report[section].get(field) is not None]  # fmt: skip
        _family(lines, f"leadline_dora_{metric}", help_text, samples)
    counted = [([{"profile": name}, report["change_failure_rate"]["failures"]])
               for name, report in reports if _absolute(report["change_failure_rate"])]  # fmt: skip
    if counted:  # failures.count: absolute — the figure is a count, not a fraction
        _family(lines, "leadline_dora_change_failures",
                "Change failures in the window (failures.count: absolute).", counted)  # fmt: skip
    bands = [([{"profile": name, "metric": section, "band": report[section]["band"]}, 1])
             for name, report in reports for section in BANDED
             if report.get(section, {}).get("band")]  # fmt: skip
    _family(lines, "leadline_dora_band", "The DORA band of each metric (value 1).", bands)
    ranks = [([{"profile": name, "metric": section}, _rank(report, report[section]["band"])])
             for name, report in reports for section in BANDED
             if report.get(section, {}).get("band")]  # fmt: skip
    _family(lines, "leadline_dora_band_rank",
            "The rank of each metric's band: 1 is the best level.", ranks)  # fmt: skip
    sizes = [([{"profile": name}, len(_levels(report))]) for name, report in reports]
    _family(lines, "leadline_dora_band_levels",
            "How many levels the profile's bands have (the worst rank).", sizes)  # fmt: skip
    bounds = [([{"profile": name, "metric": section, "bound": bound},
                report[section]["interval"][bound]])
              for name, report in reports for section in ESTIMATED
              if report[section].get("interval") for bound in ("low", "high")]  # fmt: skip
    _family(lines, "leadline_dora_interval", "The 95 % interval of each figure.", bounds)
    few = [([{"profile": name, "metric": section}, int(bool(report[section]["few_samples"]))])
           for name, report in reports for section in ESTIMATED
           if report[section].get("interval")]  # fmt: skip
    _family(lines, "leadline_dora_few_samples",
            "1 when the figure rests on fewer than 10 samples.", few)  # fmt: skip
    if categories:
        _family(
            lines,
            "leadline_lead_time_category_changes",
            "Changes in the window, by profile category.",
            ([{"profile": n, "category": c["name"]}, c["changes"]] for n, c in categories),
        )
        _family(lines, "leadline_lead_time_category_seconds",
                "Lead time by profile category (the mean of each stage, summed).",
                ([{"profile": n, "category": c["name"]}, c["total_seconds"]]
                 for n, c in categories if c["changes"]))  # fmt: skip
    return "\n".join(lines) + "\n"


def _absolute(section: Mapping[str, Any]) -> bool:
    return section.get("count") == "absolute" and section.get("reason") is None


def _levels(report: Mapping[str, Any]) -> list[str]:
    """The level names of a report, best first: a preset's bands or the custom levels."""
    custom = report.get("levels")
    return list(BANDS) if custom is None else [level["name"] for level in custom]


def _rank(report: Mapping[str, Any], band: str) -> int:
    return _levels(report).index(band) + 1


def _family(lines: list[str], name: str, help_text: str, samples: Iterable[list[Any]]) -> None:
    lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    for labels, value in samples:
        text = ",".join(f'{k}="{_escape(str(v))}"' for k, v in labels.items())
        lines.append(f"{name}{{{text}}} {_number(value)}")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, int) else repr(float(value))
