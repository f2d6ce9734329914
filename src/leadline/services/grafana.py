"""``leadline grafana``: a Grafana dashboard (JSON model) over what ``GET /metrics`` exposes
(``services/prometheus.py``), so a team that already runs Prometheus and Grafana sees the
DORA figures there.

The dashboard is built from the code, not retyped: the metric names from the exposition's
own table (``prometheus.DORA_GAUGES``, the ``leadline_dora_`` prefix), the stat panels'
thresholds from the harness band edges (``metrics/bands.edges``, the default band set) in
the preset colours (``metrics/bands.PRESET_COLOURS``). A template variable picks the team:
``/metrics`` labels each figure with its stored ``profile``. Colour is not the only signal:
a table gives each metric's band in words (``leadline_dora_band``), which is leadline's own
verdict — Grafana's thresholds apply at ``value >= step``, so a figure exactly on an edge
whose rule is strict (deployment frequency elite: more than once a day) may show the next
colour. A profile with another band set keeps its own band in that table.
"""

from __future__ import annotations

import math
from typing import Any

from leadline.metrics.bands import (
    BANDS,
    CHANGE_FAILURE_RATE,
    DEPLOYMENT_FREQUENCY,
    HARNESS,
    LEAD_TIME,
    MTTR,
    PRESET_COLOURS,
    Edge,
    edges,
)
from leadline.services.prometheus import DORA_GAUGES

SCHEMA_VERSION = 39
PREFIX = "leadline_dora_"
GAUGES = {metric for metric, _, _ in DORA_GAUGES}
#: The four figures: their gauge (a name of ``DORA_GAUGES``), title, band metric and unit.
FOUR = (
    ("deployments_per_day", "Deployment frequency", DEPLOYMENT_FREQUENCY, "/day"),
    ("lead_time_seconds", "Lead time for changes", LEAD_TIME, "s"),
    ("change_failure_rate", "Change failure rate", CHANGE_FAILURE_RATE, "percentunit"),
    ("time_to_restore_seconds", "Time to restore (mean)", MTTR, "s"),
)
CATEGORY_SECONDS = "leadline_lead_time_category_seconds"
CATEGORY_CHANGES = "leadline_lead_time_category_changes"
BAND = f"{PREFIX}band"
WHO = 'profile="$profile"'


def dashboard(title: str = "leadline: DORA", datasource_uid: str | None = None) -> dict[str, Any]:
    """The dashboard's JSON model; without ``datasource_uid`` a datasource variable asks
    for the Prometheus data source on import."""
    source = {"type": "prometheus", "uid": datasource_uid or "${datasource}"}
    panels: list[dict[str, Any]] = []
    for i, (gauge, name, metric, unit) in enumerate(FOUR):
        panels.append(_stat(len(panels) + 1, name, _expr(gauge), unit, source, metric,
                            {"h": 5, "w": 6, "x": 6 * i, "y": 0}))  # fmt: skip
    panels.append(_bands(len(panels) + 1, source, {"h": 7, "w": 8, "x": 0, "y": 5}))
    panels.append(_stat(len(panels) + 1, "Deployments in the window", _expr("deployments"),
                        "short", source, None, {"h": 7, "w": 8, "x": 8, "y": 5}))  # fmt: skip
    panels.append(_stat(len(panels) + 1, "Deployment rework rate",
                        _expr("deployment_rework_rate"), "percentunit", source, None,
                        {"h": 7, "w": 8, "x": 16, "y": 5}))  # fmt: skip
    for i, (gauge, name, metric, unit) in enumerate(FOUR):
        panels.append(
            _trend(
                len(panels) + 1,
                f"{name}: trend",
                _expr(gauge),
                unit,
                source,
                metric,
                {"h": 8, "w": 12, "x": 12 * (i % 2), "y": 12 + 8 * (i // 2)},
            )
        )
    panels.append(_categories(len(panels) + 1, source, {"h": 8, "w": 24, "x": 0, "y": 28}))
    return {
        "title": title, "uid": "leadline-dora", "schemaVersion": SCHEMA_VERSION, "version": 1,
        "editable": True, "tags": ["leadline", "dora"], "timezone": "utc",
        "time": {"from": "now-90d", "to": "now"}, "refresh": "5m",
        "description": "The DORA figures leadline exposes at /metrics, per profile: each is "
        "the figure over leadline's report window (the 90 days ending today) at scrape time.",
        "templating": {"list": _variables(source, datasource_uid)},
        "annotations": {"list": []}, "links": [], "panels": panels,
    }  # fmt: skip


def _expr(gauge: str) -> str:
    if gauge not in GAUGES:  # a renamed gauge fails here, not in Grafana
        raise ValueError(f"/metrics exposes no {PREFIX}{gauge}")
    return f"{PREFIX}{gauge}{{{WHO}}}"


def _step(rule: Edge) -> float:
    """Where the band above ``rule``'s edge starts, for Grafana (which colours a value from
    a step up, ``value >= step``): at the edge itself, unless the edge's own value belongs
    below it (a strict ``>`` rule, or a ``<=`` one), then at the next float above it — so a
    figure exactly on an edge takes leadline's band."""
    edge = float(rule.edge)
    return math.nextafter(edge, math.inf) if rule.op in (">", "<=") else edge


def thresholds(metric: str) -> dict[str, Any]:
    """The harness edges of ``metric`` as Grafana threshold steps (ascending values, each
    the colour of the band from that value up; the base step the lowest values')."""
    rules = edges(metric, HARNESS)
    higher_better = rules[0].op in (">", ">=")
    steps: list[dict[str, Any]]
    if higher_better:  # low below the medium edge, then medium, high, elite upwards
        steps = [{"color": PRESET_COLOURS[BANDS[-1]], "value": None}]
        steps += [{"color": PRESET_COLOURS[r.band], "value": _step(r)}
                  for r in reversed(rules)]  # fmt: skip
    else:  # elite below its edge, then each next band from the edge above
        steps = [{"color": PRESET_COLOURS[rules[0].band], "value": None}]
        after = [r.band for r in rules[1:]] + [BANDS[-1]]
        steps += [{"color": PRESET_COLOURS[band], "value": _step(r)}
                  for r, band in zip(rules, after, strict=True)]  # fmt: skip
    return {"mode": "absolute", "steps": steps}


def _defaults(unit: str, metric: str | None) -> dict[str, Any]:
    found: dict[str, Any] = {"noValue": "No data", "decimals": 2}
    if unit == "/day":
        found |= {"unit": "suffix:/day"}
    else:
        found |= {"unit": unit}
    if metric is not None:
        found |= {"thresholds": thresholds(metric), "color": {"mode": "thresholds"}}
    else:
        found |= {"color": {"mode": "fixed", "fixedColor": "text"}}
    return found


def _target(expr: str, legend: str = "{{profile}}", **extra: Any) -> dict[str, Any]:
    return {"refId": "A", "expr": expr, "legendFormat": legend, **extra}


def _stat(
    pid: int, title: str, expr: str, unit: str, source: dict[str, str], metric: str | None,
    grid: dict[str, int],
) -> dict[str, Any]:  # fmt: skip
    return {
        "id": pid, "type": "stat", "title": title, "gridPos": grid, "datasource": source,
        "description": "Coloured by the harness band edges; the band table says the band.",
        "targets": [_target(expr)],
        "fieldConfig": {"defaults": _defaults(unit, metric), "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                    "colorMode": "background" if metric else "none", "graphMode": "area",
                    "textMode": "value", "justifyMode": "auto", "orientation": "auto"},
    }  # fmt: skip


def _trend(
    pid: int, title: str, expr: str, unit: str, source: dict[str, str], metric: str,
    grid: dict[str, int],
) -> dict[str, Any]:  # fmt: skip
    defaults = _defaults(unit, metric) | {
        "custom": {"thresholdsStyle": {"mode": "dashed"}, "drawStyle": "line", "spanNulls": False}
    }
    defaults["color"] = {"mode": "palette-classic"}
    return {
        "id": pid, "type": "timeseries", "title": title, "gridPos": grid, "datasource": source,
        "targets": [_target(expr)], "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                    "tooltip": {"mode": "single", "sort": "none"}},
    }  # fmt: skip


def _bands(pid: int, source: dict[str, str], grid: dict[str, int]) -> dict[str, Any]:
    hidden = {k: True for k in ("Time", "Value", "__name__", "instance", "job", "profile")}
    return {
        "id": pid, "type": "table", "title": "Band of each metric, in words", "gridPos": grid,
        "datasource": source, "description": "leadline's own band (the profile's band set).",
        "targets": [_target(f"{BAND}{{{WHO}}}", format="table", instant=True)],
        "transformations": [{"id": "organize", "options": {
            "excludeByName": hidden, "renameByName": {"metric": "Metric", "band": "Band"}}}],
        "fieldConfig": {"defaults": {"noValue": "No data"}, "overrides": []},
        "options": {"showHeader": True},
    }  # fmt: skip


def _categories(pid: int, source: dict[str, str], grid: dict[str, int]) -> dict[str, Any]:
    return {
        "id": pid, "type": "bargauge", "title": "Lead time by category", "gridPos": grid,
        "datasource": source,
        "description": "Profiles with categories: the total lead time of each (the mean of "
        "each stage, summed); a category without changes is left out.",
        "targets": [_target(f"{CATEGORY_SECONDS}{{{WHO}}}", "{{category}}", instant=True),
                    {**_target(f"{CATEGORY_CHANGES}{{{WHO}}}", "{{category}} changes",
                               instant=True), "refId": "B", "hide": True}],
        "fieldConfig": {"defaults": {"unit": "s", "noValue": "No data", "decimals": 1,
                                     "color": {"mode": "fixed", "fixedColor": "blue"}},
                        "overrides": []},
        "options": {"orientation": "horizontal", "displayMode": "basic", "showUnfilled": True,
                    "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
    }  # fmt: skip


def _variables(source: dict[str, str], datasource_uid: str | None) -> list[dict[str, Any]]:
    query = f"label_values({PREFIX}deployments_per_day, profile)"
    team = {
        "name": "profile", "label": "Team (profile)", "type": "query", "datasource": source,
        "query": {"query": query, "refId": "profile"}, "definition": query, "refresh": 2,
        "sort": 1, "multi": False, "includeAll": False, "current": {}, "options": [],
    }  # fmt: skip
    if datasource_uid is not None:
        return [team]
    pick = {"name": "datasource", "label": "Prometheus", "type": "datasource",
            "query": "prometheus", "current": {}, "options": [], "refresh": 1}  # fmt: skip
    return [pick, team]
