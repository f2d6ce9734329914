"""People-based teams and exclusions on one repository, every figure by hand, on SQLite and
PostgreSQL.

Window [2024-01-01, 2024-04-01). One repository, ``acme/app``, squash-merged into ``main``:
PR #n's commit is ``SHA[n]``, authored at 08:00 on the day the PR was opened (the PR opens at
09:00), merged at 12:00; each commit's parent is the one merged before it.

| PR | author | title | opened | merged | team |
|---|---|---|---|---|---|
| #1 | alice | Add login | 01-03 | 01-04 | A |
| #2 | bob | Add search | 01-10 | 01-11 | A (Bob is in A until 02-15) |
| #3 | carol | Add cart | 01-20 | 01-21 | B |
| #4 | dependabot[bot] | Bump lodash | 01-25 | 01-25 | bot |
| #9 | dependabot[bot] | Revert "Bump lodash" | 01-26 | 01-26 | bot |
| #5 | bob | Add checkout | 02-20 | 02-21 | B (Bob is in B from 02-15) |
| #6 | alice | Add reports | 03-01 | 03-02 | A |
| #7 | renovate-bot | Update deps | 03-05 | 03-05 | bot |
| #8 | carol | Revert "Add reports" | 03-06 | 03-06 | B |
| #10 | carol | WIP: spike | 03-10 | — | (never merged) |

Lead time (start ``commit_created``, one stage ``pr_merged``): 28 h for #1 #2 #3 #5 #6, 4 h
for #8 and for the bots' #4 #9 #7.

CD deployments (``argo/deploy``, production), what each ships by ancestry, and its team:
D101 01-12 (#1 #2: A), D102 01-22 (#3: B), D103 01-27 (#4 #9: bots only), D104 02-22 (#5:
B), D105 03-03 09:00 (#6: A), D106 03-05 18:00 (#7: bots only), D107 03-07 (#8: B).
Run 108 (03-08) failed deploying SHA[8] (B).
Incidents: P1 03-03 12:00–14:00 names SHA[6] → D105 (A); P2 02-23 10:00–11:00 names run
104 → D104 (B).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.domain.times import parse_bound
from leadline.profiles.loader import profile_from_data
from leadline.services import collections
from leadline.services.dora import dora
from leadline.services.leadtime import Window, explain, lead_time

SHA = {n: f"{n:x}" * 40 for n in range(1, 11)}
WHO = {
    "alice": ("Alice Ng", "alice@acme.test"),
    "bob": ("Bob Ode", "bob@acme.test"),
    "carol": ("Carol Ito", "carol@acme.test"),
    "dependabot[bot]": ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
    "renovate-bot": ("renovate-bot", "bot@renovateapp.com"),
}
# (number, author, title, opened, merged) in the order merged
PRS = [
    (1, "alice", "Add login", "01-03", "01-04"),
    (2, "bob", "Add search", "01-10", "01-11"),
    (3, "carol", "Add cart", "01-20", "01-21"),
    (4, "dependabot[bot]", "Bump lodash", "01-25", "01-25"),
    (9, "dependabot[bot]", 'Revert "Bump lodash"', "01-26", "01-26"),
    (5, "bob", "Add checkout", "02-20", "02-21"),
    (6, "alice", "Add reports", "03-01", "03-02"),
    (7, "renovate-bot", "Update deps", "03-05", "03-05"),
    (8, "carol", 'Revert "Add reports"', "03-06", "03-06"),
]
DEPLOYS = [(101, 2, "01-12T09"), (102, 3, "01-22T09"), (103, 9, "01-27T09"),
           (104, 5, "02-22T09"), (105, 6, "03-03T09"), (106, 7, "03-05T18"),
           (107, 8, "03-07T09")]  # fmt: skip


def _records() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    parent: list[str] = []
    for n, login, title, opened, merged in PRS:
        name, email = WHO[login]
        at = f"2024-{opened}T08:00:00Z"
        out.append({"kind": "commit", "repo": "acme/app", "sha": SHA[n], "committed_at": at,
                    "authored_at": at, "author": name, "author_email": email,
                    "parents": parent, "message": title})  # fmt: skip
        out.append({"kind": "pull_request", "repo": "acme/app", "number": n, "title": title,
                    "author": login, "source_branch": f"b{n}", "target_branch": "main",
                    "created_at": f"2024-{opened}T09:00:00Z",
                    "merged_at": f"2024-{merged}T12:00:00Z", "commit_shas": [SHA[n]],
                    "merge_commit_sha": SHA[n]})  # fmt: skip
        parent = [SHA[n]]
    out.append({"kind": "pull_request", "repo": "acme/app", "number": 10, "title": "WIP: spike",
                "author": "carol", "source_branch": "b10", "target_branch": "main",
                "created_at": "2024-03-10T09:00:00Z"})  # fmt: skip
    for run, n, at in DEPLOYS:
        out.append({"kind": "pipeline_run", "system": "argo", "pipeline": "deploy",
                    "run_id": str(run), "type": "cd", "status": "success",
                    "finished_at": f"2024-{at}:00:00Z", "environment": "production",
                    "repo": "acme/app", "service": "app", "commit_sha": SHA[n]})  # fmt: skip
    out.append({"kind": "pipeline_run", "system": "argo", "pipeline": "deploy", "run_id": "108",
                "type": "cd", "status": "failure", "finished_at": "2024-03-08T09:00:00Z",
                "environment": "production", "repo": "acme/app", "service": "app",
                "commit_sha": SHA[8]})  # fmt: skip
    out += [
        {"kind": "incident", "source": "pagerduty", "id": "P1", "service": "app",
         "created_at": "2024-03-03T12:00:00Z", "resolved_at": "2024-03-03T14:00:00Z",
         "commit_sha": SHA[6]},
        {"kind": "incident", "source": "pagerduty", "id": "P2", "service": "app",
         "created_at": "2024-02-23T10:00:00Z", "resolved_at": "2024-02-23T11:00:00Z",
         "deployment_run_id": "104"},
    ]  # fmt: skip
    return out


MOVE = "2024-02-15T00:00:00Z"
TEAM_A = [{"name": "Alice", "identities": ["alice", "alice@acme.test"]},
          {"name": "Bob", "identities": ["bob", "bob@acme.test"], "end": MOVE}]  # fmt: skip
TEAM_B = [{"name": "Carol", "identities": ["CAROL", "carol@acme.test"]},
          {"name": "Bob", "identities": ["bob", "bob@acme.test"], "start": MOVE}]  # fmt: skip
BOTS = {"authors": ["*[bot]", "renovate*"]}
WINDOW = Window(parse_bound("2024-01-01"), parse_bound("2024-04-01"))
CLI_WINDOW = ["--from", "2024-01-01", "--to", "2024-04-01"]
HOUR = 3600.0


def _profile(name: str, dora_block: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "name": name, "start": {"event": "commit_created"},
        "stages": [{"name": "Merged", "event": "pr_merged"}], "dora": dora_block, **more,
    }  # fmt: skip


CD = {"deployments": {"source": "cd"}, "failures": {"source": "incidents"}}
PR = {
    "deployments": {"source": "pull_requests", "target_branches": ["main"]},
    "failures": {"source": "pull_requests", "titles": ['Revert "*"']},
    "rework": {"pull_requests": {"titles": ['Revert "*"']}},
}
ORG = {
    "profiles": [
        _profile("Flow", CD),
        _profile("Team A flow", CD, scope={"people": TEAM_A}),
        _profile("Team B flow", CD, scope={"people": TEAM_B}),
    ],
    "exclude": BOTS,
    "collections": [{
        "name": "Acme", "profile": "Flow",
        "children": [
            {"name": "Team A", "profile": "Team A flow"},
            {"name": "Team B", "profile": "Team B flow", "exclude": {"titles": ["WIP*"]}},
        ],
    }],
}  # fmt: skip


def load_org(engine: Engine, run_cli: Any, tmp_path: Path) -> Engine:
    """The records of the table above imported, and ``ORG`` applied (also the drill-down
    tests' data: tests/web/test_drill_who.py, tests/api/test_excluded_api.py)."""
    path = tmp_path / "records.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in _records()))
    result = run_cli("import", str(path))
    assert result.code == 0, result.err
    collections.apply_org(engine, ORG)
    return engine


@pytest.fixture
def repo(engine: Engine, run_cli: Any, tmp_path: Path) -> Engine:
    return load_org(engine, run_cli, tmp_path)


def _json(run_cli: Any, *args: str) -> dict[str, Any]:
    result = run_cli(*args, *CLI_WINDOW, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def test_two_people_teams_add_up_to_the_repository(repo: Engine, run_cli: Any) -> None:
    teams = ("Acme", "Team A", "Team B")
    lead = {n: _json(run_cli, "lead-time", "--collection", n) for n in teams}
    # Acme (bots excluded by the org file): #1 #2 #3 #5 #6 (28 h) and #8 (4 h): 6 changes,
    # mean (5·28 + 4)/6 = 24 h. Team A: #1, #2 (Bob before the move), #6: 28 h. Team B: #3,
    # #5 (Bob after the move), #8: (28 + 28 + 4)/3 = 20 h.
    assert [lead[n]["changes"] for n in teams] == [6, 3, 3]
    assert [lead[n]["total_seconds"] for n in teams] == [24 * HOUR, 28 * HOUR, 20 * HOUR]
    report = {n: _json(run_cli, "dora", "--collection", n) for n in teams}
    df = {n: report[n]["deployment_frequency"]["deployments"] for n in teams}
    cfr = {n: report[n]["change_failure_rate"] for n in teams}
    mttr = {n: report[n]["mean_time_to_restore"] for n in teams}
    # Acme: every deployment but D103 and D106 (bots only): 5. A: D101 (#1 #2), D105 (#6).
    # B: D102 (#3), D104 (#5), D107 (#8).
    assert df == {"Acme": 5, "Team A": 2, "Team B": 3}
    # P1 → D105 (A), P2 → D104 (B): 2 of 5, 1 of 2, 1 of 3.
    assert [(cfr[n]["failures"], cfr[n]["deployments"], cfr[n]["rate"]) for n in teams] == [
        (2, 5, 0.4), (1, 2, 0.5), (1, 3, 0.3333)
    ]  # fmt: skip
    assert [cfr[n]["unlinked"] for n in teams] == [0, 0, 0]
    # P1 2 h (A), P2 1 h (B); Acme: both, mean 1.5 h.
    assert [(mttr[n]["incidents"], mttr[n]["mean_seconds"]) for n in teams] == [
        (2, 1.5 * HOUR), (1, 2 * HOUR), (1, 1 * HOUR)
    ]  # fmt: skip
    for figure in (df, {n: cfr[n]["failures"] for n in teams},
                   {n: mttr[n]["incidents"] for n in teams}):  # fmt: skip
        assert figure["Acme"] == figure["Team A"] + figure["Team B"]


def test_without_the_org_exclusions_the_bots_count(repo: Engine) -> None:
    # The same profile outside the collections: all 9 merged PRs change (mean (5·28 +
    # 4·4)/9 = 17⅓ h) and all 7 deployments count.
    flow = profile_from_data(_profile("Flow", CD), "test")
    lead = lead_time(repo, flow, window=WINDOW)
    assert lead["changes"] == 9 and lead["total_seconds"] == pytest.approx(156 / 9 * HOUR)
    assert dora(repo, flow, WINDOW)["deployment_frequency"]["deployments"] == 7


def test_a_member_who_moves_counts_for_each_team_in_turn(repo: Engine) -> None:
    # Bob's #2 (opened 01-10) is Team A's, his #5 (opened 02-20) Team B's — in lead time and
    # in the deployments that ship them (D101 in January, D104 in February).
    _, team_a = collections.report_profile(repo, "Team A")
    _, team_b = collections.report_profile(repo, "Team B")
    a = dora(repo, team_a, WINDOW, "month")["deployment_frequency"]["series"]
    b = dora(repo, team_b, WINDOW, "month")["deployment_frequency"]["series"]
    assert [p["count"] for p in a] == [1, 0, 1]  # D101; —; D105
    assert [p["count"] for p in b] == [1, 1, 1]  # D102; D104; D107
    # Each change's explanation names the member it counts for.
    assert explain(repo, team_a, "acme/app#2")["member"] == "Bob"
    assert explain(repo, team_b, "acme/app#5")["member"] == "Bob"
    assert explain(repo, team_b, "acme/app#8")["member"] == "Carol"
    by_month_a = lead_time(repo, team_a, window=WINDOW, interval="month")["series"]
    by_month_b = lead_time(repo, team_b, window=WINDOW, interval="month")["series"]
    assert [p["changes"] for p in by_month_a] == [2, 0, 1]  # #1 #2; —; #6
    assert [p["changes"] for p in by_month_b] == [1, 1, 1]  # #3; #5; #8


def _pr_profile(name: str, **more: Any) -> Any:
    return profile_from_data(_profile(name, PR, **more), "test")


@pytest.mark.parametrize(
    ("more", "deployments", "failures", "rework"),
    [
        # Every merged PR deploys (9); reverts #8 (→ #6, by title) and #9 (→ #4) fail, and
        # the deployments of the two reverts are rework.
        ({}, 9, 2, 2),
        # Bots excluded: #4 #9 #7 are no deployments, the bot's revert #9 no failure: 1 of 6;
        # rework: #8 alone.
        ({"exclude": BOTS}, 6, 1, 1),
        # Team A: #1 #2 #6, and #8's revert of #6 is a failure of A's deployment: 1 of 3.
        ({"exclude": BOTS, "scope": {"people": TEAM_A}}, 3, 1, 0),
        # Team B: #3 #5 #8, no failure: 0 of 3; #8 is B's rework.
        ({"exclude": BOTS, "scope": {"people": TEAM_B}}, 3, 0, 1),
    ],
)
def test_deployments_and_reverts_from_pull_requests(
    repo: Engine, more: dict[str, Any], deployments: int, failures: int, rework: int
) -> None:
    report = dora(repo, _pr_profile("PRs", **more), WINDOW)
    assert report["deployment_frequency"]["deployments"] == deployments
    cfr = report["change_failure_rate"]
    assert (cfr["failures"], cfr["deployments"]) == (failures, deployments)
    rr = report["deployment_rework_rate"]
    assert (rr["rework"], rr["deployments"]) == (rework, deployments)


BY_COMMIT = {"deployments": {"source": "cd"}, "failures": {"source": "cd"},
             "lead_time": "commits"}  # fmt: skip


@pytest.mark.parametrize(
    ("more", "commits", "hours", "failed"),
    [
        # Commit → first deployment (commits at 08:00 on the PR's opening day): SHA1 01-03 →
        # D101 01-12 09:00 = 217 h; SHA2, SHA3, SHA5, SHA6 49 h each (two days and an hour);
        # SHA8 25 h; the bots' SHA4 49 h, SHA9 25 h, SHA7 10 h. All 9: 522/9 = 58 h. The failed
        # run 108 tried to deploy SHA8 (carol's).
        ({}, 9, 58, 1),
        # Bots excluded: 438/6 = 73 h.
        ({"exclude": BOTS}, 6, 73, 1),
        # Team A: SHA1, SHA2 (Bob before the move), SHA6: 315/3 = 105 h; no failed run.
        ({"exclude": BOTS, "scope": {"people": TEAM_A}}, 3, 105, 0),
        # Team B: SHA3, SHA5, SHA8: 123/3 = 41 h; run 108 is theirs.
        ({"exclude": BOTS, "scope": {"people": TEAM_B}}, 3, 41, 1),
    ],
)
def test_commit_lead_time_and_failed_runs_by_author(
    repo: Engine, more: dict[str, Any], commits: int, hours: float, failed: int
) -> None:
    data = _profile("By commit", BY_COMMIT, deployments={"baseline": "include"}, **more)
    report = dora(repo, profile_from_data(data, "test"), WINDOW)
    lead = report["lead_time_for_changes"]
    assert (lead["changes"], lead["total_seconds"]) == (commits, hours * HOUR)
    assert report["change_failure_rate"]["failures"] == failed


def test_the_doctor_counts_what_each_rule_excluded(repo: Engine, run_cli: Any) -> None:
    report = _json(run_cli, "doctor", "--collection", "Team B")
    found = [(c["rule"], c["count"]) for c in report["checks"] if c["id"] == "excluded_by_rule"]
    # '*[bot]': PRs #4 #9 and their commits; 'renovate*': #7 and its commit; 'WIP*' (Team
    # B's own rule): the unmerged #10.
    assert found == [
        ("exclude.authors '*[bot]' (org)", 4),
        ("exclude.authors 'renovate*' (org)", 2),
        ("exclude.titles 'WIP*' (collection Team B)", 1),
    ]
    check = next(c for c in report["checks"] if c.get("rule", "").startswith("exclude.titles"))
    assert check["summary"] == "1 record excluded by rule exclude.titles 'WIP*' (collection Team B)"
    assert [x["record"] for x in check["examples"]] == ["pull_request acme/app#10"]
    assert check["examples"][0]["detail"] == (
        "WIP: spike: excluded by rule exclude.titles 'WIP*' (collection Team B)"
    )
    # Team A has only the org's rules.
    team_a = _json(run_cli, "doctor", "--collection", "Team A")
    assert [c["rule"] for c in team_a["checks"] if c["id"] == "excluded_by_rule"] == [
        "exclude.authors '*[bot]' (org)", "exclude.authors 'renovate*' (org)"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"exclude": {"author": ["*[bot]"]}},
         "org: exclude.author: unknown field (did you mean 'authors'?)"),
        ({"collections": [{"name": "Acme", "profile": "Flow", "exclude": {"titles": []}}]},
         "org: collections[0].exclude.titles: List should have at least 1 item after "
         "validation, not 0"),
    ],
)  # fmt: skip
def test_a_wrong_exclude_is_named_where_it_is(
    engine: Engine, where: dict[str, Any], message: str
) -> None:
    org = {"profiles": [_profile("Flow", CD)],
           "collections": [{"name": "Acme", "profile": "Flow"}], **where}  # fmt: skip
    with pytest.raises(collections.OrgError) as caught:
        collections.apply_org(engine, org)
    assert str(caught.value) == message
