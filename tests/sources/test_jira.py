"""Jira webhooks: every fixture against the reviewed snapshot, merge, signatures, fuzzing.

``tests/fixtures/jira/expected.json`` maps each fixture file to its outcome: the records (as
JSON), the ignore reason, or the error message. Regenerate it with
``LEADLINE_UPDATE_SNAPSHOTS=1 pytest tests/sources`` and review the diff by hand.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.domain.parse import parse_object
from leadline.domain.records import Issue, Version
from leadline.errors import InputError
from leadline.sources.base import Parsed, PayloadError
from leadline.sources.jira import signature as jira_signature
from leadline.sources.jira import webhook as jira
from tests.sources.fuzz import mutate
from tests.sources.snapshots import (
    FIXTURES_ROOT,
    assert_covers,
    fixture_names,
    load_json,
    outcome_of,
    snapshot,
)

FIXTURES = FIXTURES_ROOT / "jira"
SNAPSHOT = FIXTURES / "expected.json"
CASES = fixture_names(FIXTURES)


def load(name: str) -> Any:
    return load_json(FIXTURES / name)


def outcome(name: str) -> dict[str, Any]:
    return outcome_of(lambda: jira.parse(load(name)))


EXPECTED: dict[str, Any] = snapshot(SNAPSHOT, CASES, outcome)


def test_snapshot_covers_every_fixture() -> None:
    assert_covers(EXPECTED, CASES)


@pytest.mark.parametrize("name", CASES)
def test_fixture_matches_snapshot(name: str) -> None:
    assert outcome(name) == EXPECTED[name]


@pytest.mark.parametrize("name", [n for n in CASES if "records" in EXPECTED[n]])
def test_records_validate_as_ndjson_records(name: str) -> None:
    for record in jira.parse(load(name)).records:
        again = parse_object(record.model_dump(mode="json"), name, 1)
        assert again == record


# A trimmed test body (no fields.created): leadline cannot date the issue, so it says so.
TRIMMED = "mattermost/webhook-issue-assigned-empty-changelog.json"


def test_every_real_issue_delivery_becomes_an_issue() -> None:
    real = [n for n in CASES if not n.startswith("edge/")]
    assert EXPECTED[TRIMMED] == {"error": "issue.fields.created: required field is missing"}
    for name in real:
        event = load(name).get("webhookEvent")
        result = EXPECTED[name]
        if name == TRIMMED:
            continue
        if event in jira.ISSUE_EVENTS:
            assert [r["kind"] for r in result["records"]] == ["issue"], name
        elif event == "jira:version_released":
            assert [r["kind"] for r in result["records"]] == ["version"], name
        else:
            assert result["records"] == [] and result["ignored"], name


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        (
            "mattermost/webhook-issue-created.json",
            [("To Do", "2019-02-16T03:01:52.971000Z", "todo")],
        ),
        (
            "mattermost/webhook-issue-updated-started-working.json",
            [("In Progress", "2019-02-16T03:14:22.002000Z", "in_progress")],
        ),
        (
            "mattermost/webhook-issue-updated-resolved.json",
            [("Done", "2019-02-16T03:15:40.477000Z", "done")],
        ),
        # Jira says "Reopened" is a to-do status; the name alone would say in progress.
        (
            "mattermost/webhook-server-issue-updated-reopened.json",
            [("Reopened", "2019-08-14T03:01:43.647000Z", "todo")],
        ),
        ("mattermost/webhook-issue-updated-assigned.json", []),
        ("edge/issue-updated-custom-status-field.json", []),
        # No fields.updated: the event timestamp dates the change.
        (
            "edge/issue-updated-status-without-updated.json",
            [("In Progress", "2019-02-16T03:14:22.039000Z", "in_progress")],
        ),
    ],
)
def test_status_changes(name: str, changes: list[tuple[str, str, str]]) -> None:
    (issue,) = jira.parse(load(name)).records
    assert isinstance(issue, Issue)
    got = [(c.to, c.model_dump(mode="json")["at"], c.category) for c in issue.status_changes]
    assert got == changes


def test_issue_fields() -> None:
    (issue,) = jira.parse(load("edge/issue-updated-fix-version-and-labels.json")).records
    assert isinstance(issue, Issue)
    dumped = issue.model_dump(mode="json")
    assert (
        dumped["key"] == "TES-41" and dumped["project"] == "TES" and dumped["project_id"] == "10000"
    )
    assert dumped["type"] == "Story" and dumped["title"] == "Unit test summary 1"
    assert (
        dumped["created_at"] == "2019-02-16T03:01:52.971000Z"
    )  # from 2019-02-15T19:01:52.971-0800
    assert dumped["fix_versions"] == ["v2"] and dumped["labels"] == ["backend"]
    assert dumped["priority"] == "High" and dumped["resolved_at"] is None
    assert dumped["updated_at"] == "2019-02-16T03:14:22.002000Z"


def test_resolved_issue_has_resolution_date() -> None:
    (issue,) = jira.parse(load("mattermost/webhook-issue-updated-resolved.json")).records
    assert isinstance(issue, Issue)
    assert issue.model_dump(mode="json")["resolved_at"] == "2019-02-16T03:15:40.470000Z"


@pytest.mark.parametrize(
    ("name", "released_at"),
    [
        ("version-released/incoming-webhook-body.json", "2020-09-08T22:32:50.956000Z"),
        ("edge/version-released-no-timestamp.json", "2020-09-09T00:00:00Z"),
        ("edge/version-unreleased.json", None),
    ],
)
def test_versions(name: str, released_at: str | None) -> None:
    (version,) = jira.parse(load(name)).records
    assert isinstance(version, Version)
    assert (version.project, version.name) == ("10002", "1.0")
    assert version.model_dump(mode="json")["released_at"] == released_at


def test_version_project_id_resolves_to_key() -> None:
    payload = load("version-released/incoming-webhook-body.json")
    (version,) = jira.parse(payload, project_keys={"10002": "PUT"}).records
    assert isinstance(version, Version)
    assert (version.project, version.model_extra) == ("PUT", {"project_id": "10002"})


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "mattermost/webhook-issue-deleted.json",
            "jira:issue_deleted: leadline keeps deleted issues",
        ),
        (
            "mattermost/webhook-cloud-comment-created.json",
            "comment_created: not an event leadline uses",
        ),
        ("edge/unknown-event.json", "sprint_started: not an event leadline uses"),
        ("edge/version-created.json", "jira:version_created: not an event leadline uses"),
    ],
)
def test_ignored_events_say_why(name: str, reason: str) -> None:
    assert jira.parse(load(name)) == Parsed(records=[], ignored=reason)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "(body): expected an object, got a list"),
        ({}, "webhookEvent: required field is missing"),
        ({"webhookEvent": "jira:issue_updated"}, "issue: required field is missing"),
        (
            {"webhookEvent": "jira:issue_created", "issue": {"key": "A-1", "fields": 3}},
            "issue.fields: expected an object",
        ),
        (
            {
                "webhookEvent": "jira:issue_created",
                "issue": {"key": "", "fields": {"created": "2024-05-01T10:00:00.000+0000"}},
            },
            "issue.key: must not be empty",
        ),
        (
            {
                "webhookEvent": "jira:issue_created",
                "issue": {"key": "A-1", "fields": {"created": "yesterday"}},
            },
            "issue.fields.created: not an RFC 3339 time",
        ),
        (
            {"webhookEvent": "jira:version_released", "version": {"name": "1.0"}},
            "version.projectId: required",
        ),
    ],
)
def test_malformed_payloads_name_the_path(payload: Any, message: str) -> None:
    with pytest.raises(PayloadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        jira.parse(payload)
    assert issubclass(PayloadError, InputError)


# --- merge -------------------------------------------------------------------------------


def _issue(name: str) -> Issue:
    (issue,) = jira.parse(load(name)).records
    assert isinstance(issue, Issue)
    return issue


def _history(issue: Issue) -> list[str]:
    return [c.to for c in issue.status_changes]


LIFE = [
    "mattermost/webhook-issue-created.json",
    "mattermost/webhook-issue-updated-started-working.json",
    "mattermost/webhook-issue-updated-edited.json",
    "mattermost/webhook-issue-updated-resolved.json",
    "mattermost/webhook-issue-updated-reopened.json",
]


def _replay(names: list[str]) -> Issue:
    stored: Issue | None = None
    for name in names:
        stored = jira.merge(stored, _issue(name))
    assert stored is not None
    return stored


def test_merge_keeps_the_history_a_delivery_does_not_carry() -> None:
    issue = _replay(LIFE)
    assert _history(issue) == ["To Do", "In Progress", "Done", "To Do"]
    assert issue.resolved_at is None  # reopened: the newest delivery's fields


def test_merge_is_idempotent_and_order_free_for_history() -> None:
    once = _replay(LIFE)
    assert _replay(LIFE + LIFE) == once
    shuffled = _replay([LIFE[3], LIFE[1], LIFE[4], LIFE[0], LIFE[2]])
    assert _history(shuffled) == _history(once)
    # The newest delivery (by fields.updated) still decides the other fields.
    assert shuffled.resolved_at is None and shuffled.model_extra == once.model_extra


def test_late_older_delivery_does_not_roll_fields_back() -> None:
    resolved = _issue("mattermost/webhook-issue-updated-resolved.json")
    started = _issue("mattermost/webhook-issue-updated-started-working.json")
    merged = jira.merge(resolved, started)
    assert merged.resolved_at == resolved.resolved_at
    assert _history(merged) == ["In Progress", "Done"]


def test_merge_with_records_from_ndjson() -> None:
    stored = Issue.model_validate(
        {
            "kind": "issue",
            "key": "TES-41",
            "created_at": "2019-02-16T03:01:52.971000Z",
            "status_changes": [{"to": "In Progress", "at": "2019-02-16T03:14:22.002000Z"}],
        }
    )
    merged = jira.merge(stored, _issue("mattermost/webhook-issue-updated-resolved.json"))
    assert _history(merged) == ["In Progress", "Done"]
    assert merged.title == "Unit test summary 1"


# --- signatures ----------------------------------------------------------------------------

BODY = (FIXTURES / "mattermost/webhook-issue-created.json").read_bytes()


def _sign(secret: str, body: bytes = BODY) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("header", "secrets", "valid"),
    [
        (_sign("s3cret"), ["s3cret"], True),
        (_sign("s3cret").upper().replace("SHA256=", "sha256="), ["s3cret"], True),
        (_sign("s3cret"), ["other"], False),
        (_sign("old"), ["new", "old"], True),
        (_sign("s3cret", b"tampered"), ["s3cret"], False),
        (_sign("s3cret"), [], False),
        (_sign(""), [""], False),
        (None, ["s3cret"], False),
        ("", ["s3cret"], False),
        ("sha256", ["s3cret"], False),
        ("sha1=" + _sign("s3cret")[7:], ["s3cret"], False),
        ("sha256=zz€", ["s3cret"], False),
    ],
)
def test_signature_ok(header: str | None, secrets: list[str], valid: bool) -> None:
    assert jira_signature.signature_ok(BODY, header, secrets) is valid


# --- fuzzing: mutate real deliveries -------------------------------------------------------

PAYLOADS = [load(n) for n in CASES if "records" in EXPECTED[n]]
READ_KEYS = {
    "webhookEvent", "timestamp", "issue", "fields", "key", "project", "id", "issuetype", "name",
    "summary", "created", "updated", "status", "statusCategory", "labels", "priority",
    "fixVersions", "resolutiondate", "changelog", "items", "field", "fieldId", "fieldtype",
    "toString", "version", "projectId", "releaseDate",
    "assignee", "accountId", "emailAddress",
}  # fmt: skip
JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.floats(allow_nan=True),
    st.text(max_size=12), st.just(""), st.just("2024-05-01T10:00:00.000+0000"),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.none(), max_size=2),
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    payload = copy.deepcopy(draw(st.sampled_from(PAYLOADS)))
    payload = mutate(draw, payload, JSON_VALUES, READ_KEYS)
    return payload


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_deliveries_parse_or_raise_payload_error(payload: Any) -> None:
    try:
        parsed = jira.parse(payload)
    except PayloadError as exc:
        assert str(exc).split(":", 1)[0]  # names a path
        return
    for record in parsed.records:
        assert parse_object(record.model_dump(mode="json"), "fuzz", 1) == record


@pytest.mark.parametrize(
    ("assignee", "expected"),
    [
        # Jira Cloud: the account id, whatever else the user object carries
        ({"accountId": "5c5f8806", "emailAddress": "a@x.com", "name": "admin"}, "5c5f8806"),
        # Jira Server/Data Center: no account id, the e-mail (hidden by privacy: blank)
        ({"emailAddress": "lev@mattermost.com", "name": "levbrouk"}, "lev@mattermost.com"),
        ({"emailAddress": "", "name": "levbrouk"}, "levbrouk"),
        (None, None),  # unassigned: no ``assignee`` key in the record
    ],
)
def test_assignee_is_the_account_id_else_the_email_else_the_name(
    assignee: dict[str, str] | None, expected: str | None
) -> None:
    payload = load("mattermost/webhook-server-issue-updated-closed.json")
    payload["issue"]["fields"]["assignee"] = assignee
    (issue,) = jira.parse(payload).records
    assert isinstance(issue, Issue) and issue.assignee == expected
    assert ("assignee" in issue.model_dump(mode="json")) is (expected is not None)
