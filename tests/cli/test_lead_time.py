"""`leadline lead-time` end to end: records → store → timelines → metrics (docs/cli.md).

The page's eight examples (tests/fixtures/lead_time_examples) are acceptance vectors to the
second; every test here runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES

EXAMPLES = FIXTURES / "lead_time_examples"
EXPECTED: dict[str, Any] = json.loads((EXAMPLES / "expected.json").read_text())
TOTALS = {1: 70, 2: 99, 3: 70, 4: 104, 5: 164, 6: 70, 7: 70, 8: 70}


def ok(result: Any) -> Any:
    """Assert success; the parsed JSON output, or the text when it is not JSON."""
    assert result.code == 0, result.err
    try:
        return json.loads(result.out)
    except json.JSONDecodeError:
        return result.out


@pytest.mark.parametrize("n", sorted(TOTALS))
def test_each_example_gives_the_page_figures(run_cli: Any, n: int) -> None:
    case = EXPECTED[f"example{n}"]
    ok(run_cli("import", str(EXAMPLES / case["file"]), "--format", "json"))
    report = ok(
        run_cli(
            "lead-time",
            "--all-time",
            "--profile",
            str(EXAMPLES / case["profile"]),
            "--format",
            "json",
        )
    )
    assert report["changes"] == 1
    assert [s["name"] for s in report["stages"]] == [s["name"] for s in case["stages"]]
    assert [s["seconds"] for s in report["stages"]] == [s["minutes"] * 60.0 for s in case["stages"]]
    assert report["total_seconds"] == TOTALS[n] * 60.0 == case["total_minutes"] * 60.0


def test_change_explains_every_stage_with_its_record(run_cli: Any) -> None:
    ok(run_cli("import", *(str(p) for p in sorted(EXAMPLES.glob("example*.ndjson")))))
    for case in EXPECTED.values():
        out = ok(
            run_cli(
                "lead-time", "--all-time", "--profile", str(EXAMPLES / case["profile"]),
                "--change", case["change"], "--format", "json",
            )
        )  # fmt: skip
        assert out["change"] == case["change"]
        assert out["start"] == case["start"]
        expected = [
            {
                "name": s["name"],
                "at": s["at"],
                "seconds": None if s["at"] is None else s["minutes"] * 60.0,
                "source": s["source"],
            }
            for s in case["stages"]
        ]
        assert out["stages"] == expected, case["change"]
        assert out["total_seconds"] == case["total_minutes"] * 60.0


def test_all_examples_together_mean_is_the_mean_of_each_stage(run_cli: Any) -> None:
    ok(run_cli("import", *(str(p) for p in sorted(EXAMPLES.glob("example*.ndjson")))))
    report = ok(
        run_cli(
            "lead-time",
            "--all-time",
            "--profile",
            str(EXAMPLES / "profile.yaml"),
            "--format",
            "json",
        )
    )
    cases = [c for c in EXPECTED.values() if c["profile"] == "profile.yaml"]
    # Example 7's ticket is measured by the nine-stage profile here too: take its timeline.
    seven = ok(run_cli("lead-time", "--profile", str(EXAMPLES / "profile.yaml"), "--change",
                       EXPECTED["example7"]["change"], "--format", "json"))  # fmt: skip
    per_change = [[s["minutes"] * 60.0 for s in c["stages"]] for c in cases]
    per_change.append([s["seconds"] or 0.0 for s in seven["stages"]])
    assert report["changes"] == 8
    for j, stage in enumerate(report["stages"]):
        assert stage["seconds"] == pytest.approx(sum(row[j] for row in per_change) / 8, abs=1e-9)
    assert report["total_seconds"] == pytest.approx(sum(s["seconds"] for s in report["stages"]))


def test_empty_database_gives_zeros_not_an_error(run_cli: Any) -> None:
    for stat in ("mean", "median", "p90", "p95"):
        report = ok(
            run_cli("lead-time", "--all-time", "--profile", str(EXAMPLES / "profile.yaml"),
                    "--stat", stat, "--format", "json")
        )  # fmt: skip
        assert report["changes"] == 0 and report["total_seconds"] == 0.0
        assert all(s["samples"] == 0 and s["seconds"] == 0.0 for s in report["stages"])


def test_window_counts_changes_by_when_they_reached_the_last_stage(run_cli: Any) -> None:
    ok(run_cli("import", *(str(p) for p in sorted(EXAMPLES.glob("example*.ndjson")))))
    profile = str(EXAMPLES / "profile.yaml")

    def changes(*window: str) -> int:
        out = ok(run_cli("lead-time", "--profile", profile, "--format", "json", *window))
        return int(out["changes"])

    # Every example is released at 2024-05-01T11:00:00Z; the window is [from, to).
    assert changes("--from", "2024-05-01", "--to", "2024-05-02") == 8
    assert changes("--from", "2024-05-01T11:00:00Z") == 8
    assert changes("--to", "2024-05-01T11:00:00Z") == 0
    assert changes("--from", "2024-05-01T12:00:00+01:00", "--to", "2024-05-01T11:00:01Z") == 8
    assert changes("--from", "2024-05-02") == 0


def test_in_flight_changes_are_not_counted(run_cli: Any, tmp_path: Path) -> None:
    ok(run_cli("import", str(EXAMPLES / "example1.ndjson")))
    path = tmp_path / "open.ndjson"
    path.write_text(
        json.dumps(
            {"kind": "issue", "key": "OPEN-1", "created_at": "2024-05-01T09:00:00Z",
             "status_changes": [{"to": "In Progress", "at": "2024-05-01T09:30:00Z"}]}
        ) + "\n"
    )  # fmt: skip
    ok(run_cli("import", str(path)))
    report = ok(
        run_cli(
            "lead-time",
            "--all-time",
            "--profile",
            str(EXAMPLES / "profile.yaml"),
            "--format",
            "json",
        )
    )
    assert report["changes"] == 1
    assert report["total_seconds"] == 70 * 60.0


def test_csv_output(run_cli: Any) -> None:
    ok(run_cli("import", str(EXAMPLES / "example1.ndjson")))
    result = run_cli(
        "lead-time", "--all-time", "--profile", str(EXAMPLES / "profile.yaml"), "--format", "csv"
    )
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "stage,seconds,samples,missing,rating"
    assert lines[1].startswith("In Progress,600.0,1,0,")
    assert lines[-1].startswith("Total,4200.0,1,")


def test_table_output_is_readable(run_cli: Any) -> None:
    ok(run_cli("import", str(EXAMPLES / "example1.ndjson")))
    result = run_cli("lead-time", "--all-time", "--profile", str(EXAMPLES / "profile.yaml"))
    assert result.code == 0, result.err
    assert "In Progress" in result.out and "Total" in result.out and "1h 10m" in result.out


TOMORROW = (datetime.now(UTC) + timedelta(days=1)).date()  # the end of today, UTC
DEFAULT = f"window: {TOMORROW - timedelta(days=90)} → {TOMORROW} (90 days)"


@pytest.mark.parametrize(
    ("window", "stated", "days"),
    [
        ((), DEFAULT, 90.0),  # the default window, as leadline dora (it was all time)
        (("--all-time",), "window: all time", None),
        (("--from", "2024-05-01", "--to", "2024-05-02"), "window: 2024-05-01 → 2024-05-02 (1 day)",
         1.0),
        (("--to", "2024-05-01T11:00:00+01:00"),
         "window: 2024-02-01T10:00:00Z → 2024-05-01T10:00:00Z (90 days)", 90.0),
    ],
)  # fmt: skip
def test_the_table_and_the_json_state_the_window(
    run_cli: Any, window: tuple[str, ...], stated: str, days: float | None
) -> None:
    ok(run_cli("import", str(EXAMPLES / "example1.ndjson")))
    profile = ("--profile", str(EXAMPLES / "profile.yaml"))
    table = ok(run_cli("lead-time", *profile, *window))
    assert table.splitlines()[-1] == stated
    assert table.count("window:") == 1
    report = ok(run_cli("lead-time", *profile, *window, "--format", "json"))
    assert list(report) == [
        "profile", "statistic", "changes", "stages", "total_seconds", "rating", "window",
        "baseline",
    ]  # fmt: skip
    assert report["window"]["days"] == days
    assert report["baseline"] == {"changes": 0, "included": False}


def test_lead_time_without_from_uses_the_default_window(run_cli: Any) -> None:
    """example1's change finished in 2024: outside the default window, inside all time."""
    ok(run_cli("import", str(EXAMPLES / "example1.ndjson")))
    profile = ("--profile", str(EXAMPLES / "profile.yaml"))
    default = ok(run_cli("lead-time", *profile, "--format", "json"))
    assert default["changes"] == 0
    assert default["window"] == {
        "from": f"{TOMORROW - timedelta(days=90)}T00:00:00Z", "to": f"{TOMORROW}T00:00:00Z",
        "days": 90.0,
    }  # fmt: skip
    everything = ok(run_cli("lead-time", *profile, "--all-time", "--format", "json"))
    assert everything["changes"] == 1
    assert everything["window"] == {"from": None, "to": None, "days": None}
    both = run_cli("lead-time", *profile, "--all-time", "--from", "2024-01-01")
    assert both.code == 2 and "--all-time takes no --from or --to" in both.err


def test_dora_states_its_window(run_cli: Any) -> None:
    profile = ("--profile", str(FIXTURES / "dora_quarter" / "cd-failures.yaml"))
    given = ok(run_cli("dora", *profile, "--from", "2024-01-01", "--to", "2024-04-01"))
    assert "DORA, 2024-01-01T00:00:00Z → 2024-04-01T00:00:00Z (91 days" in " ".join(given.split())
    end = datetime.now(UTC).date() + timedelta(days=1)  # the end of today (UTC)
    default = " ".join(ok(run_cli("dora", *profile)).split())
    assert f"{end - timedelta(days=90)}T00:00:00Z → {end}T00:00:00Z" in default


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--change", "NOPE-1"], "no change 'NOPE-1' under profile"),
        (["--from", "yesterday"], "Invalid value for '--from': not a date or RFC 3339 time"),
        (["--from", "2024-05-02", "--to", "2024-05-01"], "is not before --to"),
        (["--stat", "p99"], "Invalid value for '--stat'"),
    ],
)
def test_bad_arguments_are_clear(run_cli: Any, args: list[str], message: str) -> None:
    result = run_cli("lead-time", "--profile", str(EXAMPLES / "profile.yaml"), *args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_missing_profile_file_is_clear(run_cli: Any) -> None:
    result = run_cli("lead-time", "--profile", "/nonexistent/p.yaml")
    assert result.code == 2
    assert "/nonexistent/p.yaml" in result.err and "Traceback" not in result.err


def test_text_from_records_is_never_read_as_markup(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "m.ndjson"
    path.write_text(
        json.dumps(
            {"kind": "issue", "key": "M-1", "created_at": "2024-05-01T09:00:00Z",
             "status_changes": [{"to": "Done [/x]", "at": "2024-05-01T10:00:00Z"}]}
        ) + "\n"
    )  # fmt: skip
    profile = tmp_path / "p.yaml"
    profile.write_text("name: p [b]\nstages:\n  - {name: 'Done [/x]', event: issue_status, "
                       "statuses: ['Done [/x]']}\n")  # fmt: skip
    ok(run_cli("import", str(path)))
    table = run_cli("lead-time", "--all-time", "--profile", str(profile))
    assert table.code == 0, table.err
    assert "Done [/x]" in table.out and "p [b]" in table.out
    change = run_cli("lead-time", "--profile", str(profile), "--change", "M-1")
    assert change.code == 0, change.err
    assert change.out.count("Done [/x]") >= 2  # the stage name and its source record


def test_change_csv_keeps_zero_durations(run_cli: Any) -> None:
    ok(run_cli("import", str(EXAMPLES / "example2.ndjson")))
    result = run_cli("lead-time", "--profile", str(EXAMPLES / "profile.yaml"), "--change",
                     EXPECTED["example2"]["change"], "--format", "csv")  # fmt: skip
    assert result.code == 0, result.err
    ci = next(line for line in result.out.splitlines() if line.startswith("CI,"))
    assert ci.split(",")[2] == "0.0"  # CI finished before the last merge: 0, not blank


def test_no_change_in_the_window_reads_no_data(run_cli: Any) -> None:
    """A table of no change says no data, not 0s."""
    ok(run_cli("import", str(EXAMPLES / "example1.ndjson")))
    profile = ("--profile", str(EXAMPLES / "profile.yaml"))
    table = ok(run_cli("lead-time", *profile, "--from", "2023-01-01", "--to", "2023-02-01"))
    rows = [" ".join(line.strip("│ ").split()) for line in table.splitlines() if "│" in line]
    assert any(r.startswith("Total") and "no data" in r for r in rows), table
    assert any(r.startswith("In Progress") and "no data" in r for r in rows), table
    assert " 0s " not in table
