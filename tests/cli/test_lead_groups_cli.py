"""``leadline lead-time --by type|priority|label|project`` and ``--profile A --profile B``
(the what-if) through the real CLI: table, JSON and CSV, and the usage errors. Figures:
``tests/services/lead_groups_case.py`` (worked out by hand in
``tests/services/test_lead_groups.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.services.lead_groups_case import WINDOW, write


@pytest.fixture
def cli(run_cli: Any, tmp_path: Path) -> Any:
    records, paths = write(tmp_path)
    assert run_cli("import", str(records)).code == 0

    def run(*args: str, code: int = 0) -> Any:
        named = [str(paths.get(a, a)) for a in args]
        out = run_cli("lead-time", *named)
        assert out.code == code, out.err
        return out

    return run


def test_by_type_json(cli: Any) -> None:
    out = json.loads(cli("--profile", "Tickets", *WINDOW, "--by", "type", "--format", "json").out)
    assert out["by"] == "type"
    assert [(g["name"], g["changes"], g["total_seconds"]) for g in out["groups"]] == [
        ("Bug", 2, 165 * 60.0), ("Story", 2, 80 * 60.0)]  # fmt: skip


def test_by_label_csv_and_table(cli: Any) -> None:
    lines = cli("--profile", "Pull requests", *WINDOW, "--by", "label", "--format", "csv")
    rows = lines.out.splitlines()
    assert rows[0] == "label,stage,seconds,samples,missing,rating"
    assert ",Total,5160.0,5,," in rows  # the whole report: 86 minutes over 5 changes
    assert "hotfix,Total,7200.0,2,," in rows and "(no label),Total,4200.0,2,," in rows
    table = cli("--profile", "Pull requests", *WINDOW, "--by", "label").out
    flat = " ".join(table.split())  # a title wraps to its table's width
    assert "Mean lead time by label" in flat and "several labels" in flat
    assert "(no label)" in table and "1h 10m" in table  # (no label): 45m + 25m


def test_by_project_table(cli: Any) -> None:
    table = cli("--profile", "Tickets", *WINDOW, "--by", "project").out
    assert "Mean lead time by project" in table
    line = next(x for x in table.splitlines() if "│ H " in x)
    assert "1h" in line and "10m" in line and "30m" in line and "20m" in line


def test_an_unknown_grouping_is_a_usage_error(cli: Any) -> None:
    out = cli("--profile", "Tickets", "--by", "colour", code=2)
    assert "--by: unknown grouping 'colour' (expected one of category, type" in out.err
    assert "Traceback" not in out.err


def test_what_if_json_csv_table(cli: Any) -> None:
    args = ("--profile", "Tickets", "--profile", "Tickets B", *WINDOW)
    out = json.loads(cli(*args, "--format", "json").out)
    assert out["total"]["difference_seconds"] == -40 * 60.0
    assert [c["change"] for c in out["changes"]["items"]] == ["G-1", "G-2", "G-3", "H-1"]
    rows = cli(*args, "--format", "csv").out.splitlines()
    assert rows[0] == "kind,name,a_seconds,b_seconds,difference_seconds,difference_percent"
    assert "stage,Deploy,2400.0,,," in rows  # only A has it
    assert "change,G-1,10800.0,7200.0,-3600.0," in rows
    table = " ".join(cli(*args).out.split())  # a title wraps to its table's width
    assert "A Tickets (4 changes) vs B Tickets B (4 changes)" in table
    assert "−40m" in table and "Changes both count: 4" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--profile", "Tickets", "--profile", "Tickets B", "--profile", "Tickets"),
      "give one profile, or two"),
     (("--profile", "Tickets", "--profile", "Tickets B", "--by", "type"), "take no --by"),
     (("--profile", "Tickets", "--profile", "nowhere"), "no stored profile named 'nowhere'")],
)  # fmt: skip
def test_what_if_errors(cli: Any, args: tuple[str, ...], message: str) -> None:
    out = cli(*args, code=2)
    assert message in out.err and "Traceback" not in out.err
