"""The baseline rule (correlate/baseline.py), table-driven with hand-computed expectations."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from leadline.correlate.ancestry import Deployment
from leadline.correlate.baseline import (
    COMPLETE_HISTORY_SYSTEMS,
    LABEL,
    TRACKING_START,
    baseline_marks,
    change_is_baseline,
    commit_baseline,
    is_baseline,
    is_observed,
    observed_shas,
    run_tracking_start,
    tracking_key,
    tracking_starts,
)
from leadline.correlate.commit_lead_times import CommitLeadTimes
from leadline.correlate.linking import link
from leadline.correlate.timeline import build_timeline
from leadline.domain.records import PipelineRun
from leadline.sources.git import parse as gitparse
from leadline.store.dora_queries import RunRow
from tests.correlate.builders import commit, dt, issue, profile, run

T = 1_000_000_000  # a tracking start, micros


@pytest.mark.parametrize(
    ("start", "first", "expected"),
    [
        (T, T - 1, True),  # one microsecond before tracking began
        (T, T, False),  # exactly at the tracking start: tracked
        (T, T + 1, False),
        (None, T - 1, False),  # not a baseline deployment
        (T, None, False),  # nothing known about the change or commit
    ],
)
def test_is_baseline(start: int | None, first: int | None, expected: bool) -> None:
    assert is_baseline(start, first) is expected
    assert is_baseline(start, first, observed=False) is expected
    # Observed by a run that is not a baseline deployment: never baseline.
    assert is_baseline(start, first, observed=True) is False


FULL = "abcdef0123456789abcdef0123456789abcdef01"


@pytest.mark.parametrize(
    ("shas", "named", "expected"),
    [
        ([FULL], [FULL], {FULL}),  # named exactly
        ([FULL.upper()], [FULL], {FULL}),  # any case; the answer is lower case
        ([FULL], [FULL[:7]], {FULL}),  # a run names the commit abbreviated (7 characters)
        ([FULL[:7]], [FULL], {FULL[:7]}),  # the commit known abbreviated, the run names it all
        ([FULL], [FULL[:6]], set()),  # 6 characters are too short to abbreviate
        ([FULL], ["abcdef0123456789abcdef0123456789abcdef02"], set()),  # another commit
        ([FULL, "1" * 40], [FULL], {FULL}),  # only the named one
        ([FULL], [], set()),  # no observing run
        ([], [FULL], set()),
    ],
)
def test_observed_shas(shas: list[str], named: list[str], expected: set[str]) -> None:
    assert observed_shas(shas, named) == expected


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        (("gha", "acme/api", "api", "ci"), ("repo", "acme/api")),
        (("gha", None, "api", "ci"), ("service", "api")),
        (("gha", "", "", "ci"), ("pipeline", "gha/ci")),
        (("argo", None, None, "deploy"), ("pipeline", "argo/deploy")),
    ],
)
def test_tracking_key(fields: tuple[Any, ...], key: tuple[str, str]) -> None:
    assert tracking_key(*fields) == key


def test_tracking_starts_keep_the_earliest_run_per_key() -> None:
    runs = [(("repo", "a"), 30), (("repo", "a"), 10), (("repo", "b"), 20), (("repo", "a"), 10)]
    assert tracking_starts(runs) == {("repo", "a"): 10, ("repo", "b"): 20}
    assert tracking_starts([]) == {}


def _d(id: str, at: int, stream: str = "s", system: str | None = "argo", **kw: Any) -> Deployment:
    return Deployment(id=id, stream=stream, at_us=at, sha=None, system=system,
                      pipeline=kw.pop("pipeline", "deploy"), **kw)  # fmt: skip


MARK_CASES: list[tuple[str, list[Deployment], dict[Any, int], dict[str, int]]] = [
    ("the first deployment of the stream, with its repository's start",
     [_d("d2", 20, repo="r"), _d("d1", 10, repo="r")], {("repo", "r"): 5}, {"d1": 5}),
    ("each stream has its own first deployment",
     [_d("p1", 10, "prod", repo="r"), _d("s1", 8, "stage", repo="r"),
      _d("p2", 30, "prod", repo="r")],
     {("repo", "r"): 5}, {"p1": 5, "s1": 5}),
    ("equal times: the smaller id is first",
     [_d("b", 10, repo="r"), _d("a", 10, repo="r")], {("repo", "r"): 5}, {"a": 5}),
    ("no known run for the key: the deployment's own time",
     [_d("d1", 10, service="api")], {("repo", "x"): 1}, {"d1": 10}),
    ("a service's start when the run names no repository",
     [_d("d1", 10, service="api")], {("service", "api"): 3}, {"d1": 3}),
    ("tags (leadline git) are a complete history: no mark",
     [_d("v1", 10, system="git", repo="r")], {("repo", "r"): 5}, {}),
    ("merged PRs and releases (no system) have no baseline",
     [_d("acme/r#1", 10, system=None, repo="r")], {("repo", "r"): 5}, {}),
]  # fmt: skip


@pytest.mark.parametrize(("deployments", "starts", "marks"), [c[1:] for c in MARK_CASES],
                         ids=[c[0] for c in MARK_CASES])  # fmt: skip
def test_baseline_marks(
    deployments: list[Deployment], starts: dict[Any, int], marks: dict[str, int]
) -> None:
    assert baseline_marks(deployments, starts) == marks


def test_leadline_git_tags_are_the_complete_history_source() -> None:
    assert gitparse.SYSTEM in COMPLETE_HISTORY_SYSTEMS
    assert LABEL == "baseline (before tracking began)"


def test_a_run_as_deployment_carries_its_system_and_pipeline() -> None:
    row = RunRow(
        1,
        "argo/deploy/x/7",
        "argo",
        "deploy/x",
        "7",
        "cd",
        "success",
        0,
        None,
        None,
        None,
        None,
        (),
    )
    d = row.deployment()
    assert (d.system, d.pipeline, json.loads(d.stream)) == (
        "argo",
        "deploy/x",
        ["argo", "deploy/x", ""],
    )


def test_commit_baseline() -> None:
    lead = CommitLeadTimes(
        shas=["a", "b", "c", "d"],
        deployment_ids=["d1", "d1", "d2", "d1"],
        deployed_at_us=np.array([100, 100, 200, 100], dtype=np.int64),
        seconds=np.zeros(4),
    )
    committed = {"a": 49, "b": 50, "c": 10}  # "d": commit time unknown
    # d1 is a baseline deployment tracking from 50; d2 is not.
    assert commit_baseline(lead, committed, {"d1": 50}) == [True, False, False, False]
    # "a" (49, before tracking) named by a run that is not a baseline deployment: observed.
    assert commit_baseline(lead, committed, {"d1": 50}, {"a"}) == [False] * 4
    assert commit_baseline(lead, committed, {"d1": 50}, {"b", "c"}) == [True, False, False, False]
    # The observed SHAs are lower case (observed_shas); the commit's SHA is compared so.
    upper = CommitLeadTimes(
        shas=["AB12"],
        deployment_ids=["d1"],
        deployed_at_us=np.array([100], dtype=np.int64),
        seconds=np.zeros(1),
    )
    assert commit_baseline(upper, {"AB12": 49}, {"d1": 50}) == [True]
    assert commit_baseline(upper, {"AB12": 49}, {"d1": 50}, {"ab12"}) == [False]


def _marked(value: Any) -> PipelineRun:
    record = run("1", "12:00", type="cd", env="production")
    dumped = record.model_dump(mode="json") | {TRACKING_START: value}
    return PipelineRun.model_validate(dumped)


@pytest.mark.parametrize(
    ("value", "expected"), [(T, T), (0, 0), (True, None), ("5", None), (None, None)]
)
def test_run_tracking_start(value: Any, expected: int | None) -> None:
    assert run_tracking_start(_marked(value)) == expected
    assert run_tracking_start(run("1", "12:00")) is None  # no mark at all


TRACKED_FROM = dt("10:00")
BEFORE, AT_START = dt("09:59"), dt("10:00")
MARKED = "marked"  # the stream's first deployment, tracking from 10:00
PLAIN_CD = "plain cd"  # a later deployment: not a baseline deployment
CI = "ci"  # a CI run: not a baseline deployment


def _runs(*names: str) -> list[PipelineRun]:
    made = {
        MARKED: lambda: _marked(int(TRACKED_FROM.timestamp() * 1_000_000)),
        PLAIN_CD: lambda: run("2", "12:00", type="cd"),
        CI: lambda: run("3", "10:16", type="ci"),
    }
    return [made[name]() for name in names]


CHANGE_CASES: list[tuple[str, list[str], list[str], list[Any], Any, bool]] = [
    # (case, runs behind the deployment stages, runs linked to the change, commit times,
    #  start, baseline?)
    ("the first commit decides: 09:59 predates 10:00",
     [MARKED], [MARKED], [AT_START, BEFORE], AT_START, True),
    ("a first commit exactly at the tracking start is tracked",
     [MARKED], [MARKED], [AT_START], BEFORE, False),
    ("no commit: the start predates tracking", [MARKED], [MARKED], [], BEFORE, True),
    ("no commit: the start at the tracking start", [MARKED], [MARKED], [], AT_START, False),
    ("a later deployment is not a baseline deployment",
     [PLAIN_CD], [PLAIN_CD], [BEFORE], BEFORE, False),
    ("one baseline deployment among the stage's runs is enough, unobserved",
     [PLAIN_CD, MARKED], [MARKED], [BEFORE], BEFORE, True),
    ("no deployment run", [], [], [BEFORE], BEFORE, False),
    # Observed: a run linked to the change is not a baseline deployment.
    ("a CI run names the change's commit: observed",
     [MARKED], [CI, MARKED], [BEFORE], BEFORE, False),
    ("a later deployment linked to the change: observed",
     [MARKED], [MARKED, PLAIN_CD], [BEFORE], BEFORE, False),
    ("the baseline deployment is the only run: deployment-only data stays baseline",
     [MARKED], [MARKED], [BEFORE], BEFORE, True),
    ("two baseline deployments are still no observation",
     [MARKED], [MARKED, MARKED], [BEFORE], BEFORE, True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("deploy", "linked", "commits", "start", "expected"),
    [c[1:] for c in CHANGE_CASES],
    ids=[c[0] for c in CHANGE_CASES],
)
def test_change_is_baseline(
    deploy: list[str], linked: list[str], commits: list[Any], start: Any, expected: bool
) -> None:
    assert change_is_baseline(_runs(*deploy), _runs(*linked), commits, start) is expected


@pytest.mark.parametrize(
    ("linked", "expected"),
    [([], False), ([MARKED], False), ([CI], True), ([MARKED, CI], True), ([PLAIN_CD], True)],
)
def test_is_observed(linked: list[str], expected: bool) -> None:
    assert is_observed(_runs(*linked)) is expected


def _timeline_baseline(
    stage_event: str, mark: bool, commit_at: str = "09:59", ci: str | None = None
) -> bool:
    sha = "f" * 40
    deploy = run("7", "12:00", type="ci_cd", sha=sha, env="production", system="argo")
    if mark:
        dumped = deploy.model_dump(mode="json") | {TRACKING_START: _micros(dt("10:00"))}
        deploy = PipelineRun.model_validate(dumped)
    records = [issue("P-1"), commit(sha, commit_at, "P-1: work"), deploy]
    if ci is not None:  # a CI run on a SHA (the change's own, or another commit's)
        records.append(run("8", "10:16", type="ci", sha=ci, system="gha"))
    stage = {"name": "Shipped", "event": stage_event}
    timeline = build_timeline(profile(stage), link(records)["P-1"])
    assert timeline is not None and timeline.stages[0] is not None
    return timeline.baseline


def _micros(at: Any) -> int:
    return int(at.timestamp()) * 1_000_000


@pytest.mark.parametrize(
    ("event", "mark", "commit_at", "ci", "expected"),
    [
        ("cd_completed", True, "09:59", None, True),  # a baseline deployment, committed before
        ("cd_completed", True, "10:00", None, False),  # committed exactly at the tracking start
        ("cd_completed", False, "09:59", None, False),  # not a first deployment
        ("ci_completed", True, "09:59", None, False),  # only deployment stages decide
        ("cd_completed", True, "09:59", "f" * 40, False),  # a CI run names it: observed
        ("cd_completed", True, "09:59", "F" * 7, False),  # abbreviated, upper case: the same
        ("cd_completed", True, "09:59", "e" * 40, True),  # a CI run of another commit
    ],
)
def test_a_timeline_is_baseline_through_its_deployment_stage(
    event: str, mark: bool, commit_at: str, ci: str | None, expected: bool
) -> None:
    assert _timeline_baseline(event, mark, commit_at, ci) is expected
