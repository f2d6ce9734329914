"""Webhook receivers of the tools added after the first four: ServiceNow, Opsgenie, Harness,
Argo CD and Jenkins (a shared secret in ``X-Leadline-Secret``), CircleCI and Bitbucket (HMAC
signatures), Azure DevOps (HTTP Basic). Each check and mapping: the tool's docs/sources-*.md
page and docs/api.md; what every route shares: ``webhook_receive``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from leadline.api.errors import ApiError
from leadline.api.media import JSON_ONLY
from leadline.api.schemas import json_body
from leadline.api.webhook_receive import (
    ANSWERS,
    header,
    json_or_400,
    receive,
    require_secret,
    secret_doc,
    secret_webhook,
    settings_of,
)
from leadline.sources import opsgenie
from leadline.sources.argocd import webhook as argocd_hook
from leadline.sources.azure_devops.auth import basic_auth_ok
from leadline.sources.bitbucket import signature as bitbucket_signature
from leadline.sources.circleci import signature as circleci_signature
from leadline.sources.circleci import webhook as circleci_hook
from leadline.sources.harness import webhook as harness_hook
from leadline.sources.jenkins import webhook as jenkins_webhook_source

router = APIRouter(prefix="/v1", tags=["webhooks"])


SERVICENOW_DOC = secret_doc(
    "A ServiceNow record (incident or change_request) from a business rule.",
    "LEADLINE_SERVICENOW_WEBHOOK_SECRET",
    header("X-Leadline-Delivery", "the delivery id, sys_id:sys_mod_count (de-duplicated)"),
)
OPSGENIE_DOC = secret_doc(
    "An Opsgenie alert webhook delivery (Webhook integration).",
    "LEADLINE_OPSGENIE_WEBHOOK_SECRET",
)
HARNESS_DOC = secret_doc(
    'A Harness pipeline or stage notification ({"eventData": …}).',
    "LEADLINE_HARNESS_WEBHOOK_SECRET",
)
ARGOCD_DOC = secret_doc(
    "The body of leadline's argocd-notifications template.", "LEADLINE_ARGOCD_WEBHOOK_SECRET"
)


@router.post(
    "/webhooks/servicenow", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=SERVICENOW_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def servicenow_webhook(request: Request) -> JSONResponse:
    secret = settings_of(request).servicenow_webhook_secret
    return await secret_webhook(
        request, "servicenow", secret, "LEADLINE_SERVICENOW_WEBHOOK_SECRET",
        lambda req, _payload: req.headers.get("x-leadline-delivery"),
    )  # fmt: skip


@router.post(
    "/webhooks/opsgenie", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=OPSGENIE_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def opsgenie_webhook(request: Request) -> JSONResponse:
    secret = settings_of(request).opsgenie_webhook_secret
    return await secret_webhook(
        request, "opsgenie", secret, "LEADLINE_OPSGENIE_WEBHOOK_SECRET",
        lambda _req, payload: opsgenie.delivery_id(payload),
    )  # fmt: skip


@router.post(
    "/webhooks/harness", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=HARNESS_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def harness_webhook(request: Request) -> JSONResponse:
    secret = settings_of(request).harness_webhook_secret
    return await secret_webhook(
        request, "harness", secret, "LEADLINE_HARNESS_WEBHOOK_SECRET",
        lambda _req, payload: harness_hook.delivery_id(payload),
    )  # fmt: skip


@router.post(
    "/webhooks/argocd", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=ARGOCD_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def argocd_webhook(request: Request) -> JSONResponse:
    secret = settings_of(request).argocd_webhook_secret
    return await secret_webhook(
        request, "argocd", secret, "LEADLINE_ARGOCD_WEBHOOK_SECRET",
        lambda _req, payload: argocd_hook.delivery_id(payload),
    )  # fmt: skip


# --- CircleCI: an HMAC signature (docs/sources-circleci.md) -------------------------------

CIRCLECI_DOC = {
    **json_body(None, "A CircleCI outbound webhook delivery (workflow-completed, job-completed)."),
    "parameters": [
        header("circleci-signature", "v1=HMAC-SHA256 of the body (v2=… is ignored)"),
        header("circleci-event-type", "workflow-completed or job-completed"),
    ],
}


@router.post(
    "/webhooks/circleci", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=CIRCLECI_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def circleci_webhook(request: Request) -> JSONResponse:
    body = await request.body()
    secrets = require_secret(settings_of(request).circleci_webhook_secret,
                              "LEADLINE_CIRCLECI_WEBHOOK_SECRET")  # fmt: skip
    if not circleci_signature.signature_ok(body, request.headers.get("circleci-signature"),
                                           secrets):  # fmt: skip
        raise ApiError(401, "bad or missing circleci-signature (v1=…)")
    payload = json_or_400(body)
    event = request.headers.get("circleci-event-type")
    delivery = circleci_hook.delivery_id(payload)
    return await receive(request, "circleci", event, delivery, body, payload)


# --- Azure DevOps: HTTP Basic, the password is the secret (docs/sources-azure-devops.md) ----

AZURE_DEVOPS_DOC = {
    **json_body(None, "An Azure DevOps service-hook delivery (Web Hooks consumer)."),
    "parameters": [
        header("Authorization", "Basic credentials; the password is the shared secret"),
    ],
}


@router.post(
    "/webhooks/azure-devops", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=AZURE_DEVOPS_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def azure_devops_webhook(request: Request) -> JSONResponse:
    """An Azure DevOps service-hook delivery; the envelope's ``id`` is the delivery id."""
    body = await request.body()
    secrets = require_secret(settings_of(request).azure_devops_webhook_secret,
                              "LEADLINE_AZURE_DEVOPS_WEBHOOK_SECRET")  # fmt: skip
    if not basic_auth_ok(request.headers.get("authorization"), secrets):
        raise ApiError(401, "bad or missing Authorization: Basic (the password is the secret)")
    payload = json_or_400(body)
    event = payload.get("eventType") if isinstance(payload, dict) else None
    delivery = _envelope_id(payload)
    return await receive(request, "azure-devops", _text(event), delivery, body, payload)


def _envelope_id(data: Any) -> str | None:
    """Azure DevOps: the notification's ``id`` (a retry of a notification keeps it)."""
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


BITBUCKET_DOC = {
    **json_body(None, "A Bitbucket Cloud or Data Center webhook delivery, as Bitbucket sends it."),
    "parameters": [
        header("X-Event-Key", "the event, e.g. pullrequest:fulfilled or pr:merged"),
        header("X-Hub-Signature", "sha256=HMAC-SHA256 of the body"),
        header("X-Request-UUID", "Cloud's delivery id (de-duplicated; X-Hook-UUID names the hook)"),
        header("X-Request-Id", "Data Center's delivery id (de-duplicated)"),
    ],
}
JENKINS_DOC = secret_doc(
    "A Jenkins Notification plugin delivery (format JSON).", "LEADLINE_JENKINS_WEBHOOK_SECRET",
    {"name": "secret", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "the shared secret in the notification URL (the plugin sends no headers)"},
)  # fmt: skip


@router.post(
    "/webhooks/bitbucket", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=BITBUCKET_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def bitbucket_webhook(request: Request) -> JSONResponse:
    body = await request.body()
    secrets = require_secret(settings_of(request).bitbucket_webhook_secret,
                              "LEADLINE_BITBUCKET_WEBHOOK_SECRET")  # fmt: skip
    if not bitbucket_signature.signature_ok(body, request.headers.get("x-hub-signature"), secrets):
        raise ApiError(401, "bad or missing X-Hub-Signature")
    delivery = request.headers.get("x-request-uuid") or request.headers.get("x-request-id")
    return await receive(request, "bitbucket", request.headers.get("x-event-key"), delivery,
                          body, json_or_400(body))  # fmt: skip


@router.post(
    "/webhooks/jenkins", status_code=202, response_model=None, responses=ANSWERS,
    openapi_extra=JENKINS_DOC, dependencies=[JSON_ONLY],
)  # fmt: skip
async def jenkins_webhook(request: Request) -> JSONResponse:
    secret = settings_of(request).jenkins_webhook_secret
    return await secret_webhook(
        request, "jenkins", secret, "LEADLINE_JENKINS_WEBHOOK_SECRET",
        lambda _req, payload: jenkins_webhook_source.delivery_id(payload), query=True,
    )  # fmt: skip
