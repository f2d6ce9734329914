"""Shared helpers for the profile tests."""

from __future__ import annotations

import pytest

from leadline.profiles import ProfileError, load_profile_text

EVENTS = (
    "issue_status, commit, pr_created, pr_review, pr_approved, pr_merged, pr_labeled, "
    "ci_completed, cd_completed, change_request, released, api_event"
)
STAGE_FIELDS = (
    "name, event, occurrence, statuses, category, ideal, acceptable, minimum, maximum, "
    "target_branches, labels, pipelines, environments, event_types, params"
)
TOP_FIELDS = (
    "name, description, start, scope, exclude, missing_stages, workflow_order, completed_work, "
    "deployments, stages, categories, dora"
)
FORMS = "e.g. 90s, 10m, 4h, 2d, 1w or 1h30m"


def problems(text: str, source: str = "p.yaml") -> list[str]:
    with pytest.raises(ProfileError) as info:
        load_profile_text(text, source)
    return info.value.details


def one_stage(stage: str, extra: str = "") -> str:
    return f"name: P\nstages:\n  - {{{stage}}}\n{extra}"
