"""Who may read the dashboard.

``LEADLINE_DASHBOARD_AUTH=none`` (the default, for ``serve`` on 127.0.0.1): anyone who
reaches the server. ``key``: a read API key, given by the browser as the password of HTTP
Basic authentication (any user name) or as ``Authorization: Apikey <key>``. A key limited
to a collection sees that collection and those under it: the picker lists only them, and any
other collection or profile is "not found".
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from leadline.services.apikeys import authenticate
from leadline.web.params import Viewer
from leadline.web.render import error_page


class AuthFailed(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _key(header: str | None) -> str | None:
    scheme, _, value = (header or "").strip().partition(" ")
    if scheme.lower() in ("apikey", "bearer"):
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


async def viewer(request: Request) -> Viewer:
    """Who is looking: checks the key when the dashboard needs one (``AuthFailed``
    otherwise). The pages' router depends on it, and every page takes it as ``ViewerDep``
    (FastAPI runs it once per request)."""
    if request.app.state.settings.dashboard_auth != "key":
        return Viewer(None)  # open: everyone sees everything
    key = _key(request.headers.get("authorization"))
    if key is None:
        raise AuthFailed(401, "sign in with a read API key as the password")
    principal = authenticate(request.app.state.engine, key)
    if principal is None:
        raise AuthFailed(401, "unknown or revoked API key")
    if not principal.allows("read"):
        raise AuthFailed(403, "this key lacks the 'read' scope")
    return Viewer(principal.collection)


ViewerDep = Annotated[Viewer, Depends(viewer)]


def refused(exc: AuthFailed) -> Response:
    response = error_page(exc.status, "Sign in" if exc.status == 401 else "Forbidden",
                          exc.message)  # fmt: skip
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="leadline", charset="UTF-8"'
    return response
