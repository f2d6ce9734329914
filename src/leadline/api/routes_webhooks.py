"""Webhook receivers: ``/v1/webhooks/NAME`` for GitHub, GitLab, Jira, PagerDuty, ServiceNow,
Opsgenie, Harness, Argo CD, CircleCI and Azure DevOps, and the custom CI/CD API.

Webhooks authenticate by their own signature or token (secrets from the environment), not by
API key; a source whose secret is not set refuses its deliveries with 403 and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from leadline.api.deps import Ingest, writer
from leadline.api.errors import ApiError, decode_json
from leadline.api.media import GITHUB_HINT, JSON_ONLY, json_only
from leadline.api.schemas import WebhookAnswer, errors, json_body
from leadline.config import Settings
from leadline.services import webhooks as svc
from leadline.sources import jira, opsgenie, pagerduty
from leadline.sources.argocd import webhook as argocd_hook
from leadline.sources.azure_devops.auth import basic_auth_ok
from leadline.sources.circleci import signature as circleci_signature
from leadline.sources.circleci import webhook as circleci_hook
from leadline.sources.harness import webhook as harness_hook

router = APIRouter(prefix="/v1", tags=["webhooks"])
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"model": WebhookAnswer, "description": "A repeated delivery, or an unused event."},
    202: {"model": WebhookAnswer, "description": "Stored (committed) and parsed."},
    **errors(400, 401, 403, 415, 422, 503),
}


def _header(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": False, "description": description,
            "schema": {"type": "string"}}  # fmt: skip


GITHUB_DOC = {
    **json_body(None, "A GitHub webhook delivery, exactly as GitHub sends it."),
    "parameters": [
        _header("X-GitHub-Event", "the event type, e.g. pull_request"),
        _header("X-GitHub-Delivery", "the delivery id (de-duplicated)"),
        _header("X-Hub-Signature-256", "sha256=HMAC-SHA256 of the body"),
    ],
}
GITLAB_DOC = {
    **json_body(None, "A GitLab webhook delivery, exactly as GitLab sends it."),
    "parameters": [
        _header("X-Gitlab-Event", "the event, e.g. Merge Request Hook"),
        _header("X-Gitlab-Token", "the secret token"),
        _header("X-Gitlab-Event-UUID", "the delivery id (de-duplicated)"),
    ],
}
JIRA_DOC = {
    **json_body(None, "A Jira webhook delivery (issue created/updated, version released)."),
    "parameters": [
        _header("X-Hub-Signature", "sha256=HMAC of the body (or pass ?secret=)"),
        _header("X-Atlassian-Webhook-Identifier", "the delivery id (de-duplicated)"),
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
        _header("X-PagerDuty-Signature", "v1=HMAC-SHA256 of the body, several during rotation"),
    ],
}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _require_secret(value: str | None, env: str) -> list[str]:
    secrets = svc.secrets_of(value)
    if not secrets:
        raise ApiError(403, f"webhooks from this source are refused: {env} is not set")
    return secrets


def _json_or_400(body: bytes) -> Any:
    return decode_json(body)


async def _receive(
    request: Request, source: str, event: str | None, delivery: str | None, body: bytes,
    payload: Any,
) -> JSONResponse:  # fmt: skip
    outcome = await writer(request).deliver(svc.Delivery(source, event, delivery, body, payload))
    return _answer(outcome)


def _answer(outcome: svc.Outcome) -> JSONResponse:
    if outcome.status == "failed":
        raise ApiError(422, f"payload not understood: {outcome.reason}", code="invalid_payload")
    return JSONResponse(outcome.as_json(), status_code=200 if outcome.status != "stored" else 202)


@router.post(
    "/webhooks/github", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=GITHUB_DOC, dependencies=[json_only(GITHUB_HINT)],
)  # fmt: skip
async def github_webhook(request: Request) -> JSONResponse:
    body = await request.body()
    secrets = _require_secret(_settings(request).github_webhook_secret,
                              "LEADLINE_GITHUB_WEBHOOK_SECRET")  # fmt: skip
    if not svc.github_signature_ok(body, request.headers.get("x-hub-signature-256"), secrets):
        raise ApiError(401, "bad or missing X-Hub-Signature-256")
    payload = _json_or_400(body)
    event = request.headers.get("x-github-event")
    delivery = request.headers.get("x-github-delivery")
    return await _receive(request, "github", event, delivery, body, payload)


@router.post(
    "/webhooks/gitlab", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=GITLAB_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def gitlab_webhook(request: Request) -> JSONResponse:
    body = await request.body()
    secrets = _require_secret(_settings(request).gitlab_webhook_token,
                              "LEADLINE_GITLAB_WEBHOOK_TOKEN")  # fmt: skip
    if not svc.token_ok(request.headers.get("x-gitlab-token"), secrets):
        raise ApiError(401, "bad or missing X-Gitlab-Token")
    payload = _json_or_400(body)
    event = request.headers.get("x-gitlab-event")
    delivery = request.headers.get("x-gitlab-event-uuid") or request.headers.get(
        "x-gitlab-webhook-uuid"
    )
    return await _receive(request, "gitlab", event, delivery, body, payload)


@router.post(
    "/webhooks/jira", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=JIRA_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def jira_webhook(request: Request) -> JSONResponse:
    body = await request.body()
    secrets = _require_secret(_settings(request).jira_webhook_secret,
                              "LEADLINE_JIRA_WEBHOOK_SECRET")  # fmt: skip
    signed = jira.verify_signature(body, request.headers.get("x-hub-signature"), secrets)
    shared = svc.token_ok(request.query_params.get("secret"), secrets)
    if not (signed or shared):
        raise ApiError(401, "bad or missing X-Hub-Signature (or ?secret=)")
    payload = _json_or_400(body)
    delivery = request.headers.get("x-atlassian-webhook-identifier")
    return await _receive(request, "jira", None, delivery, body, payload)


@router.post(
    "/webhooks/pagerduty", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=PAGERDUTY_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def pagerduty_webhook(request: Request) -> JSONResponse:
    body = await request.body()
    secrets = _require_secret(_settings(request).pagerduty_webhook_secret,
                              "LEADLINE_PAGERDUTY_WEBHOOK_SECRET")  # fmt: skip
    if not pagerduty.verify_signature(body, request.headers.get("x-pagerduty-signature"), secrets):
        raise ApiError(401, "bad or missing X-PagerDuty-Signature")
    payload = _json_or_400(body)
    delivery = _pagerduty_id(payload)
    return await _receive(request, "pagerduty", None, delivery, body, payload)


@router.post(
    "/custom-cicd", status_code=202, response_model=None,
    responses={**ANSWERS, **errors(401, 403)},
    openapi_extra=json_body("CustomCicdJob", "One finished CI/CD job run."),
    dependencies=[JSON_ONLY],
)  # fmt: skip
async def custom_cicd(request: Request, _: Ingest) -> JSONResponse:
    """The custom CI/CD job payload, mapped to a pipeline run (API key with ingest)."""
    body = await request.body()
    payload = _json_or_400(body)
    return await _receive(request, "custom-cicd", None, None, body, payload)


def _pagerduty_id(data: Any) -> str | None:
    try:
        value = data.get("event", {}).get("id")
    except AttributeError:
        return None
    return str(value) if value else None


# --- Tools that cannot sign: a shared secret in a header -----------------------------------
# ServiceNow (a business rule's outbound REST message), Opsgenie (custom headers of its
# Webhook integration), Harness (a header of the notification rule), Argo CD (a header of the
# notifications webhook service): each sends the secret itself as ``X-Leadline-Secret``.

SECRET_HEADER = "X-Leadline-Secret"


def _secret_doc(what: str, env: str, *more: dict[str, Any]) -> dict[str, Any]:
    return {
        **json_body(None, what),
        "parameters": [_header(SECRET_HEADER, f"the shared secret ({env})"), *more],
    }


SERVICENOW_DOC = _secret_doc(
    "A ServiceNow record (incident or change_request) from a business rule.",
    "LEADLINE_SERVICENOW_WEBHOOK_SECRET",
    _header("X-Leadline-Delivery", "the delivery id, sys_id:sys_mod_count (de-duplicated)"),
)
OPSGENIE_DOC = _secret_doc(
    "An Opsgenie alert webhook delivery (Webhook integration).",
    "LEADLINE_OPSGENIE_WEBHOOK_SECRET",
)
HARNESS_DOC = _secret_doc(
    'A Harness pipeline or stage notification ({"eventData": …}).',
    "LEADLINE_HARNESS_WEBHOOK_SECRET",
)
ARGOCD_DOC = _secret_doc(
    "The body of leadline's argocd-notifications template.", "LEADLINE_ARGOCD_WEBHOOK_SECRET"
)


async def _secret_webhook(
    request: Request,
    source: str,
    secret: str | None,
    env: str,
    delivery_id: Callable[[Request, Any], str | None],
) -> JSONResponse:
    """Check ``X-Leadline-Secret`` against ``secret`` (403 naming ``env`` when unset, 401 when
    wrong or missing), then receive the JSON body as ``source``."""
    body = await request.body()
    secrets = _require_secret(secret, env)
    if not svc.token_ok(request.headers.get(SECRET_HEADER), secrets):
        raise ApiError(401, f"bad or missing {SECRET_HEADER}")
    payload = _json_or_400(body)
    return await _receive(request, source, None, delivery_id(request, payload), body, payload)


@router.post(
    "/webhooks/servicenow", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=SERVICENOW_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def servicenow_webhook(request: Request) -> JSONResponse:
    secret = _settings(request).servicenow_webhook_secret
    return await _secret_webhook(
        request, "servicenow", secret, "LEADLINE_SERVICENOW_WEBHOOK_SECRET",
        lambda req, _payload: req.headers.get("x-leadline-delivery"),
    )  # fmt: skip


@router.post(
    "/webhooks/opsgenie", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=OPSGENIE_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def opsgenie_webhook(request: Request) -> JSONResponse:
    secret = _settings(request).opsgenie_webhook_secret
    return await _secret_webhook(
        request, "opsgenie", secret, "LEADLINE_OPSGENIE_WEBHOOK_SECRET",
        lambda _req, payload: opsgenie.delivery_id(payload),
    )  # fmt: skip


@router.post(
    "/webhooks/harness", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=HARNESS_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def harness_webhook(request: Request) -> JSONResponse:
    secret = _settings(request).harness_webhook_secret
    return await _secret_webhook(
        request, "harness", secret, "LEADLINE_HARNESS_WEBHOOK_SECRET",
        lambda _req, payload: harness_hook.delivery_id(payload),
    )  # fmt: skip


@router.post(
    "/webhooks/argocd", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=ARGOCD_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def argocd_webhook(request: Request) -> JSONResponse:
    secret = _settings(request).argocd_webhook_secret
    return await _secret_webhook(
        request, "argocd", secret, "LEADLINE_ARGOCD_WEBHOOK_SECRET",
        lambda _req, payload: argocd_hook.delivery_id(payload),
    )  # fmt: skip


# --- CircleCI: an HMAC signature (docs/sources-circleci.md) -------------------------------

CIRCLECI_DOC = {
    **json_body(None, "A CircleCI outbound webhook delivery (workflow-completed, job-completed)."),
    "parameters": [
        _header("circleci-signature", "v1=HMAC-SHA256 of the body (v2=… is ignored)"),
        _header("circleci-event-type", "workflow-completed or job-completed"),
    ],
}


@router.post(
    "/webhooks/circleci", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=CIRCLECI_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def circleci_webhook(request: Request) -> JSONResponse:
    body = await request.body()
    secrets = _require_secret(_settings(request).circleci_webhook_secret,
                              "LEADLINE_CIRCLECI_WEBHOOK_SECRET")  # fmt: skip
    if not circleci_signature.signature_ok(body, request.headers.get("circleci-signature"),
                                           secrets):  # fmt: skip
        raise ApiError(401, "bad or missing circleci-signature (v1=…)")
    payload = _json_or_400(body)
    event = request.headers.get("circleci-event-type")
    delivery = circleci_hook.delivery_id(payload)
    return await _receive(request, "circleci", event, delivery, body, payload)


# --- Azure DevOps: HTTP Basic, the password is the secret (docs/sources-azure-devops.md) ----

AZURE_DEVOPS_DOC = {
    **json_body(None, "An Azure DevOps service-hook delivery (Web Hooks consumer)."),
    "parameters": [
        _header("Authorization", "Basic credentials; the password is the shared secret"),
    ],
}


@router.post(
    "/webhooks/azure-devops", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=AZURE_DEVOPS_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def azure_devops_webhook(request: Request) -> JSONResponse:
    """An Azure DevOps service-hook delivery; the envelope's ``id`` is the delivery id."""
    body = await request.body()
    secrets = _require_secret(_settings(request).azure_devops_webhook_secret,
                              "LEADLINE_AZURE_DEVOPS_WEBHOOK_SECRET")  # fmt: skip
    if not basic_auth_ok(request.headers.get("authorization"), secrets):
        raise ApiError(401, "bad or missing Authorization: Basic (the password is the secret)")
    payload = _json_or_400(body)
    event = payload.get("eventType") if isinstance(payload, dict) else None
    delivery = _envelope_id(payload)
    return await _receive(request, "azure-devops", _text(event), delivery, body, payload)


def _envelope_id(data: Any) -> str | None:
    """Azure DevOps: the notification's ``id`` (a retry of a notification keeps it)."""
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
