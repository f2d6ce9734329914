"""Azure DevOps REST answers → records (the recorded documentation examples), and every real
or documented hook delivery mutated at random: ``parse`` returns records that import, or a
``PayloadError`` — never another exception."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.domain.parse import parse_object
from leadline.domain.records import Issue, PipelineRun
from leadline.domain.times import parse_time
from leadline.sources.azure_devops import rest, webhook
from leadline.sources.base import PayloadError
from tests.conftest import FIXTURES
from tests.sources.fuzz import mutate

AZURE = FIXTURES / "azure_devops"
SPECS = AZURE / "rest" / "vsts-rest-api-specs"


def body(path: str) -> Any:
    return json.loads((SPECS / path).read_text(encoding="utf-8"))["responses"]["200"]["body"]


def test_work_item_history_from_its_updates() -> None:
    updates = body("wit-7.1/updates/GET__list_of_workitem_updates.json")["value"]
    (issue,) = rest.work_item(1, updates).records
    assert isinstance(issue, Issue)
    first = updates[0]["fields"]
    moves = [u["fields"] for u in updates if "System.State" in u.get("fields", {})]
    assert issue.key == "AB#1"
    assert issue.title == first["System.Title"]["newValue"]
    assert issue.created_at == parse_time(first["System.CreatedDate"]["newValue"])
    assert [(c.to, c.at) for c in issue.status_changes] == [
        (m["System.State"]["newValue"], parse_time(m["System.ChangedDate"]["newValue"]))
        for m in moves
    ]
    assert len(moves) == 2  # New (created), then Active (rev 3)
    changed = [u["fields"]["System.ChangedDate"]["newValue"] for u in updates if "fields" in u
               and "System.ChangedDate" in u["fields"]]  # fmt: skip
    assert parse_time((issue.model_extra or {})["updated_at"]) == max(map(parse_time, changed))


def test_completed_pull_request_with_its_vote() -> None:
    listing = body(
        "git-7.1/pullRequests/GET__git_repositories__repositoryId__pullRequests_status-completed.json"
    )
    item = listing["value"][0]
    (pr,) = rest.pull_request(item, "value[0]").records
    votes = [r for r in item["reviewers"] if r["vote"] == 10]
    assert pr.merge_commit_sha == item["lastMergeCommit"]["commitId"]
    assert [(r.author, r.state, r.at) for r in pr.reviews] == [
        (v["uniqueName"], "approved", parse_time(item["closedDate"])) for v in votes
    ]


def test_running_builds_and_deployments_are_skipped() -> None:
    build = body("build-5.0/builds/GET__build_builds__knownBuildId_.json")
    (run,) = rest.build(build, "").records
    assert isinstance(run, PipelineRun) and run.commit_sha == build["sourceVersion"]
    running = {**build, "status": "inProgress"}
    assert rest.build(running, "").records == []
    deployment = body("release-7.1/deployments/GET__ListDeploymentsForAGivenDefinitionId.json")
    item = {**deployment["value"][0], "deploymentStatus": "inProgress"}
    assert rest.deployment(item, "value[0]").ignored == "deployment 79: not finished"


# --- fuzzing: mutate the hook deliveries --------------------------------------------------

PAYLOADS = [
    json.loads(p.read_text(encoding="utf-8-sig"))
    for p in sorted((AZURE / "webhooks").rglob("*.json"))
]
JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.text(max_size=12), st.just(""), st.just("0001-01-01T00:00:00"),
    st.just("2024-01-01T00:00:00.1234567Z"), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.none(), max_size=2),
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    payload = copy.deepcopy(draw(st.sampled_from(PAYLOADS)))
    return mutate(draw, payload, JSON_VALUES)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_deliveries_parse_or_raise_payload_error(payload: Any) -> None:
    try:
        parsed = webhook.parse(payload)
    except PayloadError:
        return
    for record in parsed.records:
        assert parse_object(record.model_dump(mode="json"), "fuzz", 1) == record
