"""Time in status and PR lead time by stage from imported records (``tests/flow_records.py``:
the figures computed by hand), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.errors import InputError
from leadline.metrics.windows import Window
from leadline.profiles.loader import profile_from_data
from leadline.services.pr_lead_time import pr_lead_time, pr_rows
from leadline.services.time_in_status import issue_rows, time_in_status
from tests import flow_records as data

WINDOW = Window(datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))
PROFILE = profile_from_data(data.PROFILE, "test")


@pytest.fixture
def loaded(engine: Engine, run_cli: Any, tmp_path: Path) -> Engine:
    records, _ = data.write(tmp_path)
    result = run_cli("import", str(records))
    assert result.code == 0, result.err
    return engine


def test_time_in_status(loaded: Engine) -> None:
    out = time_in_status(loaded, PROFILE, "mean", WINDOW)
    assert out["issues"] == 3 and out["bounced_issues"] == 1
    got = [
        (
            s["name"],
            s["category"],
            s["issues"],
            s["seconds"],
            s["total_seconds"],
            s["visits"],
            s["bounces"],
            s["bounced_issues"],
        )
        for s in out["statuses"]
    ]
    assert got == data.STATUSES
    p90 = time_in_status(loaded, PROFILE, "p90", WINDOW)["statuses"][1]
    assert p90["seconds"] == pytest.approx(6.6 * data.H)


def test_time_in_status_drill_down(loaded: Engine) -> None:
    rows = issue_rows(loaded, PROFILE, WINDOW)
    assert [r["key"] for r in rows] == ["PAY-3", "PAY-2", "PAY-1"]  # newest resolution first
    assert [r["key"] for r in issue_rows(loaded, PROFILE, WINDOW, "In Progress")] == [
        "PAY-2",
        "PAY-1",
    ]
    bounced = issue_rows(loaded, PROFILE, WINDOW, "Review", "bounced")
    assert [(r["key"], r["seconds"]["Review"], r["visits"]["Review"]) for r in bounced] == [
        ("PAY-1", 2 * data.H, 2)
    ]
    with pytest.raises(InputError, match="which"):
        issue_rows(loaded, PROFILE, WINDOW, "Review", "x")


def test_pr_lead_time(loaded: Engine) -> None:
    out = pr_lead_time(loaded, PROFILE, "mean", WINDOW, "week")
    assert out["prs"] == 3
    got = [(s["key"], s["seconds"], s["samples"], s["missing"]) for s in out["stages"]]
    assert got == data.STAGES
    assert out["total_seconds"] == data.TOTAL
    assert [(p["start"], p["prs"], p["total_seconds"]) for p in out["series"]] == data.WEEKS


def test_pr_drill_down(loaded: Engine) -> None:
    rows = pr_rows(loaded, PROFILE, WINDOW)
    assert [r["key"] for r in rows] == ["acme/pay#3", "acme/pay#2", "acme/pay#1"]
    assert rows[2]["seconds"] == {
        "pr_creation": 300.0,
        "first_comment": 60.0,
        "approval": 240.0,
        "merge": 240.0,
    }
    assert rows[2]["total_seconds"] == 840.0
    missing = pr_rows(loaded, PROFILE, WINDOW, "first_comment", "missing")
    assert [r["key"] for r in missing] == ["acme/pay#2"]
    with pytest.raises(InputError, match="unknown stage 'x'"):
        pr_rows(loaded, PROFILE, WINDOW, "x")


def test_no_scope_counts_every_repository_and_project(loaded: Engine) -> None:
    wide = profile_from_data({**data.PROFILE, "scope": {}}, "test")
    assert time_in_status(loaded, wide, "mean", WINDOW)["issues"] == 4  # and WEB-1
    assert pr_lead_time(loaded, wide, "mean", WINDOW)["prs"] == 5  # and #6, acme/web#1


def test_an_empty_window_is_no_data(loaded: Engine) -> None:
    empty = Window(datetime(2023, 1, 1, tzinfo=UTC), datetime(2023, 2, 1, tzinfo=UTC))
    out = pr_lead_time(loaded, PROFILE, "mean", empty)
    assert out["prs"] == 0 and out["total_seconds"] is None
    assert time_in_status(loaded, PROFILE, "mean", empty)["statuses"] == []
