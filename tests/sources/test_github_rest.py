"""``leadline.sources.github.rest``: GitHub REST answers → records. Real answers: GitHub's
OpenAPI examples (``fixtures/github_rest/examples``) and panjf2000/ants as DevLake captured
it (``fixtures/github_rest/*.json``, see its README)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from leadline.sources.base import PayloadError
from leadline.sources.github import rest as github_rest
from leadline.sources.github import webhook as github
from tests.services.github_replay import load

EXAMPLES = Path(__file__).parents[1] / "fixtures" / "github_rest" / "examples"
ANTS = "panjf2000/ants"


def example(name: str) -> Any:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def dump(record: Any) -> dict[str, Any]:
    data: dict[str, Any] = record.model_dump(mode="json")
    return data


def pull(number: int) -> Any:
    return copy.deepcopy(next(p for p in load("pulls") if p["number"] == number))


def test_pull_request_with_its_reviews_and_commits() -> None:
    record = github_rest.pull_request(
        ANTS, pull(53), load("pull_commits")["53"], load("pull_reviews")["53"]
    )
    data = dump(record)
    reviews = data.pop("reviews")
    shas = data.pop("commit_shas")
    assert data == {
        "kind": "pull_request",
        "repo": ANTS,
        "number": 53,
        "created_at": "2019-10-07T08:17:20Z",
        "title": "add loop queue ",
        "source_branch": "feature/loopQueue",
        "target_branch": "master",
        "author": "KevinBaiSg",
        "merged_at": "2019-10-09T16:59:19Z",
        "closed_at": "2019-10-09T16:59:19Z",
        "merge_commit_sha": "f0e23928f4388661a8e0f6f5ff93f8f9514a1762",
        "labels": ["enhancement", "pending merged"],
        "updated_at": "2019-12-26T01:44:41Z",
    }
    assert shas == [c["sha"] for c in load("pull_commits")["53"]]
    assert len(shas) == 16
    assert len(reviews) == len(load("pull_reviews")["53"]) == 15
    assert reviews[:2] == [
        {"author": "panjf2000", "state": "changes_requested", "at": "2019-10-07T16:56:26Z"},
        {"author": "KevinBaiSg", "state": "commented", "at": "2019-10-08T00:45:44Z"},
    ]
    assert [r["at"] for r in reviews] == sorted(r["at"] for r in reviews)


def test_pull_request_from_the_openapi_example() -> None:
    record = github_rest.pull_request(
        "octocat/Hello-World",
        example("pull-request-simple-items")[0],
        example("commit-items"),
        example("pull-request-review-items"),
    )
    assert dump(record) == {
        "kind": "pull_request",
        "repo": "octocat/Hello-World",
        "number": 1347,
        "created_at": "2011-01-26T19:01:12Z",
        "title": "Amazing new feature",
        "source_branch": "new-topic",
        "target_branch": "master",
        "author": "octocat",
        "merged_at": "2011-01-26T19:01:12Z",
        "closed_at": "2011-01-26T19:01:12Z",
        "merge_commit_sha": "e5bd3914e2e596debea16f433f57875b5b90bcd6",
        "commit_shas": ["6dcb09b5b57875f334f61aebed695e2e4193db5e"],
        "labels": ["bug"],
        "reviews": [{"author": "octocat", "state": "approved", "at": "2019-11-17T17:43:43Z"}],
        "updated_at": "2011-01-26T19:01:12Z",
    }


def test_a_synced_pull_request_is_the_webhook_record_plus_commits_and_reviews() -> None:
    item = pull(206)
    synced = github_rest.pull_request(ANTS, item, load("pull_commits")["206"], [])
    delivered = github.parse(
        "pull_request",
        {"action": "closed", "pull_request": item, "repository": {"full_name": ANTS}},
    ).records[0]
    assert dump(synced) == {**dump(delivered), "commit_shas": synced.commit_shas}
    assert synced.commit_shas


def test_pending_reviews_are_left_out_and_dismissed_ones_stop_approving() -> None:
    approved = example("pull-request-review-items")[0]
    pending = {**approved, "id": 81, "state": "PENDING", "submitted_at": None}
    dismissed = {**approved, "id": 82, "state": "DISMISSED", "submitted_at": "2019-11-18T00:00:00Z"}
    record = github_rest.pull_request(
        "o/r", example("pull-request-simple-items")[0], [], [approved, pending, dismissed]
    )
    assert [(r.state, r.at.isoformat()) for r in record.reviews] == [
        ("approved", "2019-11-17T17:43:43+00:00"),
        ("commented", "2019-11-18T00:00:00+00:00"),
    ]


def test_commit_from_a_listing() -> None:
    item = load("pull_commits")["53"][0]
    assert dump(github_rest.commit(ANTS, item, "master")) == {
        "kind": "commit",
        "repo": ANTS,
        "sha": "5f35f3e33a240d3fde5e2b14d03fdf684d777a4c",
        "committed_at": "2019-10-07T04:07:39Z",
        "message": "add loop queue",
        "authored_at": "2019-10-07T04:07:39Z",
        "author": "KevinBaiSg",
        "parents": ["0a946593e2443357c0cf54c1b7b25a953dda427c"],
        "branch": "master",
    }


def test_commit_without_a_github_user_uses_the_git_author_name() -> None:
    item = {**example("commit"), "author": None}
    assert github_rest.commit("o/r", item).author == "Monalisa Octocat"


def test_completed_workflow_run_is_a_ci_run() -> None:
    run = load("runs")[0]
    assert dump(github_rest.workflow_run(ANTS, run)) == {
        "kind": "pipeline_run",
        "system": "github-actions",
        "pipeline": "CodeQL",
        "run_id": "2983238245",
        "type": "ci",
        "status": "success",
        "finished_at": "2022-09-03T05:16:16Z",
        "started_at": "2022-09-03T05:15:09Z",
        "environment": None,
        "repo": ANTS,
        "commit_sha": "06e6934c35c336b1a2bd3005fb21dc3914a45747",
        "commit_shas": [],
        "branch": "master",
        "service": None,
        "params": {
            "conclusion": "success",
            "run_number": 158,
            "run_attempt": 1,
            "event": "schedule",
            "path": ".github/workflows/codeql.yml",
            "html_url": "https://github.com/panjf2000/ants/actions/runs/2983238245",
        },
        "artifacts": [],
    }


def test_rerun_attempt_and_unfinished_runs() -> None:
    rerun = next(r for r in load("runs") if r["run_attempt"] == 2)
    assert github_rest.workflow_run(ANTS, rerun).run_id == f"{rerun['id']}.2"  # type: ignore[union-attr]
    running = next(r for r in load("runs") if r["status"] == "in_progress")
    assert github_rest.workflow_run(ANTS, running) is None
    assert not github_rest.run_is_completed(running)
    queued = example("workflow-run-paginated")["workflow_runs"][0]
    assert queued["status"] == "queued" and github_rest.workflow_run("o/r", queued) is None


def test_deployment_with_its_statuses_is_a_cd_run() -> None:
    record = github_rest.deployment(
        "octocat/example", example("deployment-items")[0], example("deployment-status-items")
    )
    assert dump(record) == {
        "kind": "pipeline_run",
        "system": "github-deployments",
        "pipeline": "deploy",
        "run_id": "1",
        "type": "cd",
        "status": "success",
        "finished_at": "2012-07-20T01:19:13Z",
        "started_at": "2012-07-20T01:19:13Z",
        "environment": "production",
        "repo": "octocat/example",
        "commit_sha": "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d",
        "commit_shas": [],
        "branch": "topic-branch",
        "service": None,
        "params": {"state": "success", "status_id": "1", "ref": "topic-branch"},
        "artifacts": [],
    }


def status(ident: int, state: str, at: str) -> dict[str, Any]:
    return {
        **example("deployment-status-items")[0],
        "id": ident,
        "state": state,
        "created_at": at,
        "updated_at": at,
    }


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([("in_progress", "T10"), ("success", "T11")], "success"),
        ([("success", "T11"), ("inactive", "T20")], "success"),  # replaced later: still a deploy
        ([("error", "T11")], "failure"),
        ([("failure", "T11"), ("in_progress", "T12")], None),  # redeploying: not settled
        ([("queued", "T10")], None),
        ([], None),
        ([("inactive", "T10")], None),
    ],
)
def test_which_status_settles_a_deployment(
    states: list[tuple[str, str]], expected: str | None
) -> None:
    statuses = [status(i, s, f"2024-01-01{t}:00:00Z") for i, (s, t) in enumerate(states)]
    record = github_rest.deployment("o/r", example("deployment-items")[0], statuses[::-1])
    assert (record.status if record else None) == expected


def test_release_tag_and_issue() -> None:
    assert dump(github_rest.release("octocat/Hello-World", example("release-items")[0])) == {
        "kind": "version",
        "project": "octocat/Hello-World",
        "name": "v1.0.0",
        "released_at": "2013-02-27T19:35:32Z",
    }
    draft = {**example("release-items")[0], "draft": True}
    pre = {**example("release-items")[0], "prerelease": True}
    assert github_rest.release("o/r", draft) is None
    assert github_rest.release("o/r", pre) is None
    tag = github_rest.tag("octocat/Hello-World", example("tag-items")[0], example("commit"))
    assert dump(tag) == {
        "kind": "version",
        "project": "octocat/Hello-World",
        "name": "v0.1",
        "released_at": "2011-04-14T16:00:49Z",
        "source": "tag",
        "sha": "c5b97d5ae6c19d5c5df71a34c7fbeeda2479ccbc",
    }
    item = next(i for i in load("issues") if i["number"] == 31)
    assert dump(github_rest.issue(ANTS, item)) == {
        "kind": "issue",
        "key": "panjf2000/ants#31",
        "created_at": "2019-04-05T23:50:36Z",
        "project": ANTS,
        "type": None,
        "title": "Add go.mod",
        "status_changes": [
            {"to": "open", "at": "2019-04-05T23:50:36Z", "category": "todo"},
            {"to": "closed", "at": "2019-04-08T09:45:31Z", "category": "done"},
        ],
        "fix_versions": ["v0.11.0"],
        "labels": [],
        "priority": None,
        "resolved_at": "2019-04-08T09:45:31Z",
        "service": None,
        "updated_at": "2019-10-17T03:12:19Z",
    }


def test_issue_listing_quirks() -> None:
    assert github_rest.issue("octocat/Hello-World", example("issue-items")[0]) is None  # a PR
    item = next(i for i in load("issues") if i["number"] == 31)
    reopened = {**item, "state": "open", "updated_at": "2020-01-01T00:00:00Z"}
    record = github_rest.issue(ANTS, reopened)
    assert [c.to for c in record.status_changes] == ["open", "closed", "reopened"]  # type: ignore[union-attr]
    assert record.resolved_at is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: github_rest.pull_request("o/r", {"number": 1}),
            "pull_request.created_at: required field is missing",
        ),
        (
            lambda: github_rest.commit("o/r", {"sha": "abc1234", "commit": {}}),
            "commit.commit.committer.date: required field is missing",
        ),
        (
            lambda: github_rest.tag("o/r", {"name": "v1", "commit": {"sha": 5}}, example("commit")),
            "tag.commit.sha: expected a string, got the number 5",
        ),
        (
            lambda: github_rest.deployment("o/r", {"id": 1}, [{"state": "success"}]),
            "statuses[0].created_at: required field is missing",
        ),
    ],
)
def test_unreadable_items_name_the_json_path(call: Any, message: str) -> None:
    with pytest.raises(PayloadError) as err:
        call()
    assert err.value.message == message
