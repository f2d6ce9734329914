"""Templates (Jinja2, autoescaped), the security headers of every page, and error pages."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from importlib import resources
from typing import Any, ParamSpec

from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from leadline import __version__
from leadline.errors import RETRY_AFTER, InputError, LeadlineError, NotFoundError, NotReady
from leadline.web import export, formatting
from leadline.web.params import subject_path
from leadline.words import plural

# default-src 'self' and nothing inline: scripts and styles come from /static only; charts
# are SVG in the page, drawn with attributes, not style.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
STATIC = resources.files("leadline.web") / "static"

P = ParamSpec("P")


@functools.cache
def static_digest(name: str) -> str:
    """A short hash of a static file: its URL changes when it does, so it can be cached."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    return f"/static/{name}?v={static_digest(name)}"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("leadline.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(static=static_url, version=__version__, path=subject_path,
                       export_url=export.export_url)  # fmt: skip
    env.filters.update(
        duration=formatting.duration, percent=formatting.percent, when=formatting.when,
        band_text=formatting.band_text, rating_text=formatting.rating_text,
        frequency=formatting.frequency, member=formatting.member, pretty=_pretty, plural=plural,
    )  # fmt: skip
    return env


def _pretty(data: Any) -> str:
    """A stored record as indented JSON (escaped by the template like any text)."""
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)


ENV = _environment()


def secure(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def page(template: str, status: int = 200, **context: Any) -> Response:
    """The page; or, when the query asks ``format=csv|json&table=ID``, that table of the page
    as a download (``web/export.py``: every page exports with no code of its own)."""
    download = export.asked_format() if status == 200 else None
    html = ENV.get_template(template).render(**context)
    if download is not None:
        fmt, table = download
        name = template.removesuffix(".html")
        response: Response = export.download(html, fmt, table, name, context)
    else:
        response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    secure(response)
    return response


def redirect(url: str) -> Response:
    return secure(RedirectResponse(url, status_code=303))


def error_page(status: int, title: str, message: str, details: list[str] | None = None) -> Response:
    return page("error.html", status, title=title, message=message, details=details or [])


def building_page(exc: NotReady) -> Response:
    """202: the figures' first build runs in the background; the page says how far it is
    and does not reload by itself (the reader reloads when ready)."""
    response = page("building.html", 202, title="Building the figures", exc=exc)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def html_errors(handler: Callable[P, Response]) -> Callable[P, Response]:
    """Turn the errors a user can cause into pages: unknown names 404, bad input 422.
    Anything else is a bug: the app's handler answers 500 (tests check none happen)."""

    @functools.wraps(handler)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            return handler(*args, **kwargs)
        except NotFoundError as exc:
            return error_page(404, "Not found", exc.message, exc.details)
        except NotReady as exc:
            return building_page(exc)
        except InputError as exc:
            return error_page(422, "Cannot show this page", exc.message, exc.details)
        except LeadlineError as exc:
            if exc.code == "store_error":
                raise
            return error_page(400, "Cannot show this page", exc.message, exc.details)

    return wrapped
