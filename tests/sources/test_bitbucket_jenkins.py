"""Bitbucket and Jenkins mappings without HTTP: REST build statuses field by field, the small
rules (Jenkins job names, remotes, branches) as tables, and fuzzing — every mutated real
payload parses into valid records or raises ``PayloadError`` naming a path, never anything
else."""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.domain.parse import parse_object
from leadline.sources.base import PayloadError
from leadline.sources.bitbucket import mapping, rest, webhook
from leadline.sources.jenkins import rest as jenkins_rest
from leadline.sources.jenkins import webhook as jenkins_webhook
from leadline.sources.jenkins.mapping import branch_name, job_from_url, repo_from_remote
from leadline.sources.payload import Node
from tests.conftest import FIXTURES
from tests.sources.fuzz import mutate

BB = FIXTURES / "bitbucket"
STATUSES = BB / "rest" / "jenkinsci-bitbucket-branch-source-plugin"
SHA = "046d9a3c1532acf4cf08fe93235c00e4d673c1d2"
CLOUD_STATUS = (
    STATUSES
    / "client/payload"
    / f"2.0-repositories-amuniz-test-repos-commit-{SHA}-statuses-build.json"
)
DC_STATUSES = (
    STATUSES
    / "server/payload/build-status-1.0-commits-046d9a3c1532acf4cf08fe93235c00e4d673c1d3.json"
)


def load(path: Path) -> Any:
    return json.loads(path.read_text())


@pytest.mark.parametrize("path", [CLOUD_STATUS, DC_STATUSES])
def test_rest_build_statuses_field_by_field(path: Path) -> None:
    """Both recorded bodies are Cloud-shaped statuses (the branch-source plugin keeps its
    Data Center mock in Cloud's shape)."""
    status = load(path)
    run = mapping.build_status_run(Node(status), "amuniz/test-repos", None)
    assert run is not None
    assert (run.system, run.pipeline, run.type, run.status) == (
        "bitbucket-status",
        status["name"],
        "ci",
        "failure",  # FAILED
    )
    assert run.run_id == f"{status['key']}@{status['commit']['hash']}"
    assert run.commit_sha == status["commit"]["hash"]
    assert run.finished_at == datetime.fromisoformat(status["updated_on"]).astimezone(UTC)
    assert run.params["url"] == status["url"]


# Data Center's build-status page (``/rest/build-status/1.0/commits/{sha}``): no recorded one
# exists; these items follow Atlassian's documented fields (constructed).
DC_PAGE = [
    {"state": "SUCCESSFUL", "key": "REPO-MASTER", "name": "REPO-MASTER-42",
     "url": "https://ci.example.com/browse/REPO-MASTER-42", "dateAdded": 1702888300000},
    {"state": "INPROGRESS", "key": "REPO-MASTER", "name": "REPO-MASTER-43",
     "url": "https://ci.example.com/browse/REPO-MASTER-43", "dateAdded": 1702888400000},
]  # fmt: skip


def test_data_center_build_statuses() -> None:
    sha = "3fc042b494b75032c29ae39d7f1059f52584e690"
    done = mapping.build_status_run(Node(DC_PAGE[0], "values[0]"), "TP/first-repo", sha)
    assert done is not None
    assert (done.run_id, done.status, done.commit_sha) == (f"REPO-MASTER@{sha}", "success", sha)
    assert done.finished_at == datetime.fromtimestamp(1702888300, UTC)
    assert mapping.build_status_run(Node(DC_PAGE[1], "values[1]"), "TP/first-repo", sha) is None


@pytest.mark.parametrize(
    ("url", "job"),
    [
        ("job/foo/", "foo"),
        ("http://jenkins/job/foo/2/", "foo"),
        ("https://ci/view/all/job/org/job/shop/job/PR-2/", "org/shop/PR-2"),
        ("job/a%20b/job/c/", "a b/c"),
        ("http://jenkins/", None),
        (None, None),
    ],
)  # fmt: skip
def test_job_from_url(url: str | None, job: str | None) -> None:
    assert job_from_url(url) == job


@pytest.mark.parametrize(
    ("remote", "repo"),
    [
        ("git@github.com:netmelody/ci-eye.git", "netmelody/ci-eye"),
        ("https://github.com/merico-dev/lake.git", "merico-dev/lake"),
        ("https://bitbucket.example.com/scm/TP/first-repo.git", "TP/first-repo"),
        ("ssh://git@bitbucket.example.com:7999/tp/first-repo.git", "tp/first-repo"),
        ("https://example.com/single", None),
        ("  ", None),
    ],
)
def test_repo_from_remote(remote: str, repo: str | None) -> None:
    assert repo_from_remote(remote) == repo


@pytest.mark.parametrize(
    ("ref", "branch"),
    [
        ("refs/remotes/origin/master", "master"),
        ("refs/remotes/origin/feature/x", "feature/x"),
        ("origin/main", "main"),
        ("refs/heads/main", "main"),
        ("main", "main"),
        (None, None),
    ],
)
def test_branch_name(ref: str | None, branch: str | None) -> None:
    assert branch_name(ref) == branch


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        ({"state": {"name": "COMPLETED", "result": {"name": "SUCCESSFUL"}}, "uuid": "{u}"},
         "completed_on: required field is missing"),
        ({"state": {"name": "DONE"}, "uuid": "{u}"},
         "state.name: expected COMPLETED, PENDING or IN_PROGRESS, got 'DONE'"),
        ({"state": {"name": "COMPLETED"}, "uuid": "{u}", "completed_on": "2023-02-20T09:00:00Z"},
         "state.result.name: required field is missing"),
    ],
)  # fmt: skip
def test_pipeline_problems_name_the_path(item: dict[str, Any], problem: str) -> None:
    with pytest.raises(PayloadError) as caught:
        rest.pipeline_run(item, "o/r")
    assert caught.value.message == problem


# --- fuzzing: mutate real payloads --------------------------------------------------------

HOOKS = BB / "webhooks"
PP = "jenkinsci-bitbucket-push-and-pull-request-plugin"
HOOK_CASES = [
    ("pullrequest:fulfilled", f"{PP}/cloud/pr_fulfilled.json"),
    ("pullrequest:approved", f"{PP}/cloud/pr_approved.json"),
    ("repo:push", f"{PP}/cloud/repo_push.json"),
    ("repo:commit_status_updated", "go-playground/bitbucket/repo-commit-status-updated.json"),
    ("pr:merged", f"{PP}/server/pr_merged.json"),
    ("pr:reviewer:approved", "go-playground/bitbucket-server/pr-reviewer-approved.json"),
]
JENKINS_CASES = [load(FIXTURES / "jenkins/notification/completed.json")]
BUILDS = [load(p) for p in sorted((FIXTURES / "jenkins/rest/ci-eye").glob("*builddetail*.json"))]
JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.floats(allow_nan=True),
    st.text(max_size=12), st.just(""), st.just("2020-02-10T16:28:43.763887+00:00"),
    st.just("MERGED"), st.just(1580222784390), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.none(), max_size=2),
)  # fmt: skip


def _valid(records: list[Any]) -> None:
    for record in records:
        assert parse_object(record.model_dump(mode="json"), "fuzz", 1) == record


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_bitbucket_hooks_parse_or_raise_payload_error(data: st.DataObject) -> None:
    event, rel = data.draw(st.sampled_from(HOOK_CASES))
    payload = mutate(data.draw, copy.deepcopy(load(HOOKS / rel)), JSON_VALUES)
    with contextlib.suppress(PayloadError):
        _valid(webhook.parse(event, payload).records)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_jenkins_payloads_parse_or_raise_payload_error(data: st.DataObject) -> None:
    note = mutate(data.draw, copy.deepcopy(JENKINS_CASES[0]), JSON_VALUES)
    build = mutate(data.draw, copy.deepcopy(data.draw(st.sampled_from(BUILDS))), JSON_VALUES)
    with contextlib.suppress(PayloadError):
        _valid(jenkins_webhook.parse(note).records)
    try:
        run = jenkins_rest.build_run("foo", build)
        _valid([run] if run is not None else [])
    except PayloadError:
        pass
