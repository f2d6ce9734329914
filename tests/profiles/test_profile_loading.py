"""Valid profiles load; the example files load; fingerprints and round trips are stable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from leadline.errors import InputError
from leadline.profiles import (
    Profile,
    ProfileError,
    load_profile,
    load_profile_text,
    profile_fingerprint,
    profile_from_data,
    profile_to_dict,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "profiles"

# The first complete profile of the product's specification, verbatim.
CONTRACT_PROFILE = """
name: Ticket to production          # required, unique
description: optional text
start:
  event: ticket_created             # ticket_created | commit_created | api_event | first_stage
scope:                              # optional; every key narrows, lists are "any of", globs allowed
  projects: [PROP]
  issue_types: [Story, Bug]
  repos: ["acme/*"]
missing_stages: zero                # zero (default, as in the lead-time page) | exclude
stages:                             # ordered; at least one
  - name: In Progress
    event: issue_status
    statuses: [In Progress]         # or  category: in_progress
    ideal: 10m                      # optional; s, m, h, d, w
    acceptable: 1h
  - {name: First Commit, event: commit}
  - {name: PR Created, event: pr_created}
  - {name: PR Approved, event: pr_approved}
  - {name: PR Merged, event: pr_merged, target_branches: [main]}
  - {name: CI, event: ci_completed, pipelines: ["build*"]}
  - {name: CD, event: cd_completed, environments: [production]}
  - {name: Done, event: issue_status, statuses: [Done]}
  - {name: Released, event: released}
dora:                               # optional; needed by `leadline dora`
  deployments: {source: cd, environments: [production], statuses: [success]}
  failures: {source: cd, environments: [production], statuses: [failure, rolled_back]}
  restore: {source: incidents}
  bands: harness                    # harness (default) | dora-2023
"""

LEAD_TIME_STAGES = [
    "In Progress",
    "First Commit",
    "PR Created",
    "PR Approved",
    "PR Merged",
    "CI",
    "CD",
    "Done",
    "Released",
]


def test_contract_profile_loads() -> None:
    profile = load_profile_text(CONTRACT_PROFILE, "contract.yaml")
    assert profile.name == "Ticket to production"
    assert [s.name for s in profile.stages] == LEAD_TIME_STAGES
    assert profile.stages[0].statuses == ["In Progress"]
    assert (profile.stages[0].ideal, profile.stages[0].acceptable) == (600.0, 3600.0)
    assert profile.stages[4].effective_occurrence == "last"
    assert profile.stages[5].effective_occurrence == "first"
    assert profile.dora is not None
    assert profile.dora.failures.statuses == ["failure", "rolled_back"]
    assert profile.dora.restore.source == "incidents"


@pytest.mark.parametrize(
    ("file", "name", "stages"),
    [
        ("ticket-to-production.yaml", "Ticket to production", LEAD_TIME_STAGES),
        (
            "pr-lead-time.yaml",
            "PR lead time",
            ["PR Created", "PR Review", "PR Approved", "PR Merged", "CD"],
        ),
        ("api-event.json", "Incident fix", ["Fix Ready", "PR Merged", "Deployed", "Closed"]),
    ],
)
def test_example_files_load(file: str, name: str, stages: list[str]) -> None:
    profile = load_profile(EXAMPLES / file)
    assert profile.name == name
    assert [s.name for s in profile.stages] == stages
    assert profile.dora is not None


def test_every_example_file_loads() -> None:
    files = sorted(EXAMPLES.iterdir())
    assert len(files) >= 2
    for file in files:
        assert isinstance(load_profile(file), Profile)


def test_pr_lead_time_starts_at_commit() -> None:
    profile = load_profile(str(EXAMPLES / "pr-lead-time.yaml"))
    assert profile.start.event == "commit_created"


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("name: Minimal\nstages: [{name: A, event: commit}]", lambda p: p.dora is None),
        (
            "name: M\nstages: [{name: A, event: commit}]",
            lambda p: p.start.event == "ticket_created" and p.missing_stages == "zero",
        ),
        (
            "name: M\nstart: {event: api_event, event_types: [go]}\n"
            "stages: [{name: A, event: api_event, event_types: [x, y]}]",
            lambda p: p.start.event_types == ["go"] and p.stages[0].event_types == ["x", "y"],
        ),
        (
            "name: M\nstages: [{name: A, event: issue_status, category: in_progress}]",
            lambda p: p.stages[0].category == "in_progress",
        ),
        (
            "name: M\nstages: [{name: A, event: ci_completed, statuses: [success, failure]}]",
            lambda p: p.stages[0].statuses == ["success", "failure"],
        ),
        (
            "name: M\nstages: [{name: A, event: pr_merged, occurrence: first}]",
            lambda p: p.stages[0].effective_occurrence == "first",
        ),
        (
            "name: M\nstages: [{name: A, event: commit, ideal: 1h, acceptable: 1h}]",
            lambda p: p.stages[0].ideal == p.stages[0].acceptable == 3600.0,
        ),
        (
            "name: M\nstages: [{name: A, event: commit}]\ndora: {}",
            lambda p: p.dora is not None and p.dora.deployments.source == "cd",
        ),
        (
            "name: M\nstages: [{name: A, event: commit}]\n"
            "dora: {deployments: {source: releases, projects: [P]}, "
            "failures: {source: issues, labels: [sev1], window: 2d}, "
            "restore: {source: issues, issue_types: [Incident]}, bands: dora-2023}",
            lambda p: p.dora is not None and p.dora.failures.window == 172_800.0,
        ),
        (
            "name: M\nstages: [{name: A, event: commit}]\n"
            "dora: {deployments: {source: pull_requests, target_branches: [main]}}",
            lambda p: p.dora is not None and p.dora.deployments.target_branches == ["main"],
        ),
        ('{"name": "J", "stages": [{"name": "A", "event": "commit"}]}', lambda p: p.name == "J"),
        (
            "name: M\nstages:\n  - &s {name: A, event: commit, ideal: 1h}\n  - {<<: *s, name: B}",
            lambda p: p.stages[1].ideal == 3600.0 and p.stages[1].name == "B",
        ),
    ],
)
def test_valid_profiles(text: str, check: object) -> None:
    profile = load_profile_text(text)
    assert callable(check)
    assert check(profile)


def test_json_file(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"name": "J", "stages": [{"name": "A", "event": "commit"}]}))
    assert load_profile(path).name == "J"


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes("\ufeffname: B\nstages: [{name: A, event: commit}]\n".encode())
    assert load_profile(path).name == "B"


def test_profile_error_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        load_profile_text("name: x", "p.yaml")
    assert isinstance(info.value, ProfileError)
    assert info.value.exit_code == 2
    assert info.value.problems == [("stages", "required")]


def test_models_enforce_the_rules_on_their_own() -> None:
    data = {"name": "M", "stages": [{"name": "A", "event": "pr_created", "pipelines": ["x"]}]}
    with pytest.raises(ValidationError, match="not used by event 'pr_created'"):
        Profile.model_validate(data)
    dupes = {"name": "M", "stages": [{"name": "A", "event": "commit"}] * 2}
    with pytest.raises(ValidationError, match="already used by stages"):
        Profile.model_validate(dupes)


# --- fingerprints and round trips ------------------------------------------------------------

BLOCK = """
# a comment
name: Same
stages:
  - name: Start
    event: issue_status
    statuses: [In Progress]
    ideal: 10m
  - name: Merged
    event: pr_merged
"""
SAME_AS_BLOCK = [
    "name: Same\nstages: [{name: Start, event: issue_status, statuses: [In Progress], "
    "ideal: 10m}, {name: Merged, event: pr_merged}]",
    "stages:\n- {ideal: 600, statuses: ['In Progress'], event: issue_status, name: Start}\n"
    "- {event: pr_merged, name: Merged, occurrence: last}\nname: Same  # keys reordered\n",
    json.dumps(
        {
            "name": "Same",
            "start": {"event": "ticket_created"},
            "stages": [
                {
                    "name": "Start",
                    "event": "issue_status",
                    "statuses": ["In Progress"],
                    "ideal": "10m",
                },
                {"name": "Merged", "event": "pr_merged"},
            ],
        }
    ),
]
SAME_AS_BLOCK.append(BLOCK + "missing_stages: zero\ndeployments: {baseline: exclude}\n")
DIFFERENT_FROM_BLOCK = [
    BLOCK.replace("In Progress", "Doing"),
    BLOCK.replace("ideal: 10m", "ideal: 11m"),
    BLOCK.replace("event: pr_merged", "event: pr_merged\n    occurrence: first"),
    BLOCK.replace("name: Merged", "name: Merged!"),
    BLOCK + "missing_stages: exclude\n",
    BLOCK + "dora: {bands: dora-2023}\n",
]


def test_fingerprint_is_a_sha256_hex() -> None:
    fingerprint = profile_fingerprint(load_profile_text(BLOCK))
    assert len(fingerprint) == 64
    assert int(fingerprint, 16) >= 0
    assert fingerprint == profile_fingerprint(load_profile_text(BLOCK))


@pytest.mark.parametrize("text", SAME_AS_BLOCK)
def test_fingerprint_ignores_formatting(text: str) -> None:
    assert profile_fingerprint(load_profile_text(text)) == profile_fingerprint(
        load_profile_text(BLOCK)
    )


@pytest.mark.parametrize("text", DIFFERENT_FROM_BLOCK)
def test_fingerprint_changes_with_the_definition(text: str) -> None:
    assert profile_fingerprint(load_profile_text(text)) != profile_fingerprint(
        load_profile_text(BLOCK)
    )


def test_fingerprint_ignores_options_left_at_their_defaults() -> None:
    """A new option whose default keeps today's answers must not invalidate the timelines of
    the profiles that do not use it."""
    plain = load_profile_text(BLOCK + "dora: {}\n")
    spelt = load_profile_text(
        BLOCK + "dora: {deployments: {source: cd}, failures: {source: cd}, "
        "restore: {source: incidents}, bands: harness, lead_time: stages}\n"
    )
    assert profile_fingerprint(spelt) == profile_fingerprint(plain)
    moved = load_profile_text(BLOCK + "dora: {deployments: {count_at: start}}\n")
    assert profile_fingerprint(moved) != profile_fingerprint(plain)


def test_fingerprint_depends_on_stage_order() -> None:
    one = "name: O\nstages: [{name: A, event: commit}, {name: B, event: pr_created}]"
    two = "name: O\nstages: [{name: B, event: pr_created}, {name: A, event: commit}]"
    assert profile_fingerprint(load_profile_text(one)) != profile_fingerprint(
        load_profile_text(two)
    )


@pytest.mark.parametrize("file", sorted(p.name for p in EXAMPLES.iterdir()))
def test_round_trip(file: str) -> None:
    profile = load_profile(EXAMPLES / file)
    data = profile_to_dict(profile)
    assert data["stages"][0]["name"] == profile.stages[0].name
    assert profile_from_data(data) == profile
    text = json.dumps(data)
    again = load_profile_text(text, "again.json")
    assert again == profile
    assert profile_fingerprint(again) == profile_fingerprint(profile)
