"""``leadline grafana``: a Grafana dashboard whose every PromQL expression names only
metrics a real ``/metrics`` answer exposes, with only labels those metrics carry, and whose
stat thresholds are the harness band edges."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from leadline.metrics.bands import (
    CHANGE_FAILURE_RATE,
    DEPLOYMENT_FREQUENCY,
    HARNESS,
    LEAD_TIME,
    MTTR,
    PRESET_COLOURS,
    edges,
    scale_of,
)
from leadline.services.grafana import thresholds
from tests.api.conftest import auth
from tests.conftest import FIXTURES

COLLECTIONS = FIXTURES / "collections"
SAMPLE = re.compile(r"^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? \S+$")
LABEL = re.compile(r'([a-z_][a-z0-9_]*)="(?:\\.|[^"\\])*"')
METRIC = re.compile(r"\b(leadline_[a-z0-9_]+)\b")
SELECTOR = re.compile(r"\b(leadline_[a-z0-9_]+)\{([^}]*)\}")
MATCHER = re.compile(r"([a-z_][a-z0-9_]*)\s*(?:=~|!~|!=|=)")
VALUES = re.compile(r"label_values\((leadline_[a-z0-9_]+),\s*([a-z_]+)\)")
LEGEND = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
SUFFIXES = ("_bucket", "_sum", "_count")


def exposed(text: str) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Each family's labels (over its samples) and its TYPE."""
    labels: dict[str, set[str]] = {}
    types: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
        elif line and not line.startswith("#"):
            found = SAMPLE.match(line)
            assert found, line
            labels.setdefault(found[1], set()).update(LABEL.findall(found[2] or ""))
    return labels, types


def family(name: str, labels: dict[str, set[str]], types: dict[str, str]) -> str | None:
    """The exposed family ``name`` reads: itself, or a histogram's/summary's series."""
    if name in labels:
        return name
    for suffix in SUFFIXES:
        base = name.removesuffix(suffix)
        if base != name and types.get(base) in ("histogram", "summary") and base in labels:
            return base
    return None


@pytest.fixture
def scraped(client: TestClient, keys: dict[str, str], run_cli: Any) -> str:
    """``/metrics`` over January 2024 with the two-team org's profile, given categories and
    a rework block, so every family the dashboard reads has a sample."""
    assert run_cli("import", str(COLLECTIONS / "records.ndjson")).code == 0
    profile = yaml.safe_load((COLLECTIONS / "team.yaml").read_text())
    profile["categories"] = [{"name": "Fix", "source_branches": ["hotfix/*"]},
                             {"name": "Everything else", "default": True}]  # fmt: skip
    profile["dora"]["rework"] = {"incidents": True}
    put = client.put("/v1/profiles/Team%20flow", json=profile, headers=auth(keys["admin"]))
    assert put.is_success, put.text
    assert run_cli("refresh").code == 0
    answer = client.get("/metrics", params={"from": "2024-01-01", "to": "2024-02-01"},
                        headers=auth(keys["read"]))  # fmt: skip
    assert answer.status_code == 200
    return answer.text


def exprs(model: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (expression, legend) of the panels and the variables' queries."""
    found = [(t["expr"], t.get("legendFormat", "")) for p in model["panels"]
             for t in p.get("targets", [])]  # fmt: skip
    found += [(v["definition"], "") for v in model["templating"]["list"] if "definition" in v]
    return found


def test_every_expression_reads_what_metrics_exposes(scraped: str, run_cli: Any) -> None:
    result = run_cli("grafana", "--datasource-uid", "prom", "--title", "Ours", db=False)
    assert result.code == 0, result.err
    model = json.loads(result.out)
    assert model["title"] == "Ours" and model["schemaVersion"] == 39
    labels, types = exposed(scraped)
    checked = set()
    for expr, legend in exprs(model):
        for name in METRIC.findall(expr):
            assert family(name, labels, types), f"{expr}: /metrics exposes no {name}"
            checked.add(name)
        for name, inside in SELECTOR.findall(expr):
            for label in MATCHER.findall(inside):
                assert label in labels[family(name, labels, types) or name], (expr, label)
        for name, label in VALUES.findall(expr):
            assert label in labels[name], expr
        named = [n for n in METRIC.findall(expr)]
        for label in LEGEND.findall(legend):
            assert all(label in labels[family(n, labels, types) or n] for n in named), legend
    assert {"leadline_dora_deployments_per_day", "leadline_dora_lead_time_seconds",
            "leadline_dora_change_failure_rate", "leadline_dora_time_to_restore_seconds",
            "leadline_dora_band", "leadline_lead_time_category_seconds"} <= checked  # fmt: skip
    sources = {json.dumps(p["datasource"]) for p in model["panels"]}
    assert sources == {json.dumps({"type": "prometheus", "uid": "prom"})}
    assert [v["name"] for v in model["templating"]["list"]] == ["profile"]


# The harness edges (metrics/bands.py), computed by hand: base colour, then (value, colour).
RED, AMBER, GREEN, DARK = "#cf222e", "#9a6700", "#1a7f37", "#116329"
THRESHOLDS = {
    "Deployment frequency": [RED, (1 / 30, AMBER), (1 / 7, GREEN), (1.0, DARK)],
    "Lead time for changes": [DARK, (86400.0, GREEN), (604800.0, AMBER), (2592000.0, RED)],
    "Change failure rate": [DARK, (0.15, GREEN), (0.30, AMBER), (0.45, RED)],
    "Time to restore (mean)": [DARK, (3600.0, GREEN), (86400.0, AMBER), (604800.0, RED)],
}


def test_the_stat_panels_carry_the_harness_edges(run_cli: Any) -> None:
    result = run_cli("grafana", db=False)
    model = json.loads(result.out)
    stats = {p["title"]: p for p in model["panels"] if p["type"] == "stat"}
    for title, (base, *steps) in THRESHOLDS.items():
        found = stats[title]["fieldConfig"]["defaults"]["thresholds"]["steps"]
        assert found[0] == {"color": base, "value": None}, title
        assert [s["value"] for s in found[1:]] == pytest.approx([v for v, _ in steps]), title
        assert [s["color"] for s in found[1:]] == [c for _, c in steps], title
        assert stats[title]["fieldConfig"]["defaults"]["noValue"] == "No data"
    assert [v["name"] for v in model["templating"]["list"]] == ["datasource", "profile"]
    assert {p["datasource"]["uid"] for p in model["panels"]} == {"${datasource}"}
    assert any(p["type"] == "table" and "in words" in p["title"] for p in model["panels"])
    blank = run_cli("grafana", "--title", " ", db=False)
    assert blank.code == 2 and blank.err.strip() == "leadline: error: --title: give a " \
        "non-empty title"  # fmt: skip


@pytest.mark.parametrize("metric", [DEPLOYMENT_FREQUENCY, LEAD_TIME, CHANGE_FAILURE_RATE, MTTR])
def test_a_figure_on_an_edge_takes_leadlines_band_in_grafana(metric: str) -> None:
    """Grafana colours from a step up (``value >= step``): a figure exactly on an edge, or
    just either side of it, gets the colour of the band leadline gives it."""
    steps = thresholds(metric)["steps"]
    scale = scale_of(HARNESS)

    def grafana(value: float) -> str:
        chosen = steps[0]["color"]
        for step in steps[1:]:
            if value >= step["value"]:
                chosen = step["color"]
        return str(chosen)

    for rule in edges(metric, HARNESS):
        for value in (float(rule.edge) * 0.999, float(rule.edge), float(rule.edge) * 1.001):
            band = scale.band(metric, value)
            assert band is not None
            assert grafana(value) == PRESET_COLOURS[band], (metric, rule, value, band)
