"""GitHub webhooks: every fixture against the reviewed snapshot, mapping rules, merge, fuzzing.

``tests/fixtures/github/expected.json`` maps each fixture file to its outcome: the records (as
JSON), the ignore reason, or the error message. Regenerate it with
``LEADLINE_UPDATE_SNAPSHOTS=1 pytest tests/sources`` and review the diff by hand.

The event (``X-GitHub-Event``) of a fixture is its folder (``octokit/<event>/``), its name
with ``-`` for ``_`` (``go-playground/pull-request-review.json``) or its first dotted part
(``derived/pull_request.closed.merged.json``).
"""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.domain.parse import parse_object
from leadline.domain.records import Commit, Issue, PipelineRun, PullRequest, Version
from leadline.errors import InputError
from leadline.sources.base import Parsed, PayloadError, merge
from leadline.sources.github import webhook as github
from tests.sources.fuzz import mutate
from tests.sources.snapshots import (
    FIXTURES_ROOT,
    assert_covers,
    fixture_names,
    load_json,
    outcome_of,
    snapshot,
)

FIXTURES = FIXTURES_ROOT / "github"
SNAPSHOT = FIXTURES / "expected.json"
CASES = fixture_names(FIXTURES)
MERGED = "derived/pull_request.closed.merged.json"
APPROVED = "derived/pull_request_review.submitted.approved.json"
MERGE_CI = "derived/workflow_run.completed.merge-commit.json"


def event_of(name: str) -> str:
    folder, *rest = name.split("/")
    if folder == "octokit":
        return rest[0]
    if folder == "go-playground":
        return rest[0].removesuffix(".json").replace("-", "_")
    return rest[0].split(".", 1)[0]


def load(name: str) -> Any:
    return load_json(FIXTURES / name)


def parse(name: str, payload: Any = None) -> Parsed:
    return github.parse(event_of(name), load(name) if payload is None else payload)


def outcome(name: str) -> dict[str, Any]:
    return outcome_of(lambda: parse(name))


EXPECTED: dict[str, Any] = snapshot(SNAPSHOT, CASES, outcome)


def only(name: str) -> Any:
    """The one record a fixture yields."""
    (record,) = parse(name).records
    return record


def one(event: str, payload: Any) -> Any:
    """The one record an edited payload yields."""
    (record,) = github.parse(event, payload).records
    return record


def test_snapshot_covers_every_fixture() -> None:
    assert_covers(EXPECTED, CASES)


@pytest.mark.parametrize("name", CASES)
def test_fixture_matches_snapshot(name: str) -> None:
    assert outcome(name) == EXPECTED[name]


@pytest.mark.parametrize("name", CASES)
def test_records_validate_as_ndjson_records(name: str) -> None:
    for record in parse(name).records:
        assert parse_object(record.model_dump(mode="json"), name, 1) == record


def test_every_delivery_of_a_used_event_yields_records_or_says_why() -> None:
    kinds = {
        "push": "commit",
        "pull_request": "pull_request",
        "pull_request_review": "pull_request",
        "issues": "issue",
        "workflow_run": "pipeline_run",
        "deployment_status": "pipeline_run",
        "release": "version",
    }
    for name in CASES:
        result = EXPECTED[name]
        assert "error" not in result, name  # every real GitHub delivery is readable
        kind = kinds.get(event_of(name))
        assert {r["kind"] for r in result["records"]} <= ({kind} if kind else set()), name
        assert result["records"] or result["ignored"], name


# --- push ----------------------------------------------------------------------------------


def test_push_commits() -> None:
    (commit,) = parse("octokit/push/with-new-branch.payload.json").records  # head_commit once
    assert isinstance(commit, Commit)
    assert commit.model_dump(mode="json", exclude_defaults=True) == {
        "kind": "commit",
        "repo": "Codertocat/Hello-World",
        "sha": "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
        "committed_at": "2019-05-15T15:19:25Z",
        "message": "Initial commit",
        "author": "Codertocat",
        "branch": "master",
        "paths": ["README.md"],  # added, modified, removed
    }
    assert commit.parents == []  # push payloads do not carry parents


def test_push_time_with_offset_becomes_utc() -> None:
    commit = only("go-playground/push.json")
    assert commit.model_dump(mode="json")["committed_at"] == "2018-06-29T14:04:13Z"


def test_push_author_without_username_uses_the_name() -> None:
    payload = load("octokit/push/with-new-branch.payload.json")
    for c in [*payload["commits"], payload["head_commit"]]:
        del c["author"]["username"]
    assert one("push", payload).author == "Codertocat"


@pytest.mark.parametrize(
    ("ref", "deleted", "reason"),
    [
        ("refs/tags/v1", False, "push of refs/tags/v1: versions come from release events"),
        ("refs/heads/old", True, "push deletes refs/heads/old"),
    ],
)
def test_push_of_tags_and_deletions_is_ignored(ref: str, deleted: bool, reason: str) -> None:
    payload = load("octokit/push/with-new-branch.payload.json") | {"ref": ref, "deleted": deleted}
    assert github.parse("push", payload) == Parsed([], ignored=reason)


# --- pull requests and reviews -------------------------------------------------------------


def test_merged_pull_request() -> None:
    pr = only(MERGED)
    assert isinstance(pr, PullRequest)
    assert pr.model_dump(mode="json", exclude_defaults=True) == {
        "kind": "pull_request",
        "repo": "Codertocat/Hello-World",
        "number": 2,
        "created_at": "2019-05-15T15:20:33Z",
        "title": "Update the README with new information.",
        "source_branch": "changes",
        "target_branch": "master",
        "author": "Codertocat",
        "merged_at": "2019-05-15T15:21:18Z",
        "closed_at": "2019-05-15T15:21:18Z",
        "merge_commit_sha": "c4295bd74fb0f4fda03689c3df3f2803b658fd85",
        "labels": ["bug"],
        "updated_at": "2019-05-15T15:21:18Z",
    }


def test_unmerged_pull_request_has_no_merge_commit() -> None:
    # GitHub fills merge_commit_sha with a test merge before the merge: not a real commit.
    pr = only("octokit/pull_request/closed.payload.json")
    assert pr.merged_at is None and pr.merge_commit_sha is None and pr.closed_at is not None


def test_action_that_changes_nothing_still_yields_the_current_pull_request() -> None:
    parsed = parse("octokit/pull_request/assigned.payload.json")
    assert parsed.ignored == "pull_request action 'assigned' changes nothing leadline uses"
    assert [r.kind for r in parsed.records] == ["pull_request"]
    assert parse("octokit/pull_request/labeled.payload.json").ignored is None


def test_approving_review() -> None:
    pr = only("go-playground/pull-request-review.json")
    assert (pr.repo, pr.number, pr.author) == ("baxterthehacker/public-repo", 8, "skalnik")
    (review,) = pr.reviews
    assert review.model_dump(mode="json") == {
        "author": "baxterthehacker",
        "state": "approved",
        "at": "2016-10-03T23:39:09Z",
    }


def test_dismissed_review_is_a_comment() -> None:
    pr = only("octokit/pull_request_review/dismissed.payload.json")
    assert [r.state for r in pr.reviews] == ["commented"]


def test_pending_review_yields_the_pull_request_without_it() -> None:
    payload = load(APPROVED)
    payload["review"]["state"] = "PENDING"
    parsed = github.parse("pull_request_review", payload)
    assert parsed.ignored == "review state 'pending' is not a submitted review"
    assert [r.reviews for r in parsed.records if isinstance(r, PullRequest)] == [[]]


def test_upper_case_review_state_is_accepted() -> None:
    payload = load(APPROVED)
    payload["review"]["state"] = "CHANGES_REQUESTED"
    assert [r.state for r in one("pull_request_review", payload).reviews] == ["changes_requested"]


# --- merging snapshots ---------------------------------------------------------------------


def _replay(names: list[str]) -> PullRequest:
    stored: Any = None
    for name in names:
        for record in parse(name).records:
            stored = merge(stored, record)
    assert isinstance(stored, PullRequest)
    return stored


def test_review_survives_later_pull_request_deliveries() -> None:
    pr = _replay(["octokit/pull_request/opened.payload.json", APPROVED, MERGED])
    assert [(r.author, r.state) for r in pr.reviews] == [("octocat", "approved")]
    assert pr.merge_commit_sha == "c4295bd74fb0f4fda03689c3df3f2803b658fd85"


def test_reviews_accumulate_and_a_dismissal_replaces_the_approval() -> None:
    commented = "octokit/pull_request_review/submitted.payload.json"
    pr = _replay([APPROVED, commented])
    assert pr == _replay([commented, APPROVED])
    assert [(r.author, r.state) for r in pr.reviews] == [
        ("Codertocat", "commented"),
        ("octocat", "approved"),
    ]
    dismissed = load(APPROVED)
    dismissed["action"] = "dismissed"
    dismissed["review"]["state"] = "dismissed"
    pr = merge(pr, one("pull_request_review", dismissed))
    assert isinstance(pr, PullRequest)
    assert [(r.author, r.state) for r in pr.reviews] == [
        ("Codertocat", "commented"),
        ("octocat", "commented"),
    ]


def test_late_older_delivery_does_not_roll_back_a_merge() -> None:
    pr = _replay([MERGED, "octokit/pull_request/opened.payload.json"])
    assert pr.merged_at is not None and pr.closed_at is not None
    assert pr.merge_commit_sha is not None
    assert pr.model_extra == {"updated_at": "2019-05-15T15:21:18Z"}


def test_reopen_clears_closed_at() -> None:
    reopened = load("octokit/pull_request/reopened.payload.json")
    reopened["pull_request"]["updated_at"] = "2019-05-16T00:00:00Z"
    pr = merge(only("octokit/pull_request/closed.payload.json"), one("pull_request", reopened))
    assert isinstance(pr, PullRequest) and pr.closed_at is None


def test_merge_is_idempotent() -> None:
    names = ["octokit/pull_request/opened.payload.json", APPROVED, MERGED]
    assert _replay(names + names) == _replay(names)


def test_a_push_does_not_wipe_the_parents_of_a_synced_commit() -> None:
    pushed = only("octokit/push/with-new-branch.payload.json")
    synced = pushed.model_copy(update={"parents": ["a" * 40], "branch": None})
    merged = merge(synced, pushed)
    assert isinstance(merged, Commit)
    assert (merged.parents, merged.branch) == (["a" * 40], "master")
    assert merge(None, pushed) is pushed


def test_merge_replaces_records_of_other_kinds() -> None:
    run = only(MERGE_CI)
    rerun = run.model_copy(update={"status": "failure"})
    assert merge(run, rerun) is rerun


# --- the change links ----------------------------------------------------------------------


def test_merged_pr_its_approval_and_the_ci_run_of_its_merge_commit_link() -> None:
    pr = _replay([APPROVED, MERGED])
    run = only(MERGE_CI)
    assert isinstance(run, PipelineRun)
    assert run.repo == pr.repo == "Codertocat/Hello-World"
    assert run.commit_sha == pr.merge_commit_sha
    assert run.branch == pr.target_branch == "master"
    (approval,) = [r for r in pr.reviews if r.state == "approved"]
    assert approval.author != pr.author
    assert pr.merged_at is not None
    assert pr.created_at < approval.at < pr.merged_at < run.finished_at


# --- workflow runs, deployments, releases --------------------------------------------------


def test_completed_workflow_run() -> None:
    run = only("octokit/workflow_run/completed.payload.json")
    assert isinstance(run, PipelineRun)
    dumped = run.model_dump(mode="json", exclude_defaults=True)
    assert dumped == {
        "kind": "pipeline_run",
        "system": "github-actions",
        "pipeline": "test",  # workflow_run.name is empty: the workflow's name
        "run_id": "289782451",
        "type": "ci",
        "status": "success",
        "finished_at": "2020-10-05T16:33:49Z",
        "started_at": "2020-10-05T16:33:49Z",
        "repo": "octo-org/octo-repo",
        "commit_sha": "3484a3fb816e0859fd6e1cea078d76385ff50625",
        "branch": "master",
        "params": {
            "conclusion": "success",
            "run_number": 163,
            "run_attempt": 1,
            "event": "repository_dispatch",
            "path": ".github/workflows/test.yml",
            "html_url": "https://github.com/octo-org/octo-repo/actions/runs/289782451",
        },
    }


def test_rerun_is_its_own_run() -> None:
    payload = load("octokit/workflow_run/completed.payload.json")
    payload["workflow_run"]["run_attempt"] = 2
    assert one("workflow_run", payload).run_id == "289782451.2"


@pytest.mark.parametrize(
    ("conclusion", "status"),
    [
        ("failure", "failure"),
        ("timed_out", "failure"),
        ("cancelled", "cancelled"),
        ("skipped", "skipped"),
        ("NEUTRAL", "neutral"),
    ],
)
def test_workflow_conclusions(conclusion: str, status: str) -> None:
    payload = load("octokit/workflow_run/completed.payload.json")
    payload["workflow_run"]["conclusion"] = conclusion
    assert one("workflow_run", payload).status == status


def test_workflow_without_any_name_uses_its_path() -> None:
    payload = load("octokit/workflow_run/completed.payload.json")
    del payload["workflow"]
    assert one("workflow_run", payload).pipeline == ".github/workflows/test.yml"


def test_unfinished_workflow_run_is_ignored() -> None:
    assert parse("octokit/workflow_run/requested.payload.json") == Parsed(
        [], ignored="workflow_run action 'requested': only completed runs count"
    )


def test_successful_deployment() -> None:
    run = only("octokit/deployment_status/payload.json")
    assert isinstance(run, PipelineRun)
    assert run.model_dump(mode="json", exclude_defaults=True) == {
        "kind": "pipeline_run",
        "system": "github-deployments",
        "pipeline": "deploy",
        "run_id": "145988746",
        "type": "cd",
        "status": "success",
        "finished_at": "2019-05-15T15:20:55Z",
        "started_at": "2019-05-15T15:20:53Z",
        "environment": "production",
        "repo": "Codertocat/Hello-World",
        "commit_sha": "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
        "branch": "master",
        "params": {"state": "success", "status_id": "209916254", "ref": "master"},
    }


@pytest.mark.parametrize(
    ("state", "status", "ignored"),
    [
        ("failure", "failure", None),
        ("error", "failure", None),
        ("inactive", None, "deployment_status 'inactive': a newer deployment replaced it"),
        ("queued", None, "deployment_status state 'queued' is not final"),
    ],
)
def test_deployment_states(state: str, status: str | None, ignored: str | None) -> None:
    payload = load("octokit/deployment_status/payload.json")
    payload["deployment_status"]["state"] = state
    parsed = github.parse("deployment_status", payload)
    assert parsed.ignored == ignored
    assert [r.status for r in parsed.records if isinstance(r, PipelineRun)] == (
        [status] if status else []
    )


@pytest.mark.parametrize(
    ("ref", "branch"),
    [("main", "main"), ("refs/heads/main", "main"), ("v1.2.0", None), ("f95f852", None)],
)
def test_deployment_branch_only_when_the_ref_looks_like_one(ref: str, branch: str | None) -> None:
    payload = load("octokit/deployment_status/payload.json")
    payload["deployment"]["ref"] = ref
    run = one("deployment_status", payload)
    assert (run.branch, run.params["ref"]) == (branch, ref)


def test_deployment_without_task_is_named_after_its_environment() -> None:
    payload = load("octokit/deployment_status/payload.json")
    payload["deployment"]["task"] = None
    del payload["deployment_status"]["environment"]
    run = one("deployment_status", payload)
    assert (run.pipeline, run.environment) == ("production", "production")


def test_release() -> None:
    version = only("octokit/release/published.payload.json")
    assert isinstance(version, Version)
    assert version.model_dump(mode="json") == {
        "kind": "version",
        "project": "Codertocat/Hello-World",
        "name": "0.0.1",
        "released_at": "2019-05-15T15:20:53Z",
    }


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"draft": True}, "draft release: not released"),
        ({"prerelease": True}, "prerelease: not counted as a release"),
        ({"published_at": None}, "release not published yet"),
    ],
)
def test_unreleased_releases_are_ignored(change: dict[str, Any], reason: str) -> None:
    payload = load("octokit/release/published.payload.json")
    payload["release"].update(change)
    assert github.parse("release", payload) == Parsed([], ignored=reason)


# --- issues --------------------------------------------------------------------------------


def _statuses(issue: Issue) -> list[tuple[str, str, str | None]]:
    return [(c.to, c.model_dump(mode="json")["at"], c.category) for c in issue.status_changes]


def test_opened_issue() -> None:
    issue = only("octokit/issues/opened.payload.json")
    assert isinstance(issue, Issue)
    assert (issue.key, issue.project, issue.fix_versions, issue.labels) == (
        "Codertocat/Hello-World#1",
        "Codertocat/Hello-World",
        ["v1.0"],  # the milestone
        ["bug"],
    )
    assert _statuses(issue) == [("open", "2019-05-15T15:20:18Z", "todo")]
    assert issue.resolved_at is None


def test_closed_then_reopened_issue() -> None:
    closed = load("octokit/issues/opened.payload.json")
    closed["action"] = "closed"
    closed["issue"] |= {"state": "closed", "closed_at": "2019-05-16T10:00:00Z"}
    closed["issue"]["updated_at"] = "2019-05-16T10:00:00Z"
    issue = one("issues", closed)
    assert _statuses(issue)[-1] == ("closed", "2019-05-16T10:00:00Z", "done")
    assert issue.model_dump(mode="json")["resolved_at"] == "2019-05-16T10:00:00Z"
    reopened = merge(issue, only("octokit/issues/reopened.payload.json"))
    assert isinstance(reopened, Issue)
    assert [c.to for c in reopened.status_changes][-2:] == ["closed", "reopened"]
    assert reopened.resolved_at is None


def test_issue_events_of_pull_requests_are_ignored() -> None:
    assert parse("octokit/issues/milestoned.payload.json") == Parsed(
        [], ignored="issues event for a pull request: see pull_request events"
    )


# --- other events and errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ("ping", "event 'ping' carries no records"),
        ("create", "event 'create' carries no time: versions come from release events"),
        ("watch", "event 'watch' is not used by leadline"),
    ],
)
def test_other_events_are_acknowledged_and_ignored(event: str, reason: str) -> None:
    assert github.parse(event, {"zen": "Keep it logically awesome."}) == Parsed([], reason)


def test_event_name_is_case_insensitive() -> None:
    assert github.parse(" Release ", load("octokit/release/published.payload.json")).records


def _pr(edit: Any) -> Any:
    """A pull_request delivery edited by ``edit``."""
    payload = load("octokit/pull_request/opened.payload.json")
    edit(payload)
    return payload


@pytest.mark.parametrize(
    ("event", "payload", "message"),
    [
        ("push", "not an object", "(body): expected an object, got the string"),
        ("ping", [], "(body): expected an object, got a list"),
        (
            "pull_request",
            _pr(lambda p: p["pull_request"].pop("created_at")),
            "pull_request.created_at: required field is missing",
        ),
        (
            "pull_request",
            _pr(lambda p: p["pull_request"].update(number="2")),
            "pull_request.number: expected a number, got the string '2'",
        ),
        (
            "pull_request",
            _pr(lambda p: p["pull_request"].update(created_at="2019-05-15T15:20:33")),
            "pull_request.created_at: naive time",
        ),
        ("pull_request", _pr(lambda p: p.pop("repository")), "repository.full_name: required"),
        (
            "pull_request",
            _pr(lambda p: p["pull_request"]["labels"].append(7)),
            "pull_request.labels[1]: expected an object, got the number 7",
        ),
        (
            "pull_request",
            _pr(lambda p: p.update(pull_request=None)),
            "pull_request: expected an object, got null",
        ),
        (
            "pull_request",
            _pr(lambda p: p["pull_request"].update(title="a\x00b")),
            "pull_request.title: contains a NUL character",
        ),
    ],
)
def test_malformed_payloads_name_the_path(event: str, payload: Any, message: str) -> None:
    with pytest.raises(PayloadError) as caught:
        github.parse(event, payload)
    assert str(caught.value).startswith(message)


def test_payload_error_is_an_input_error() -> None:
    assert issubclass(PayloadError, InputError)
    assert PayloadError("x: missing").code == "invalid_payload"


# --- fuzzing: mutate real deliveries -------------------------------------------------------

PAYLOADS = [(event_of(n), load(n)) for n in CASES if EXPECTED[n]["records"]]
READ_KEYS = {
    "action", "repository", "full_name", "ref", "deleted", "commits", "head_commit", "id",
    "timestamp", "message", "author", "username", "name", "pull_request", "number",
    "created_at", "updated_at", "title", "head", "base", "user", "login", "merged_at",
    "closed_at", "merge_commit_sha", "labels", "review", "state", "submitted_at", "workflow",
    "workflow_run", "run_attempt", "conclusion", "run_started_at", "head_sha", "head_branch",
    "path", "deployment", "deployment_status", "environment", "task", "sha", "release",
    "draft", "prerelease", "published_at", "tag_name", "issue", "milestone", "type",
}  # fmt: skip
JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.floats(allow_nan=True),
    st.text(max_size=12), st.just(""), st.just("2024-05-01T10:00:00"), st.just("\x00"),
    st.just("2024-05-01 10:00:00 UTC"), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.none(), max_size=2),
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    event, original = draw(st.sampled_from(PAYLOADS))
    payload = copy.deepcopy(original)
    payload = mutate(draw, payload, JSON_VALUES, READ_KEYS)
    return event, payload


# LEADLINE_FUZZ_EXAMPLES=20000 for a longer run.
@settings(
    max_examples=int(os.environ.get("LEADLINE_FUZZ_EXAMPLES", "500")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated())
def test_mutated_deliveries_parse_or_raise_payload_error(case: tuple[str, Any]) -> None:
    event, payload = case
    try:
        parsed = github.parse(event, payload)
    except PayloadError as exc:
        assert str(exc).split(":", 1)[0]  # names a path
        return
    assert isinstance(parsed, Parsed)
    for record in parsed.records:
        assert parse_object(record.model_dump(mode="json"), "fuzz", 1) == record
