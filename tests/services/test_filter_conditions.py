"""A collection whose filters are conditions, end to end on SQLite and PostgreSQL: lead time
and DORA counted by hand.

Three repositories; every change is one commit, one pull request merged an hour after it,
and the deployment runs of its commit (environment production); each repository's CI ran
on January 1st, before any of it. The team "Current" is
``repositories: {not: [acme/legacy*]}`` and ``pipelines: {regex: '^deploy-(prod|live)$'}``
(any case, as pipelines compare); "Legacy" is ``repositories: {contains: [LEGACY]}``.

| change | commit (Jan, 00:00) | runs (finished) | Acme | Current | Legacy |
|---|---|---|---|---|---|
| acme/pay#1 | 2nd | deploy-prod ok 04:00 | 4h | 4h | out |
| acme/web#1 | 3rd | deploy-live ok 03:00 | 3h | 3h | out |
| acme/legacy-pay#1 | 4th | deploy-prod ok 10:00 | 10h | out (repo) | 10h |
| acme/web#2 | 5th | deploy-prod-eu ok 02:00 | 2h | not deployed (regex) | out |
| acme/pay#2 | 6th | deploy-prod failed 02:00, ok 05:00 | 5h | 5h | out |
| (acme/legacy-pay) | | deploy-prod failed 7th 02:00 | | out (repo) | |
| (acme/web) | | Deploy-Live failed 8th 02:00 | | in (any case) | |

* Acme (the profile alone): 5 changes, mean (4+3+10+2+5)/5 = 4.8h; 5 deployments; failed
  runs 3 (pay, legacy, web): change failure rate 3 / (5 + 3) = 0.375.
* Current: 3 changes, mean (4+3+5)/3 = 4h; deployments 3 (pay#1, web#1, pay#2's second
  run); failures 2 (pay's and web's Deploy-Live): 2 / (3 + 2) = 0.4.
* Legacy: 1 change of 10h; 1 deployment, 1 failure: 1 / 2 = 0.5.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from leadline.domain.times import parse_bound, to_micros
from leadline.errors import InputError
from leadline.profiles.collections import Filters, narrow
from leadline.profiles.loader import profile_from_data
from leadline.services import collections, drilldown
from leadline.services.doctor_patterns import patterns_matching_nothing
from leadline.store.db import reading

HOUR = 3600.0
WINDOW = ["--from", "2024-01-01", "--to", "2024-02-01"]
PROFILE = {
    "name": "Flow",
    "start": {"event": "commit_created"},
    "stages": [
        {"name": "Merged", "event": "pr_merged"},
        {"name": "Deployed", "event": "cd_completed"},
    ],
    "dora": {"deployments": {"source": "cd"}, "failures": {"source": "cd"}},
}
ORG = {
    "profiles": [PROFILE],
    "collections": [
        {
            "name": "Acme",
            "profile": "Flow",
            "children": [
                {
                    "name": "Current",
                    "filters": {
                        "repositories": {"not": ["acme/legacy*"]},
                        "pipelines": {"regex": "^deploy-(prod|live)$"},
                    },
                },
                {"name": "Legacy", "filters": {"repositories": {"contains": ["LEGACY"]}}},
            ],
        }
    ],
}


def _change(repo: str, number: int, day: int, runs: list[tuple[str, str, str]]) -> list[Any]:
    """A commit at 00:00 on ``day``, its PR merged at 01:00, and its runs ``(pipeline,
    status, finished HH:MM)`` (each started an hour before it finished)."""
    sha = f"{repo[-3:]}{number}{day:02d}".encode().hex().ljust(40, "0")[:40]
    t = f"2024-01-{day:02d}T"
    out: list[Any] = [
        {"kind": "commit", "repo": repo, "sha": sha, "committed_at": f"{t}00:00:00Z"},
        {
            "kind": "pull_request",
            "repo": repo,
            "number": number,
            "title": f"change {number}",
            "source_branch": f"feature/{number}",
            "target_branch": "main",
            "created_at": f"{t}00:30:00Z",
            "merged_at": f"{t}01:00:00Z",
            "commit_shas": [sha],
            "merge_commit_sha": sha,
        },
    ]
    for i, (pipeline, status, finished) in enumerate(runs):
        hour = int(finished[:2])
        out.append(
            {"kind": "pipeline_run", "system": "argo", "pipeline": pipeline,
             "run_id": f"{repo}-{number}-{i}", "type": "cd", "status": status,
             "started_at": f"{t}{hour - 1:02d}{finished[2:]}:00Z",
             "finished_at": f"{t}{finished}:00Z", "environment": "production", "repo": repo,
             "commit_sha": sha}
        )  # fmt: skip
    return out


#: Each repository's CI ran on January 1st: tracking began then, so no change is a baseline
#: (docs/deployments.md, "Baseline deployments").
TRACKING = [
    {
        "kind": "pipeline_run",
        "system": "gha",
        "pipeline": "ci",
        "run_id": f"ci-{repo}",
        "type": "ci",
        "status": "success",
        "started_at": "2024-01-01T00:00:00Z",
        "finished_at": "2024-01-01T00:10:00Z",
        "repo": repo,
    }
    for repo in ("acme/pay", "acme/web", "acme/legacy-pay")
]
RECORDS = [
    *TRACKING,
    *_change("acme/pay", 1, 2, [("deploy-prod", "success", "04:00")]),
    *_change("acme/web", 1, 3, [("deploy-live", "success", "03:00")]),
    *_change("acme/legacy-pay", 1, 4, [("deploy-prod", "success", "10:00")]),
    *_change("acme/web", 2, 5, [("deploy-prod-eu", "success", "02:00")]),
    *_change(
        "acme/pay", 2, 6, [("deploy-prod", "failure", "02:00"), ("deploy-prod", "success", "05:00")]
    ),
    *_change("acme/legacy-pay", 9, 7, [("deploy-prod", "failure", "02:00")])[2:],
    *_change("acme/web", 9, 8, [("Deploy-Live", "failure", "02:00")])[2:],
]


@pytest.fixture
def org(engine: Engine, run_cli: Any, tmp_path: Path) -> Engine:
    records = tmp_path / "records.ndjson"
    records.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    assert run_cli("import", str(records)).code == 0
    org_file = tmp_path / "org.yaml"
    org_file.write_text(yaml.safe_dump(ORG))
    result = run_cli("apply", str(org_file))
    assert result.code == 0, result.err
    return engine


def _json(run_cli: Any, *args: str) -> dict[str, Any]:
    result = run_cli(*args, *WINDOW, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("team", "changes", "mean_hours", "deployments", "failures", "rate"),
    [
        ("Acme", 5, 4.8, 5, 3, 0.375),
        ("Current", 3, 4.0, 3, 2, 0.4),
        ("Legacy", 1, 10.0, 1, 1, 0.5),
    ],
)
def test_lead_time_and_dora_of_a_team_of_conditions(
    org: Engine,
    run_cli: Any,
    team: str,
    changes: int,
    mean_hours: float,
    deployments: int,
    failures: int,
    rate: float,
) -> None:
    lead = _json(run_cli, "lead-time", "--collection", team)
    assert lead["changes"] == changes
    assert lead["total_seconds"] == pytest.approx(mean_hours * HOUR)
    report = _json(run_cli, "dora", "--collection", team)
    assert report["deployment_frequency"]["deployments"] == deployments
    cfr = report["change_failure_rate"]
    assert (cfr["failures"], cfr["rate"]) == (failures, rate)


def test_the_collection_keeps_and_shows_its_conditions(org: Engine, run_cli: Any) -> None:
    current = collections.get(org, "current")
    assert current.filters.as_dict() == {
        "repositories": {"not": ["acme/legacy*"]},
        "pipelines": {"regex": ["^deploy-(prod|live)$"]},
    }
    listed = run_cli("collection", "list")
    assert listed.code == 0, listed.err
    assert (
        "  Current  [Flow (inherited)]  repositories={not: [acme/legacy*]}; "
        "pipelines={regex: [^deploy-(prod|live)$]}"
    ) in listed.out.splitlines()
    shown = json.loads(run_cli("collection", "show", "Legacy").out)
    assert shown["filters"] == {"repositories": {"contains": ["LEGACY"]}}


def test_the_doctor_checks_each_name_of_a_condition(org: Engine) -> None:
    """``pattern_matched_nothing`` asks of each name of each key whether it names a stored
    value, by the filter's own rule: a ``not`` name is a typo when it names nothing."""
    profile = profile_from_data(
        {
            **PROFILE,
            "scope": {"repos": {"starts_with": ["acme/"], "not": ["acme/legcy*"]}},
            "stages": [
                {"name": "Merged", "event": "pr_merged"},
                {"name": "Deployed", "event": "cd_completed",
                 "pipelines": {"regex": ["^DEPLOY-(prod|live)$", "^ship"], "not": ["*-eu"]}},
            ],
        }
    )  # fmt: skip
    with reading(org) as conn:
        found = [f.record for f in patterns_matching_nothing(conn, profile)]
    # acme/ starts every repo, *-eu names deploy-prod-eu, the first regex deploy-prod (any
    # case); acme/legcy* and ^ship name nothing.
    assert found == ["scope.repos.not: acme/legcy*", "stages[1].pipelines.regex: ^ship"]


@pytest.mark.parametrize(
    ("filters", "line"),
    [
        ({"pipelines": {"regex": ["^ok", "("]}},
         "filters.pipelines.regex[1]: bad regular expression '(': missing ), unterminated "
         "subpattern at position 0"),
        ({"repositories": {"regex": "["}},
         "filters.repositories.regex: bad regular expression '[': unterminated character set "
         "at position 0"),
        ({"labels": {}}, "filters.labels: no condition given (expected one or more of equals, "
         "not, starts_with, ends_with, contains, not_contains, regex)"),
        ({"labels": {"startswith": ["x"]}},
         "filters.labels.startswith: unknown field (did you mean 'starts_with'?)"),
        ({"environments": {"not": []}}, "filters.environments.not: "),
    ],
)  # fmt: skip
def test_org_errors_inside_conditions_name_the_key(
    engine: Engine, filters: dict[str, Any], line: str
) -> None:
    data = {"profiles": [PROFILE], "collections": [{"name": "A", "profile": "Flow",
                                                    "filters": filters}]}  # fmt: skip
    with pytest.raises(InputError) as caught:
        collections.apply_org(engine, data, source="org.yaml")
    assert any(d.startswith(f"org.yaml: collections[0].{line}") for d in caught.value.details), (
        caught.value.details
    )
    assert collections.tree(engine) == []  # nothing stored


def test_conditions_leave_the_hotfix_patterns_alone() -> None:
    """A collection's ``labels`` replace the hotfix label patterns of ``dora.failures``
    (``source: pull_requests``) when they are a list, and leave them when conditions."""
    profile = profile_from_data(
        {**PROFILE, "dora": {"failures": {"source": "pull_requests", "labels": ["hotfix"]}}}
    )
    as_list = narrow(profile, Filters.model_validate({"labels": ["team-x"]}))
    given = Filters.model_validate({"labels": {"starts_with": ["team-"]}})
    as_conditions = narrow(profile, given)
    assert as_list.dora is not None and as_conditions.dora is not None
    assert as_list.dora.failures.labels == ["team-x"]
    assert as_conditions.dora.failures.labels == ["hotfix"]
    assert as_conditions.scope.labels == given.labels  # the scope takes them


def test_the_drill_downs_list_what_the_figures_count(org: Engine) -> None:
    """The deployments and failed runs of "Current" (the table above): as many as its
    figures, and exactly those runs."""
    _, profile = collections.report_profile(org, "Current")
    start, end = (to_micros(parse_bound(day)) for day in ("2024-01-01", "2024-02-01"))
    deployed = [d.id for d in drilldown.deployments(org, profile, start, end)]
    assert deployed == [
        "argo/deploy-prod/acme/pay-2-1",
        "argo/deploy-live/acme/web-1-0",
        "argo/deploy-prod/acme/pay-1-0",
    ]
    failed = [f.id for f in drilldown.failures(org, profile, start, end).items]
    assert failed == ["argo/Deploy-Live/acme/web-9-0", "argo/deploy-prod/acme/pay-2-0"]
