"""Azure DevOps hook payloads → records, field by field, each expected value read from the
payload by the test itself; the time quirks (seven fractional digits, ``0001-01-01`` unset);
work item state changes and their merge; Azure Boards mentions (``AB#123``) linking a pull
request of any tool to the work item."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from leadline.correlate.keys import find_keys
from leadline.correlate.linking import pr_ticket_keys
from leadline.domain.merge import merge
from leadline.domain.records import Commit, Issue, PipelineRun, PullRequest
from leadline.domain.times import parse_time
from leadline.sources.azure_devops import fields, runs, webhook
from leadline.sources.base import Parsed, PayloadError
from leadline.sources.payload import Node
from tests.conftest import FIXTURES

HOOKS = FIXTURES / "azure_devops" / "webhooks"
STATUS = {"succeeded": "success"}  # Azure's word → leadline's (the other CI sources')


def load(name: str) -> Any:
    return json.loads((HOOKS / name).read_text(encoding="utf-8-sig"))


def one(payload: Any) -> Any:
    parsed = webhook.parse(payload)
    assert len(parsed.records) == 1, parsed
    return parsed.records[0]


def micro(text: str) -> datetime:
    """What a 7-digit Azure time must read as: truncated to the microsecond."""
    head, _, tail = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{head}.{(tail + '000000')[:6]}+00:00")


def test_merged_pull_request_field_by_field() -> None:
    payload = load("zulip/code_pull_request__merged.json")  # a real capture
    res = payload["resource"]
    pr = one(payload)
    assert isinstance(pr, PullRequest)
    assert pr.repo == f"{res['repository']['project']['name']}/{res['repository']['name']}"
    assert pr.number == res["pullRequestId"]
    assert pr.title == res["title"]
    assert pr.created_at == micro(res["creationDate"])
    assert pr.merged_at == pr.closed_at == micro(res["closedDate"])
    assert len(res["closedDate"].split(".")[1].rstrip("Z")) == 7  # the quirk is exercised
    assert pr.merge_commit_sha == res["lastMergeCommit"]["commitId"]
    assert pr.commit_shas == [res["lastMergeSourceCommit"]["commitId"]]
    assert pr.source_branch == res["sourceRefName"].removeprefix("refs/heads/")
    assert pr.target_branch == res["targetRefName"].removeprefix("refs/heads/")
    assert pr.author == res["createdBy"]["uniqueName"]
    assert (pr.model_extra or {})["description"] == res["description"]
    assert pr.reviews == []  # nobody voted


@pytest.mark.parametrize(
    ("vote", "state"),
    [(10, "approved"), (5, "approved"), (0, None), (-5, "changes_requested"),
     (-10, "changes_requested")],
)  # fmt: skip
def test_reviewer_votes_become_reviews_seen_at_the_delivery(vote: int, state: str | None) -> None:
    payload = load("go-playground/git.pullrequest.created.json")
    team = payload["resource"]["reviewers"][0]
    person = {**team, "isContainer": False, "uniqueName": "dana@example.com", "vote": vote}
    payload["resource"]["reviewers"] = [{**team, "vote": 10}, person]  # a team never counts
    pr = one(payload)
    expected = [] if state is None else [("dana@example.com", state, payload["createdDate"])]
    assert [(r.author, r.state, r.at) for r in pr.reviews] == [
        (a, s, micro(t)) for a, s, t in expected
    ]
    assert pr.merged_at is None and pr.merge_commit_sha is None  # active: not merged


def test_abandoned_pull_request_is_closed_not_merged() -> None:
    payload = load("zulip/code_pull_request__merged.json")
    payload["resource"]["status"] = "abandoned"
    pr = one(payload)
    assert pr.merged_at is None and pr.merge_commit_sha is None
    assert pr.closed_at == micro(payload["resource"]["closedDate"])


def test_push_commits_field_by_field() -> None:
    payload = load("go-playground/git.push.json")
    res = payload["resource"]
    commit = one(payload)
    (source,) = res["commits"]
    assert isinstance(commit, Commit)
    assert commit.repo == f"{res['repository']['project']['name']}/{res['repository']['name']}"
    assert commit.sha == source["commitId"]
    assert commit.committed_at == parse_time(source["committer"]["date"])
    assert commit.authored_at == parse_time(source["author"]["date"])
    assert commit.message == source["comment"]
    assert commit.author == source["author"]["email"]
    assert commit.branch == res["refUpdates"][0]["name"].removeprefix("refs/heads/")


def test_a_push_of_a_tag_or_a_deletion_is_ignored() -> None:
    payload = load("go-playground/git.push.json")
    payload["resource"]["refUpdates"][0]["name"] = "refs/tags/v1.0"
    assert webhook.parse(payload).ignored == "git.push updates no branch (a tag, or a deletion)"
    payload["resource"]["refUpdates"][0] = {"name": "refs/heads/x", "newObjectId": "0" * 40}
    assert webhook.parse(payload).records == []


def test_build_complete_field_by_field() -> None:
    payload = load("go-playground/build.complete.json")
    res = payload["resource"]
    run = one(payload)
    _, branch, sha = res["sourceGetVersion"].split(":")
    assert isinstance(run, PipelineRun)
    assert (run.system, run.pipeline, run.run_id) == (
        "azure-devops",
        res["definition"]["name"],
        str(res["id"]),
    )
    assert (run.type, res["status"], run.status) == ("ci", "succeeded", "success")
    assert run.started_at == parse_time(res["startTime"])
    assert run.finished_at == parse_time(res["finishTime"])
    assert (run.commit_sha, run.branch) == (sha, branch.removeprefix("refs/heads/"))
    assert [(a.name, a.version, a.direction) for a in run.artifacts] == [
        (res["definition"]["name"], str(res["id"]), "output")
    ]


def test_release_deployment_field_by_field_links_to_its_build() -> None:
    payload = load("constructed/ms.vss-release.deployment-completed-event.artifacts.json")
    res = payload["resource"]
    run = one(payload)
    (artifact,) = res["release"]["artifacts"]
    ref = artifact["definitionReference"]
    assert (run.pipeline, run.run_id, run.type) == (
        res["release"]["releaseDefinition"]["name"],
        f"{res['release']['id']}/{res['environment']['id']}",
        "cd",
    )
    assert (run.status, run.environment) == (STATUS[res["environment"]["status"]],
                                             res["environment"]["name"])  # fmt: skip
    assert run.started_at == micro(res["deployment"]["startedOn"])
    assert run.finished_at == micro(res["deployment"]["completedOn"])
    assert (run.commit_sha, run.branch) == (ref["sourceVersion"]["id"], "master")
    # The build it deployed, as the build.complete delivery names it (CI ↔ CD by artifact).
    build = one(load("go-playground/build.complete.json"))
    assert [(a.name, a.version) for a in run.artifacts] == [
        (a.name, a.version) for a in build.artifacts
    ]
    assert run.artifacts[0].direction == "input"


def test_release_deployment_names_the_repository_of_its_primary_artifact() -> None:
    # The constructed delivery, edited: its primary build artifact also names the repository
    # and project it was built from, as Azure DevOps writes them in definitionReference.
    payload = load("constructed/ms.vss-release.deployment-completed-event.artifacts.json")
    assert one(payload).repo is None  # the delivery as constructed names no repository
    ref = payload["resource"]["release"]["artifacts"][0]["definitionReference"]
    ref["repository"] = {"id": "5febef5a-833d-4e14-b9c0-14cb638f91e6", "name": "identity-api"}
    ref["project"] = {"id": "d07908bc-118f-47d2-8a13-ff75601a6b1a", "name": "Identity"}
    assert one(payload).repo == "Identity/identity-api"  # as pull requests name it
    del ref["project"]
    assert one(payload).repo == "identity-api"


def test_documentation_deployment_without_artifacts_has_no_sha() -> None:
    payload = load("msdocs-service-hooks-events/ms.vss-release.deployment-completed-event.json")
    run = one(payload)
    env = payload["resource"]["environment"]
    assert run.run_id == f"{env['release']['id']}/{env['id']}"
    assert run.commit_sha is None and run.artifacts == []  # the documented limitation
    assert run.finished_at == micro(payload["createdDate"])  # no completedOn: the delivery


def test_pipeline_run_state_changed_field_by_field() -> None:
    payload = load("constructed/ms.vss-pipelines.run-state-changed-event.with-commit.json")
    res = payload["resource"]
    repo = res["run"]["resources"]["repositories"]["self"]
    run = one(payload)
    assert (run.pipeline, run.run_id, run.status, run.type) == (
        res["pipeline"]["name"],
        str(res["run"]["id"]),
        STATUS[res["run"]["result"]],
        "ci",
    )
    assert run.started_at == parse_time(res["run"]["createdDate"])
    assert run.finished_at == micro(res["run"]["finishedDate"])
    assert (run.commit_sha, run.branch) == (repo["version"], "main")


def test_a_run_without_its_commit_does_not_replace_the_build() -> None:
    payload = load("msdocs-service-hooks-events/ms.vss-pipelines.run-state-changed-event.json")
    assert webhook.parse(payload) == Parsed([], ignored=webhook.RUN_WITHOUT_COMMIT)


def test_work_item_created_then_updated_merge_into_a_history() -> None:
    created_payload = load("aspnet-AspNetWebHooks/workitem.created.json")
    updated_payload = load("aspnet-AspNetWebHooks/workitem.updated.json")
    created_fields = created_payload["resource"]["fields"]
    change = updated_payload["resource"]["fields"]
    created, updated = one(created_payload), one(updated_payload)
    assert isinstance(created, Issue) and isinstance(updated, Issue)
    assert created.key == updated.key == f"AB#{created_payload['resource']['id']}"
    assert created.project == created_fields["System.TeamProject"]
    assert created.type == created_fields["System.WorkItemType"]
    assert created.title == created_fields["System.Title"]
    assert created.created_at == parse_time(created_fields["System.CreatedDate"])
    history = merge(created, updated)
    assert isinstance(history, Issue)
    assert [(c.to, c.at, c.category) for c in history.status_changes] == [
        (created_fields["System.State"], parse_time(created_fields["System.CreatedDate"]),
         "todo"),
        (change["System.State"]["newValue"],
         parse_time(change["System.ChangedDate"]["newValue"]), "todo"),  # Scrum: Proposed
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("state", "category"),
    [("New", "todo"), ("Approved", "todo"), ("Committed", "in_progress"),
     ("Active", "in_progress"), ("Resolved", "done"), ("Closed", "done"), ("Done", "done"),
     ("Removed", "done")],
)  # fmt: skip
def test_state_categories(state: str, category: str) -> None:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    assert fields.state_change(state, at)["category"] == category


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-07-30T07:55:03.5006647Z", datetime(2022, 7, 30, 7, 55, 3, 500664, tzinfo=UTC)),
        ("0001-01-01T00:00:00", None),
        ("9999-01-01T00:00:00Z", None),
        ("", None),
        (None, None),
    ],
)
def test_times(text: str | None, expected: datetime | None) -> None:
    assert fields.opt_time(Node(text, "x")) == expected


def test_an_unset_required_time_names_its_path() -> None:
    payload = load("go-playground/git.push.json")
    payload["resource"]["commits"][0]["committer"]["date"] = "0001-01-01T00:00:00"
    with pytest.raises(PayloadError, match=r"resource\.commits\[0\]\.committer\.date: required"):
        webhook.parse(payload)


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda p: p.pop("eventType"), "eventType: required field is missing"),
        (lambda p: p["resource"].update(pullRequestId="1"), "resource.pullRequestId: expected "
         "a number, got the string '1'"),
        (lambda p: p["resource"].update(repository=None), "resource.repository: expected an "
         "object"),
        (lambda p: p["resource"]["reviewers"].append({"vote": "yes"}),
         "resource.reviewers[1].vote: expected a number"),
    ],
)  # fmt: skip
def test_malformed_payloads_name_the_path(mutation: Any, message: str) -> None:
    payload = copy.deepcopy(load("go-playground/git.pullrequest.created.json"))
    mutation(payload)
    with pytest.raises(PayloadError) as caught:
        webhook.parse(payload)
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("title", "branch", "description", "keys"),
    [
        ("Fix login AB#123", None, None, {"AB#123"}),
        ("Fix login", "feature/ab#7-login", None, {"AB#7"}),
        ("Fix login", None, "Fixes AB#42 and mentions PROJ-9", {"AB#42"}),
        ("PROJ-9 AB#1", None, None, {"PROJ-9", "AB#1"}),
        ("XAB#1 AB#12a AB#", None, None, set()),
    ],
)
def test_azure_boards_mentions_link_a_pull_request(
    title: str, branch: str | None, description: str | None, keys: set[str]
) -> None:
    pr = PullRequest.model_validate({
        "kind": "pull_request", "repo": "p/r", "number": 1, "title": title,
        "created_at": "2024-01-01T00:00:00Z", "source_branch": branch,
        **({"description": description} if description else {}),
    })  # fmt: skip
    assert pr_ticket_keys(pr) == keys
    assert find_keys("see AB#5.") == {"AB#5"}


@pytest.mark.parametrize(
    ("azure", "leadline"),
    [("succeeded", "success"), ("partiallySucceeded", "partially_succeeded"),
     ("failed", "failure"), ("rejected", "failure"), ("notDeployed", "failure"),
     ("canceled", "cancelled"), ("Succeeded", "success"), ("skipped", "skipped")],
)  # fmt: skip
def test_run_statuses(azure: str, leadline: str) -> None:
    assert runs.run_status(azure) == leadline
    assert runs.finished_status(azure) == leadline
    assert runs.finished_status("inProgress") is None
