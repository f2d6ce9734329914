"""Linking records into changes (docs/linking.md)."""

from __future__ import annotations

from typing import Any

import pytest

from leadline.correlate.linking import ChangeBundle, link
from tests.correlate.builders import (
    commit,
    event,
    issue,
    load_example,
    pr,
    record,
    run,
    version,
)

SHA_A = "a" * 40
SHA_B = "b" * 40
SHA_M = "0123456789abcdef0123456789abcdef01234567"


def _commit_shas(bundle: ChangeBundle) -> list[str]:
    return [c.sha for c in bundle.commits]


def _pr_numbers(bundle: ChangeBundle) -> list[int]:
    return [p.number for p in bundle.pull_requests]


def _run_ids(bundle: ChangeBundle) -> list[str]:
    return [r.run_id for r in bundle.pipeline_runs]


@pytest.mark.parametrize(
    ("message", "linked"),
    [
        ("PROP-1 add login", True),
        ("[PROP-1] add login", True),
        ("Fix PROP-1: login", True),
        ("PROP-10 bump deps", False),
        ("XPROP-1 other project", False),
        ("prop-1 lower case in a message", False),
        ("no key at all", False),
    ],
)
def test_commit_belongs_to_ticket_by_message(message: str, linked: bool) -> None:
    records = [issue("PROP-1"), issue("PROP-10"), commit(SHA_A, "10:05", message)]
    assert _commit_shas(link(records)["PROP-1"]) == ([SHA_A] if linked else [])


@pytest.mark.parametrize(
    ("title", "branch", "linked"),
    [
        ("PROP-1 login", None, True),
        ("Login", "feature/PROP-1-login", True),
        ("Login", "feature/prop-1-login", True),
        ("Login", "Prop-1", True),
        ("prop-1 login", "login", False),
        ("PROP-10 login", "feature/prop-10", False),
        ("Login", "feature/prop-1a", False),
    ],
)
def test_pr_belongs_to_ticket_by_title_or_branch(
    title: str, branch: str | None, linked: bool
) -> None:
    records = [issue("PROP-1"), pr(7, "10:10", title=title, branch=branch)]
    assert _pr_numbers(link(records)["PROP-1"]) == ([7] if linked else [])


def test_commits_of_a_linked_pr_are_linked_by_commit_shas_and_merge_commit() -> None:
    records = [
        issue("PROP-1"),
        commit(SHA_A, "10:05", "Add form"),  # no key: linked through the PR
        commit(SHA_M, "10:15", "Merge pull request #7"),  # the merge commit
        commit(SHA_B, "10:06", "Unrelated"),
        pr(7, "10:10", title="PROP-1 login", shas=(SHA_A,), merge=SHA_M, merged="10:15"),
    ]
    bundle = link(records)["PROP-1"]
    assert _commit_shas(bundle) == [SHA_A, SHA_M]
    assert bundle.shas == {SHA_A, SHA_M}


def test_ticket_with_many_prs_and_pr_with_many_tickets() -> None:
    records = [
        issue("PROP-1"),
        issue("PROP-2"),
        pr(7, "10:10", title="PROP-1 part one"),
        pr(8, "10:20", title="PROP-1 PROP-2 shared fix"),
        pr(9, "10:30", branch="feature/prop-2"),
    ]
    bundles = link(records)
    assert _pr_numbers(bundles["PROP-1"]) == [7, 8]
    assert _pr_numbers(bundles["PROP-2"]) == [8, 9]


def test_only_existing_tickets_become_changes() -> None:
    records = [
        issue("PROP-1"),
        commit(SHA_A, "10:05", "PROP-99 no such ticket"),
        pr(7, "10:10", title="PROP-99"),
    ]
    bundles = link(records)
    assert list(bundles) == ["PROP-1"]
    assert bundles["PROP-1"].commits == []


@pytest.mark.parametrize(
    ("run_fields", "linked"),
    [
        ({"sha": SHA_A}, True),
        ({"commit_shas": [SHA_B, SHA_A]}, True),
        ({"sha": SHA_A.upper()}, True),
        ({"sha": SHA_A[:7]}, True),  # abbreviated SHA
        ({"sha": SHA_A[:6]}, False),  # too short to be trusted
        ({"sha": SHA_M}, True),  # the PR's merge commit, without a commit record
        ({"sha": SHA_B}, False),
        ({}, False),
    ],
)
def test_pipeline_run_belongs_to_a_commit(run_fields: dict[str, Any], linked: bool) -> None:
    records = [
        issue("PROP-1"),
        commit(SHA_A, "10:05", "PROP-1 add form"),
        pr(7, "10:10", title="PROP-1", merge=SHA_M, merged="10:15"),
        run("1", "10:16", **run_fields),
    ]
    assert _run_ids(link(records)["PROP-1"]) == (["1"] if linked else [])


def test_cd_run_linked_through_the_artifact_it_consumed() -> None:
    records = [
        issue("PROP-1"),
        commit(SHA_A, "10:05", "PROP-1 add form"),
        run("ci-1", "10:16", sha=SHA_A, outputs=(("api", "1.0.1"),)),
        run("cd-stg", "10:17", type="cd", env="staging", inputs=(("api", "1.0.1"),)),
        # a promotion: staging outputs what production consumes (transitive)
        run(
            "promote",
            "10:18",
            type="cd",
            env="staging",
            inputs=(("api", "1.0.1"),),
            outputs=(("api-image", "1.0.1"),),
        ),
        run("cd-prod", "10:19", type="cd", env="production", inputs=(("api-image", "1.0.1"),)),
        # not linked: another version, an unversioned artifact, an unrelated build's artifact
        run("cd-other", "10:20", type="cd", inputs=(("api", "1.0.2"),)),
        run("cd-nover", "10:21", type="cd", inputs=(("api", None),)),
        run("ci-2", "10:22", sha=SHA_B, outputs=(("api", "1.0.2"),)),
    ]
    bundle = link(records)["PROP-1"]
    assert _run_ids(bundle) == ["ci-1", "cd-stg", "promote", "cd-prod"]
    assert {key[2] for key in bundle.artifact_runs} == {"cd-stg", "promote", "cd-prod"}


def test_fix_versions_link_by_project_and_name() -> None:
    records = [
        issue("PROP-1", fix_versions=["1.0", "2.0"]),
        version("PROP", "1.0", "11:00"),
        version("OTHER", "2.0", "10:30"),  # same name, other project
        version("PROP", "3.0", "10:40"),  # not a fix version of PROP-1
    ]
    bundle = link(records)["PROP-1"]
    assert [(v.project, v.name) for v in bundle.versions] == [("PROP", "1.0")]


@pytest.mark.parametrize(
    ("component", "key", "linked"),
    [
        ("jira", "PROP-1", True),
        ("JIRA", "PROP-1", True),
        ("issue", "prop-1", True),
        ("jira", "PROP-10", False),
        ("scm", SHA_A, True),
        ("GitHub", SHA_A[:10], True),
        ("gitlab", SHA_M, True),
        ("git", SHA_B, False),
        ("ado", "PROP-1", False),  # unknown component: not correlated
        ("jira", SHA_A, False),
    ],
)
def test_generic_events_link_by_ticket_key_or_commit_sha(
    component: str, key: str, linked: bool
) -> None:
    records = [
        issue("PROP-1"),
        commit(SHA_A, "10:05", "PROP-1 add form"),
        pr(7, "10:10", title="PROP-1", merge=SHA_M),
        event(component, key, "deployed", "10:30"),
    ]
    assert len(link(records)["PROP-1"].events) == (1 if linked else 0)


def test_pull_request_unit() -> None:
    records = [
        issue("PROP-1"),
        issue("PROP-2"),
        commit(SHA_A, "10:05", "Add form"),
        commit(SHA_M, "10:15", "Merge"),
        commit(SHA_B, "10:06", "PROP-1 elsewhere"),  # the ticket's, but not this PR's
        pr(7, "10:10", title="PROP-1 PROP-3 login", shas=(SHA_A,), merge=SHA_M),
        pr(8, "10:20", repo="acme/web"),
        run("1", "10:16", sha=SHA_M),
    ]
    bundles = link(records, "pull_request")
    assert list(bundles) == ["acme/api#7", "acme/web#8"]
    seven = bundles["acme/api#7"]
    assert seven.unit == "pull_request"
    assert [i.key for i in seven.issues] == ["PROP-1"]
    assert _commit_shas(seven) == [SHA_A, SHA_M]
    assert _run_ids(seven) == ["1"]
    assert bundles["acme/web#8"].issues == []


def test_keys_restricts_the_bundles_built() -> None:
    records = [issue("PROP-1"), issue("PROP-2"), commit(SHA_A, "10:05", "PROP-2 x")]
    assert list(link(records, keys=["PROP-2", "PROP-9"])) == ["PROP-2"]


def test_irrelevant_records_are_ignored() -> None:
    records = [
        issue("PROP-1"),
        record("incident", source="pagerduty", id="P1", created_at="2024-05-01T10:00:00Z"),
        run("9", "10:00", sha="f" * 40),
        version("PROP", "9.9", "10:00"),
        event("jira", "PROP-77", "x", "10:00"),
        commit(SHA_B, "10:00", "no key"),
    ]
    bundle = link(records)["PROP-1"]
    assert (bundle.commits, bundle.pipeline_runs, bundle.versions, bundle.events) == (
        [],
        [],
        [],
        [],
    )


def test_repeated_natural_key_last_one_wins() -> None:
    records = [
        issue("PROP-1"),
        commit(SHA_A, "10:05", "PROP-1 first version"),
        commit(SHA_A, "10:05", "reworded, no key"),
    ]
    assert link(records)["PROP-1"].commits == []


def test_example_bundle_ignores_the_noise() -> None:
    bundle = link(load_example("example1.ndjson"))["PROP-1"]
    messages = [c.message or "" for c in bundle.commits]
    assert not any("PROP-10" in m for m in messages)
    assert _run_ids(bundle) == ["101", "102", "701", "702", "103", "703"]
    assert [(v.project, v.name) for v in bundle.versions] == [("PROP", "1.1")]
