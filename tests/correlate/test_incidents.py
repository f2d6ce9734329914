"""Incidents and failure issues → the deployment that caused them (docs/deployments.md,
rule 9)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadline.correlate.ancestry import Deployment, ship
from leadline.correlate.commit_graph import CommitGraph
from leadline.correlate.incidents import (
    Failure,
    FailureLink,
    failure_from_incident,
    failure_from_issue,
    link_failures,
)
from leadline.domain.records import Incident, Issue
from leadline.domain.times import to_micros
from tests.correlate.builders import dt, issue, record

A, B, C = "a" * 40, "b" * 40, "c" * 40


def us(hm: str, days: int = 0) -> int:
    return to_micros(dt(hm) + timedelta(days=days))


def dep(
    pipeline: str, run_id: str, hm: str, service: str | None, sha: str | None = None
) -> Deployment:
    return Deployment(
        id=f"jenkins/{pipeline}/{run_id}",
        stream=pipeline,
        at_us=us(hm),
        sha=sha,
        service=service,
        run_id=run_id,
    )


DEPLOYMENTS = [
    dep("deploy-api", "101", "10:00", "api", A),
    dep("deploy-web", "101", "11:00", "web"),  # the bare run id 101 is ambiguous
    dep("deploy-api", "102", "12:00", "api", B),
    dep("deploy-web", "102", "12:00", "Web"),
    dep("deploy-api", "103", "14:00", "api", C),
    dep("deploy-api-canary", "103", "14:00", "api"),  # same time: ties go to the greatest id
    dep("deploy-jobs", "7", "09:00", None),  # no service: only reachable explicitly
]


def fail(
    hm: str,
    service: str | None = None,
    run: str | None = None,
    sha: str | None = None,
    days: int = 0,
) -> Failure:
    return Failure(("pd", "X"), us(hm, days), service, run, sha)


@pytest.mark.parametrize(
    ("failure", "expected", "rule"),
    [
        # an explicit run id wins over the service rule, even for another service
        (fail("12:30", "api", run="jenkins/deploy-web/101"), "jenkins/deploy-web/101", "run_id"),
        (fail("12:30", "api", run=" jenkins/deploy-jobs/7 "), "jenkins/deploy-jobs/7", "run_id"),
        # a bare run id: same service first ...
        (fail("10:30", "web", run="101"), "jenkins/deploy-web/101", "run_id"),
        (fail("10:30", "api", run="101"), "jenkins/deploy-api/101", "run_id"),
        # ... else the latest at or before the incident, else the earliest after it
        (fail("10:30", run="101"), "jenkins/deploy-api/101", "run_id"),
        (fail("11:00", run="101"), "jenkins/deploy-web/101", "run_id"),
        (fail("09:30", run="101"), "jenkins/deploy-api/101", "run_id"),
        (fail("13:00", "billing", run="102"), "jenkins/deploy-web/102", "run_id"),
        # a run id no deployment has falls through to the service rule
        (fail("12:30", "api", run="999"), "jenkins/deploy-api/102", "service"),
        # an explicit commit (without ancestry: the deployment whose head it is)
        (fail("13:00", "web", sha=B), "jenkins/deploy-api/102", "commit"),
        (fail("13:00", "web", sha=B[:7].upper()), "jenkins/deploy-api/102", "commit"),
        (fail("13:00", "web", sha="d" * 40), "jenkins/deploy-web/102", "service"),
        # same service, latest strictly before, within the window
        (fail("12:30", "api"), "jenkins/deploy-api/102", "service"),
        (fail("12:00", "api"), "jenkins/deploy-api/101", "service"),
        (fail("12:30", " API "), "jenkins/deploy-api/102", "service"),
        (fail("12:30", "web"), "jenkins/deploy-web/102", "service"),
        (fail("10:00", "api", days=7), "jenkins/deploy-api/103", "service"),
        # ties on time: the greatest id
        (fail("15:00", "api"), "jenkins/deploy-api/103", "service"),
        # another service's deployment is never blamed
        (fail("12:30", "billing"), None, None),
        (fail("09:30", "api"), None, None),
        # outside the window (older than 7 days) → nothing
        (fail("14:01", "api", days=7), None, None),
        # no service and no explicit link → nothing, never "the latest deployment anywhere"
        (fail("12:30"), None, None),
        (fail("12:30", "  "), None, None),
    ],
)
def test_link_failure(failure: Failure, expected: str | None, rule: str | None) -> None:
    links = link_failures([failure], DEPLOYMENTS)
    assert links == {("pd", "X"): FailureLink(expected, rule)}  # type: ignore[arg-type]


def test_ties_do_not_depend_on_input_order() -> None:
    failure = fail("15:00", "api")
    forward = link_failures([failure], DEPLOYMENTS)
    backward = link_failures([failure], list(reversed(DEPLOYMENTS)))
    assert forward == backward


@pytest.mark.parametrize(
    ("window", "days", "hm", "expected"),
    [
        (timedelta(days=7), 7, "14:00", "jenkins/deploy-api/103"),  # exactly 7 days: inside
        (timedelta(days=7), 7, "14:00:01", None),
        (timedelta(hours=1), 0, "14:30", "jenkins/deploy-api/103"),
        (timedelta(hours=1), 0, "15:30", None),
        (None, 300, "09:00", "jenkins/deploy-api/103"),  # no age limit
    ],
)
def test_window(window: timedelta | None, days: int, hm: str, expected: str | None) -> None:
    links = link_failures([fail(hm, "api", days=days)], DEPLOYMENTS, window=window)
    assert links[("pd", "X")].deployment_id == expected


def test_negative_window_is_an_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        link_failures([], DEPLOYMENTS, window=timedelta(hours=-1))


def test_explicit_commit_uses_ancestry() -> None:
    """The commit rule asks which deployment *shipped* the commit, not whose head it is."""
    graph = CommitGraph({A: [], B: [A], C: [B]})
    prod = [dep("prod", "1", "10:00", "api", B), dep("prod", "2", "12:00", "api", C)]
    staging = [dep("staging", "1", "11:00", "api", C)]
    shipments = ship(graph, prod + staging)

    def link(hm: str, sha: str, deployments: list[Deployment]) -> FailureLink:
        failure = fail(hm, "web", sha=sha)
        return link_failures([failure], deployments, shipments)[("pd", "X")]

    # A was never a head, but prod 1 shipped it
    assert link("13:00", A, prod) == FailureLink("jenkins/prod/1", "commit")
    # with staging in the candidate list, the latest first-shipping deployment before wins
    assert link("13:00", A, prod + staging) == FailureLink("jenkins/staging/1", "commit")
    # shipped only after the incident (clock skew, late pipeline): the first one after
    assert link("11:30", C, prod) == FailureLink("jenkins/prod/2", "commit")
    # a commit no deployment shipped, and another service: nothing
    assert link("13:00", "e" * 40, prod) == FailureLink(None, None)


def test_many_failures_per_service_in_one_pass() -> None:
    failures = [Failure(("pd", str(m)), us("09:00") + m * 60_000_000, "api") for m in range(600)]
    links = link_failures(failures, DEPLOYMENTS)
    got = [links[("pd", str(m))].deployment_id for m in range(600)]
    assert got[:61] == [None] * 61  # 09:00 … 10:00 (10:00 itself is not strictly after)
    assert set(got[61:181]) == {"jenkins/deploy-api/101"}
    assert set(got[181:301]) == {"jenkins/deploy-api/102"}
    assert set(got[301:]) == {"jenkins/deploy-api/103"}


def test_incident_records_link_as_failures() -> None:
    def incident(iid: str, hm: str, **kw: str) -> Incident:
        rec = record(
            "incident", source="pagerduty", id=iid, created_at=f"2024-05-01T{hm}:00Z", **kw
        )
        assert isinstance(rec, Incident)
        return rec

    incidents = [
        incident("1", "12:30", service="api"),
        incident("2", "12:30", service="api", deployment_run_id="jenkins/deploy-web/101"),
        incident("3", "12:30"),
        incident("4", "13:00", commit_sha=A),
    ]
    assert failure_from_incident(incidents[1]).deployment_run_id == "jenkins/deploy-web/101"
    links = link_failures([failure_from_incident(i) for i in incidents], DEPLOYMENTS)
    assert {key: link.deployment_id for key, link in links.items()} == {
        ("pagerduty", "1"): "jenkins/deploy-api/102",
        ("pagerduty", "2"): "jenkins/deploy-web/101",
        ("pagerduty", "3"): None,
        ("pagerduty", "4"): "jenkins/deploy-api/101",
    }


def test_failure_issues() -> None:
    bug = issue("OPS-1", created="12:30", service="api")
    linked = issue("OPS-2", created="12:30", service="api", deployment_run_id=101)
    assert isinstance(bug, Issue) and isinstance(linked, Issue)
    failures = [failure_from_issue(bug), failure_from_issue(linked)]
    assert failures[1].deployment_run_id == "101"
    assert link_failures(failures, DEPLOYMENTS) == {
        ("OPS-1",): FailureLink("jenkins/deploy-api/102", "service"),
        ("OPS-2",): FailureLink("jenkins/deploy-api/101", "run_id"),
    }


def test_repeated_failure_key_last_wins() -> None:
    first, second = fail("12:30", "api"), fail("12:30", "web")
    assert link_failures([first, second], DEPLOYMENTS)[("pd", "X")].deployment_id == (
        "jenkins/deploy-web/102"
    )
