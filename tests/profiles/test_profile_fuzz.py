"""Junk in, ``ProfileError`` out: never a traceback, whatever the input."""

from __future__ import annotations

import os
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.profiles import (
    Profile,
    ProfileError,
    load_profile_text,
    profile_fingerprint,
    profile_from_data,
    profile_to_dict,
)

LINE = re.compile(r"^src\.(yaml|json): [^\n]+: [^\n]+$")
# LEADLINE_FUZZ_EXAMPLES=20000 for a longer run.
FUZZ = settings(
    max_examples=int(os.environ.get("LEADLINE_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

KEYS = [
    "name", "description", "start", "scope", "missing_stages", "stages", "dora", "event",
    "event_types", "projects", "issue_types", "repos", "labels", "occurrence", "statuses",
    "category", "ideal", "acceptable", "target_branches", "pipelines", "environments",
    "deployments", "failures", "restore", "bands", "source", "window",
]  # fmt: skip
WORDS = [
    "issue_status", "commit", "pr_created", "pr_review", "pr_approved", "pr_merged",
    "ci_completed", "cd_completed", "released", "api_event", "ticket_created",
    "commit_created", "first_stage", "first", "last", "todo", "in_progress", "done", "zero",
    "exclude", "cd", "pull_requests", "releases", "incidents", "issues", "harness",
    "dora-2023", "10m", "1h30m", "2d", "-1s", "Done", "", " ",
]  # fmt: skip
TOKENS = [
    *(f"{k}:" for k in KEYS), *WORDS, "\n", "\n  ", "\n    ", " ", "- ", "{", "}", "[", "]",
    ",", ":", "'", '"', "#", "&a ", "*a", "<<: *a", "? ", "---", "...", "!!int ", "!!set ",
    "!!binary ", "!!python/object ", "!!timestamp ", "2024-13-45", "1e999", "null", "yes",
    "~", "\t", "%YAML 1.1", "|", ">", "\\", "\x00", "\ufeff", "9" * 5000,
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(WORDS),
    st.dates(),
    st.binary(max_size=4),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=6), st.integers(), st.none())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(keys, inner, max_size=5),
    ),
    max_leaves=25,
)


def check(call: Any, *args: Any) -> None:
    try:
        profile = call(*args)
    except ProfileError as err:
        assert err.problems
        assert err.details
        assert err.message.startswith("src.")
        assert all(LINE.match(line) for line in err.details[:50]), err.details
        return
    assert isinstance(profile, Profile)
    assert profile_from_data(profile_to_dict(profile)) == profile
    assert len(profile_fingerprint(profile)) == 64


@FUZZ
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    check(load_profile_text, text, "src.yaml")
    check(load_profile_text, text, "src.json")


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_yaml_ish_text(text: str) -> None:
    check(load_profile_text, text, "src.yaml")


@FUZZ
@given(values)
def test_random_data(data: object) -> None:
    check(profile_from_data, data, "src.yaml")


stage = st.dictionaries(
    st.sampled_from(KEYS[6:]), st.one_of(st.sampled_from(WORDS), values), max_size=5
).map(lambda d: {"name": "s", "event": "commit", **d})


@FUZZ
@given(
    st.dictionaries(st.sampled_from(KEYS), values, max_size=4),
    st.lists(stage, min_size=1, max_size=4),
)
def test_random_profiles(top: dict[str, Any], stages: list[dict[str, Any]]) -> None:
    check(profile_from_data, {"name": "P", "stages": stages, **top}, "src.yaml")
    check(profile_from_data, {"name": "P", **top, "stages": stages}, "src.yaml")
