"""GitLab webhooks: every fixture against the reviewed snapshot, mapping rules, merge, fuzzing.

``tests/fixtures/gitlab/expected.json`` maps each fixture file to its outcome: the records (as
JSON), the ignore reason, or the error message. Regenerate it with
``LEADLINE_UPDATE_SNAPSHOTS=1 pytest tests/sources`` and review the diff by hand.

Each fixture is parsed with the ``X-Gitlab-Event`` header GitLab would send for it.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.domain.parse import parse_object
from leadline.domain.records import Commit, Incident, Issue, PipelineRun, PullRequest, Version
from leadline.sources.base import Parsed, PayloadError, merge, parse_source_time
from leadline.sources.gitlab import webhook as gitlab
from tests.sources.fuzz import mutate
from tests.sources.snapshots import (
    FIXTURES_ROOT,
    assert_covers,
    fixture_names,
    load_json,
    outcome_of,
    snapshot,
)

FIXTURES = FIXTURES_ROOT / "gitlab"
SNAPSHOT = FIXTURES / "expected.json"
CASES = fixture_names(FIXTURES)
HEADERS = {kind: hook.title() for hook, kind in gitlab.HOOKS.items() if "confidential" not in hook}
MR = "docs-examples/mr.json"
MERGED = "derived/merge_request.merge.json"
APPROVAL = "derived/merge_request.approval.json"
PIPELINE = "docs-examples/pipeline.json"
DEPLOYMENT = "docs-examples/deployment.json"
ISSUE = "docs-examples/issue.json"


def load(name: str) -> Any:
    return load_json(FIXTURES / name)


def header_of(name: str) -> str:
    """The ``X-Gitlab-Event`` GitLab sends with this body."""
    body = load(name)
    if "system-" in name:
        return "System Hook"
    kind = body.get("object_kind") or body.get("event_name")
    confidential = "confidential" in name
    return ("Confidential " if confidential else "") + HEADERS.get(kind, "System Hook")


def parse(name: str) -> Parsed:
    return gitlab.parse(header_of(name), load(name))


def outcome(name: str) -> dict[str, Any]:
    return outcome_of(lambda: parse(name))


EXPECTED: dict[str, Any] = snapshot(SNAPSHOT, CASES, outcome)


def only(name: str) -> Any:
    """The one record a fixture yields."""
    (record,) = parse(name).records
    return record


def one(payload: Any, event: str = "") -> Any:
    """The one record an edited payload yields."""
    (record,) = gitlab.parse(event, payload).records
    return record


def test_snapshot_covers_every_fixture() -> None:
    assert_covers(EXPECTED, CASES)


@pytest.mark.parametrize("name", CASES)
def test_fixture_matches_snapshot(name: str) -> None:
    assert outcome(name) == EXPECTED[name]


@pytest.mark.parametrize("name", CASES)
def test_records_validate_as_ndjson_records(name: str) -> None:
    if "error" in EXPECTED[name]:
        return
    for record in parse(name).records:
        assert parse_object(record.model_dump(mode="json"), name, 1) == record


def test_the_one_unreadable_fixture_is_named() -> None:
    # Upstream go-gitlab has keys with trailing spaces ("iid ") in this example.
    errors = {n: r["error"] for n, r in EXPECTED.items() if "error" in r}
    message = "object_attributes.iid: required field is missing"
    assert errors == {"go-gitlab/group_merge_request.json": message}


def test_every_delivery_of_a_used_kind_yields_records_or_says_why() -> None:
    kinds = {
        "push": {"commit"},
        "merge_request": {"pull_request"},
        "note": {"pull_request"},
        "issue": {"issue", "incident"},
        "pipeline": {"pipeline_run"},
        "deployment": {"pipeline_run"},
        "release": {"version"},
    }
    for name, result in EXPECTED.items():
        if "error" in result:
            continue
        body = load(name)
        kind = body.get("object_kind") or body.get("event_name")
        assert {r["kind"] for r in result["records"]} <= kinds.get(kind, set()), name
        assert result["records"] or result["ignored"], name


# --- times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2016-08-12 15:23:28 UTC", "2016-08-12T15:23:28+00:00"),
        ("2021-04-28 21:50:00 +0200", "2021-04-28T19:50:00+00:00"),
        ("2021-04-28 21:50:00 -02:30", "2021-04-29T00:20:00+00:00"),
        ("2017-09-20T08:31:45.944Z", "2017-09-20T08:31:45.944000+00:00"),
        ("2012-01-03T23:36:29+02:00", "2012-01-03T21:36:29+00:00"),
    ],
)
def test_gitlab_time_formats(text: str, utc: str) -> None:
    assert parse_source_time(text).isoformat() == utc


@pytest.mark.parametrize("text", ["2016-08-12 15:23:28", "yesterday", "2016-08-12 UTC"])
def test_times_without_an_offset_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_source_time(text)


def test_a_naive_time_in_a_payload_names_its_path() -> None:
    payload = load(PIPELINE)
    payload["object_attributes"]["finished_at"] = "2016-08-12 15:26:29"
    with pytest.raises(PayloadError, match=r"^object_attributes\.finished_at: naive time"):
        gitlab.parse("Pipeline Hook", payload)


# --- push ----------------------------------------------------------------------------------


def test_push_commits() -> None:
    first, second = parse("docs-examples/push.json").records
    assert isinstance(first, Commit) and isinstance(second, Commit)
    assert second.model_dump(mode="json", exclude_defaults=True) == {
        "kind": "commit",
        "repo": "mike/diaspora",
        "sha": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
        "committed_at": "2012-01-03T21:36:29Z",  # from 2012-01-03T23:36:29+02:00
        "message": "fixed readme",
        "author": "GitLab dev user",
        "branch": "master",
        "paths": ["CHANGELOG", "app/controller/application.rb"],  # added, modified
    }


def test_the_header_names_the_kind_when_the_body_does_not() -> None:
    payload = load("docs-examples/push.json")
    del payload["object_kind"], payload["event_name"]
    assert len(gitlab.parse("Push Hook", payload).records) == 2
    assert gitlab.parse("Wiki Page Hook", payload).ignored == (
        "event 'Wiki Page Hook' is not used by leadline"
    )


TAG_PUSH = "tag push carries no time: versions come from Release Hook events"


@pytest.mark.parametrize(
    ("name", "change", "reason"),
    [
        ("docs-examples/tag.json", {}, TAG_PUSH),
        ("docs-examples/push.json", {"after": "0" * 40}, "push deletes refs/heads/master"),
        ("docs-examples/push.json", {"commits": []}, "push carries no commits"),
    ],
)
def test_pushes_without_commits_say_why(name: str, change: dict[str, Any], reason: str) -> None:
    assert gitlab.parse("Push Hook", load(name) | change) == Parsed([], ignored=reason)


# --- merge requests ------------------------------------------------------------------------


def test_opened_merge_request() -> None:
    pr = only(MR)
    assert isinstance(pr, PullRequest)
    assert pr.model_dump(mode="json", exclude_defaults=True) == {
        "kind": "pull_request",
        "repo": "gitlabhq/gitlab-test",
        "number": 1,  # the iid, not the global id
        "created_at": "2013-12-03T17:23:34Z",
        "title": "MS-Viewport",
        "source_branch": "ms-viewport",
        "target_branch": "master",
        "author": "root",  # the user who opened it
        "labels": ["API"],
        # changes.labels: previous [API], current [Platform], at changes.updated_at.current
        "label_events": [
            {"label": "Platform", "action": "added", "at": "2017-09-15T16:52:00Z"},
            {"label": "API", "action": "removed", "at": "2017-09-15T16:52:00Z"},
        ],
        "updated_at": "2013-12-03T17:23:34Z",
    }


def test_update_by_someone_else_does_not_name_the_author() -> None:
    payload = load(MR)
    payload["object_attributes"]["action"] = "update"
    assert one(payload).author is None  # user 1 is not author 51
    assert only("go-gitlab/service_merge_request.json").author == "test"  # user 2 == author 2


def test_merged_merge_request() -> None:
    pr = only(MERGED)
    assert pr.model_dump(mode="json")["merged_at"] == "2013-12-04T09:00:00Z"
    assert pr.closed_at == pr.merged_at
    assert pr.merge_commit_sha == "bcbb5ec396a2c0f828686f14fac9b80b780504f2"


def test_squash_commit_counts_as_the_merge_commit() -> None:
    payload = load(MERGED)
    del payload["object_attributes"]["merge_commit_sha"]
    payload["object_attributes"]["squash_commit_sha"] = "a" * 40
    assert one(payload).merge_commit_sha == "a" * 40


def test_closed_merge_request() -> None:
    payload = load(MR)
    payload["object_attributes"] |= {"action": "close", "state": "closed"}
    pr = one(payload)
    assert pr.closed_at == pr.created_at and pr.merged_at is None  # updated_at = created_at


def test_approval_is_an_approving_review() -> None:
    pr = only(APPROVAL)
    assert [r.model_dump(mode="json") for r in pr.reviews] == [
        {"author": "user1", "state": "approved", "at": "2013-12-03T18:00:00Z"}
    ]


def test_unapproval_changes_nothing() -> None:
    payload = load(APPROVAL)
    payload["object_attributes"]["action"] = "unapproval"
    parsed = gitlab.parse("Merge Request Hook", payload)
    assert parsed.ignored == "merge request action 'unapproval' changes nothing leadline uses"
    assert [r.reviews for r in parsed.records if isinstance(r, PullRequest)] == [[]]


def test_comment_on_a_merge_request_is_a_commented_review() -> None:
    pr = only("docs-examples/mr-comment.json")
    assert (pr.repo, pr.number, pr.author) == ("gitlab-org/gitlab-test", 1, None)
    assert [r.model_dump(mode="json") for r in pr.reviews] == [
        {"author": "root", "state": "commented", "at": "2015-05-17T18:21:36Z"}
    ]


def test_system_notes_and_other_notes_are_not_reviews() -> None:
    payload = load("docs-examples/mr-comment.json")
    payload["object_attributes"]["system"] = True
    parsed = gitlab.parse("Note Hook", payload)
    assert parsed.ignored == "system note: not a comment"
    assert [r.reviews for r in parsed.records if isinstance(r, PullRequest)] == [[]]
    assert parse("docs-examples/issue-comment.json") == Parsed(
        [], ignored="note on Issue: only merge request notes"
    )


def test_the_life_of_a_merge_request_merges_into_one_record() -> None:
    stored: Any = None
    for name in [MR, APPROVAL, MERGED]:
        stored = merge(stored, only(name))
    assert isinstance(stored, PullRequest)
    assert stored.author == "root"  # known from the open, kept through later deliveries
    assert [(r.author, r.state) for r in stored.reviews] == [("user1", "approved")]
    assert stored.merged_at is not None and stored.merge_commit_sha is not None
    assert stored.model_extra == {"updated_at": "2013-12-04T09:00:00Z"}


# --- pipelines, deployments, releases ------------------------------------------------------


def test_finished_pipeline() -> None:
    run = only(PIPELINE)
    assert isinstance(run, PipelineRun)
    assert run.model_dump(mode="json", exclude_defaults=True) == {
        "kind": "pipeline_run",
        "system": "gitlab-ci",
        "pipeline": "gitlab-org/gitlab-test",
        "run_id": "31",
        "type": "ci",
        "status": "success",
        "finished_at": "2016-08-12T15:26:29Z",
        "started_at": "2016-08-12T15:23:28Z",
        "repo": "gitlab-org/gitlab-test",
        "commit_sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
        "branch": "master",
        "params": {
            "status": "success",
            "iid": 3,
            "name": "Pipeline for branch: master",
            "source": "merge_request_event",
            "url": "http://example.com/gitlab-org/gitlab-test/-/pipelines/31",
        },
    }


@pytest.mark.parametrize(
    ("status", "finished_at", "mapped", "ignored"),
    [
        ("failed", "2016-08-12 15:26:29 UTC", "failure", None),
        ("canceled", "2016-08-12 15:26:29 UTC", "cancelled", None),
        ("running", None, None, "pipeline status 'running' is not final"),
        ("manual", None, None, "pipeline status 'manual' is not final"),
        ("canceled", None, None, "pipeline 31 is canceled but has no finished_at"),
    ],
)
def test_pipeline_statuses(
    status: str, finished_at: str | None, mapped: str | None, ignored: str | None
) -> None:
    payload = load(PIPELINE)
    payload["object_attributes"] |= {"status": status, "finished_at": finished_at}
    parsed = gitlab.parse("Pipeline Hook", payload)
    assert parsed.ignored == ignored
    assert [r.status for r in parsed.records if isinstance(r, PipelineRun)] == (
        [mapped] if mapped else []
    )


def test_tag_pipeline_has_no_branch() -> None:
    payload = load(PIPELINE)
    payload["object_attributes"] |= {"tag": True, "ref": "v1.0.0"}
    run = one(payload)
    assert (run.branch, run.params["tag"]) == (None, "v1.0.0")


def test_deployment() -> None:
    run = only(DEPLOYMENT)
    assert isinstance(run, PipelineRun)
    assert run.model_dump(mode="json", exclude_defaults=True) == {
        "kind": "pipeline_run",
        "system": "gitlab-deployments",
        "pipeline": "root/test-deployment-webhooks",
        "run_id": "15",
        "type": "cd",
        "status": "success",
        "finished_at": "2021-04-28T19:50:00Z",  # 2021-04-28 21:50:00 +0200
        "environment": "staging",
        "repo": "root/test-deployment-webhooks",
        "commit_sha": "279484c09fbe69ededfced8c1bb6e6d24616b468",  # from commit_url
        "params": {
            "status": "success",
            "deployable_id": 796,
            "deployable_url": "http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796",
            "environment_tier": "staging",
        },
    }


@pytest.mark.parametrize(
    ("change", "sha"),
    [
        ({"commit_url": None}, "279484c0"),
        ({"commit_url": "http://x/-/commit/ffffffffffffffffffffffffffffffffffffffff"}, "279484c0"),
        ({"short_sha": None}, "279484c09fbe69ededfced8c1bb6e6d24616b468"),
    ],
)
def test_deployment_sha_needs_url_and_short_sha_to_agree(change: dict[str, Any], sha: str) -> None:
    assert one(load(DEPLOYMENT) | change).commit_sha == sha


@pytest.mark.parametrize(
    ("ref", "branch"), [("main", "main"), ("1.0.0", None), ("v2.1", None), (None, None)]
)
def test_deployment_branch(ref: str | None, branch: str | None) -> None:
    assert one(load(DEPLOYMENT) | {"ref": ref}).branch == branch


@pytest.mark.parametrize(
    ("status", "mapped", "ignored"),
    [
        ("failed", "failure", None),
        ("canceled", "cancelled", None),
        ("running", None, "deployment status 'running' is not final"),
    ],
)
def test_deployment_statuses(status: str, mapped: str | None, ignored: str | None) -> None:
    parsed = gitlab.parse("Deployment Hook", load(DEPLOYMENT) | {"status": status})
    assert parsed.ignored == ignored
    assert [r.status for r in parsed.records if isinstance(r, PipelineRun)] == (
        [mapped] if mapped else []
    )


def test_release() -> None:
    version = only("docs-examples/release.json")
    assert isinstance(version, Version)
    assert version.model_dump(mode="json") == {
        "kind": "version",
        "project": "gitlab-org/release-webhook-example",
        "name": "v1.1",
        "released_at": "2020-11-02T12:55:12Z",
    }
    deleted = load("docs-examples/release.json") | {"action": "delete"}
    assert gitlab.parse("Release Hook", deleted).ignored == (
        "release action 'delete': a released version stays released"
    )


# --- issues --------------------------------------------------------------------------------


def test_opened_issue() -> None:
    issue = only(ISSUE)
    assert isinstance(issue, Issue)
    assert issue.model_dump(mode="json", exclude_defaults=True) == {
        "kind": "issue",
        "key": "gitlabhq/gitlab-test#23",
        "created_at": "2013-12-03T17:15:43Z",
        "project": "gitlabhq/gitlab-test",
        "type": "Issue",
        "title": "New API: create/update/delete file",
        "status_changes": [{"to": "opened", "at": "2013-12-03T17:15:43Z", "category": "todo"}],
        "labels": ["API"],
        "updated_at": "2013-12-03T17:15:43Z",
    }


def test_closed_incident_is_an_issue_and_an_incident() -> None:
    issue, incident = parse("derived/issue.incident-closed.json").records
    assert isinstance(issue, Issue) and isinstance(incident, Incident)
    assert [(c.to, c.category) for c in issue.status_changes] == [
        ("opened", "todo"),
        ("closed", "done"),
    ]
    assert incident.model_dump(mode="json", exclude_defaults=True) == {
        "kind": "incident",
        "source": "gitlab",
        "id": "gitlabhq/gitlab-test#23",
        "created_at": "2013-12-03T17:15:43Z",
        "title": "New API: create/update/delete file",
        "severity": "high",
        "resolved_at": "2013-12-03T19:15:43Z",
        "updated_at": "2013-12-03T19:15:43Z",
    }
    assert issue.resolved_at == incident.resolved_at


def test_incident_merge_keeps_the_newest_state() -> None:
    _, resolved = parse("derived/issue.incident-closed.json").records
    opened = load("derived/issue.incident-closed.json")
    opened["object_attributes"] |= {
        "state": "opened",
        "action": "open",
        "closed_at": None,
        "severity": None,
        "updated_at": "2013-12-03 17:15:43 UTC",
    }
    _, first = gitlab.parse("Issue Hook", opened).records
    late = merge(resolved, first)  # the open arrives after the close: the close stands
    assert isinstance(late, Incident)
    assert (late.resolved_at, late.severity) == (resolved.resolved_at, "high")
    assert merge(first, resolved) == late


def test_reopened_issue_keeps_its_history_through_merge() -> None:
    closed, _ = parse("derived/issue.incident-closed.json").records
    reopen = load("derived/issue.incident-closed.json")
    reopen["object_attributes"] |= {
        "state": "opened",
        "action": "reopen",
        "closed_at": None,
        "updated_at": "2013-12-04 08:00:00 UTC",
    }
    issue, _ = gitlab.parse("Issue Hook", reopen).records
    merged = merge(closed, issue)
    assert isinstance(merged, Issue)
    assert [c.to for c in merged.status_changes] == ["opened", "closed", "reopened"]
    assert merged.resolved_at is None


# --- fuzzing: mutate real deliveries -------------------------------------------------------

PAYLOADS = [(header_of(n), load(n)) for n in CASES if EXPECTED[n].get("records")]
READ_KEYS = {
    "object_kind", "event_name", "ref", "after", "project", "path_with_namespace", "commits",
    "id", "timestamp", "message", "author", "name", "object_attributes", "action", "state",
    "iid", "created_at", "updated_at", "merged_at", "closed_at", "title", "source_branch",
    "target_branch", "user", "username", "author_id", "merge_commit_sha", "labels",
    "noteable_type", "system", "merge_request", "status", "finished_at", "sha", "tag",
    "deployment_id", "status_changed_at", "environment", "short_sha", "commit_url",
    "released_at", "type", "severity",
}  # fmt: skip
JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.floats(allow_nan=True),
    st.text(max_size=12), st.just(""), st.just("2024-05-01 10:00:00"), st.just("\x00"),
    st.just("2024-05-01 10:00:00 UTC"), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.none(), max_size=2),
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    header, original = draw(st.sampled_from(PAYLOADS))
    payload = copy.deepcopy(original)
    payload = mutate(draw, payload, JSON_VALUES, READ_KEYS)
    return header, payload


# LEADLINE_FUZZ_EXAMPLES=20000 for a longer run.
@settings(
    max_examples=int(os.environ.get("LEADLINE_FUZZ_EXAMPLES", "500")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated())
def test_mutated_deliveries_parse_or_raise_payload_error(case: tuple[str, Any]) -> None:
    header, payload = case
    try:
        parsed = gitlab.parse(header, payload)
    except PayloadError as exc:
        assert str(exc).split(":", 1)[0]  # names a path
        return
    assert isinstance(parsed, Parsed)
    for record in parsed.records:
        assert parse_object(record.model_dump(mode="json"), "fuzz", 1) == record


@pytest.mark.parametrize("payload", [None, [], "push", 3])
def test_a_body_that_is_not_an_object_is_refused(payload: Any) -> None:
    with pytest.raises(PayloadError, match=r"^\(body\): expected an object"):
        gitlab.parse("Push Hook", payload)
