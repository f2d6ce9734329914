"""The lead-time trend stacked by stage (``series[].stages``), by hand, on three tickets of
tests/fixtures/stage_series (start: ticket created; stages In Progress, Done):

=====  ===========  ============  =====  ==========
key    created      In Progress   Done   last stage
=====  ===========  ============  =====  ==========
T-1    01-02 00:00  +1 h          +2 h   01-02 (week of 01-01)
T-2    01-03 00:00  +3 h          +1 h   01-03 (week of 01-01)
T-3    01-09 00:00  +2 h          +6 h   01-09 (week of 01-08)
=====  ===========  ============  =====  ==========

Weeks of 2024-01-01, 01-08, 01-15 over [2024-01-01, 2024-01-22): the first bucket's mean
In Progress is (1 h + 3 h) / 2 = 2 h = 7200 s, Done (2 h + 1 h) / 2 = 1.5 h = 5400 s, total
12 600 s; its median is the same (two values). The second: 7200 s and 21 600 s, total
28 800 s. The third has no change: each stage ``None`` (no data, not 0) with 0 samples.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.domain.times import parse_bound
from leadline.profiles.loader import load_profile
from leadline.services.leadtime import Window, lead_time
from tests.conftest import FIXTURES

DATA = FIXTURES / "stage_series"
PROFILE = DATA / "profile.yaml"
WINDOW = ["--from", "2024-01-01", "--to", "2024-01-22"]
EXPECTED = [
    {"start": "2024-01-01", "changes": 2, "total_seconds": 12600.0,
     "stages": [{"name": "In Progress", "seconds": 7200.0, "samples": 2},
                {"name": "Done", "seconds": 5400.0, "samples": 2}]},
    {"start": "2024-01-08", "changes": 1, "total_seconds": 28800.0,
     "stages": [{"name": "In Progress", "seconds": 7200.0, "samples": 1},
                {"name": "Done", "seconds": 21600.0, "samples": 1}]},
    {"start": "2024-01-15", "changes": 0, "total_seconds": 0.0,
     "stages": [{"name": "In Progress", "seconds": None, "samples": 0},
                {"name": "Done", "seconds": None, "samples": 0}]},
]  # fmt: skip


@pytest.fixture
def loaded(engine: Engine, run_cli: Any) -> Engine:
    assert run_cli("import", str(DATA / "records.ndjson")).code == 0
    return engine


@pytest.mark.parametrize("stat", ["mean", "median"])
def test_each_bucket_has_each_stage_figure(loaded: Engine, stat: str) -> None:
    window = Window(parse_bound("2024-01-01"), parse_bound("2024-01-22"))
    found = lead_time(loaded, load_profile(PROFILE), stat, window, interval="week")
    assert found["series"] == EXPECTED
    # Each bucket's stages add up to its total, as the headline's do.
    for point in found["series"]:
        assert sum(s["seconds"] or 0.0 for s in point["stages"]) == point["total_seconds"]


def test_the_cli_prints_the_series_as_json_csv_and_a_table(loaded: Engine, run_cli: Any) -> None:
    base = ["lead-time", "--profile", str(PROFILE), *WINDOW, "--interval", "week"]
    got = run_cli(*base, "--format", "json")
    assert got.code == 0, got.err
    assert json.loads(got.out)["series"] == EXPECTED
    got = run_cli(*base, "--format", "csv")
    assert got.code == 0, got.err
    assert got.out.splitlines() == [
        "start,changes,total_seconds,In Progress,Done",
        "2024-01-01,2,12600.0,7200.0,5400.0",
        "2024-01-08,1,28800.0,7200.0,21600.0",
        "2024-01-15,0,,,",
    ]
    got = run_cli(*base)
    assert got.code == 0, got.err
    rows = [line for line in got.out.splitlines() if line.startswith("│ 2024-01-")]
    assert [line.replace("│", " ").split() for line in rows] == [
        ["2024-01-01", "2", "3h", "30m", "2h", "1h", "30m"],
        ["2024-01-08", "1", "8h", "2h", "6h"],
        ["2024-01-15", "0", "no", "data", "no", "data", "no", "data"],
    ]


def test_the_cli_refuses_what_has_no_trend(loaded: Engine, run_cli: Any) -> None:
    base = ["lead-time", "--profile", str(PROFILE)]
    for args, message in (
        (["--interval", "year"], "'year' is not one of 'day', 'week', 'month'"),
        (["--interval", "week", "--change", "T-1"], "--interval takes no --change"),
        (["--interval", "week", "--all-time"], "--interval takes no --all-time"),
    ):
        got = run_cli(*base, *args)
        assert got.code == 2 and message in got.err, (args, got.err)
        assert "Traceback" not in got.err
