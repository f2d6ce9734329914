"""``/static/NAME``: the dashboard's stylesheet and icon (and any script), read out of the installed
package (nothing comes from another host). A URL with the file's digest (``?v=``, as the
templates write it) may be cached for a year; anything else for an hour. Every answer carries
the digest as its ``ETag``, and a request whose ``If-None-Match`` names it gets ``304 Not
Modified`` without the body (a browser revalidating after the hour)."""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import Response

from leadline.web.render import STATIC, static_digest

router = APIRouter(include_in_schema=False)
TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


@functools.cache
def _files() -> dict[str, bytes]:
    return {
        f.name: f.read_bytes()
        for f in STATIC.iterdir()
        if f.is_file() and any(f.name.endswith(ext) for ext in TYPES)
    }


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (or is ``*``): weak comparison, as RFC 9110
    asks for this header (a ``W/`` prefix does not matter)."""
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return any(tag == "*" or tag.removeprefix("W/") == etag for tag in tags)


@router.get("/static/{name}")
def static_file(
    name: str,
    v: str | None = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    body = _files().get(name)
    if body is None:
        return Response("not found\n", status_code=404, media_type="text/plain")
    ext = name[name.rfind(".") :]
    immutable = v == static_digest(name)
    cache = "public, max-age=31536000, immutable" if immutable else "public, max-age=3600"
    etag = f'"{static_digest(name)}"'
    headers = {
        "Cache-Control": cache,
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if not_modified(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=TYPES[ext], headers=headers)
