"""Every Bitbucket fixture through ``POST /v1/webhooks/bitbucket``, signed as Bitbucket signs
(``X-Hub-Signature: sha256=HMAC``), through the real ASGI app: stored, ignored with its
reason, or refused (422) naming the JSON path — one table. Then field-by-field checks of a
pull request, a commit and a run against values the test reads from the payloads."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.store.tables import raw_events
from tests.conftest import FIXTURES
from tests.services.sync_harness import records

HOOKS = FIXTURES / "bitbucket" / "webhooks"
SECRET = "Gkvl$k$wyNpQAF42"  # the branch-source plugin's test secret
GP, PP, BS = (
    "go-playground",
    "jenkinsci-bitbucket-push-and-pull-request-plugin",
    ("jenkinsci-bitbucket-branch-source-plugin"),
)
PR_EVENTS = f"{BS}/client/events/BitbucketCloudPullRequestEventTest"
PUSH_EVENTS = f"{BS}/client/events/BitbucketCloudPushEventTest"
PLACEHOLDER = "pullrequest.state: expected one of DECLINED, MERGED, OPEN, SUPERSEDED"
REFS = "repo:refs_changed carries no commit times"
NOT_USED = "is not used by leadline"
NO_KEY = "no X-Event-Key (and no eventKey): not a Bitbucket webhook"
DC = None  # Data Center: X-Event-Key is the body's eventKey (as Bitbucket sends it)

# (file, X-Event-Key, outcome, records, reason fragment). Cloud event keys per
# webhooks/PROVENANCE.md; go-playground's Cloud files are placeholders: refused.
TABLE: list[tuple[str, str | None, str, int, str]] = [
    (
        f"{GP}/bitbucket/commit-comment-created.json",
        "repo:commit_comment_created",
        "ignored",
        0,
        NOT_USED,
    ),
    (f"{GP}/bitbucket/issue-comment-created.json", "issue:comment_created", "ignored", 0, NOT_USED),
    (f"{GP}/bitbucket/issue-created.json", "issue:created", "ignored", 0, NOT_USED),
    (f"{GP}/bitbucket/issue-updated.json", "issue:updated", "ignored", 0, NOT_USED),
    (
        f"{GP}/bitbucket/pull-request-approval-removed.json",
        "pullrequest:unapproved",
        "failed",
        0,
        PLACEHOLDER,
    ),
    (
        f"{GP}/bitbucket/pull-request-approved.json",
        "pullrequest:approved",
        "failed",
        0,
        PLACEHOLDER,
    ),
    (
        f"{GP}/bitbucket/pull-request-comment-created.json",
        "pullrequest:comment_created",
        "failed",
        0,
        PLACEHOLDER,
    ),
    (
        f"{GP}/bitbucket/pull-request-comment-deleted.json",
        "pullrequest:comment_deleted",
        "failed",
        0,
        PLACEHOLDER,
    ),
    (
        f"{GP}/bitbucket/pull-request-comment-updated.json",
        "pullrequest:comment_updated",
        "failed",
        0,
        PLACEHOLDER,
    ),
    (f"{GP}/bitbucket/pull-request-created.json", "pullrequest:created", "failed", 0, PLACEHOLDER),
    (
        f"{GP}/bitbucket/pull-request-declined.json",
        "pullrequest:rejected",
        "failed",
        0,
        PLACEHOLDER,
    ),
    (f"{GP}/bitbucket/pull-request-merged.json", "pullrequest:fulfilled", "failed", 0, PLACEHOLDER),
    (f"{GP}/bitbucket/pull-request-updated.json", "pullrequest:updated", "failed", 0, PLACEHOLDER),
    (
        f"{GP}/bitbucket/repo-commit-status-created.json",
        "repo:commit_status_created",
        "ignored",
        0,
        "the build is in progress",
    ),
    (
        f"{GP}/bitbucket/repo-commit-status-updated.json",
        "repo:commit_status_updated",
        "stored",
        1,
        "",
    ),
    (f"{GP}/bitbucket/repo-fork.json", "repo:fork", "ignored", 0, NOT_USED),
    (
        f"{GP}/bitbucket/repo-push.json",
        "repo:push",
        "failed",
        0,
        "push.changes[0].commits[0].date: required field is missing",
    ),
    (f"{GP}/bitbucket/repo-updated.json", "repo:updated", "ignored", 0, NOT_USED),
    (
        f"{GP}/bitbucket-server/pr-comment-added.json",
        DC,
        "stored",
        1,
        "pr:comment:added changes nothing",
    ),
    (
        f"{GP}/bitbucket-server/pr-comment-deleted.json",
        DC,
        "stored",
        1,
        "pr:comment:deleted changes nothing",
    ),
    (
        f"{GP}/bitbucket-server/pr-comment-edited.json",
        DC,
        "stored",
        1,
        "pr:comment:edited changes nothing",
    ),
    (f"{GP}/bitbucket-server/pr-declined.json", DC, "stored", 1, ""),
    (
        f"{GP}/bitbucket-server/pr-deleted.json",
        DC,
        "ignored",
        0,
        "leadline keeps deleted pull requests",
    ),
    (f"{GP}/bitbucket-server/pr-merged.json", DC, "stored", 1, ""),
    (f"{GP}/bitbucket-server/pr-modified.json", DC, "stored", 1, ""),
    (f"{GP}/bitbucket-server/pr-opened.json", DC, "stored", 1, ""),
    (f"{GP}/bitbucket-server/pr-reviewer-approved.json", DC, "stored", 1, ""),
    (f"{GP}/bitbucket-server/pr-reviewer-needs-work.json", DC, "stored", 1, ""),
    (f"{GP}/bitbucket-server/pr-reviewer-unapproved.json", DC, "stored", 1, ""),
    (
        f"{GP}/bitbucket-server/pr-reviewer-updated.json",
        DC,
        "stored",
        1,
        "pr:reviewer:updated changes nothing",
    ),
    (f"{GP}/bitbucket-server/repo-comment-added.json", DC, "ignored", 0, NOT_USED),
    (f"{GP}/bitbucket-server/repo-comment-deleted.json", DC, "ignored", 0, NOT_USED),
    (f"{GP}/bitbucket-server/repo-comment-edited.json", DC, "ignored", 0, NOT_USED),
    (f"{GP}/bitbucket-server/repo-forked.json", DC, "ignored", 0, NOT_USED),
    (f"{GP}/bitbucket-server/repo-modified.json", DC, "ignored", 0, NOT_USED),
    (f"{GP}/bitbucket-server/repo-refs-changed.json", DC, "ignored", 0, REFS),
    (f"{PR_EVENTS}/createPayloadFork.json", "pullrequest:created", "stored", 1, ""),
    (f"{PR_EVENTS}/createPayloadOrigin.json", "pullrequest:created", "stored", 1, ""),
    (f"{PR_EVENTS}/fulfilledPayload.json", "pullrequest:fulfilled", "stored", 1, ""),
    (f"{PR_EVENTS}/rejectedPayload.json", "pullrequest:rejected", "stored", 1, ""),
    (f"{PR_EVENTS}/updatePayload_newCommit.json", "pullrequest:updated", "stored", 1, ""),
    (f"{PR_EVENTS}/updatePayload_newDestination.json", "pullrequest:updated", "stored", 1, ""),
    (
        f"{PR_EVENTS}/updatePayload_newDestinationCommit.json",
        "pullrequest:updated",
        "stored",
        1,
        "",
    ),
    (f"{PUSH_EVENTS}/createPayload.json", "repo:push", "stored", 1, ""),
    (
        f"{PUSH_EVENTS}/emptyPayload.json",
        "repo:push",
        "ignored",
        0,
        "push carries no branch commits (no changes)",
    ),
    (f"{PUSH_EVENTS}/multipleChangesPayload.json", "repo:push", "stored", 6, ""),
    (f"{PUSH_EVENTS}/newTagPayload.json", "repo:push", "ignored", 0, "(tag test)"),
    (f"{PUSH_EVENTS}/updatePayload.json", "repo:push", "stored", 1, ""),
    (
        f"{BS}/impl/webhook/cloud/annotated_tag_created.json",
        "repo:push",
        "ignored",
        0,
        "(tag test-tag)",
    ),
    (f"{BS}/impl/webhook/cloud/branch_created.json", "repo:push", "stored", 4, ""),
    (
        f"{BS}/impl/webhook/cloud/branch_deleted.json",
        "repo:push",
        "ignored",
        0,
        "(feature/test deleted)",
    ),
    (f"{BS}/impl/webhook/cloud/commit_created.json", "repo:push", "stored", 5, ""),
    (f"{BS}/impl/webhook/cloud/pullrequest_created.json", "pullrequest:created", "stored", 1, ""),
    (f"{BS}/impl/webhook/cloud/pullrequest_rejected.json", "pullrequest:rejected", "stored", 1, ""),
    (f"{BS}/impl/webhook/cloud/pullrequest_updated.json", "pullrequest:updated", "stored", 1, ""),
    (f"{BS}/impl/webhook/cloud/signed_payload.json", "repo:push", "stored", 5, ""),
    (f"{BS}/impl/webhook/cloud/tag_created.json", "repo:push", "ignored", 0, "(tag simple-tag)"),
    (f"{BS}/impl/webhook/cloud/tag_deleted.json", "repo:push", "ignored", 0, "(test deleted)"),
    (f"{BS}/impl/webhook/server/annotated_tag_created.json", DC, "ignored", 0, REFS),
    (f"{BS}/impl/webhook/server/branch_deleted.json", DC, "ignored", 0, REFS),
    (f"{BS}/impl/webhook/server/emptyPayload.json", DC, "ignored", 0, REFS),
    (
        f"{BS}/impl/webhook/server/mirrorSynchronized.json",
        DC,
        "ignored",
        0,
        "the primary's events count",
    ),
    (
        f"{BS}/impl/webhook/server/mirrorSynchronized_refLimitExceeded.json",
        DC,
        "ignored",
        0,
        "the primary's events count",
    ),
    (f"{BS}/impl/webhook/server/ping.json", DC, "ignored", 0, "a test delivery carries no records"),
    (f"{BS}/impl/webhook/server/prOpenFromTagPayload.json", DC, "stored", 1, ""),
    (f"{BS}/impl/webhook/server/pushPayload.json", DC, "ignored", 0, REFS),
    (f"{BS}/impl/webhook/server/pushPayload_v10.json", DC, "ignored", 0, REFS),
    (f"{BS}/impl/webhook/server/signed_payload.json", DC, "ignored", 0, REFS),
    (f"{BS}/impl/webhook/server/tag_created.json", DC, "ignored", 0, REFS),
    (f"{BS}/impl/webhook/server/tag_deleted.json", DC, "ignored", 0, REFS),
    # The legacy third-party "Webhook to Jenkins" format and a REST body: not Bitbucket hooks.
    (
        f"{BS}/server/events/BitbucketServerPullRequestEventTest/apiResponse.json",
        DC,
        "ignored",
        0,
        NO_KEY,
    ),
    (
        f"{BS}/server/events/BitbucketServerPullRequestEventTest/deletePRPayload.json",
        DC,
        "ignored",
        0,
        "leadline keeps deleted",
    ),
    (
        f"{BS}/server/events/BitbucketServerPullRequestEventTest/newPRPayload.json",
        DC,
        "failed",
        0,
        "pullRequest.createdDate: expected a number, got the string",
    ),
    (
        f"{BS}/server/events/BitbucketServerPullRequestEventTest/updatePayload.json",
        DC,
        "ignored",
        0,
        NO_KEY,
    ),
    (
        f"{BS}/server/events/BitbucketServerPushEventTest/legacyPayload.json",
        DC,
        "ignored",
        0,
        NO_KEY,
    ),
    (
        f"{BS}/server/events/BitbucketServerPushEventTest/updatePayload.json",
        DC,
        "ignored",
        0,
        NO_KEY,
    ),
    (f"{PP}/cloud/pr_approved.json", "pullrequest:approved", "stored", 1, ""),
    (
        f"{PP}/cloud/pr_comment_created.json",
        "pullrequest:comment_created",
        "stored",
        1,
        "changes nothing",
    ),
    (
        f"{PP}/cloud/pr_comment_deleted.json",
        "pullrequest:comment_deleted",
        "stored",
        1,
        "changes nothing",
    ),
    (
        f"{PP}/cloud/pr_comment_updated.json",
        "pullrequest:comment_updated",
        "stored",
        1,
        "changes nothing",
    ),
    (f"{PP}/cloud/pr_created.json", "pullrequest:created", "stored", 1, ""),
    (f"{PP}/cloud/pr_fulfilled.json", "pullrequest:fulfilled", "stored", 1, ""),
    (f"{PP}/cloud/pr_rejected.json", "pullrequest:rejected", "stored", 1, ""),
    (f"{PP}/cloud/pr_updated.json", "pullrequest:updated", "stored", 1, ""),
    (f"{PP}/cloud/repo_push.json", "repo:push", "stored", 1, ""),
    (f"{PP}/server/pr_comment_created.json", DC, "stored", 1, "changes nothing"),
    (f"{PP}/server/pr_declined.json", DC, "stored", 1, ""),
    (f"{PP}/server/pr_from_ref_updated.json", DC, "stored", 1, ""),
    (f"{PP}/server/pr_merged.json", DC, "stored", 1, ""),
    (f"{PP}/server/pr_modified.json", DC, "stored", 1, ""),
    (f"{PP}/server/pr_opened.json", DC, "stored", 1, ""),
    (f"{PP}/server/pr_opened_no_clone_property.json", DC, "stored", 1, ""),
    (f"{PP}/server/pr_reviewer_approved.json", DC, "stored", 1, ""),
    (f"{PP}/server/repo_refs_changed.json", DC, "ignored", 0, REFS),
]


@pytest.fixture
def hooks(db_url: str, engine: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=db_url, bitbucket_webhook_secret=f"old,{SECRET}"))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client: TestClient, rel: str, event: str | None, delivery: str, **extra: str) -> Any:
    body = (HOOKS / rel).read_bytes()
    payload = json.loads(body)
    if event is None and isinstance(payload, dict) and isinstance(payload.get("eventKey"), str):
        event = payload["eventKey"]
    headers = {"X-Hub-Signature": sign(body), "Content-Type": "application/json", **extra}
    if event is not None:
        headers["X-Event-Key"] = event
    if event is None or (":" in event and not event.startswith(("pr:", "repo:refs", "mirror"))):
        headers["X-Request-UUID"] = delivery  # Cloud
    else:
        headers["X-Request-Id"] = delivery  # Data Center
    return client.post("/v1/webhooks/bitbucket", content=body, headers=headers)


def test_every_fixture_is_stored_ignored_or_refused(hooks: TestClient, engine: Engine) -> None:
    listed = {row[0] for row in TABLE}
    on_disk = {str(p.relative_to(HOOKS)) for p in HOOKS.rglob("*.json")}
    assert listed == on_disk  # every fixture has its row
    for i, (rel, event, outcome, count, reason) in enumerate(TABLE):
        answer = post(hooks, rel, event, f"d{i}")
        body = answer.json()
        if outcome == "failed":
            assert answer.status_code == 422, (rel, body)
            assert body["error"]["code"] == "invalid_payload"
            assert reason in body["error"]["message"], (rel, body)
            continue
        assert answer.status_code == (202 if outcome == "stored" else 200), (rel, body)
        assert (body["status"], body["records"]) == (outcome, count), (rel, body)
        assert reason in body.get("reason", ""), (rel, body)
    with engine.connect() as conn:
        statuses = conn.execute(select(raw_events.c.parse_status)).scalars().all()
    # Every delivery was kept verbatim, the refused ones as failed (replayable).
    assert len(statuses) == len(TABLE)
    assert statuses.count("failed") == sum(1 for row in TABLE if row[2] == "failed")


def test_secret_signature_and_duplicates(db_url: str, engine: Engine, hooks: TestClient) -> None:
    rel = f"{PP}/cloud/pr_fulfilled.json"
    body = (HOOKS / rel).read_bytes()
    headers = {"X-Event-Key": "pullrequest:fulfilled", "Content-Type": "application/json"}
    wrong = hooks.post("/v1/webhooks/bitbucket", content=body,
                       headers={**headers, "X-Hub-Signature": sign(body, "wrong")})  # fmt: skip
    assert wrong.status_code == 401 and "X-Hub-Signature" in wrong.json()["error"]["message"]
    assert hooks.post("/v1/webhooks/bitbucket", content=body, headers=headers).status_code == 401
    assert post(hooks, rel, "pullrequest:fulfilled", "same").status_code == 202
    again = post(hooks, rel, "pullrequest:fulfilled", "same")
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    # X-Hook-UUID names the hook (every delivery of it carries the same): not a delivery id.
    hook = {"X-Hook-UUID": "{6a1b2c3d-0000-4000-8000-000000000001}"}
    for request_id in ("r1", "r2"):
        answer = post(hooks, rel, "pullrequest:fulfilled", request_id, **hook)
        assert (answer.status_code, answer.json()["status"]) == (202, "stored")
    # The plugin's published test vector: this exact body and secret give this signature.
    signed = (HOOKS / f"{BS}/impl/webhook/cloud/signed_payload.json").read_bytes()
    assert sign(signed) == (
        "sha256=f205c729821c6954aff2afe72b965c34015b4baf96ea8ddc2cc44999c014a035"
    )
    app = create_app(Settings(database_url=db_url))
    with TestClient(app, raise_server_exceptions=False) as unset:
        refused = unset.post("/v1/webhooks/bitbucket", content=body, headers=headers)
    assert refused.status_code == 403
    assert "LEADLINE_BITBUCKET_WEBHOOK_SECRET" in refused.json()["error"]["message"]


def _time(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _ms(value: int) -> str:
    return datetime.fromtimestamp(value / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _norm(record: dict[str, Any], key: str) -> str:
    return _time(record[key].replace("Z", "+00:00"))


def test_cloud_pull_request_approval_push_and_status_field_by_field(
    hooks: TestClient, engine: Engine
) -> None:
    for i, (rel, event) in enumerate([(f"{PP}/cloud/pr_fulfilled.json", "pullrequest:fulfilled"),
                                      (f"{PP}/cloud/pr_approved.json", "pullrequest:approved"),
                                      (f"{PP}/cloud/repo_push.json", "repo:push"),
                                      (f"{GP}/bitbucket/repo-commit-status-updated.json",
                                       "repo:commit_status_updated")]):  # fmt: skip
        assert post(hooks, rel, event, f"f{i}").status_code == 202
    stored = records(engine)
    merged = json.loads((HOOKS / PP / "cloud/pr_fulfilled.json").read_text())
    approved = json.loads((HOOKS / PP / "cloud/pr_approved.json").read_text())
    pr, src = stored["pull_request"][0], merged["pullrequest"]
    assert (pr["repo"], pr["number"]) == (merged["repository"]["full_name"], src["id"])
    assert (pr["title"], pr["source_branch"], pr["target_branch"], pr["author"]) == (
        src["title"], src["source"]["branch"]["name"], src["destination"]["branch"]["name"],
        src["author"]["nickname"],
    )  # fmt: skip
    assert _norm(pr, "created_at") == _time(src["created_on"])
    # Cloud has no merge time: a MERGED pull request was merged at updated_on.
    assert _norm(pr, "merged_at") == _norm(pr, "closed_at") == _time(src["updated_on"])
    # The 12-character hash, stored as Bitbucket gives it (correlate.shas resolves it).
    assert (
        pr["merge_commit_sha"] == src["merge_commit"]["hash"] and len(pr["merge_commit_sha"]) == 12
    )
    head = approved["pullrequest"]["source"]["commit"]["hash"]
    assert set(pr["commit_shas"]) == {src["source"]["commit"]["hash"], head}
    approval = approved["approval"]
    assert [(r["author"], r["state"]) for r in pr["reviews"]] == [
        (approval["user"]["nickname"], "approved")
    ]
    assert _norm(pr["reviews"][0], "at") == _time(approval["date"])

    push = json.loads((HOOKS / PP / "cloud/repo_push.json").read_text())
    change = push["push"]["changes"][0]
    (commit,) = stored["commit"]
    src_commit = change["commits"][0]
    assert (commit["repo"], commit["sha"], commit["branch"], commit["message"]) == (
        push["repository"]["full_name"], src_commit["hash"], change["new"]["name"],
        src_commit["message"],
    )  # fmt: skip
    assert len(commit["sha"]) == 40 and _norm(commit, "committed_at") == _time(src_commit["date"])
    assert commit["author"] == src_commit["author"]["raw"].split("<")[0].strip()

    status = json.loads((HOOKS / GP / "bitbucket/repo-commit-status-updated.json").read_text())
    (run,) = stored["pipeline_run"]
    cs = status["commit_status"]
    sha = cs["links"]["commit"]["href"].rsplit("/", 1)[-1]
    assert (run["system"], run["pipeline"], run["run_id"], run["type"], run["status"]) == (
        "bitbucket-status",
        cs["name"],
        f"{cs['key']}@{sha}",
        "ci",
        "success",
    )
    assert (run["commit_sha"], run["repo"]) == (sha, status["repository"]["full_name"])
    assert _norm(run, "finished_at") == _time(cs["updated_on"])


def test_data_center_pull_request_and_reviews_field_by_field(
    hooks: TestClient, engine: Engine
) -> None:
    for i, name in enumerate(("pr-opened", "pr-reviewer-approved", "pr-reviewer-needs-work")):
        assert post(hooks, f"{GP}/bitbucket-server/{name}.json", None, f"s{i}").status_code == 202
    assert post(hooks, f"{PP}/server/pr_merged.json", None, "m").status_code == 202
    stored = {p["number"]: p for p in records(engine)["pull_request"]}
    opened = json.loads((HOOKS / GP / "bitbucket-server/pr-opened.json").read_text())
    src = opened["pullRequest"]
    repo = src["toRef"]["repository"]
    pr = stored[src["id"]]
    assert pr["repo"] == f"{repo['project']['key']}/{repo['slug']}"
    assert (pr["title"], pr["source_branch"], pr["target_branch"], pr["author"]) == (
        src["title"], src["fromRef"]["displayId"], src["toRef"]["displayId"],
        src["author"]["user"]["name"],
    )  # fmt: skip
    assert _norm(pr, "created_at") == _ms(src["createdDate"])  # epoch milliseconds
    assert pr["commit_shas"] == [src["fromRef"]["latestCommit"]]
    expected = []
    for name, state in (("pr-reviewer-approved", "approved"),
                        ("pr-reviewer-needs-work", "changes_requested")):  # fmt: skip
        hook = json.loads((HOOKS / GP / f"bitbucket-server/{name}.json").read_text())
        expected.append((hook["participant"]["user"]["name"], state, _time(hook["date"])))
    assert [(r["author"], r["state"], _norm(r, "at")) for r in pr["reviews"]] == sorted(
        expected, key=lambda e: e[2]
    )
    merged_hook = json.loads((HOOKS / PP / "server/pr_merged.json").read_text())["pullRequest"]
    merged = stored[merged_hook["id"]]
    assert (
        _norm(merged, "merged_at") == _norm(merged, "closed_at") == _ms(merged_hook["closedDate"])
    )
    assert merged["merge_commit_sha"] == merged_hook["properties"]["mergeCommit"]["id"]


def test_a_12_character_merge_hash_links_the_run_of_the_full_sha(
    hooks: TestClient, run_cli: Any, tmp_path: Path
) -> None:
    """Cloud's pull request hooks carry 12-character hashes; a run reported with the full
    SHA (Jenkins, a sync) still lands on that pull request (``correlate.shas``)."""
    assert (
        post(hooks, f"{PP}/cloud/pr_fulfilled.json", "pullrequest:fulfilled", "m").status_code
        == 202
    )
    merged = json.loads((HOOKS / PP / "cloud/pr_fulfilled.json").read_text())["pullrequest"]
    short = merged["merge_commit"]["hash"]
    full = short + "0123456789abcdef0123456789ab"  # 40 characters that start with it
    run = {"kind": "pipeline_run", "system": "jenkins", "pipeline": "deploy-prod", "run_id": "7",
           "type": "ci_cd", "status": "success", "finished_at": "2020-02-10T17:00:00Z",
           "commit_sha": full}  # fmt: skip
    records_file = tmp_path / "run.ndjson"
    records_file.write_text(json.dumps(run) + "\n")
    assert run_cli("import", str(records_file)).code == 0
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: PR\nstart: {event: commit_created}\nstages:\n"
        "  - {name: Merged, event: pr_merged}\n  - {name: Deployed, event: cd_completed}\n"
    )
    repo = json.loads((HOOKS / PP / "cloud/pr_fulfilled.json").read_text())["repository"]
    result = run_cli("lead-time", "--profile", str(profile), "--change",
                     f"{repo['full_name']}#{merged['id']}", "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    stages = {s["name"]: s for s in json.loads(result.out)["stages"]}
    assert stages["Deployed"]["at"] == run["finished_at"], stages
    assert stages["Deployed"]["source"].startswith("pipeline_run ")
