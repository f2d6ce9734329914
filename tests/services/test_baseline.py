"""Baseline deployments end to end (issue 16): a CD-run dataset, imported through the CLI,
whose first known deployment ships two years of earlier commits. The baseline is left out
of lead time and reported (counts exact), counted with ``deployments.baseline: include``,
listed by the data-quality service — on SQLite and PostgreSQL.

The history (``acme/svc``, one commit a month, each the parent of the next):

    c0 2022-01-01 … c23 2023-12-01      two years before any run is known
    c24 2024-01-15 11:00                exactly when D1 started (the tracking start)
    c25 2024-01-20 00:00
    D1 argo/deploy/1 started 2024-01-15 11:00, finished 12:00, head c24: ships c0…c24
    D2 argo/deploy/2 finished 2024-01-25 00:00, head c25: ships c25

Tickets: OLD-1 (commit c0, created 2021-12-31), NEW-1 (c24, created 2024-01-14), NEW-2 (c25,
created 2024-01-19). With only CD runs known the tracking start is D1's start: c0…c23 are
the baseline (24 commits); c24, committed exactly at the tracking start, is not.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.domain.times import to_micros
from leadline.profiles.loader import profile_from_data
from leadline.services.baseline import baseline_deployments
from leadline.services.leadtime import Window, lead_time

DAY = 86_400


def sha_of(i: int) -> str:
    return f"{i + 1:04x}" + "ab" * 18


def _month(i: int) -> str:
    return f"{2022 + i // 12}-{i % 12 + 1:02d}-01T00:00:00Z"


COMMIT_TIMES = [_month(i) for i in range(24)] + ["2024-01-15T11:00:00Z", "2024-01-20T00:00:00Z"]
TICKETS = {0: ("OLD-1", "2021-12-31T00:00:00Z"), 24: ("NEW-1", "2024-01-14T00:00:00Z"),
           25: ("NEW-2", "2024-01-19T00:00:00Z")}  # fmt: skip


def records(ci_from: str | None = None, ci_on: int = 17) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, at in enumerate(COMMIT_TIMES):
        key = TICKETS.get(i, ("", ""))[0]
        out.append({"kind": "commit", "repo": "acme/svc", "sha": sha_of(i), "committed_at": at,
                    "message": f"{key}: change {i}".strip(": "),
                    "parents": [sha_of(i - 1)] if i else []})  # fmt: skip
    for key, created in TICKETS.values():
        out.append({"kind": "issue", "key": key, "project": key.split("-")[0],
                    "created_at": created})  # fmt: skip
    for run, head, started, finished in [
        ("1", sha_of(24), "2024-01-15T11:00:00Z", "2024-01-15T12:00:00Z"),
        ("2", sha_of(25), None, "2024-01-25T00:00:00Z"),
    ]:
        out.append({"kind": "pipeline_run", "system": "argo", "pipeline": "deploy",
                    "run_id": run, "type": "cd", "status": "success", "started_at": started,
                    "finished_at": finished, "environment": "production", "repo": "acme/svc",
                    "commit_sha": head})  # fmt: skip
    if ci_from is not None:  # a CI run known from earlier moves the tracking start
        out.append({"kind": "pipeline_run", "system": "gha", "pipeline": "ci", "run_id": "9",
                    "type": "ci", "status": "failure", "started_at": ci_from,
                    "finished_at": ci_from.replace(":00:00Z", ":10:00Z"), "repo": "acme/svc",
                    "commit_sha": sha_of(ci_on)})  # fmt: skip
    return out


def profile(baseline: str, lead: str = "stages") -> Any:
    return profile_from_data({
        "name": f"svc {baseline} {lead}",
        "stages": [{"name": "Coding", "event": "commit"},
                   {"name": "Deployed", "event": "cd_completed", "environments": ["production"]}],
        "deployments": {"baseline": baseline},
        "dora": {"deployments": {"source": "cd", "environments": ["production"]},
                 "failures": {"source": "incidents"}, "lead_time": lead},
    }, "test")  # fmt: skip


WINDOW = Window(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


@pytest.fixture
def loaded(engine: Engine, run_cli: Any, tmp_path: Path) -> Engine:
    path = tmp_path / "cd.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in records()))
    assert run_cli("import", str(path)).code == 0
    return engine


def test_the_baseline_change_is_left_out_of_lead_time_and_reported(loaded: Engine) -> None:
    out = lead_time(loaded, profile("exclude"), "mean", WINDOW)
    # NEW-1: created 01-14 00:00 → c24 01-15 11:00 (35 h) → D1 12:00 (1 h);
    # NEW-2: created 01-19 → c25 01-20 (1 d) → D2 01-25 (5 d).
    assert out["changes"] == 2
    assert [s["seconds"] for s in out["stages"]] == [(126_000 + 86_400) / 2, (3_600 + 432_000) / 2]
    assert out["total_seconds"] == 324_000.0
    assert out["baseline"] == {"changes": 1, "included": False}


def test_the_drill_down_lists_the_baseline_change_apart(loaded: Engine) -> None:
    from leadline.services import drilldown

    start, end = WINDOW.micros()
    report = drilldown.changes(loaded, profile("exclude"), start, end)
    assert sorted(c.key for c in report.items) == ["NEW-1", "NEW-2"]
    assert [c.key for c in report.baseline] == ["OLD-1"]
    assert all(c.baseline and c.note == "baseline (before tracking began)" for c in report.baseline)


def test_the_switch_includes_the_baseline_without_a_rebuild(loaded: Engine) -> None:
    lead_time(loaded, profile("exclude"), "mean", WINDOW)
    out = lead_time(loaded, profile("include"), "mean", WINDOW, build=False)
    # OLD-1: created 2021-12-31 → c0 2022-01-01 (1 d) → D1 2024-01-15 12:00 (744.5 d).
    assert out["changes"] == 3
    assert [s["seconds"] for s in out["stages"]] == [
        (126_000 + 86_400 + 86_400) / 3, (3_600 + 432_000 + 744.5 * DAY) / 3
    ]  # fmt: skip
    assert out["total_seconds"] == 99_600.0 + 21_586_800.0
    assert out["baseline"] == {"changes": 1, "included": True}


@pytest.mark.parametrize("baseline", ["exclude", "include"])
def test_commit_lead_time_leaves_out_the_two_years(loaded: Engine, baseline: str) -> None:
    from leadline.services.dora import dora

    report = dora(loaded, profile(baseline, "commits"), WINDOW, "week", "mean")
    lead = report["lead_time_for_changes"]
    d1, d2 = ts("2024-01-15T12:00:00Z"), ts("2024-01-25T00:00:00Z")
    counted = [d1 - ts(COMMIT_TIMES[24]), d2 - ts(COMMIT_TIMES[25])]  # 3 600 s and 5 days
    if baseline == "include":
        counted += [d1 - ts(at) for at in COMMIT_TIMES[:24]]
    assert lead["changes"] == len(counted) == (2 if baseline == "exclude" else 26)
    assert lead["total_seconds"] == pytest.approx(sum(counted) / len(counted), abs=1e-6)
    assert lead["baseline"] == {"changes": 24, "included": baseline == "include"}


def test_the_data_quality_check_lists_the_baseline_deployment(loaded: Engine) -> None:
    count, examples = baseline_deployments(loaded, profile("exclude"), WINDOW)
    assert count == 1
    [d1] = examples
    assert (d1.id, d1.repo, d1.service) == ("argo/deploy/1", "acme/svc", None)
    assert (d1.at_us, d1.tracking_start_us) == (
        to_micros(datetime(2024, 1, 15, 12, tzinfo=UTC)),
        to_micros(datetime(2024, 1, 15, 11, tzinfo=UTC)),
    )
    assert d1.baseline_commits == 24  # c0…c23; c24 is exactly at the tracking start
    # Outside the window, or out of the scope: nothing.
    assert baseline_deployments(loaded, profile("exclude"), (0, d1.at_us)) == (0, [])
    other = profile_from_data({"name": "o", "scope": {"repos": ["acme/other"]},
                               "stages": [{"name": "c", "event": "commit"}]}, "o")  # fmt: skip
    assert baseline_deployments(loaded, other.scope, None, build=False) == (0, [])


@pytest.mark.parametrize(
    ("ci_on", "commits_left_out", "changes_left_out"),
    [
        (18, 18, 1),  # c18, committed exactly at the tracking start: names nothing earlier
        (17, 17, 1),  # c17 (2023-06-01) is observed: no longer baseline
        (0, 17, 0),  # c0 is observed, and OLD-1 with it (the CI run is linked to it)
    ],
)
def test_a_ci_run_known_from_earlier_keeps_what_came_after_it(
    engine: Engine,
    run_cli: Any,
    tmp_path: Path,
    ci_on: int,
    commits_left_out: int,
    changes_left_out: int,
) -> None:
    """A CI run started 2023-07-01 00:00 moves the tracking start there: c0…c17 (2022-01 …
    2023-06) predate it; c18, committed exactly then, and c19…c23 are counted. Of c0…c17,
    the commit the CI run names is observed (a run that is not a baseline deployment names
    it) and counted too: 18 baseline commits when the run names c18, 17 when it names c17
    or c0; OLD-1 (c0) stays a baseline change unless the run names c0."""
    path = tmp_path / "ci.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in records("2023-07-01T00:00:00Z", ci_on)))
    assert run_cli("import", str(path)).code == 0
    from leadline.services.dora import dora

    lead = dora(engine, profile("exclude", "commits"), WINDOW, "week", "mean")
    left_out = {"changes": commits_left_out, "included": False}
    assert lead["lead_time_for_changes"]["baseline"] == left_out
    assert lead["lead_time_for_changes"]["changes"] == 26 - commits_left_out
    d1 = ts("2024-01-15T12:00:00Z")
    counted = [
        (ts("2024-01-25T00:00:00Z") if i == 25 else d1) - ts(at)
        for i, at in enumerate(COMMIT_TIMES)
        if i >= 18 or i == ci_on
    ]
    assert len(counted) == 26 - commits_left_out
    mean = lead["lead_time_for_changes"]["total_seconds"]
    assert mean == pytest.approx(sum(counted) / len(counted), abs=1e-6)
    count, [d1_mark] = baseline_deployments(engine, profile("exclude"), None)
    assert (count, d1_mark.baseline_commits) == (1, commits_left_out)
    out = lead_time(engine, profile("exclude"), "mean", WINDOW)
    assert (out["changes"], out["baseline"]["changes"]) == (3 - changes_left_out, changes_left_out)


def test_tracking_from_the_start_means_no_baseline(
    engine: Engine, run_cli: Any, tmp_path: Path
) -> None:
    """A CI run before the first commit: nothing predates tracking, nothing is left out."""
    path = tmp_path / "all.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in records("2021-12-01T00:00:00Z")))
    assert run_cli("import", str(path)).code == 0
    out = lead_time(engine, profile("exclude"), "mean", WINDOW)
    assert (out["changes"], out["baseline"]) == (3, {"changes": 0, "included": False})
    assert baseline_deployments(engine, profile("exclude"), None) == (0, [])


def test_the_cli_says_what_it_left_out(loaded: Engine, run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    data = {"name": "svc", "stages": [{"name": "Coding", "event": "commit"},
            {"name": "Deployed", "event": "cd_completed"}]}  # fmt: skip
    path.write_text(json.dumps(data))
    result = run_cli("lead-time", "--profile", str(path), "--from", "2024-01-01",
                     "--to", "2024-02-01")  # fmt: skip
    assert result.code == 0, result.err
    assert (
        "\n1 change baseline (before tracking began) left out "
        "(deployments.baseline: include counts them)\n"
    ) in result.out
    explained = run_cli("lead-time", "--profile", str(path), "--change", "OLD-1")
    assert "baseline (before tracking began)" in explained.out


def test_an_earlier_run_arriving_later_rebuilds_the_flag(
    loaded: Engine, run_cli: Any, tmp_path: Path
) -> None:
    """Incremental: the tracking start moves when an older CI run is imported, and the
    changes D1 shipped are rebuilt (OLD-1 is counted from then on)."""
    assert lead_time(loaded, profile("exclude"), "mean", WINDOW)["baseline"]["changes"] == 1
    older = [r for r in records("2021-12-01T00:00:00Z") if r.get("run_id") == "9"]
    path = tmp_path / "older.ndjson"
    path.write_text(json.dumps(older[0]) + "\n")
    assert run_cli("import", str(path)).code == 0
    out = lead_time(loaded, profile("exclude"), "mean", WINDOW)
    assert (out["changes"], out["baseline"]["changes"]) == (3, 0)


def test_a_later_ci_run_naming_an_old_commit_rebuilds_the_flag(
    loaded: Engine, run_cli: Any, tmp_path: Path
) -> None:
    """Incremental: a CI run from after D1 (it does not move the tracking start) names c0, so
    OLD-1 is observed and rebuilt as counted, and c0 leaves the commit-level baseline (24 →
    23) in the commit lead time and the data-quality count alike."""
    assert lead_time(loaded, profile("exclude"), "mean", WINDOW)["baseline"]["changes"] == 1
    later = records("2024-01-16T00:00:00Z", ci_on=0)[-1]
    path = tmp_path / "later.ndjson"
    path.write_text(json.dumps(later) + "\n")
    assert run_cli("import", str(path)).code == 0
    out = lead_time(loaded, profile("exclude"), "mean", WINDOW)
    assert (out["changes"], out["baseline"]["changes"]) == (3, 0)
    from leadline.services.dora import dora

    lead = dora(loaded, profile("exclude", "commits"), WINDOW, "week", "mean")
    assert lead["lead_time_for_changes"]["baseline"] == {"changes": 23, "included": False}
    assert lead["lead_time_for_changes"]["changes"] == 3
    count, [d1] = baseline_deployments(loaded, profile("exclude"), None)
    assert (count, d1.tracking_start_us, d1.baseline_commits) == (
        1, to_micros(datetime(2024, 1, 15, 11, tzinfo=UTC)), 23
    )  # fmt: skip


def test_leadline_git_tags_have_no_baseline(engine: Engine, tmp_path: Path) -> None:
    """Tags are a complete history: a first tag two years after the first commit is a real
    first release, and every commit it ships counts (the `git tag --contains` oracle)."""
    from leadline.services.gitrepo import git_report
    from tests.gitbuild import GitRepo, at

    g = GitRepo.create(tmp_path / "old")
    for day in (0, 365, 700):
        g.commit(f"day {day}", at(day))
    head = g.commit("release work", at(729))
    g.tag("v1.0", head, at(730))
    start, end = at(700), at(760)
    _, report = git_report(engine, str(g.path), window=Window(start, end), stat="median")
    lead = report["lead_time_for_changes"]
    deployments, median, counted = g.expected(start, end)
    assert (deployments, counted) == (1, 4)
    assert lead["changes"] == counted and lead["total_seconds"] == median
    assert median == (365 + 30) / 2 * DAY  # commits 730, 365, 30 and 1 days before the tag
    assert lead["baseline"] == {"changes": 0, "included": False}


def test_a_first_deployment_that_turns_out_failed_hands_the_mark_on(
    loaded: Engine, run_cli: Any, tmp_path: Path
) -> None:
    """D1 re-reported as failed: D2 becomes the stream's first deployment and ships c0…c24.
    The tracking start stays D1's start (a failed run is still a run): OLD-1 is baseline,
    NEW-1 (committed exactly then) and NEW-2 count, both deployed by D2."""
    assert baseline_deployments(loaded, profile("exclude"), None)[1][0].id == "argo/deploy/1"
    failed = next(r for r in records() if r.get("run_id") == "1") | {"status": "failure"}
    path = tmp_path / "failed.ndjson"
    path.write_text(json.dumps(failed) + "\n")
    assert run_cli("import", str(path)).code == 0
    out = lead_time(loaded, profile("exclude"), "mean", WINDOW)
    d2 = ts("2024-01-25T00:00:00Z")
    assert (out["changes"], out["baseline"]["changes"]) == (2, 1)
    assert (
        out["stages"][1]["seconds"]
        == ((d2 - ts(COMMIT_TIMES[24])) + (d2 - ts(COMMIT_TIMES[25]))) / 2
    )
    count, [mark] = baseline_deployments(loaded, profile("exclude"), None)
    assert (count, mark.id, mark.baseline_commits) == (1, "argo/deploy/2", 24)


EXAMPLES = Path(__file__).parents[2] / "examples"


def test_the_readme_example_counts_its_change(run_cli: Any) -> None:
    """``examples/records.ndjson``: PROP-1's commit (10:05) predates the first known run
    (the CI run, 10:15:30), and the CD run (10:17), production's first deployment, ships it.
    The CI run names the merge commit, so the change is observed: counted, with the lead-time
    page's example 1 figures (09:50 created, 10:00 In Progress, 10:05 first commit, 10:10 PR,
    10:11 approved, 10:15 merged, 10:16 CI, 10:17 CD, 10:20 Done, 11:00 released)."""
    profile = str(EXAMPLES / "profiles" / "ticket-to-production.yaml")
    assert run_cli("import", str(EXAMPLES / "records.ndjson")).code == 0
    result = run_cli("lead-time", "--profile", profile, "--all-time", "--format", "json")
    assert result.code == 0, result.err
    out = json.loads(result.out)
    minutes = [10, 5, 5, 1, 4, 1, 1, 3, 40]
    assert out["changes"] == 1
    assert [s["seconds"] for s in out["stages"]] == [m * 60.0 for m in minutes]
    assert out["total_seconds"] == 4200.0
    assert out["baseline"] == {"changes": 0, "included": False}
    explained = run_cli("lead-time", "--profile", profile, "--change", "PROP-1", "--format", "json")
    assert json.loads(explained.out)["baseline"] is False
    dora_out = run_cli("dora", "--profile", profile, "--from", "2024-05-01", "--to", "2024-05-02",
                       "--format", "json")  # fmt: skip
    lead = json.loads(dora_out.out)["lead_time_for_changes"]
    assert (lead["changes"], lead["total_seconds"]) == (1, 4200.0)
    assert lead["baseline"] == {"changes": 0, "included": False}
