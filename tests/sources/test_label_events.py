"""Pull-request label events from the real GitHub and GitLab webhook payloads: every expected
value is read from the payload by the test, not computed by the mapping under test."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from leadline.domain.records import PullRequest
from leadline.sources.base import parse_source_time
from leadline.sources.github import webhook as github
from leadline.sources.gitlab import webhook as gitlab
from tests.conftest import FIXTURES

GH = FIXTURES / "github" / "octokit" / "pull_request"
GL = FIXTURES / "gitlab"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def one(parsed: Any) -> PullRequest:
    (record,) = parsed.records
    assert isinstance(record, PullRequest)
    return record


def events(pr: PullRequest) -> list[tuple[str, str, str]]:
    return [(e.label, e.action, e.at.isoformat()) for e in pr.label_events]


def test_github_labeled_and_unlabeled() -> None:
    for name, action in (("labeled", "added"), ("unlabeled", "removed")):
        payload = load(GH / f"{name}.payload.json")
        assert payload["action"] == name
        expected_at = parse_source_time(payload["pull_request"]["updated_at"]).isoformat()
        pr = one(github.parse("pull_request", payload))
        assert events(pr) == [(payload["label"]["name"], action, expected_at)]


def test_github_other_actions_carry_no_label_event() -> None:
    payload = load(GH / "opened.payload.json")
    assert payload["pull_request"]["labels"]  # it has labels, but no times for them
    assert one(github.parse("pull_request", payload)).label_events == []


def test_github_label_event_needs_a_time() -> None:
    payload = copy.deepcopy(load(GH / "labeled.payload.json"))
    del payload["pull_request"]["updated_at"]
    assert one(github.parse("pull_request", payload)).label_events == []


def gitlab_titles(payload: Any, side: str) -> list[str]:
    return [label["title"] for label in payload["changes"]["labels"][side]]


def test_gitlab_changes_labels() -> None:
    for name in ("go-gitlab/merge_request.json", "go-playground/merge-request-event.json"):
        payload = load(GL / name)
        before, after = gitlab_titles(payload, "previous"), gitlab_titles(payload, "current")
        when = parse_source_time(payload["changes"]["updated_at"]["current"]).isoformat()
        expected = [(t, "added", when) for t in after if t not in before]
        expected += [(t, "removed", when) for t in before if t not in after]
        assert expected  # the payload does change labels
        pr = one(gitlab.parse("Merge Request Hook", payload))
        assert events(pr) == expected, name


def test_gitlab_label_change_without_changes_updated_at() -> None:
    payload = copy.deepcopy(load(GL / "go-gitlab" / "merge_request.json"))
    del payload["changes"]["updated_at"]
    when = parse_source_time(payload["object_attributes"]["updated_at"]).isoformat()
    pr = one(gitlab.parse("Merge Request Hook", payload))
    assert {e[2] for e in events(pr)} == {when}


def test_gitlab_without_label_changes() -> None:
    payload = load(GL / "go-gitlab" / "service_merge_request.json")
    assert "labels" not in payload.get("changes", {})
    assert one(gitlab.parse("Merge Request Hook", payload)).label_events == []
    same = copy.deepcopy(load(GL / "go-gitlab" / "merge_request.json"))
    same["changes"]["labels"]["current"] = same["changes"]["labels"]["previous"]
    assert one(gitlab.parse("Merge Request Hook", same)).label_events == []
