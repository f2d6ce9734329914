"""Stage semantics (docs/linking.md): filters, occurrences, reruns and noise."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from leadline.correlate.linking import link
from leadline.correlate.timeline import StageHit, build_timeline
from leadline.domain.records import RecordModel
from leadline.profiles.models import Profile
from tests.correlate.builders import commit, dt, issue, pr, profile, run, version

SHA = "c" * 40


def _hit(prof: Profile, records: list[RecordModel], key: str = "PROP-1") -> StageHit | None:
    timeline = build_timeline(prof, link(records, "ticket")[key])
    assert timeline is not None
    return timeline.stages[0]


def _at(hit: StageHit | None) -> datetime | None:
    return None if hit is None else hit.at


def _code(*runs: RecordModel) -> list[RecordModel]:
    return [issue("PROP-1"), commit(SHA, "10:05", "PROP-1 form"), *runs]


def ci(run_id: str, when: str, **kw: Any) -> RecordModel:
    """A pipeline run for the ticket's commit."""
    return run(run_id, when, sha=SHA, **kw)


CI_CASES = [
    # (label, stage filters, runs, expected time)
    ("failed earlier", {}, [ci("1", "10:10", status="failure"), ci("2", "10:16")], "10:16"),
    ("rerun later", {}, [ci("2", "10:16"), ci("3", "10:30")], "10:16"),
    ("status case", {}, [ci("2", "10:16", status="SUCCESS")], "10:16"),
    ("ci_cd counts", {}, [ci("2", "10:16", type="ci_cd")], "10:16"),
    ("cd is not ci", {}, [ci("2", "10:12", type="cd"), ci("3", "10:16")], "10:16"),
    ("statuses", {"statuses": ["Failure"]}, [ci("1", "10:10", status="failure")], "10:10"),
    ("pipelines", {"pipelines": ["build*"]}, [ci("1", "10:10", pipeline="lint")], None),
    ("glob", {"pipelines": ["BUILD-*"]}, [ci("1", "10:10", pipeline="build-api")], "10:10"),
    ("last", {"occurrence": "last"}, [ci("2", "10:16"), ci("3", "10:30")], "10:30"),
]


@pytest.mark.parametrize(("label", "filters", "runs", "expected"), CI_CASES)
def test_ci_completed(
    label: str, filters: dict[str, Any], runs: list[RecordModel], expected: str | None
) -> None:
    prof = profile({"name": "CI", "event": "ci_completed", **filters})
    assert _at(_hit(prof, _code(*runs))) == (dt(expected) if expected else None), label


CD_CASES = [
    ("staging earlier", [ci("1", "10:12", type="cd", env="staging")], None),
    ("failed prod", [ci("1", "10:12", type="cd", env="production", status="failure")], None),
    ("rolled back", [ci("1", "10:12", type="cd", env="production", status="rolled_back")], None),
    ("env case", [ci("1", "10:17", type="cd", env="Production")], "10:17"),
    ("no env", [ci("1", "10:17", type="cd")], None),
    ("ci_cd prod", [ci("1", "10:17", type="ci_cd", env="production")], "10:17"),
    ("ci is not cd", [ci("1", "10:17", type="ci", env="production")], None),
    (
        "redeploy later",
        [
            ci("1", "10:17", type="cd", env="production"),
            ci("2", "11:00", type="cd", env="production"),
        ],
        "10:17",
    ),
]


@pytest.mark.parametrize(("label", "runs", "expected"), CD_CASES)
def test_cd_completed_in_production(
    label: str, runs: list[RecordModel], expected: str | None
) -> None:
    prof = profile({"name": "CD", "event": "cd_completed", "environments": ["production"]})
    assert _at(_hit(prof, _code(*runs))) == (dt(expected) if expected else None), label


def test_artifact_linked_runs_count_for_cd_not_ci() -> None:
    records = _code(
        run("b1", "10:16", sha=SHA, outputs=(("api", "7"),)),
        run("d1", "10:17", type="cd", env="production", inputs=(("api", "7"),)),
        run("t1", "10:12", type="ci", inputs=(("api", "7"),)),  # a test job on the artifact
    )
    ci = profile({"name": "CI", "event": "ci_completed"})
    cd = profile({"name": "CD", "event": "cd_completed"})
    assert _hit(ci, records) == StageHit(dt("10:16"), "pipeline_run jenkins/build/b1")
    assert _hit(cd, records) == StageHit(dt("10:17"), "pipeline_run jenkins/build/d1")


REOPENED = issue(
    "PROP-1",
    ("In Progress", "10:00"),
    ("Done", "10:20"),
    ("Reopened", "10:25"),
    ("In Progress", "10:30"),
    ("Closed", "10:50"),
    ("Done", "10:56"),
)


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ({"statuses": ["Done"]}, ("10:20", "issue PROP-1 → Done")),
        ({"statuses": ["done"], "occurrence": "last"}, ("10:56", "issue PROP-1 → Done")),
        ({"statuses": ["IN PROGRESS"]}, ("10:00", "issue PROP-1 → In Progress")),
        ({"category": "done"}, ("10:20", "issue PROP-1 → Done")),
        ({"category": "done", "occurrence": "last"}, ("10:56", "issue PROP-1 → Done")),
        (
            {"category": "in_progress", "occurrence": "last"},
            ("10:30", "issue PROP-1 → In Progress"),
        ),
        ({"statuses": ["Closed"]}, ("10:50", "issue PROP-1 → Closed")),
        ({"statuses": ["Released"]}, None),
    ],
)
def test_issue_status(stage: dict[str, Any], expected: tuple[str, str] | None) -> None:
    prof = profile({"name": "S", "event": "issue_status", **stage})
    hit = _hit(prof, [REOPENED])
    assert hit == (StageHit(dt(expected[0]), expected[1]) if expected else None)


def _prs() -> list[RecordModel]:
    reviews_7 = (("alice", "commented", "10:11"), ("bob", "changes_requested", "10:12"))
    return [
        issue("PROP-1"),
        pr(7, "10:10", title="PROP-1 a", merged="10:15", reviews=reviews_7, labels=["bug"]),
        pr(
            8,
            "10:20",
            title="PROP-1 b",
            merged="10:45",
            target="release/1.x",
            reviews=(("carol", "approved", "10:40"),),
        ),
        pr(9, "10:05", title="PROP-1 c", target="develop"),  # never merged
    ]


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ({"event": "pr_created"}, ("10:05", "pull_request acme/api#9")),
        (
            {"event": "pr_created", "target_branches": ["main"]},
            ("10:10", "pull_request acme/api#7"),
        ),
        (
            {"event": "pr_created", "target_branches": ["release/*"]},
            ("10:20", "pull_request acme/api#8"),
        ),
        ({"event": "pr_created", "labels": ["BUG"]}, ("10:10", "pull_request acme/api#7")),
        ({"event": "pr_review"}, ("10:12", "review acme/api#7 by bob (changes_requested)")),
        ({"event": "pr_approved"}, ("10:40", "review acme/api#8 by carol (approved)")),
        ({"event": "pr_merged"}, ("10:45", "pull_request acme/api#8")),
        ({"event": "pr_merged", "occurrence": "first"}, ("10:15", "pull_request acme/api#7")),
        ({"event": "pr_merged", "target_branches": ["main"]}, ("10:15", "pull_request acme/api#7")),
        ({"event": "pr_merged", "target_branches": ["develop"]}, None),
    ],
)
def test_pull_request_stages(stage: dict[str, Any], expected: tuple[str, str] | None) -> None:
    hit = _hit(profile({"name": "S", **stage}), _prs())
    assert hit == (StageHit(dt(expected[0]), expected[1]) if expected else None)


def test_commit_stage_first_and_last() -> None:
    records = [
        issue("PROP-1"),
        commit("1" * 40, "10:05", "PROP-1 a"),
        commit("2" * 40, "10:25", "PROP-1 b", repo="acme/web"),
        commit("3" * 40, "09:59", "PROP-10 not this one"),
    ]
    first = profile({"name": "C", "event": "commit"})
    last = profile({"name": "C", "event": "commit", "occurrence": "last"})
    assert _hit(first, records) == StageHit(dt("10:05"), "commit acme/api@1111111")
    assert _hit(last, records) == StageHit(dt("10:25"), "commit acme/web@2222222")


def test_released_is_the_first_released_fix_version() -> None:
    records = [
        issue("PROP-1", fix_versions=["1.0", "1.1", "2.0"]),
        version("PROP", "1.0", "12:00"),
        version("PROP", "1.1", "11:00"),
        version("PROP", "2.0"),  # not released
        version("OTHER", "1.0", "10:00"),
    ]
    prof = profile({"name": "R", "event": "released"})
    assert _hit(prof, records) == StageHit(dt("11:00"), "version PROP/1.1")
    assert _hit(prof, [issue("PROP-1", fix_versions=["2.0"]), version("PROP", "2.0")]) is None


def test_time_ties_are_broken_by_source() -> None:
    records = [
        issue("PROP-1"),
        commit("9" * 40, "10:05", "PROP-1 b"),
        commit("1" * 40, "10:05", "PROP-1 a"),
    ]
    for occurrence in ("first", "last"):
        prof = profile({"name": "C", "event": "commit", "occurrence": occurrence})
        assert _hit(prof, records) == StageHit(dt("10:05"), "commit acme/api@1111111")
