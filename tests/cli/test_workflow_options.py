"""The workflow options end to end on the database (SQLite, and PostgreSQL in that pass):
``workflow_order``, ``completed_work``, stage ``minimum``/``maximum`` and ``categories``
through ``leadline lead-time`` (JSON, table, ``--change``, ``--by category``), the drill-down
and ``GET /v1/metrics/lead-time?by=category``. The records are ``tests/correlate/
workflow_case.py``; every figure below is worked out by hand from its table (mean, missing
stages counting 0)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leadline.profiles import profile_from_data
from leadline.services import drilldown
from tests.correlate.workflow_case import CATEGORIES, write_profile, write_records

M = 60.0  # seconds in a minute


@pytest.fixture
def imported(run_cli: Any, tmp_path: Path) -> Any:
    result = run_cli("import", str(write_records(tmp_path / "wf.ndjson")))
    assert result.code == 0, result.err

    def report(*args: str, **top: Any) -> Any:
        path = write_profile(tmp_path / "p.json", **top)
        out = run_cli("lead-time", "--profile", str(path), *args)
        assert out.code == 0, out.err
        return json.loads(out.out) if "json" in args else out.out

    return report


def figures(report: dict[str, Any]) -> list[float]:
    return [s["seconds"] for s in report["stages"]]


ALL = ("--all-time", "--format", "json")


def test_defaults_count_the_deployed_changes_and_the_early_stage_as_zero(imported: Any) -> None:
    out = imported(*ALL)
    # WF-1 60/60/60 and WF-2 30/60/0 (WF-3 is not deployed: in flight).
    assert out["changes"] == 2
    assert figures(out) == [45 * M, 60 * M, 30 * M]
    assert out["total_seconds"] == 135 * M
    assert "out_of_order" not in out and "completed_work" not in out
    assert "categories" not in out


def test_allow_exceptions_said_out_loud_counts_and_reports_the_out_of_order_change(
    imported: Any,
) -> None:
    out = imported(*ALL, workflow_order="allow_exceptions")
    assert figures(out) == [45 * M, 60 * M, 30 * M]
    assert out["out_of_order"] == {"changes": 1, "excluded": False}


def test_enforce_leaves_the_out_of_order_change_out(imported: Any) -> None:
    out = imported(*ALL, workflow_order="enforce")
    assert out["changes"] == 1  # WF-1 only
    assert figures(out) == [60 * M, 60 * M, 60 * M]
    assert out["total_seconds"] == 180 * M
    assert out["out_of_order"] == {"changes": 1, "excluded": True}
    table = imported("--all-time", workflow_order="enforce")
    assert "1 change out of order left out (workflow_order: enforce)" in table


def test_enforce_explains_why_a_change_is_excluded(imported: Any) -> None:
    two = imported("--change", "WF-2", "--format", "json", workflow_order="enforce")
    assert two["excluded"] == "out of order (stage Deploy before stage Review)"
    assert two["out_of_order"] == "stage Deploy before stage Review"
    one = imported("--change", "WF-1", "--format", "json", workflow_order="enforce")
    assert one["excluded"] is None and one["out_of_order"] is None
    allowed = imported("--change", "WF-2", "--format", "json", workflow_order="allow_exceptions")
    assert allowed["excluded"] is None
    assert allowed["out_of_order"] == "stage Deploy before stage Review"
    table = imported("--change", "WF-2", workflow_order="enforce")
    assert "excluded: out of order (stage Deploy before stage Review)" in table
    plain = imported("--change", "WF-2", "--format", "json")
    assert "excluded" not in plain and "out_of_order" not in plain


def test_completed_work_all_counts_the_done_but_not_deployed_change(imported: Any) -> None:
    out = imported(*ALL, completed_work="all")
    # WF-3 (20/60/not reached → 0) joins: Coding (60+30+20)/3, Review 60, Deploy (60+0+0)/3.
    assert out["changes"] == 3
    assert figures(out) == pytest.approx([110 / 3 * M, 60 * M, 20 * M])
    assert out["total_seconds"] == pytest.approx(350 / 3 * M)
    assert out["completed_work"] == {"work": "all", "not_deployed": 1}
    deployed = imported(*ALL, completed_work="deployed")
    assert deployed["changes"] == 2
    assert deployed["completed_work"] == {"work": "deployed", "not_deployed": 0}


def test_completed_work_all_windows_a_change_by_when_it_was_done(imported: Any) -> None:
    # WF-3 was done at 11:00; WF-2 deployed at 10:15 and WF-1 at 12:00.
    window = ("--from", "2024-05-01T10:59:00Z", "--to", "2024-05-01T11:01:00Z",
              "--format", "json")  # fmt: skip
    assert imported(*window, completed_work="all")["changes"] == 1
    assert imported(*window)["changes"] == 0
    three = imported("--change", "WF-3", "--format", "json", completed_work="all")
    assert three["completed"] == {"at": "2024-05-01T11:00:00Z", "source": "issue WF-3 → Done"}
    one = imported("--change", "WF-1", "--format", "json", completed_work="all")
    assert one["completed"]["at"] == "2024-05-01T12:00:00Z"


def _bounded() -> list[dict[str, Any]]:
    return [
        {"name": "Coding", "event": "commit", "maximum": "50m"},
        {"name": "Review", "event": "pr_merged", "maximum": "1h"},
        {"name": "Deploy", "event": "cd_completed", "environments": ["production"],
         "minimum": "1m"},
    ]  # fmt: skip


def test_minimum_and_maximum_leave_outliers_out(imported: Any) -> None:
    out = imported(*ALL, stages=_bounded())
    # Coding [60 (above 50m), 30] → 30; Review [60, 60] at the maximum: kept;
    # Deploy [60, 0 (below 1m)] → 60.
    assert figures(out) == [30 * M, 60 * M, 60 * M]
    assert [s["outliers"] for s in out["stages"]] == [1, 0, 1]
    assert [s["samples"] for s in out["stages"]] == [1, 2, 1]
    assert [(s["minimum"], s["maximum"]) for s in out["stages"]] == [
        (None, 50 * M), (None, 60 * M), (1 * M, None)
    ]  # fmt: skip
    assert out["total_seconds"] == 150 * M
    table = imported("--all-time", stages=_bounded())
    assert "1 (outside 0s–50m)" in table and "1 (outside 1m–∞)" in table


def test_bounds_with_completed_work_all(imported: Any) -> None:
    out = imported(*ALL, stages=_bounded(), completed_work="all")
    # Coding [60 out, 30, 20] → 25; Review 60; Deploy [60, 0 out, missing → 0] → 30.
    assert figures(out) == [25 * M, 60 * M, 30 * M]
    assert [s["outliers"] for s in out["stages"]] == [1, 0, 1]
    assert out["stages"][2]["missing"] == 1


HOTFIX = [60 * M, 60 * M, 60 * M]
DEFECT = [30 * M, 60 * M, 0.0]


def _category(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in report["categories"] if c["name"] == name)


def test_by_category(imported: Any) -> None:
    out = imported(*ALL, "--by", "category", categories=CATEGORIES)
    assert [c["name"] for c in out["categories"]] == ["Hotfix", "Defect", "Feature"]
    assert [c["changes"] for c in out["categories"]] == [1, 1, 0]
    assert figures(_category(out, "Hotfix")) == HOTFIX
    assert _category(out, "Hotfix")["total_seconds"] == 180 * M
    assert figures(_category(out, "Defect")) == DEFECT
    feature = _category(out, "Feature")
    assert feature["total_seconds"] == 0.0 and feature["rating"] is None
    assert figures(out) == [45 * M, 60 * M, 30 * M]  # the whole report is unchanged
    table = imported("--all-time", "--by", "category", categories=CATEGORIES)
    assert "Hotfix — mean lead time, 1 change" in table
    assert "Feature — mean lead time, 0 changes" in table
    csv_out = imported("--all-time", "--by", "category", "--format", "csv",
                       categories=CATEGORIES)  # fmt: skip
    lines = csv_out.splitlines()
    assert lines[0] == "category,stage,seconds,samples,missing,rating"
    assert "Defect,Deploy,0.0,1,0," in lines and "Defect,Total,5400.0,1,," in lines
    assert ",Total,8100.0,2,," in lines  # the whole report's rows have no category


def test_by_category_with_all_completed_work_and_no_default(imported: Any) -> None:
    out = imported(*ALL, "--by", "category", categories=CATEGORIES[:2], completed_work="all")
    # WF-3 matches neither: uncategorized, 20/60/0.
    assert [c["name"] for c in out["categories"]] == ["Hotfix", "Defect", "(uncategorized)"]
    assert figures(_category(out, "(uncategorized)")) == [20 * M, 60 * M, 0.0]
    three = imported("--change", "WF-3", "--format", "json", categories=CATEGORIES[:2])
    assert three["category"] == "(uncategorized)"
    one = imported("--change", "WF-1", "--format", "json", categories=CATEGORIES)
    assert one["category"] == "Hotfix"


def test_by_category_without_categories_is_a_usage_error(run_cli: Any, tmp_path: Path) -> None:
    path = write_profile(tmp_path / "p.json")
    out = run_cli("lead-time", "--profile", str(path), "--by", "category")
    assert out.code == 2
    assert "has no categories" in out.err and "Traceback" not in out.err


def test_the_drill_down_lists_the_excluded_change_with_its_reason(
    imported: Any, engine: Any
) -> None:
    imported(*ALL)  # imported; the drill-down builds its own timelines
    profile = profile_from_data(json.loads(json.dumps(
        {"name": "Workflow", "scope": {"projects": ["WF"]}, "workflow_order": "enforce",
         "stages": [{"name": "Coding", "event": "commit"},
                    {"name": "Review", "event": "pr_merged"},
                    {"name": "Deploy", "event": "cd_completed",
                     "environments": ["production"]}]})))  # fmt: skip
    report = drilldown.changes(engine, profile, 0, 2**62)
    assert [c.key for c in report.items] == ["WF-1"]
    assert [(c.key, c.note) for c in report.excluded] == [
        ("WF-2", "excluded: out of order (stage Deploy before stage Review)")
    ]


def test_dora_lead_time_follows_the_workflow_options(run_cli: Any, tmp_path: Path) -> None:
    assert run_cli("import", str(write_records(tmp_path / "wf.ndjson"))).code == 0
    window = ("--from", "2024-05-01", "--to", "2024-05-02", "--format", "json")

    def lead(**top: Any) -> dict[str, Any]:
        path = write_profile(tmp_path / "d.json", dora={}, **top)
        out = run_cli("dora", "--profile", str(path), *window)
        assert out.code == 0, out.err
        section: dict[str, Any] = json.loads(out.out)["lead_time_for_changes"]
        return section

    assert (lead()["changes"], lead()["total_seconds"]) == (2, 135 * M)
    enforced = lead(workflow_order="enforce")
    assert (enforced["changes"], enforced["total_seconds"]) == (1, 180 * M)
    assert enforced["out_of_order"] == {"changes": 1, "excluded": True}
    everything = lead(completed_work="all")
    assert everything["changes"] == 3
    assert everything["total_seconds"] == pytest.approx(350 / 3 * M)
