"""Validation of the workflow options: ``workflow_order``, ``completed_work``, a stage's
``minimum``/``maximum`` and ``categories`` — one exact ``PATH: where: what`` line per
problem — and which of them change the stored timelines' fingerprint."""

from __future__ import annotations

from typing import Any

import pytest

from leadline.profiles import profile_from_data, profile_to_dict
from leadline.services.refresh import timeline_fingerprint
from tests.profiles.support import problems

BASE = "name: P\nstages:\n  - {name: a, event: commit}\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            BASE + "workflow_order: strict\n",
            ["p.yaml: workflow_order: must be one of allow_exceptions, enforce, got 'strict'"],
        ),
        (
            BASE + "completed_work: some\n",
            ["p.yaml: completed_work: must be one of deployed, all, got 'some'"],
        ),
        (
            "name: P\nstages:\n  - {name: a, event: commit, minimum: 2h, maximum: 1h}\n",
            ["p.yaml: stages[0].minimum: minimum (2h) is longer than maximum (1h)"],
        ),
        (
            "name: P\nstages:\n  - {name: a, event: commit, ideal: 2h, acceptable: 3h, "
            "maximum: 1h}\n",
            [
                "p.yaml: stages[0].ideal: ideal (2h) is longer than maximum (1h)",
                "p.yaml: stages[0].acceptable: acceptable (3h) is longer than maximum (1h)",
            ],
        ),
        (
            "name: P\nstages:\n  - {name: a, event: commit, minimum: 10 minutes}\n",
            [
                "p.yaml: stages[0].minimum: not a duration: '10 minutes' (expected e.g. 90s, "
                "10m, 4h, 2d, 1w or 1h30m)"
            ],
        ),
        (
            BASE + "categories: []\n",
            ["p.yaml: categories: empty list matches nothing"],
        ),
        (
            BASE + "categories:\n  - {name: Feature}\n",
            [
                "p.yaml: categories[0].name: give at least one of source_branches, "
                "target_branches, labels, or default: true"
            ],
        ),
        (
            BASE + "categories:\n  - {name: Rest, default: true}\n  - {name: Fix, labels: [fix]}\n",
            [
                "p.yaml: categories[0].default: the default category must be the last "
                "(categories match in order)"
            ],
        ),
        (
            BASE + "categories:\n  - {name: Fix, labels: [fix]}\n"
            "  - {name: Rest, default: true, source_branches: ['x/*']}\n",
            [
                "p.yaml: categories[1].source_branches: not used by the default category "
                "(it takes the rest)"
            ],
        ),
        (
            BASE + "categories:\n  - {name: Fix, labels: [fix]}\n"
            "  - {name: ' fix ', labels: [y]}\n",
            ["p.yaml: categories[1].name: category name ' fix ' is already used by categories[0]"],
        ),
        (
            BASE + "categories:\n  - {name: Fix, branches: [fix]}\n",
            [
                "p.yaml: categories[0].name: give at least one of source_branches, "
                "target_branches, labels, or default: true",
                "p.yaml: categories[0].branches: unknown field 'branches' (expected one of name, "
                "source_branches, target_branches, labels, default)",
            ],
        ),
        (
            BASE + "categories:\n  - {name: Fix, labels: []}\n",
            ["p.yaml: categories[0].labels: empty list matches nothing"],
        ),
    ],
)
def test_problem_lines(text: str, expected: list[str]) -> None:
    assert problems(text) == expected


def _profile(**top: Any) -> Any:
    stage = {"name": "a", "event": "commit", **top.pop("stage", {})}
    return profile_from_data({"name": "P", "stages": [stage], **top})


def test_valid_options_load_and_export_back_equal() -> None:
    profile = _profile(
        workflow_order="enforce",
        completed_work="all",
        stage={"minimum": "1m", "maximum": "1d", "ideal": "1h", "acceptable": "1d"},
        categories=[{"name": "Fix", "labels": ["fix"]}, {"name": "Rest", "default": True}],
    )
    assert (profile.order, profile.completed) == ("enforce", "all")
    assert (profile.stages[0].minimum, profile.stages[0].maximum) == (60.0, 86400.0)
    assert profile_from_data(profile_to_dict(profile)) == profile


def test_unset_options_read_as_the_defaults_and_are_not_exported() -> None:
    profile = _profile()
    assert (profile.order, profile.completed) == ("allow_exceptions", "deployed")
    exported = profile_to_dict(profile)
    for key in ("workflow_order", "completed_work", "categories"):
        assert key not in exported
    assert "minimum" not in exported["stages"][0]


def test_fingerprint_changes_only_for_options_that_change_the_stored_timelines() -> None:
    plain = timeline_fingerprint(_profile())
    # Read-time options: the same stored timelines.
    assert timeline_fingerprint(_profile(workflow_order="enforce")) == plain
    assert timeline_fingerprint(_profile(stage={"minimum": "1m", "maximum": "1h"})) == plain
    # Spelling out the default completion stores the same rows as leaving it out.
    assert timeline_fingerprint(_profile(completed_work="deployed")) == plain
    # Stored per row: the completion time, the category.
    assert timeline_fingerprint(_profile(completed_work="all")) != plain
    categories = [{"name": "Fix", "labels": ["fix"]}]
    assert timeline_fingerprint(_profile(categories=categories)) != plain


def test_the_fingerprint_of_a_profile_without_the_options_is_what_it_was() -> None:
    # Computed by the code before these options existed, for this very profile: its stored
    # timelines are reused, not rebuilt.
    assert timeline_fingerprint(_profile()) == EXPECTED_PLAIN


EXPECTED_PLAIN = "1665982a5d1f9bd1eff734bff5b59bad6df1259121b7db611bb50a37541528e3"


def test_a_phase_takes_bounds_to_its_stage_and_is_blamed_for_them() -> None:
    phase = "{name: Coding, start: {source: issue_management, event: ticket_created}, "
    end = "end: {source: scm, event: commit}"
    ok = profile_from_data(
        {"name": "E", "phases": [{"name": "Coding", "start": {"source": "issue_management",
         "event": "ticket_created"}, "end": {"source": "scm", "event": "commit"},
         "minimum": "1m", "maximum": "1d"}]}
    )  # fmt: skip
    assert (ok.stages[0].minimum, ok.stages[0].maximum) == (60.0, 86400.0)
    assert problems(f"name: E\nphases:\n  - {phase}{end}, minimum: 2h, maximum: 1h}}\n") == [
        "p.yaml: phases[0].minimum: minimum (2h) is longer than maximum (1h)"
    ]
