"""The CSV of the reports the CLI (``--format csv``) and the API (``format=csv``) both give:
one shape each, so a file from ``leadline dora`` and one from ``GET /v1/dora`` read alike.
The cells go through ``leadline.csvtext`` (the formula-injection escape, the line ending).

- ``dora_csv``: one row per metric for the window (``bucket`` empty), then one row per metric
  and bucket of its trend series (``bucket`` = the bucket's first day). Columns: ``metric``
  (the JSON key), ``bucket``, ``value`` and its ``unit`` (``per_day``, ``seconds``, ``rate``
  0–1, ``failures`` under ``failures.count: absolute``, ``deployments`` for a bucket's
  count), ``samples`` (what the value is over), ``band``, ``ci_low``/``ci_high`` (the 95 %
  interval) and, with a comparison, ``vs_previous``, ``change_percent``, ``p_value``. A value
  with nothing to measure is empty, never 0. The rework rate is there only when measured.
- ``lead_time_csv``: one row per stage and the total; with categories, their rows follow
  under a first column ``category`` (empty for the whole report's rows).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from leadline.csvtext import Cell, to_csv

DORA_HEADER = ["metric", "bucket", "value", "unit", "samples", "band", "ci_low", "ci_high",
               "vs_previous", "change_percent", "p_value"]  # fmt: skip


def dora_csv(report: Mapping[str, Any]) -> str:
    """The header has the comparison's columns only when the report compares."""
    width = len(DORA_HEADER) if report.get("comparison") is not None else len(DORA_HEADER) - 3
    rows = (row + [None] * (width - len(row)) for row in dora_rows(report))
    return to_csv(DORA_HEADER[:width], rows)


def _window_row(report: Mapping[str, Any], key: str, value: Any, unit: str,
                samples: Any) -> list[Cell]:  # fmt: skip
    section = report[key]
    found = section.get("interval") or {}
    row: list[Cell] = [key, "", value, unit, samples, section.get("band"), found.get("low"),
                       found.get("high")]  # fmt: skip
    versus = (report.get("comparison") or {}).get(key)
    if versus is not None:
        row += [versus["verdict"], versus["change_percent"], versus["p_value"]]
    return row


def dora_rows(report: Mapping[str, Any]) -> Iterator[list[Cell]]:
    df = report["deployment_frequency"]
    lt = report["lead_time_for_changes"]
    cfr = report["change_failure_rate"]
    mttr = report["mean_time_to_restore"]
    rework = report.get("deployment_rework_rate") or {}
    absolute = cfr.get("count") == "absolute"
    yield _window_row(report, "deployment_frequency", df["per_day"], "per_day", df["deployments"])
    lead = lt["total_seconds"] if lt["changes"] else None
    yield _window_row(report, "lead_time_for_changes", lead, "seconds", lt["changes"])
    failures = None if "reason" in cfr else cfr["failures"]
    yield _window_row(report, "change_failure_rate", failures if absolute else cfr["rate"],
                      "failures" if absolute else "rate", cfr["deployments"])  # fmt: skip
    yield _window_row(report, "mean_time_to_restore", mttr["mean_seconds"], "seconds",
                      mttr["incidents"])  # fmt: skip
    measured = bool(rework.get("signals"))
    if measured:
        yield _window_row(report, "deployment_rework_rate", rework["rate"], "rate",
                          rework["deployments"])  # fmt: skip
    series = [
        ("deployment_frequency", df, "count", "deployments", "count"),
        ("lead_time_for_changes", lt, "total_seconds", "seconds", "changes"),
        ("change_failure_rate", cfr, *(("failures", "failures") if absolute else ("rate", "rate")),
         "deployments"),
        ("mean_time_to_restore", mttr, "mean_seconds", "seconds", "incidents"),
        *([("deployment_rework_rate", rework, "rate", "rate", "deployments")] if measured else []),
    ]  # fmt: skip
    for key, section, field, unit, over in series:
        for p in section.get("series") or []:
            # No source for the metric, or nothing in the bucket to measure: empty, not 0.
            shown = "reason" not in section and (key != "lead_time_for_changes" or p[over])
            yield [key, p["start"], p[field] if shown else None, unit, p[over]]


def lead_time_csv(result: Mapping[str, Any]) -> str:
    """One row per stage and the total; with ``--by`` the rows of each category (or group)
    follow, under a first column named after the grouping (empty for the whole report's
    rows)."""
    grouped = "categories" in result or "groups" in result
    column = "category" if "categories" in result else str(result.get("by", ""))
    # A last column, `level`, only when the profile's dora.bands gives stage ranges.
    levels = any("level" in s for s in result["stages"])
    header = ["stage", "seconds", "samples", "missing", "rating", *(["level"] * levels)]
    rows: list[list[Cell]] = []
    groups = result.get("categories", result.get("groups", []))
    parts = [("", result), *((c["name"], c) for c in groups)]
    for name, part in parts:
        lead: list[Cell] = [name] * grouped
        for s in part["stages"]:
            level: list[Cell] = [s.get("level") or ""] if levels else []
            seconds = s["seconds"] if s["samples"] else None  # no data: empty, never 0
            stage = [s["name"], seconds, s["samples"], s["missing"], s["rating"] or ""]
            rows.append([*lead, *stage, *level])
        total_seconds = part["total_seconds"] if part["changes"] else None
        total: list[Cell] = ["Total", total_seconds, part["changes"], "",
                             part["rating"] or ""]  # fmt: skip
        rows.append(lead + total + [""] * levels)
    return to_csv([column] * grouped + header, rows)


def series_rows(result: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The series as a header and rows: start, changes, total (``None`` without changes),
    then each stage's seconds (``None`` where it has no sample)."""
    series = result.get("series", [])
    names = [s["name"] for s in result["stages"]]
    rows = []
    for point in series:
        total = point["total_seconds"] if point["changes"] else None
        rows.append([point["start"], point["changes"], total,
                     *(s["seconds"] for s in point["stages"])])  # fmt: skip
    return ["start", "changes", "total_seconds", *names], rows


def series_csv(result: Mapping[str, Any]) -> str:
    """``lead-time --interval … --format csv``: the trend (the rules of ``csvtext``: no data
    is an empty cell); ``GET /v1/metrics/lead-time?interval=…&format=csv`` gives it too."""
    header, rows = series_rows(result)
    return to_csv(header, rows)
