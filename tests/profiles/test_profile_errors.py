"""Each kind of problem gives exactly the expected ``PATH: where: what`` line.

File-level problems, unknown keys and choices, missing keys, durations, wrong types, empty
values. Rules between keys are in ``test_profile_rules.py``.
"""

from __future__ import annotations

import pytest

from tests.profiles.support import EVENTS, FORMS, STAGE_FIELDS, TOP_FIELDS, one_stage, problems

CASES: list[tuple[str, str, list[str]]] = [
    # --- file level
    ("empty", "", ["p.yaml: (file): the profile is empty"]),
    ("comments only", "# nothing\n", ["p.yaml: (file): the profile is empty"]),
    (
        "syntax error",
        "name: P\nstages: [\n  {name: a\n",
        [
            "p.yaml: (file): invalid YAML at line 4, column 1: expected ',' or '}', but got "
            "'<stream end>' (while parsing a flow mapping at line 3)"
        ],
    ),
    (
        "bad indentation",
        "name: P\n  stages: x\n",
        ["p.yaml: (file): invalid YAML at line 2, column 9: mapping values are not allowed here"],
    ),
    (
        "top level list",
        "- name: P\n",
        ["p.yaml: (file): expected a mapping (name, stages, …) at the top level, got a list"],
    ),
    (
        "top level scalar",
        "just words",
        [
            "p.yaml: (file): expected a mapping (name, stages, …) at the top level, "
            "got the string 'just words'"
        ],
    ),
    (
        "unsafe tag",
        "name: !!python/object/apply:os.system [ls]\n",
        [
            "p.yaml: (file): invalid YAML at line 1, column 7: could not determine a constructor "
            "for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"
        ],
    ),
    (
        "two documents",
        "name: a\n---\nname: b\n",
        [
            "p.yaml: (file): invalid YAML at line 2, column 1: but found another document "
            "(expected a single document in the stream at line 1)"
        ],
    ),
    (
        "duplicate top-level key",
        "name: P\nstages: [{name: a, event: commit}]\nname: Q\n",
        ["p.yaml: name: duplicate key (lines 1 and 3)"],
    ),
    (
        "duplicate key in a stage",
        "name: P\nstages:\n  - name: a\n    event: commit\n    name: b\n    name: c\n",
        ["p.yaml: stages[0].name: duplicate key (lines 3, 5 and 6)"],
    ),
    # --- unknown fields and choices
    (
        "unknown top-level field",
        "name: P\nstagez: []\nstages: [{name: a, event: commit}]",
        [
            f"p.yaml: stagez: unknown field 'stagez' (expected one of {TOP_FIELDS}); "
            "did you mean 'stages'?"
        ],
    ),
    (
        "unknown stage field",
        one_stage("name: a, event: ci_completed, pipline: [x]"),
        [
            f"p.yaml: stages[0].pipline: unknown field 'pipline' (expected one of {STAGE_FIELDS}); "
            "did you mean 'pipelines'?"
        ],
    ),
    (
        "unknown dora field",
        one_stage("name: a, event: commit", "dora: {deployments: {foo: 1}}"),
        [
            "p.yaml: dora.deployments.foo: unknown field 'foo' (expected one of source, pipelines, "
            "environments, statuses, params, target_branches, labels, projects, names, "
            "issue_types, category, occurrence, count_at)"
        ],
    ),
    (
        "unknown event",
        one_stage("name: a, event: teleport"),
        [f"p.yaml: stages[0].event: unknown event 'teleport' (expected one of {EVENTS})"],
    ),
    (
        "misspelt event",
        one_stage("name: a, event: pr_merge"),
        [
            f"p.yaml: stages[0].event: unknown event 'pr_merge' (expected one of {EVENTS}); "
            "did you mean 'pr_merged'?"
        ],
    ),
    (
        "unknown start event",
        "name: P\nstart: {event: ticket_opened}\nstages: [{name: a, event: commit}]",
        [
            "p.yaml: start.event: unknown event 'ticket_opened' (expected one of ticket_created, "
            "commit_created, api_event, first_stage, issue_status, commit, pr_created, "
            "pr_review, pr_approved, pr_merged, pr_labeled, ci_completed, cd_completed, "
            "change_request, released); "
            "did you mean 'ticket_created'?"
        ],
    ),
    (
        "bad missing_stages",
        one_stage("name: a, event: commit", "missing_stages: x"),
        ["p.yaml: missing_stages: must be one of zero, exclude, got 'x'"],
    ),
    (
        "bad baseline switch",
        one_stage("name: a, event: commit", "deployments: {baseline: maybe}"),
        ["p.yaml: deployments.baseline: must be one of exclude, include, got 'maybe'"],
    ),
    (
        "misspelt baseline switch",
        one_stage("name: a, event: commit", "deployments: {basline: include}"),
        [
            "p.yaml: deployments.basline: unknown field 'basline' (expected one of baseline); "
            "did you mean 'baseline'?"
        ],
    ),
    (
        "baseline switch not in a mapping",
        one_stage("name: a, event: commit", "deployments: include"),
        ["p.yaml: deployments: expected a mapping, got the string 'include'"],
    ),
    (
        "bad occurrence",
        one_stage("name: a, event: commit, occurrence: 2"),
        ["p.yaml: stages[0].occurrence: must be one of first, last, got the number 2"],
    ),
    (
        "bad category",
        one_stage("name: a, event: issue_status, category: wip"),
        ["p.yaml: stages[0].category: must be one of todo, in_progress, done, got 'wip'"],
    ),
    (
        "bad dora source",
        one_stage("name: a, event: commit", "dora: {failures: {source: pagerduty}}"),
        [
            "p.yaml: dora.failures.source: unknown source 'pagerduty' "
            "(expected one of cd, incidents, issues, pull_requests)"
        ],
    ),
    (
        "bad bands",
        one_stage("name: a, event: commit", "dora: {bands: 2023}"),
        ["p.yaml: dora.bands: must be one of harness, dora-2023, dora-2024, got the number 2023"],
    ),
    # --- required
    (
        "missing name and stages",
        "description: x",
        ["p.yaml: name: required", "p.yaml: stages: required"],
    ),
    ("missing stage name", one_stage("event: commit"), ["p.yaml: stages[0].name: required"]),
    ("missing stage event", one_stage("name: a"), ["p.yaml: stages[0].event: required"]),
    ("no stages", "name: P\nstages: []", ["p.yaml: stages: at least one stage is required"]),
    # --- durations
    (
        "bad duration",
        one_stage("name: a, event: commit, ideal: 10 minutes"),
        [f"p.yaml: stages[0].ideal: not a duration: '10 minutes' (expected {FORMS})"],
    ),
    (
        "negative duration",
        one_stage("name: a, event: commit, acceptable: -5"),
        ["p.yaml: stages[0].acceptable: a duration cannot be negative"],
    ),
    (
        "bad window",
        one_stage("name: a, event: commit", "dora: {failures: {source: incidents, window: yes}}"),
        [
            f"p.yaml: dora.failures.window: expected a duration ({FORMS}), got a boolean",
        ],
    ),
    (
        "ideal above acceptable",
        one_stage("name: a, event: commit, ideal: 2h, acceptable: 90m"),
        ["p.yaml: stages[0].ideal: ideal (2h) is longer than acceptable (1h30m)"],
    ),
    # --- wrong types
    (
        "name is a number",
        "name: 42\nstages: [{name: a, event: commit}]",
        ["p.yaml: name: expected a string, got the number 42 (put it in quotes to make it text)"],
    ),
    (
        "status is a boolean",
        one_stage("name: a, event: issue_status, statuses: [Open, yes]"),
        [
            "p.yaml: stages[0].statuses[1]: expected a string, got the boolean true "
            "(put it in quotes to make it text)"
        ],
    ),
    (
        "statuses is a string",
        one_stage("name: a, event: issue_status, statuses: Done"),
        ["p.yaml: stages[0].statuses: expected a list, got the string 'Done' (write [Done])"],
    ),
    (
        "stages is a mapping",
        "name: P\nstages: {name: a, event: commit}",
        ["p.yaml: stages: expected a list, got a mapping"],
    ),
    (
        "stage is a string",
        "name: P\nstages: [In Progress]",
        ["p.yaml: stages[0]: expected a mapping, got the string 'In Progress'"],
    ),
    (
        "start is a string",
        "name: P\nstart: ticket_created\nstages: [{name: a, event: commit}]",
        ["p.yaml: start: expected a mapping, got the string 'ticket_created'"],
    ),
    (
        "scope is null",
        "name: P\nscope:\nstages: [{name: a, event: commit}]",
        ["p.yaml: scope: expected a mapping, got null"],
    ),
    (
        "name is a date",
        "name: 2024-05-01\nstages: [{name: a, event: commit}]",
        [
            "p.yaml: name: expected a string, got the date 2024-05-01 "
            "(put it in quotes to make it text)"
        ],
    ),
    # --- empty values
    (
        "empty filter list",
        one_stage("name: a, event: cd_completed, environments: []"),
        ["p.yaml: stages[0].environments: empty list matches nothing"],
    ),
    (
        "empty scope list",
        "name: P\nscope: {projects: []}\nstages: [{name: a, event: commit}]",
        ["p.yaml: scope.projects: empty list matches nothing"],
    ),
    (
        "blank string in a list",
        one_stage("name: a, event: pr_merged, target_branches: [main, ' ']"),
        ["p.yaml: stages[0].target_branches[1]: must not be empty"],
    ),
    (
        "blank name",
        "name: ''\nstages: [{name: a, event: commit}]",
        ["p.yaml: name: must not be empty"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_problem_lines(text: str, expected: list[str]) -> None:
    assert problems(text) == expected
