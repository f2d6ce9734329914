"""The request ``Content-Type`` each body-reading endpoint accepts: 415 for any other.

Bodies are read raw (signatures cover the exact bytes), so FastAPI never looks at the
declared type; a body sent as a form (``application/x-www-form-urlencoded``: GitHub's other
webhook content type, and curl's default for ``-d``) would otherwise fail later as "not valid
JSON", or worse, be read as JSON by accident. The rule, in this one place:

- JSON endpoints accept ``application/json`` and any ``type/subtype+json``
  (``application/vnd.github+json``), with any parameters (``; charset=utf-8``);
- ``POST /v1/records`` also accepts NDJSON: ``application/x-ndjson``, ``application/ndjson``,
  ``application/jsonl``, ``application/x-jsonlines`` and ``text/plain`` (what many tools
  call an ``.ndjson`` file);
- no ``Content-Type`` at all is accepted (the body is judged on its own): clients that omit
  it are common, and the check exists to catch a *wrong* declaration, not a missing one.

Each endpoint adds ``dependencies=[JSON_ONLY]`` (or ``RECORDS``, or ``json_only(hint)``)
and ``errors(415)`` to its responses, so the OpenAPI document says so.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from leadline.api.errors import ApiError

NDJSON_TYPES = frozenset(
    {"application/x-ndjson", "application/ndjson", "application/jsonl",
     "application/x-jsonlines", "text/plain"}
)  # fmt: skip
JSON_HINT = "send the body as JSON with Content-Type: application/json"
RECORDS_HINT = (
    "send NDJSON with Content-Type: application/x-ndjson, or a JSON array with "
    "Content-Type: application/json"
)
GITHUB_HINT = (
    "set the webhook's content type to application/json (GitHub: Settings → Webhooks → "
    "Content type)"
)


def media_type(value: str) -> str:
    """``application/json; charset=utf-8`` → ``application/json``."""
    return value.split(";", 1)[0].strip().lower()


def is_json(media: str) -> bool:
    kind, _, subtype = media.partition("/")
    return media == "application/json" or (bool(kind) and subtype.endswith("+json"))


def _check(request: Request, ndjson: bool, hint: str) -> None:
    declared = request.headers.get("content-type", "").strip()
    if not declared:
        return
    media = media_type(declared)
    if is_json(media) or (ndjson and media in NDJSON_TYPES):
        return
    raise ApiError(415, f"Content-Type {declared[:100]!r} is not accepted here: {hint}")


def json_only(hint: str = JSON_HINT) -> Any:
    """A route dependency: the body must be declared as JSON (or not declared)."""

    async def check(request: Request) -> None:  # async: no worker-thread hop per request
        _check(request, ndjson=False, hint=hint)

    return Depends(check)


async def _records(request: Request) -> None:
    _check(request, ndjson=True, hint=RECORDS_HINT)


JSON_ONLY = json_only()
RECORDS = Depends(_records)
