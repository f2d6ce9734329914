"""Whose review starts ``pr_review``: anyone's but the PR author's own.

A review counts unless it is *known* to come from the PR's author: a review by an unknown
reviewer counts, every review on a PR whose author is unknown counts, and a self-review
(whatever its case or surrounding spaces) does not. The stage's source names the reviewer,
"unknown" when the payload gave none.
"""

from __future__ import annotations

from typing import Any

import pytest

from leadline.correlate.linking import link
from leadline.correlate.timeline import StageHit, build_timeline
from tests.correlate.builders import at, dt, issue, profile, record

REVIEW = profile({"name": "Review", "event": "pr_review"})


def _pr(author: str | None, *reviews: tuple[str | None, str]) -> Any:
    return record(
        "pull_request",
        repo="acme/api",
        number=7,
        created_at=at("10:00"),
        title="PROP-1 login",
        author=author,
        reviews=[{"author": who, "state": "commented", "at": at(when)} for who, when in reviews],
    )


CASES = [
    # (label, PR author, reviews (reviewer, time), expected (time, source) or None)
    ("another reviewer", "alice", [("bob", "10:10")], ("10:10", "bob")),
    ("self-review skipped", "alice", [("alice", "10:05"), ("bob", "10:10")], ("10:10", "bob")),
    ("self-review in other case", "alice", [(" Alice ", "10:05")], None),
    ("unknown reviewer counts", "alice", [(None, "10:07")], ("10:07", "unknown")),
    ("unknown author: any review", None, [("alice", "10:06")], ("10:06", "alice")),
    ("unknown both", None, [(None, "10:08")], ("10:08", "unknown")),
    ("only self-reviews", "alice", [("alice", "10:05"), ("ALICE", "10:09")], None),
]


@pytest.mark.parametrize(
    ("author", "reviews", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_review_by_someone_else(
    author: str | None,
    reviews: list[tuple[str | None, str]],
    expected: tuple[str, str] | None,
) -> None:
    records = [issue("PROP-1"), _pr(author, *reviews)]
    timeline = build_timeline(REVIEW, link(records, "ticket")["PROP-1"])
    assert timeline is not None
    hit = timeline.stages[0]
    if expected is None:
        assert hit is None
    else:
        when, who = expected
        assert hit == StageHit(dt(when), f"review acme/api#7 by {who} (commented)")
