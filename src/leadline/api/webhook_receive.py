"""What every webhook route shares: the answers it documents, reading its secret from the
settings (403 naming the variable when unset), decoding the body (400), handing the delivery
to the server's writer, and the answer (202 stored, 200 repeated or unused, 422 not understood).

Tools that cannot sign send the shared secret itself in one header, ``X-Leadline-Secret``
(``secret_webhook``); the routes live in ``routes_webhooks`` (the first tools) and
``routes_webhooks_tools`` (the rest), one function per tool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from leadline.api.deps import writer
from leadline.api.errors import ApiError, decode_json
from leadline.api.schemas import WebhookAnswer, errors, json_body
from leadline.config import Settings
from leadline.services import webhooks as svc
from leadline.sources.signatures import secrets_of, token_ok

ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"model": WebhookAnswer, "description": "A repeated delivery, or an unused event."},
    202: {"model": WebhookAnswer, "description": "Stored (committed) and parsed."},
    **errors(400, 401, 403, 415, 422, 503),
}


def header(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": False, "description": description,
            "schema": {"type": "string"}}  # fmt: skip


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def require_secret(value: str | None, env: str) -> list[str]:
    secrets = secrets_of(value)
    if not secrets:
        raise ApiError(403, f"webhooks from this source are refused: {env} is not set")
    return secrets


def json_or_400(body: bytes) -> Any:
    return decode_json(body)


async def receive(
    request: Request, source: str, event: str | None, delivery: str | None, body: bytes,
    payload: Any,
) -> JSONResponse:  # fmt: skip
    outcome = await writer(request).deliver(svc.Delivery(source, event, delivery, body, payload))
    return answer(outcome)


def answer(outcome: svc.Outcome) -> JSONResponse:
    if outcome.status == "failed":
        raise ApiError(422, f"payload not understood: {outcome.reason}", code="invalid_payload")
    return JSONResponse(outcome.as_json(), status_code=200 if outcome.status != "stored" else 202)


# --- Tools that cannot sign: a shared secret in a header -----------------------------------
# ServiceNow (a business rule's outbound REST message), Opsgenie (custom headers of its
# Webhook integration), Harness (a header of the notification rule), Argo CD (a header of the
# notifications webhook service): each sends the secret itself as ``X-Leadline-Secret``.

SECRET_HEADER = "X-Leadline-Secret"


def secret_doc(what: str, env: str, *more: dict[str, Any]) -> dict[str, Any]:
    return {
        **json_body(None, what),
        "parameters": [header(SECRET_HEADER, f"the shared secret ({env})"), *more],
    }


async def secret_webhook(
    request: Request,
    source: str,
    secret: str | None,
    env: str,
    delivery_id: Callable[[Request, Any], str | None],
    query: bool = False,
) -> JSONResponse:
    """Check ``X-Leadline-Secret`` (``query``: or ``?secret=``) against ``secret`` (403 naming
    ``env`` when unset, 401 when wrong or missing), then receive the JSON body as ``source``."""
    body = await request.body()
    secrets = require_secret(secret, env)
    given = request.headers.get(SECRET_HEADER)
    if query and not given:
        given = request.query_params.get("secret")
    if not token_ok(given, secrets):
        raise ApiError(401, f"bad or missing {SECRET_HEADER}" + (" (or ?secret=)" if query else ""))
    payload = json_or_400(body)
    return await receive(request, source, None, delivery_id(request, payload), body, payload)
