"""What a record touches, for incremental recompute: ticket keys, SHAs, artifacts."""

from __future__ import annotations

import pytest

from leadline.correlate.linking import (
    artifacts_touched,
    keys_touched,
    pr_change_key,
    shas_touched,
)
from leadline.domain.records import PipelineRun, PullRequest, RecordModel
from tests.correlate.builders import commit, event, issue, pr, run, version

SHA_A = "a" * 40
SHA_B = "b" * 40
SHA_M = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("rec", "keys"),
    [
        (issue("PROP-1"), {"PROP-1"}),
        (commit(SHA_A, "10:05", "PROP-1 and PROP-2, not prop-3"), {"PROP-1", "PROP-2"}),
        (pr(7, "10:10", title="PROP-1 x", branch="feature/prop-4-y"), {"PROP-1", "PROP-4"}),
        (event("Jira", "prop-5", "x", "10:00"), {"PROP-5"}),
        (event("scm", SHA_A, "x", "10:00"), set()),
        (version("PROP", "1.0", "10:00"), set()),
        (run("1", "10:00", sha=SHA_A), set()),
    ],
)
def test_keys_touched(rec: RecordModel, keys: set[str]) -> None:
    assert keys_touched(rec) == keys


@pytest.mark.parametrize(
    ("rec", "shas"),
    [
        (commit(SHA_A.upper(), "10:05"), {SHA_A}),
        (pr(7, "10:10", shas=(SHA_A,), merge=SHA_M), {SHA_A, SHA_M}),
        (run("1", "10:00", sha=SHA_A, commit_shas=[SHA_B]), {SHA_A, SHA_B}),
        (event("github", SHA_A, "x", "10:00"), {SHA_A}),
        (event("jira", "PROP-1", "x", "10:00"), set()),
        (issue("PROP-1"), set()),
    ],
)
def test_shas_touched(rec: RecordModel, shas: set[str]) -> None:
    assert shas_touched(rec) == shas


def test_artifacts_touched_and_pr_change_key() -> None:
    r = run("1", "10:00", inputs=(("a", "1"), ("b", None)), outputs=(("c", "2"),))
    assert isinstance(r, PipelineRun)
    assert artifacts_touched(r, "input") == {("a", "1")}
    assert artifacts_touched(r, "output") == {("c", "2")}
    p = pr(12, "10:00", repo="acme/api")
    assert isinstance(p, PullRequest)
    assert pr_change_key(p) == "acme/api#12"
