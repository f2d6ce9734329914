"""A monorepo with two components (``scope.paths`` through the collection filter ``paths``):
deployments attributed to the components whose paths they ship, lead times per component
and ticket changes split by path, computed by hand, on SQLite and PostgreSQL.

The history (tests/fixtures/paths/records.ndjson), one CD stream ``deploy-mono``:

    c0 2023-11-30 README.md                    D0 2023-12-01 ships c0 (before the window)
    c1 2024-01-02 00:00 services/payments/…    MONO-1
    c2 2024-01-02 12:00 services/web/…         MONO-2   D1 2024-01-03 ships c2, c1
    c3 2024-01-04 00:00 services/web/…         MONO-1   F1 2024-01-04 12:00 fails on c3
                                                        D2 2024-01-05 ships c3
    c4 2024-01-06 no paths (a source that gives none), never deployed

    PR #1: c1, c2, merged 2024-01-02 13:00;  PR #2: c3, merged 2024-01-04 02:00
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from leadline.profiles.collections import Filters, narrow
from leadline.services import collections
from tests.conftest import FIXTURES

HERE = FIXTURES / "paths"
WINDOW = ["--from", "2024-01-01", "--to", "2024-03-01"]
DAY = 86_400


@pytest.fixture
def mono(engine: Engine, run_cli: Any) -> Engine:
    assert run_cli("import", str(HERE / "records.ndjson")).code == 0
    result = run_cli("apply", str(HERE / "org.yaml"))
    assert result.code == 0, result.err
    return engine


def _json(run_cli: Any, *args: str) -> dict[str, Any]:
    result = run_cli(*args, "--format", "json", *WINDOW)
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("team", "deployments", "failures", "commits", "mean_lead"),
    [
        # D1 ships c1 (payments) and c2 (web): it counts for both; D2 ships only c3 (web).
        # Payments: c1 → D1 = 1 day.
        ("Payments", 1, 0, 1, DAY),
        # Web: c2 → D1 = 12 h, c3 → D2 = 1 day: mean 18 h. F1 failed on c3, which D2 (a web
        # deployment) shipped next: a Web failure.
        ("Web", 2, 1, 2, (DAY // 2 + DAY) // 2),
        # The whole repository: D1 and D2; c1, c2, c3: (1 d + 12 h + 1 d) / 3 = 20 h.
        ("Mono", 2, 1, 3, (DAY + DAY // 2 + DAY) // 3),
    ],
)
def test_deployments_count_for_the_components_they_ship(
    mono: Engine, run_cli: Any, team: str, deployments: int, failures: int, commits: int,
    mean_lead: int,
) -> None:  # fmt: skip
    report = _json(run_cli, "dora", "--collection", team, "--stat", "mean")
    assert report["deployment_frequency"]["deployments"] == deployments
    assert report["change_failure_rate"]["failures"] == failures
    lead = report["lead_time_for_changes"]
    assert (lead["changes"], lead["total_seconds"]) == (commits, mean_lead)


@pytest.mark.parametrize(
    ("team", "changes", "mean_total"),
    [
        # MONO-1 (created 01-01) as Payments: its payments commit c1 (01-02) shipped by D1
        # (01-03): 1 d + 1 d = 2 d. MONO-2 has no payments commit: not a Payments change.
        ("Payments", 1, 2 * DAY),
        # MONO-1 as Web: its web commit c3 (01-04, 3 d) shipped by D2 (01-05, 1 d) = 4 d —
        # D1 shipped none of its web commits. MONO-2 (01-02): c2 12 h later, D1 12 h
        # after that = 1 d. Mean (4 d + 1 d) / 2 = 2.5 d.
        ("Web", 2, (4 * DAY + DAY) // 2),
        # The repository: MONO-1 from c1 to D1 = 2 d, MONO-2 = 1 d: mean 1.5 d.
        ("Mono", 2, (2 * DAY + DAY) // 2),
    ],
)
def test_ticket_changes_are_split_by_path(
    mono: Engine, run_cli: Any, team: str, changes: int, mean_total: int
) -> None:
    lead = _json(run_cli, "lead-time", "--collection", team, "--stat", "mean")
    assert (lead["changes"], lead["total_seconds"]) == (changes, mean_total)


def test_the_paths_filter_is_inherited_and_narrows_scope_paths(mono: Engine) -> None:
    by_name = {c.name: c for c in collections.tree(mono)}
    web = by_name["Web"]
    assert web.filters.as_dict() == {"repositories": ["acme/mono"], "paths": ["services/web/**"]}
    _, profile = collections.report_profile(mono, "Web")
    assert profile.scope.paths == ["services/web/**"] and profile.scope.repos == ["acme/mono"]
    assert narrow(profile, Filters()).scope.paths == ["services/web/**"]


def test_a_bad_paths_filter_is_reported_with_where_it_is(run_cli: Any, tmp_path: Any) -> None:
    org = tmp_path / "org.yaml"
    org.write_text((HERE / "org.yaml").read_text().replace('["services/web/**"]', "[]"))
    result = run_cli("apply", str(org))
    assert result.code != 0
    assert "collections[0].children[1].filters.paths" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("team", "count", "records"),
    [
        # c4 carries no paths: a paths-scoped team can place it nowhere.
        ("Web", 1, ["commit acme/mono@444444444444"]),
        ("Mono", None, []),  # no scope.paths: the check does not apply
    ],
)
def test_the_doctor_counts_commits_without_paths(
    mono: Engine, run_cli: Any, team: str, count: int | None, records: list[str]
) -> None:
    report = _json(run_cli, "doctor", "--collection", team)
    (check,) = [c for c in report["checks"] if c["id"] == "commit_without_paths"]
    assert check["count"] == count
    assert [x["record"] for x in check["examples"]] == records


def test_a_paths_pattern_that_matches_no_stored_path_is_reported(
    mono: Engine, run_cli: Any, tmp_path: Any
) -> None:
    org = tmp_path / "org.yaml"
    org.write_text((HERE / "org.yaml").read_text().replace("services/web/**", "service/web/**"))
    assert run_cli("apply", str(org)).code == 0
    report = _json(run_cli, "doctor", "--collection", "Web")
    (check,) = [c for c in report["checks"] if c["id"] == "pattern_matched_nothing"]
    # The four stored paths: README.md and three under services/.
    assert [(x["record"], x["detail"]) for x in check["examples"]] == [
        (
            "scope.paths: service/web/**",
            "matched none of 4 commit paths: README.md, services/payments/api/pay.py, "
            "services/web/app.js, services/web/index.html",
        )
    ]


@pytest.mark.parametrize(
    ("paths", "changes", "mean_total"),
    [
        # PR #1 as Payments: from c1 (01-02 00:00) to its merge (13:00) 13 h, to D1, which
        # shipped c1 (01-03 00:00), 11 h: 1 d. PR #2 has no payments commit.
        (["services/payments/**"], 1, DAY),
        # PR #1 as Web: from c2 (12:00) 1 h to the merge, 11 h to D1: 12 h. PR #2: c3
        # (01-04 00:00), merged 02:00, D2 (01-05; F1 failed): 1 d. Mean 18 h.
        (["services/web/**"], 2, (DAY // 2 + DAY) // 2),
        # The repository: PR #1 from c1 = 1 d, PR #2 = 1 d.
        (None, 2, DAY),
    ],
)
def test_pull_request_changes_are_split_by_path(
    mono: Engine, run_cli: Any, tmp_path: Any, paths: list[str] | None, changes: int,
    mean_total: int,
) -> None:  # fmt: skip
    scope: dict[str, Any] = {"repos": ["acme/mono"]}
    if paths is not None:
        scope["paths"] = paths
    profile = {
        "name": "Mono PRs", "scope": scope, "start": {"event": "commit_created"},
        "stages": [{"name": "Merged", "event": "pr_merged"},
                   {"name": "Deployed", "event": "cd_completed", "environments": ["production"]}],
    }  # fmt: skip
    path = tmp_path / "prs.yaml"
    path.write_text(yaml.safe_dump(profile))
    lead = _json(run_cli, "lead-time", "--profile", str(path), "--stat", "mean")
    assert (lead["changes"], lead["total_seconds"]) == (changes, mean_total)
