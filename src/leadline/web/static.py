"""``/static/NAME``: the dashboard's stylesheet and icon (and any script), read out of the installed
package (nothing comes from another host). A URL with the file's digest (``?v=``, as the
templates write it) may be cached for a year; anything else for an hour."""

from __future__ import annotations

import functools

from fastapi import APIRouter
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


@router.get("/static/{name}")
def static_file(name: str, v: str | None = None) -> Response:
    body = _files().get(name)
    if body is None:
        return Response("not found\n", status_code=404, media_type="text/plain")
    ext = name[name.rfind(".") :]
    immutable = v == static_digest(name)
    cache = "public, max-age=31536000, immutable" if immutable else "public, max-age=3600"
    headers = {
        "Cache-Control": cache,
        "ETag": f'"{static_digest(name)}"',
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    return Response(body, media_type=TYPES[ext], headers=headers)
