"""``/docs``: Swagger UI served from the package, under the dashboard's Content-Security-Policy.

leadline makes no request to another host, and its pages load nothing from one: FastAPI's
default ``/docs`` loads Swagger UI from a CDN, so it is turned off (``docs_url=None``; ReDoc,
which would do the same, too: ``redoc_url=None``) and replaced by this page. Swagger UI
(``swagger-ui-dist`` 5.36.0 from npm, Apache-2.0: ``static/swagger-ui-LICENSE`` and
``static/swagger-ui-NOTICE``) is vendored in ``static/``; it is started by
``static/swagger-init.js`` rather than an inline script (what FastAPI's
``get_swagger_ui_html`` writes), so the page keeps the dashboard's strict policy
(``script-src 'self'``, nothing inline). ``static/swagger-a11y.css``, loaded after Swagger
UI's stylesheet, darkens the few colours of Swagger UI whose text contrast is below WCAG AA.
"""

from __future__ import annotations

import functools
import hashlib
import html
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from leadline.web.render import SECURITY_HEADERS

router = APIRouter(include_in_schema=False)
ASSETS = resources.files("leadline.api") / "static"
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}
SERVED = frozenset(
    {"swagger-ui-bundle.js", "swagger-ui.css", "swagger-a11y.css", "swagger-init.js",
     "favicon-32x32.png", "swagger-ui-LICENSE", "swagger-ui-NOTICE",
     "swagger-ui-bundle.js.LICENSE.txt"}
)  # fmt: skip
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – API</title>
<link rel="stylesheet" href="{css}">
<link rel="stylesheet" href="{a11y}">
<link rel="icon" type="image/png" href="{icon}">
</head>
<body data-openapi="{openapi}">
<div id="swagger-ui"></div>
<script src="{bundle}"></script>
<script src="{init}"></script>
</body>
</html>
"""


@functools.cache
def _asset(name: str) -> tuple[bytes, str]:
    body = (ASSETS / name).read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:12]


def asset_url(root: str, name: str) -> str:
    return f"{root}/docs/assets/{name}?v={_asset(name)[1]}"


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    page = PAGE.format(
        title=html.escape(request.app.title), openapi=html.escape(f"{root}/openapi.json"),
        css=asset_url(root, "swagger-ui.css"), a11y=asset_url(root, "swagger-a11y.css"),
        icon=asset_url(root, "favicon-32x32.png"),
        bundle=asset_url(root, "swagger-ui-bundle.js"), init=asset_url(root, "swagger-init.js"),
    )  # fmt: skip
    return HTMLResponse(page, headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})


@router.get("/docs/assets/{name}")
def swagger_asset(name: str, v: str | None = None) -> Response:
    if name not in SERVED:
        return Response("not found\n", status_code=404, media_type="text/plain")
    body, digest = _asset(name)
    ext = name[name.rfind(".") :] if "." in name else ".txt"
    cache = "public, max-age=31536000, immutable" if v == digest else "public, max-age=3600"
    headers = {**SECURITY_HEADERS, "Cache-Control": cache, "ETag": f'"{digest}"',
               "Cross-Origin-Resource-Policy": "same-origin"}  # fmt: skip
    return Response(body, media_type=TYPES.get(ext, TYPES[".txt"]), headers=headers)
