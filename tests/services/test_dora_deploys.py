"""What counts as a deployment and how failures are counted (issue 17): every option on the
hand-built records of ``deploys_data`` (read its docstring for the reasoning behind each
expected number), through ``services.dora`` and the drill-downs, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.domain.records import Issue
from leadline.domain.times import parse_bound, to_micros
from leadline.profiles.loader import profile_from_data
from leadline.services import drilldown
from leadline.services.dora import dora
from leadline.services.dora_deployments import entries, pick_entries
from leadline.services.leadtime import Window
from tests.services.deploys_data import (
    DAYS,
    FAILURE_TICKETS,
    RUNS,
    TICKETS,
    WINDOW,
    profile_data,
    write_records,
)

START, END = (to_micros(parse_bound(x)) for x in WINDOW)


@pytest.fixture
def loaded(engine: Engine, run_cli: Any, tmp_path: Path) -> Engine:
    assert run_cli("import", str(write_records(tmp_path / "r.ndjson"))).code == 0
    return engine


def _report(engine: Engine, interval: str = "month", **block: Any) -> dict[str, Any]:
    profile = profile_from_data(profile_data("p", **block), "p")
    window = Window(parse_bound(WINDOW[0]), parse_bound(WINDOW[1]))
    return dora(engine, profile, window, interval, "mean", now=datetime(2024, 6, 1))


def _cfr(section: dict[str, Any]) -> tuple[Any, ...]:
    return section["failures"], section["deployments"], section["rate"]


@pytest.mark.parametrize(
    ("occurrence", "deployments", "failures"),
    [
        # first: PAY-1, PAY-2 (03-10), PAY-5; INC-1 → PAY-2, INC-3 → PAY-5
        (None, 3, 2),
        ("first", 3, 2),
        # last: PAY-1, PAY-2 (03-20), PAY-3 (03-03), PAY-5; INC-1 (03-11) → PAY-1
        ("last", 4, 2),
        # every: PAY-1, PAY-2, PAY-2@2, PAY-3 (03-03), PAY-5; INC-1 → PAY-2
        ("every", 5, 2),
    ],
)
def test_tickets_as_deployments(
    loaded: Engine, occurrence: str | None, deployments: int, failures: int
) -> None:
    tickets = TICKETS | ({"occurrence": occurrence} if occurrence else {})
    report = _report(loaded, deployments=tickets, failures=FAILURE_TICKETS)
    df, cfr = report["deployment_frequency"], report["change_failure_rate"]
    assert (df["deployments"], df["per_day"]) == (deployments, round(deployments / DAYS, 4))
    assert "reason" not in df
    assert _cfr(cfr) == (failures, deployments, round(failures / deployments, 4))
    assert cfr["unlinked"] == 1  # INC-4: billing, no billing deployment


def test_category_done_is_the_resolving_statuses(loaded: Engine) -> None:
    by_category = TICKETS.copy()
    del by_category["statuses"]
    report = _report(
        loaded, deployments=by_category | {"category": "done"}, failures=FAILURE_TICKETS
    )
    assert report["deployment_frequency"]["deployments"] == 3  # Done and Closed are done


def test_failure_priorities_are_exact_and_case_insensitive(loaded: Engine) -> None:
    everything = {k: v for k, v in FAILURE_TICKETS.items() if k != "priorities"}
    # INC-2 (P3, api, 03-06) now fails PAY-1 (03-05): all three deployments failed.
    report = _report(loaded, deployments=TICKETS, failures=everything)
    assert _cfr(report["change_failure_rate"]) == (3, 3, 1.0)
    only_p1 = FAILURE_TICKETS | {"priorities": ["P1"]}  # "p1" matches; INC-3 (Highest) not
    report = _report(loaded, deployments=TICKETS, failures=only_p1)
    assert _cfr(report["change_failure_rate"]) == (1, 3, round(1 / 3, 4))
    report = _report(loaded, deployments=TICKETS, failures=FAILURE_TICKETS | {"priorities": ["P"]})
    assert report["change_failure_rate"]["failures"] == 0  # exact, not a prefix or a glob


def test_release_names(loaded: Engine) -> None:
    failures = {"source": "incidents"}
    every = _report(loaded, deployments={"source": "releases"}, failures=failures)
    named = _report(loaded, deployments={"source": "releases", "names": ["V*"]}, failures=failures)
    assert every["deployment_frequency"]["deployments"] == 3  # v1.0, v1.1, hotfix-1
    assert named["deployment_frequency"]["deployments"] == 2  # v1.0, v1.1 (globs ignore case)


@pytest.mark.parametrize(
    ("count_at", "deployments", "failed", "first_day", "last_day"),
    [
        (None, 3, 2, 1, 0),  # r1 r2 r4; r5 r6; r1 on 03-01
        ("finish", 3, 2, 1, 0),
        ("start", 4, 1, 0, 2),  # r2 r3 r10 r4; r5; r3 and r10 on 03-31
    ],
)
def test_count_at(
    loaded: Engine, count_at: str | None, deployments: int, failed: int, first_day: int,
    last_day: int,
) -> None:  # fmt: skip
    runs = RUNS | ({"count_at": count_at} if count_at else {})
    report = _report(loaded, "day", deployments=runs)
    df, cfr = report["deployment_frequency"], report["change_failure_rate"]
    assert df["deployments"] == deployments
    assert (df["series"][0]["count"], df["series"][30]["count"]) == (first_day, last_day)
    assert _cfr(cfr) == (failed, deployments, round(failed / (deployments + failed), 4))
    # lead_time: commits reads the same deployments (the slow path): the same figures
    slow = _report(loaded, "day", deployments=runs, lead_time="commits")
    assert slow["deployment_frequency"]["deployments"] == deployments
    assert _cfr(slow["change_failure_rate"]) == _cfr(cfr)


@pytest.mark.parametrize(
    ("count_at", "failed", "runs"),
    [
        (None, 2, 6),  # r5 r6 of r1 r2 r4 r5 r6 r7
        ("start", 1, 6),  # r5 of r2 r3 r10 r4 r5 r7
    ],
)
def test_all_runs_total_with_failed_runs(
    loaded: Engine, count_at: str | None, failed: int, runs: int
) -> None:
    deployments = RUNS | ({"count_at": count_at} if count_at else {})
    for lead_time in ("stages", "commits"):  # the window-only path and the full one
        report = _report(loaded, deployments=deployments, failures={"total": "all_runs"},
                         lead_time=lead_time)  # fmt: skip
        cfr = report["change_failure_rate"]
        assert _cfr(cfr) == (failed, runs, round(failed / runs, 4)), lead_time
        assert cfr["total"] == "all_runs" and "unlinked" not in cfr


def test_all_runs_total_with_incidents(loaded: Engine) -> None:
    failures = {"source": "incidents"}
    linked = _report(loaded, deployments=RUNS, failures=failures)["change_failure_rate"]
    assert _cfr(linked) == (1, 3, round(1 / 3, 4))  # pd/1 → r2, of r1 r2 r4
    runs = _report(loaded, deployments=RUNS, failures=failures | {"total": "all_runs"})
    cfr = runs["change_failure_rate"]
    assert _cfr(cfr) == (1, 6, round(1 / 6, 4))  # of r1 r2 r4 r5 r6 r7
    assert (cfr["unlinked"], cfr["total"]) == (0, "all_runs")


def test_absolute_count(loaded: Engine) -> None:
    report = _report(loaded, deployments=RUNS, failures={"count": "absolute"})
    cfr = report["change_failure_rate"]
    assert (cfr["count"], cfr["failures"], cfr["rate"], cfr["band"]) == ("absolute", 2, None, None)
    assert cfr["deployments"] == 3 and "reason" not in cfr
    assert all(p["rate"] is None for p in cfr["series"])
    assert cfr["interval"]["low"] < 2 < cfr["interval"]["high"]  # a Poisson count interval
    linked = _report(loaded, deployments=TICKETS, failures=FAILURE_TICKETS | {"count": "absolute"})
    assert linked["change_failure_rate"]["failures"] == 2  # PAY-2 and PAY-5 failed


def test_absolute_count_of_an_empty_window_is_zero(loaded: Engine, engine: Engine) -> None:
    profile = profile_from_data(profile_data("p", failures={"count": "absolute"}), "p")
    window = Window(parse_bound("2024-05-01"), parse_bound("2024-06-01"))
    cfr = dora(engine, profile, window, "month", "mean")["change_failure_rate"]
    # No run in May 2024 (there were before): the rate would have no denominator (a
    # `reason`); the count is a real 0.
    assert (cfr["failures"], cfr["rate"], "reason" in cfr) == (0, None, False)
    before = Window(parse_bound("2023-01-01"), parse_bound("2023-02-01"))
    cfr = dora(engine, profile, before, "month", "mean")["change_failure_rate"]
    assert cfr["reason"].startswith("no failure source")  # nothing recorded yet: no data


def test_no_ticket_deployment_is_no_data(engine: Engine) -> None:
    report = _report(engine, deployments=TICKETS, failures=FAILURE_TICKETS)
    df = report["deployment_frequency"]
    assert (df["per_day"], df["band"]) == (None, None)
    assert df["reason"] == (
        "no deployment source: no ticket that dora.deployments selects reached its statuses"
    )


def test_drilldowns_say_which_rule_counted(loaded: Engine) -> None:
    profile = profile_from_data(
        profile_data("p", deployments=TICKETS | {"occurrence": "every"}, failures=FAILURE_TICKETS),
        "p",
    )
    items = drilldown.deployments(loaded, profile, START, END)
    rules = {i.id: i.rule for i in items}
    assert rules["PAY-2@2"] == (
        "ticket PAY-2 reached Done (deployments.source: issues, every entry)"
    )
    assert rules["PAY-5"] == "ticket PAY-5 reached Done (deployments.source: issues, every entry)"
    assert len(items) == 5 and all(i.environment is None for i in items)
    failed = drilldown.failures(loaded, profile, START, END)
    by_id = {i.id: i.rule for i in failed.items}
    assert by_id == {
        "PAY-2": "linked to INC-1 (same service) (failures.source: issues)",
        "PAY-5": "linked to INC-3 (names it) (failures.source: issues)",
    }
    assert [f.key for f in failed.unlinked] == ["INC-4"]


def test_drilldowns_of_runs_counted_at_their_start(loaded: Engine) -> None:
    profile = profile_from_data(profile_data("p", deployments=RUNS | {"count_at": "start"}), "p")
    items = {i.id: i for i in drilldown.deployments(loaded, profile, START, END)}
    assert sorted(items) == ["argo/deploy/r10", "argo/deploy/r2", "argo/deploy/r3",
                             "argo/deploy/r4"]  # fmt: skip
    assert items["argo/deploy/r3"].rule == (
        "run argo/deploy/r3 success, counted at its start (deployments.source: cd)"
    )
    assert items["argo/deploy/r3"].at_us == to_micros(parse_bound("2024-03-31T23:00:00Z"))
    assert items["argo/deploy/r4"].rule == (
        "run argo/deploy/r4 success, counted at its finish (no start time) (deployments.source: cd)"
    )
    failed = drilldown.failures(loaded, profile, START, END).items
    assert [(f.id, f.rule) for f in failed] == [
        ("argo/deploy/r5", "run argo/deploy/r5 failure (failures.source: cd)")
    ]


def _issue(*changes: tuple[str, str]) -> Issue:
    return Issue.model_validate(
        {"kind": "issue", "key": "K-1", "created_at": "2024-01-01T00:00:00Z",
         "status_changes": [{"to": to, "at": f"2024-01-{day}T00:00:00Z"} for to, day in changes]}
    )  # fmt: skip


def _day(day: int) -> int:
    return to_micros(parse_bound(f"2024-01-{day:02d}"))


def test_entries_into_the_resolving_statuses() -> None:
    issue = _issue(("Done", "05"), ("closed", "06"), ("Reopened", "07"), ("Done", "09"))
    assert entries(issue, ["done", "Closed"], None) == [(_day(5), "Done"), (_day(9), "Done")]
    assert entries(issue, ["Closed"], None) == [(_day(6), "closed")]
    assert entries(issue, None, "done") == [(_day(5), "Done"), (_day(9), "Done")]
    assert entries(issue, ["Nope"], None) == []
    # out of order in the record: read in time order
    shuffled = _issue(("Done", "09"), ("Reopened", "07"), ("Done", "05"))
    assert entries(shuffled, ["Done"], None) == [(_day(5), "Done"), (_day(9), "Done")]
    found = [(1, "a"), (2, "b"), (3, "c")]
    assert pick_entries(found, None) == [(1, "a")]
    assert pick_entries(found, "first") == [(1, "a")]
    assert pick_entries(found, "last") == [(3, "c")]
    assert pick_entries(found, "every") == found
    assert pick_entries([], "last") == []
