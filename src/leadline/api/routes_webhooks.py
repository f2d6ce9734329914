"""Webhook receivers of the first tools — GitHub, GitLab, Jira, PagerDuty — and the custom
CI/CD API (the other tools: ``routes_webhooks_tools``; every route and its check: docs/api.md).

Webhooks authenticate by their own signature or token (secrets from the environment), not by
API key; a source whose secret is not set refuses its deliveries with 403 and says why.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from leadline.api.deps import Ingest
from leadline.api.errors import ApiError
from leadline.api.media import GITHUB_HINT, JSON_ONLY, json_only
from leadline.api.schemas import errors, json_body
from leadline.api.webhook_receive import (
    ANSWERS,
    header,
    json_or_400,
    receive,
    require_secret,
    settings_of,
)
from leadline.sources.github import signature as github_signature
from leadline.sources.gitlab import signature as gitlab_signature
from leadline.sources.jira import signature as jira_signature
from leadline.sources.pagerduty import signature as pagerduty_signature

router = APIRouter(prefix="/v1", tags=["webhooks"])


GITHUB_DOC = {
    **json_body(None, "A GitHub webhook delivery, exactly as GitHub sends it."),
    "parameters": [
        header("X-GitHub-Event", "the event type, e.g. pull_request"),
        header("X-GitHub-Delivery", "the delivery id (de-duplicated)"),
        header("X-Hub-Signature-256", "sha256=HMAC-SHA256 of the body"),
    ],
}
GITLAB_DOC = {
    **json_body(None, "A GitLab webhook delivery, exactly as GitLab sends it."),
    "parameters": [
        header("X-Gitlab-Event", "the event, e.g. Merge Request Hook"),
        header("X-Gitlab-Token", "the secret token"),
        header("X-Gitlab-Event-UUID", "the delivery id (de-duplicated)"),
    ],
}
JIRA_DOC = {
    **json_body(None, "A Jira webhook delivery (issue created/updated, version released)."),
    "parameters": [
        header("X-Hub-Signature", "sha256=HMAC of the body (or pass ?secret=)"),
        header("X-Atlassian-Webhook-Identifier", "the delivery id (de-duplicated)"),
        {
            "name": "secret",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": "the shared secret, for Jira Server webhooks that cannot sign",
        },
    ],
}
PAGERDUTY_DOC = {
    **json_body(None, "A PagerDuty v3 webhook delivery."),
    "parameters": [
        header("X-PagerDuty-Signature", "v1=HMAC-SHA256 of the body, several during rotation"),
    ],
}


@router.post(
    "/webhooks/github", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=GITHUB_DOC, dependencies=[json_only(GITHUB_HINT)],
)  # fmt: skip
async def github_webhook(request: Request) -> JSONResponse:
    body = await request.body()
    secrets = require_secret(settings_of(request).github_webhook_secret,
                              "LEADLINE_GITHUB_WEBHOOK_SECRET")  # fmt: skip
    if not github_signature.signature_ok(body, request.headers.get("x-hub-signature-256"), secrets):
        raise ApiError(401, "bad or missing X-Hub-Signature-256")
    payload = json_or_400(body)
    event = request.headers.get("x-github-event")
    delivery = request.headers.get("x-github-delivery")
    return await receive(request, "github", event, delivery, body, payload)


@router.post(
    "/webhooks/gitlab", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=GITLAB_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def gitlab_webhook(request: Request) -> JSONResponse:
    body = await request.body()
    secrets = require_secret(settings_of(request).gitlab_webhook_token,
                              "LEADLINE_GITLAB_WEBHOOK_TOKEN")  # fmt: skip
    if not gitlab_signature.token_ok(request.headers.get("x-gitlab-token"), secrets):
        raise ApiError(401, "bad or missing X-Gitlab-Token")
    payload = json_or_400(body)
    event = request.headers.get("x-gitlab-event")
    delivery = request.headers.get("x-gitlab-event-uuid") or request.headers.get(
        "x-gitlab-webhook-uuid"
    )
    return await receive(request, "gitlab", event, delivery, body, payload)


@router.post(
    "/webhooks/jira", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=JIRA_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def jira_webhook(request: Request) -> JSONResponse:
    body = await request.body()
    secrets = require_secret(settings_of(request).jira_webhook_secret,
                              "LEADLINE_JIRA_WEBHOOK_SECRET")  # fmt: skip
    signed = jira_signature.signature_ok(body, request.headers.get("x-hub-signature"), secrets)
    shared = jira_signature.secret_ok(request.query_params.get("secret"), secrets)
    if not (signed or shared):
        raise ApiError(401, "bad or missing X-Hub-Signature (or ?secret=)")
    payload = json_or_400(body)
    delivery = request.headers.get("x-atlassian-webhook-identifier")
    return await receive(request, "jira", None, delivery, body, payload)


@router.post(
    "/webhooks/pagerduty", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=PAGERDUTY_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def pagerduty_webhook(request: Request) -> JSONResponse:
    body = await request.body()
    secrets = require_secret(settings_of(request).pagerduty_webhook_secret,
                              "LEADLINE_PAGERDUTY_WEBHOOK_SECRET")  # fmt: skip
    signature = request.headers.get("x-pagerduty-signature")
    if not pagerduty_signature.signature_ok(body, signature, secrets):
        raise ApiError(401, "bad or missing X-PagerDuty-Signature")
    payload = json_or_400(body)
    delivery = pagerduty_delivery_id(payload)
    return await receive(request, "pagerduty", None, delivery, body, payload)


@router.post(
    "/custom-cicd", status_code=202, response_model=None,
    responses={**ANSWERS, **errors(401, 403)},
    openapi_extra=json_body("CustomCicdJob", "One finished CI/CD job run."),
    dependencies=[JSON_ONLY],
)  # fmt: skip
async def custom_cicd(request: Request, _: Ingest) -> JSONResponse:
    """The custom CI/CD job payload, mapped to a pipeline run (API key with ingest)."""
    body = await request.body()
    payload = json_or_400(body)
    return await receive(request, "custom-cicd", None, None, body, payload)


def pagerduty_delivery_id(data: Any) -> str | None:
    """A PagerDuty V3 delivery's id (``event.id``), or ``None``."""
    try:
        value = data.get("event", {}).get("id")
    except AttributeError:
        return None
    return str(value) if value else None
