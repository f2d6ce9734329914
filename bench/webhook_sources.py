"""The webhook sources `bench/webhooks.py` can load, one entry each: what it sends and where
its records land.

Each `Source` names a real fixture from ``tests/fixtures/<tool>/`` (the record the tool sends
most: a pull request for SCM tools, a run for CI/CD tools, an incident for incident tools,
an issue for Jira), how delivery ``i`` is made a new record with a new delivery id
(``mutate``), the headers the tool authenticates with (its HMAC signature, its token, the
shared ``X-Leadline-Secret`` or HTTP Basic, as ``api/routes_webhooks.py`` checks them), the
environment variable that gives the server the secret, and the table its record is stored
in (what "nothing lost" counts, besides ``raw_events``).

Adding a tool is one entry in ``SOURCES``; ``tests/bench/test_webhook_sources.py`` sends N=3
deliveries of every entry through the ASGI app, so a broken entry fails the tests, and checks
that every ``/v1/webhooks/…`` route has an entry.

Nothing here is timed: requests are built up front (`deliveries`) and rendered to the bytes
the load generator writes (`wire`).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table

from leadline.store.tables import incidents, issues, pipeline_runs, pull_requests

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures"
SECRET = "bench-secret"
SECRET_HEADER = "X-Leadline-Secret"  # the header of the tools that cannot sign
_IDS = uuid.UUID("5d1e7c2a-0b3f-4f43-9a57-6c1b1f0e2d11")

Payload = dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    """One request as the tool sends it: ``POST path`` with these headers and body."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Source:
    """A webhook source: ``POST /v1/webhooks/{name}`` with ``fixture`` made distinct by
    ``mutate(payload, i)``, authenticated by ``auth(body, payload, i)`` with ``SECRET`` (the
    server reads it from ``env``), stored in ``record``."""

    name: str
    env: str
    fixture: Path
    record: Table
    mutate: Callable[[Payload, int], None]
    auth: Callable[[bytes, Payload, int], dict[str, str]]

    @property
    def path(self) -> str:
        return f"/v1/webhooks/{self.name}"


def uid(source: str, i: int) -> str:
    """A deterministic UUID for delivery ``i`` of ``source`` (ids and delivery ids)."""
    return str(uuid.uuid5(_IDS, f"{source}-{i}"))


def _hmac(body: bytes) -> str:
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def _shared_secret(_body: bytes, _payload: Payload, _i: int) -> dict[str, str]:
    return {SECRET_HEADER: SECRET}


# --- mutations: delivery i is a new record with a new delivery id --------------------------


def _github(p: Payload, i: int) -> None:
    p["number"] = p["pull_request"]["number"] = 1000 + i


def _gitlab(p: Payload, i: int) -> None:
    p["object_attributes"]["iid"] = 1000 + i
    p["object_attributes"]["id"] = 100_000 + i


def _jira(p: Payload, i: int) -> None:
    p["issue"]["key"] = f"{p['issue']['fields']['project']['key']}-{1000 + i}"
    p["issue"]["id"] = str(100_000 + i)


def _pagerduty(p: Payload, i: int) -> None:
    p["event"]["id"] = uid("pagerduty-event", i)  # the delivery id
    p["event"]["data"]["id"] = f"PBENCH{i}"
    p["event"]["data"]["number"] = 1000 + i


def _azure_devops(p: Payload, i: int) -> None:
    p["id"] = uid("azure-devops", i)  # the notification id: the delivery id
    p["resource"]["pullRequestId"] = 1000 + i


def _servicenow(p: Payload, i: int) -> None:
    for field, value in (("number", f"INC{2_000_000 + i}"), ("sys_id", uid("servicenow", i))):
        p[field]["value"] = p[field]["display_value"] = value


def _opsgenie(p: Payload, i: int) -> None:
    p["alert"]["alertId"] = uid("opsgenie", i)


def _circleci(p: Payload, i: int) -> None:
    p["id"] = uid("circleci-event", i)  # the delivery id
    p["workflow"]["id"] = uid("circleci-workflow", i)  # the run id
    p["pipeline"]["number"] = 1000 + i


def _harness(p: Payload, i: int) -> None:
    p["eventData"]["planExecutionId"] = f"bench-execution-{i}"


def _bitbucket(p: Payload, i: int) -> None:
    p["pullrequest"]["id"] = 1000 + i


def _jenkins(p: Payload, i: int) -> None:
    """Build 1000+i of the job, its URLs too (the delivery id is ``JOB#NUMBER:PHASE``)."""
    build, old, new = p["build"], f"/{p['build']['number']}/", 1000 + i
    build["number"] = build["queue_id"] = new
    build["url"] = build["url"].replace(old, f"/{new}/")
    build["full_url"] = build["full_url"].replace(old, f"/{new}/")


def _argocd(p: Payload, i: int) -> None:
    """A sync operation is keyed by its start: operation i started i seconds earlier."""
    started = datetime.fromisoformat(p["started_at"]) - timedelta(seconds=i)
    p["started_at"] = started.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- authentication, as each tool sends it --------------------------------------------------


def _github_auth(body: bytes, _p: Payload, i: int) -> dict[str, str]:
    return {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": uid("github", i),
            "X-Hub-Signature-256": f"sha256={_hmac(body)}"}  # fmt: skip


def _gitlab_auth(_body: bytes, _p: Payload, i: int) -> dict[str, str]:
    return {"X-Gitlab-Event": "Merge Request Hook", "X-Gitlab-Token": SECRET,
            "X-Gitlab-Event-UUID": uid("gitlab", i)}  # fmt: skip


def _jira_auth(body: bytes, _p: Payload, i: int) -> dict[str, str]:
    return {"X-Hub-Signature": f"sha256={_hmac(body)}",
            "X-Atlassian-Webhook-Identifier": uid("jira", i)}  # fmt: skip


def _pagerduty_auth(body: bytes, _p: Payload, _i: int) -> dict[str, str]:
    return {"X-PagerDuty-Signature": f"v1={_hmac(body)}"}


def _azure_devops_auth(_body: bytes, _p: Payload, _i: int) -> dict[str, str]:
    token = base64.b64encode(f"azure-devops:{SECRET}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def _servicenow_auth(_body: bytes, p: Payload, _i: int) -> dict[str, str]:
    delivery = f"{p['sys_id']['value']}:{p['sys_mod_count']['value']}"
    return {SECRET_HEADER: SECRET, "X-Leadline-Delivery": delivery}


def _bitbucket_auth(body: bytes, _p: Payload, i: int) -> dict[str, str]:
    return {"X-Hub-Signature": f"sha256={_hmac(body)}", "X-Event-Key": "pullrequest:fulfilled",
            "X-Request-UUID": uid("bitbucket", i)}  # fmt: skip


def _circleci_auth(body: bytes, p: Payload, _i: int) -> dict[str, str]:
    return {"circleci-signature": f"v1={_hmac(body)}", "circleci-event-type": p["type"]}


SOURCES: tuple[Source, ...] = (
    Source("github", "LEADLINE_GITHUB_WEBHOOK_SECRET",
           FIXTURES / "github/derived/pull_request.closed.merged.json", pull_requests,
           _github, _github_auth),
    Source("gitlab", "LEADLINE_GITLAB_WEBHOOK_TOKEN",
           FIXTURES / "gitlab/derived/merge_request.merge.json", pull_requests,
           _gitlab, _gitlab_auth),
    Source("jira", "LEADLINE_JIRA_WEBHOOK_SECRET",
           FIXTURES / "jira/mattermost/webhook-cloud-issue-created-many-fields.json", issues,
           _jira, _jira_auth),
    Source("pagerduty", "LEADLINE_PAGERDUTY_WEBHOOK_SECRET",
           FIXTURES / "pagerduty/resolved_v3.json", incidents, _pagerduty, _pagerduty_auth),
    Source("azure-devops", "LEADLINE_AZURE_DEVOPS_WEBHOOK_SECRET",
           FIXTURES / "azure_devops/webhooks/aspnet-AspNetWebHooks/git.pullrequest.merged.json",
           pull_requests, _azure_devops, _azure_devops_auth),
    Source("bitbucket", "LEADLINE_BITBUCKET_WEBHOOK_SECRET",
           FIXTURES / "bitbucket/webhooks/jenkinsci-bitbucket-branch-source-plugin/client/events"
           "/BitbucketCloudPullRequestEventTest/fulfilledPayload.json", pull_requests,
           _bitbucket, _bitbucket_auth),
    Source("servicenow", "LEADLINE_SERVICENOW_WEBHOOK_SECRET",
           FIXTURES / "servicenow/webhook/incident-closed.json", incidents,
           _servicenow, _servicenow_auth),
    Source("opsgenie", "LEADLINE_OPSGENIE_WEBHOOK_SECRET", FIXTURES / "opsgenie/close.json",
           incidents, _opsgenie, _shared_secret),
    Source("circleci", "LEADLINE_CIRCLECI_WEBHOOK_SECRET",
           FIXTURES / "circleci/webhooks/workflow-completed.github-oauth-bitbucket-cloud.json",
           pipeline_runs, _circleci, _circleci_auth),
    Source("jenkins", "LEADLINE_JENKINS_WEBHOOK_SECRET",
           FIXTURES / "jenkins/notification/completed.json", pipeline_runs, _jenkins,
           _shared_secret),
    Source("harness", "LEADLINE_HARNESS_WEBHOOK_SECRET", FIXTURES / "harness/PipelineSuccess.json",
           pipeline_runs, _harness, _shared_secret),
    Source("argocd", "LEADLINE_ARGOCD_WEBHOOK_SECRET", FIXTURES / "argocd/app-deployed.json",
           pipeline_runs, _argocd, _shared_secret),
)  # fmt: skip
BY_NAME = {source.name: source for source in SOURCES}


def parse_names(text: str) -> list[Source]:
    """``github,argocd`` or ``all`` → the sources, in the order given; an unknown name is a
    ``ValueError`` that lists the known ones."""
    if text.strip() == "all":
        return list(SOURCES)
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in BY_NAME]
    if unknown or not names:
        raise ValueError(f"unknown source {', '.join(unknown) or '(none)'}; "
                         f"known: {', '.join(BY_NAME)} or all")  # fmt: skip
    return [BY_NAME[name] for name in dict.fromkeys(names)]


def deliveries(source: Source, n: int) -> list[Delivery]:
    """N deliveries of ``source``, each a new record with a new delivery id, authenticated."""
    base = json.loads(source.fixture.read_text())
    out = []
    for i in range(n):
        payload = copy.deepcopy(base)
        source.mutate(payload, i)
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", **source.auth(body, payload, i)}
        out.append(Delivery(source.path, headers, body))
    return out


def environment() -> dict[str, str]:
    """The server's environment: every source's secret set to ``SECRET``."""
    return {source.env: SECRET for source in SOURCES}


def wire(delivery: Delivery, port: int) -> bytes:
    """The complete HTTP/1.1 request (keep-alive) the load generator writes."""
    lines = [f"POST {delivery.path} HTTP/1.1", f"Host: 127.0.0.1:{port}",
             *(f"{name}: {value}" for name, value in delivery.headers.items()),
             f"Content-Length: {len(delivery.body)}"]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + delivery.body
