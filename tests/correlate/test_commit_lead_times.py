"""Commit-level lead time to the second and below: ``commit_lead_times`` on a three-commit
chain, computed by hand (deployed − committed, a commit dated after its deployment counts 0)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leadline.correlate.ancestry import Deployment, ship
from leadline.correlate.commit_graph import CommitGraph
from leadline.correlate.commit_lead_times import commit_lead_times
from leadline.domain.records import Commit
from leadline.domain.times import to_micros

DEPLOYED = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
SHA = {name: name * 40 for name in "abcd"}


def commit(name: str, committed: datetime, parent: str | None) -> Commit:
    return Commit.model_validate(
        {
            "kind": "commit",
            "repo": "acme/api",
            "sha": SHA[name],
            "committed_at": committed.isoformat(),
            "parents": [SHA[parent]] if parent else [],
        }
    )


def test_lead_times_are_exact_and_a_commit_dated_after_its_deployment_counts_zero() -> None:
    commits = [
        commit("a", DEPLOYED - timedelta(hours=2, microseconds=250_000), None),
        commit("b", DEPLOYED + timedelta(seconds=30), "a"),  # a clock ahead of the deployer
        commit("c", DEPLOYED - timedelta(microseconds=500_000), "b"),
        commit("d", DEPLOYED - timedelta(hours=1), "c"),  # after the deployed head: not shipped
    ]
    at = to_micros(DEPLOYED)
    shipments = ship(CommitGraph.from_commits(commits), [Deployment("D", "prod", at, SHA["c"])])
    lead = commit_lead_times(commits, shipments)
    assert lead.shas == [SHA["a"], SHA["b"], SHA["c"]]
    assert lead.deployment_ids == ["D", "D", "D"]
    assert lead.deployed_at_us.tolist() == [at, at, at]
    assert lead.seconds.tolist() == [7200.25, 0.0, 0.5]
    assert str(lead.seconds.dtype) == "float64"


def test_first_deployment_lookups_of_short_keys_and_unknown_streams() -> None:
    commits = [commit("a", DEPLOYED - timedelta(hours=1), None)]
    at = to_micros(DEPLOYED)
    shipments = ship(CommitGraph.from_commits(commits), [Deployment("D", "prod", at, SHA["a"])])
    assert shipments.first_deployment(SHA["a"][:7]) == "D"  # the shortest abbreviation
    assert shipments.first_deployment(SHA["a"][:6]) is None  # too short to name a commit
    assert shipments.first_deployment(SHA["a"], "staging") is None  # a stream never deployed
    assert shipments.first_deployment(SHA["a"], "prod") == "D"
    assert shipments.first_shipping_deployment(("acme/api", 1), "staging") is None
