"""GitLab REST objects → records: every recorded response against the reviewed snapshot,
the mapping rules one by one, and fuzzing.

``tests/fixtures/gitlab_rest/expected.json`` maps each case (a fixture object) to its outcome:
the records (as JSON), the ignore reason, or the error. Regenerate it with
``LEADLINE_UPDATE_SNAPSHOTS=1 pytest tests/sources`` and review the diff by hand.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.domain.parse import parse_object
from leadline.domain.records import Commit, PipelineRun, PullRequest, Version
from leadline.sources.base import Parsed, PayloadError
from leadline.sources.gitlab import rest as gitlab_rest
from tests.sources.fuzz import mutate
from tests.sources.rest_fixtures import GITLAB, by_input, data, gitlab_csv, load
from tests.sources.snapshots import assert_covers, outcome_of, snapshot

REPO = "gitlab-data/snowflake_spend"
SNAPSHOT = GITLAB / "expected.json"
MRS = data(gitlab_csv("merge_requests"))
MR_COMMITS = by_input(gitlab_csv("merge_request_commits"), "Iid")
MR_NOTES = by_input(gitlab_csv("merge_request_notes"), "Iid")
APPROVALS = {iid: load(GITLAB / f"derived/approvals.iid-{iid}.json") for iid in (1, 3)}


def _with_parts(mr: Any) -> Parsed:
    iid = mr["iid"]
    parts = {"commits": MR_COMMITS.get(iid, []), "notes": MR_NOTES.get(iid, [])}
    return gitlab_rest.merge_request(mr, REPO, **parts, approvals=APPROVALS.get(iid))


def _cases() -> dict[str, Callable[[], Parsed]]:
    go = GITLAB / "go-gitlab"
    cases: dict[str, Callable[[], Parsed]] = {
        "go-gitlab/get_merge_request.json": lambda: gitlab_rest.merge_request(
            load(go / "get_merge_request.json"), REPO
        ),
        "go-gitlab/get_commit.json": lambda: gitlab_rest.commit(
            load(go / "get_commit.json"), "gitlab-org/gitlab-ce"
        ),
    }
    for i, obj in enumerate(load(go / "get_merge_requests.json")):
        cases[f"go-gitlab/get_merge_requests.json[{i}]"] = lambda o=obj: gitlab_rest.merge_request(
            o, "gitlab-org/gitlab-ee"
        )
    for obj in MRS:
        cases[f"devlake/merge_requests iid={obj['iid']}"] = lambda o=obj: _with_parts(o)
    for name, convert in (("pipeline_details", gitlab_rest.pipeline),
                          ("deployments", gitlab_rest.deployment)):  # fmt: skip
        for obj in data(gitlab_csv(name)):
            cases[f"devlake/{name} id={obj['id']}"] = lambda o=obj, f=convert: f(o, REPO)
    for job in data(gitlab_csv("job")):
        commit = job["commit"]
        cases[f"devlake/job commit={commit['id'][:12]}"] = lambda c=commit: gitlab_rest.commit(
            c, REPO, branch="master"
        )
    for obj in load(GITLAB / "derived/releases.json"):
        name = f"derived/releases.json {obj['tag_name']}"
        cases[name] = lambda o=obj: gitlab_rest.release(o, REPO)
    return cases


CASES = _cases()


def outcome(name: str) -> dict[str, Any]:
    return outcome_of(CASES[name])


EXPECTED: dict[str, Any] = snapshot(SNAPSHOT, CASES, outcome)


def test_snapshot_covers_every_case() -> None:
    assert_covers(EXPECTED, CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_matches_snapshot(name: str) -> None:
    assert outcome(name) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(n for n in CASES if "records" in EXPECTED[n]))
def test_records_validate_as_ndjson_records(name: str) -> None:
    for record in CASES[name]().records:
        assert parse_object(record.model_dump(mode="json"), name, 1) == record


def test_errors_are_the_commit_without_a_date() -> None:
    # go-gitlab's single-commit example carries no date at all: leadline says which field.
    errors = {n: r["error"] for n, r in EXPECTED.items() if "error" in r}
    assert errors == {"go-gitlab/get_commit.json": "committed_date: required field is missing"}


def test_ignored_are_the_unfinished_pipelines_and_deployments() -> None:
    ignored = {n: r["ignored"] for n, r in EXPECTED.items() if r.get("ignored")}
    assert ignored == {
        "devlake/deployments id=13432654": "deployment 13432654 is completed: not final",
        "devlake/deployments id=13436763": "deployment 13436763 is created: not final",
        "devlake/deployments id=13436778": "deployment 13436778 is running: not final",
        "devlake/deployments id=13436986": "deployment 13436986 is blocked: not final",
        "devlake/deployments id=13436915": "deployment 13436915 is undeployed: not final",
    }


# --- merge requests -----------------------------------------------------------------------


def mr(iid: int, **kw: Any) -> PullRequest:
    (obj,) = [m for m in MRS if m["iid"] == iid]
    records = gitlab_rest.merge_request(obj, REPO, **kw).records
    assert isinstance(records[0], PullRequest)
    return records[0]


def test_merged_merge_request_with_commits_notes_and_approval() -> None:
    pr = mr(1, commits=MR_COMMITS[1], notes=MR_NOTES[1], approvals=APPROVALS[1])
    assert (pr.repo, pr.number, pr.author) == (REPO, 1, "emilie")
    assert pr.merge_commit_sha == "da1d6dea48f5972ffc683da6cff30934e7d6c52c"
    assert pr.merged_at is not None and pr.closed_at == pr.merged_at
    assert pr.commit_shas == [c["id"] for c in MR_COMMITS[1]]
    assert [(r.author, r.state, r.at.isoformat()) for r in pr.reviews] == [
        ("emilie", "commented", "2019-06-28T10:56:46.646000+00:00"),
        ("tayloramurphy", "approved", "2019-06-28T14:31:40.120000+00:00"),
    ]  # in time order, as ``merge`` keeps them


def test_merge_request_commits_are_commit_records_without_parents_or_branch() -> None:
    parsed = gitlab_rest.merge_request(MRS[0], REPO, commits=MR_COMMITS[1])
    commits = parsed.records[1:]
    assert [c.sha for c in commits if isinstance(c, Commit)] == [c["id"] for c in MR_COMMITS[1]]
    assert all(isinstance(c, Commit) and not c.parents and c.branch is None for c in commits)


def test_approval_without_approved_at_takes_the_merge_time() -> None:
    pr = mr(3, notes=MR_NOTES[3], approvals=APPROVALS[3])
    approved = [r for r in pr.reviews if r.state == "approved"]
    assert [(r.author, r.at) for r in approved] == [("emilie", pr.merged_at)]


def test_approval_time_from_the_system_note() -> None:
    notes = MR_NOTES[37]  # approved, unapproved, approved again (real notes)
    approvals = {"approved_by": [{"user": {"username": "basicthinker"}}]}
    pr = gitlab_rest.merge_request(MRS[0], REPO, notes=notes, approvals=approvals).records[0]
    assert isinstance(pr, PullRequest)
    assert [(r.author, r.state, r.at.isoformat()) for r in pr.reviews] == [
        ("basicthinker", "approved", "2019-01-29T00:40:47.455000+00:00")
    ]


@pytest.mark.parametrize(
    ("sequence", "approved"),
    [
        (["approved"], True),
        (["approved", "unapproved"], False),
        (["approved", "unapproved", "approved"], True),
    ],
)
def test_without_the_approvals_endpoint_the_notes_decide(
    sequence: list[str], approved: bool
) -> None:
    notes = [
        {"system": True, "body": f"{word} this merge request", "author": {"username": "ann"},
         "created_at": f"2024-05-01T10:0{i}:00Z"}
        for i, word in enumerate(sequence)
    ]  # fmt: skip
    pr = gitlab_rest.merge_request(MRS[0], REPO, notes=notes).records[0]
    assert isinstance(pr, PullRequest)
    expected = [("ann", f"2024-05-01T10:0{len(sequence) - 1}:00Z")] if approved else []
    assert [(r.author, r.at.strftime("%Y-%m-%dT%H:%M:%SZ")) for r in pr.reviews] == expected


def test_open_and_closed_merge_requests_have_no_merge_data() -> None:
    opened, closed = mr(9), mr(13)
    assert (opened.merged_at, opened.closed_at, opened.merge_commit_sha) == (None, None, None)
    assert closed.merged_at is None and closed.closed_at is not None and not closed.merge_commit_sha


def test_labels_as_objects_are_read_by_name() -> None:
    obj = {**MRS[0], "labels": [{"id": 1, "name": "backend"}, {"id": 2, "name": "bug"}]}
    pr = gitlab_rest.merge_request(obj, REPO).records[0]
    assert isinstance(pr, PullRequest) and pr.labels == ["backend", "bug"]


# --- commits, pipelines, deployments, releases ----------------------------------------------


def test_commit_with_parents() -> None:
    job = data(gitlab_csv("job"))[0]
    (commit,) = gitlab_rest.commit(job["commit"], REPO, branch="master").records
    assert isinstance(commit, Commit)
    assert commit.parents == job["commit"]["parent_ids"] and len(commit.parents) == 2
    assert commit.branch == "master" and commit.author == job["commit"]["author_name"]


def test_finished_pipeline_is_a_ci_run() -> None:
    detail = data(gitlab_csv("pipeline_details"))[0]
    (run,) = gitlab_rest.pipeline(detail, REPO).records
    assert isinstance(run, PipelineRun)
    assert (run.system, run.pipeline, run.run_id, run.type, run.status) == (
        "gitlab-ci", REPO, "1078343570", "ci", "success"
    )  # fmt: skip
    assert run.started_at is not None and run.started_at.isoformat().startswith(
        "2023-11-20T07:17:10"
    )
    assert run.params["url"] == detail["web_url"]


def test_pipeline_list_items_say_whether_they_are_final() -> None:
    listed = data(gitlab_csv("pipeline"))
    final = {p["status"] for p in listed if gitlab_rest.is_final_pipeline(p)}
    assert final == {"success", "failed", "canceled", "skipped"}
    running = next(p for p in listed if p["status"] == "running")
    assert (
        gitlab_rest.pipeline(running, REPO).ignored
        == f"pipeline {running['id']} is running: not final"
    )


def test_deployment_is_a_cd_run_in_its_environment() -> None:
    (run,) = gitlab_rest.deployment(data(gitlab_csv("deployments"))[0], REPO).records
    assert isinstance(run, PipelineRun)
    assert (run.system, run.run_id, run.type, run.status, run.environment) == (
        "gitlab-deployments", "13426753", "cd", "success", "staging"
    )  # fmt: skip
    assert run.commit_sha == "add237f6852e6108ee8e0246780a54ce909c6087" and run.branch == "master"
    assert run.finished_at.isoformat() == "2019-03-13T14:17:47.640000+00:00"


def test_release_is_a_version() -> None:
    upcoming = load(GITLAB / "derived/releases.json")[2]
    (version,) = gitlab_rest.release(upcoming, REPO).records
    assert isinstance(version, Version)
    assert (version.project, version.name) == (REPO, "v2.0.0")
    assert version.released_at is not None and version.released_at.year == 2030


def test_project_path() -> None:
    assert gitlab_rest.project_path(load(GITLAB / "derived/project.json")) == REPO
    with pytest.raises(PayloadError, match="path_with_namespace: required field is missing"):
        gitlab_rest.project_path({"id": 1})


# --- fuzzing --------------------------------------------------------------------------------


def _bundle(p: dict[str, Any]) -> Parsed:
    """A merge request with its commits, notes and approvals (lists as the service gives)."""
    lists = {k: p[k] if isinstance(p.get(k), list) else [] for k in ("commits", "notes")}
    return gitlab_rest.merge_request(p.get("mr"), REPO, **lists, approvals=p.get("approvals"))


BUNDLES = [{"mr": m, "commits": MR_COMMITS[i], "notes": MR_NOTES[i], "approvals": APPROVALS.get(i)}
           for m in MRS for i in [m["iid"]] if i in MR_COMMITS and i in MR_NOTES]  # fmt: skip
PAYLOADS: list[tuple[Callable[[Any], Parsed], Any]] = [
    *[(lambda p: gitlab_rest.merge_request(p, REPO), m) for m in MRS[:5]],
    *[(_bundle, b) for b in BUNDLES],
    *[(lambda p: gitlab_rest.pipeline(p, REPO), d) for d in data(gitlab_csv("pipeline_details"))],
    *[(lambda p: gitlab_rest.deployment(p, REPO), d) for d in data(gitlab_csv("deployments"))[:3]],
    *[(lambda p: gitlab_rest.release(p, REPO), r) for r in load(GITLAB / "derived/releases.json")],
    *[(lambda p: gitlab_rest.commit(p, REPO), j["commit"]) for j in data(gitlab_csv("job"))[:3]],
]
JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.floats(allow_nan=True),
    st.text(max_size=12), st.just(""), st.just("2024-05-01T10:00:00"),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.none(), max_size=2),
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Callable[[Any], Parsed], Any]:
    convert, payload = draw(st.sampled_from(PAYLOADS))
    return convert, mutate(draw, copy.deepcopy(payload), JSON_VALUES)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_objects_map_or_raise_payload_error(
    case: tuple[Callable[[Any], Parsed], Any],
) -> None:
    convert, payload = case
    try:
        parsed = convert(payload)
    except PayloadError as exc:
        assert str(exc).split(":", 1)[0]
        return
    for record in parsed.records:
        assert parse_object(record.model_dump(mode="json"), "fuzz", 1) == record


# --- a commit's diff → the paths it changes (``--commit-paths``) ---------------------------

DIFF = load(GITLAB / "go-gitlab" / "list_merge_request_diff.json")  # README, VERSION changed
RENAME = dict(DIFF[0], old_path="docs/OLD.md", new_path="docs/NEW.md", renamed_file=True)
DELETE = dict(DIFF[1], new_path="VERSION", deleted_file=True)


@pytest.mark.parametrize(
    ("items", "paths"),
    [
        (DIFF, ["README", "VERSION"]),  # two files changed in place
        ([RENAME], ["docs/OLD.md", "docs/NEW.md"]),  # a rename: the old path, then the new
        ([DELETE, DIFF[1]], ["VERSION"]),  # a deleted file is its path; each path once
        ([dict(RENAME, renamed_file=False)], ["docs/NEW.md"]),  # not a rename: new_path only
        ([], []),  # an empty commit
    ],
)
def test_diff_paths(items: list[Any], paths: list[str]) -> None:
    assert gitlab_rest.diff_paths(items) == paths


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"message": "not a list"}, "diff: expected a list, got an object"),
        ([DIFF[0], "README"], "diff[1]: expected an object, got the string 'README'"),
        ([dict(DIFF[0], new_path=None)], "diff[0].new_path: expected a string, got null"),
        ([dict(RENAME, old_path=7)], "diff[0].old_path: expected a string, got the number 7"),
        (
            [dict(DIFF[0], renamed_file="yes")],
            "diff[0].renamed_file: expected true or false, got the string 'yes'",
        ),
    ],
)
def test_diff_paths_errors_name_the_field(payload: Any, error: str) -> None:
    with pytest.raises(PayloadError) as caught:
        gitlab_rest.diff_paths(payload)
    assert str(caught.value) == error
