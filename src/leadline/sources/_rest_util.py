"""Small helpers of ``leadline.sources.rest``: clean URLs for messages, ``Link`` headers,
rate-limit headers and the secrets to scrub."""

from __future__ import annotations

import email.utils
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

_SECRET_PARAM = re.compile(r"token|key|secret|password|passwd|sig|auth|credential", re.I)
_SECRET_HEADER = re.compile(r"authorization|token|key|secret|cookie|password", re.I)
SECONDARY_DEFAULT_WAIT = 60.0  # GitHub: "wait at least one minute"
DEFAULT_WAIT = 4.0
_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")


def safe_url(url: str | httpx.URL) -> str:
    """``url`` fit for a message or a log: no userinfo, secret-looking query values hidden."""
    parts = urlsplit(str(url))
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode(
        [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, True)],
        safe="*:,/",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def parse_link_next(header: str | None) -> str | None:
    """The ``rel="next"`` target of an RFC 5988 ``Link`` header, or ``None``."""
    for match in _LINK.finditer(header or ""):
        for param in match.group(2).split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "rel" and "next" in value.strip().strip('"').split():
                return match.group(1).strip()
    return None


def with_params(url: str | httpx.URL, updates: Mapping[str, Any]) -> str:
    """``url`` with the query parameters in ``updates`` set (others kept, order kept)."""
    parts = urlsplit(str(url))
    query = [(k, v) for k, v in parse_qsl(parts.query, True) if k not in updates]
    query += [(k, str(v)) for k, v in updates.items()]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def secrets_of(headers: Mapping[str, str], auth: object) -> list[str]:
    """The strings to scrub: secret-looking header values, and their token part."""
    found: list[str] = []
    for name, value in headers.items():
        if _SECRET_HEADER.search(name) and value:
            found.append(value)
            token = value.split(None, 1)[-1]
            if token != value and len(token) >= 4:
                found.append(token)
    if isinstance(auth, tuple) and len(auth) == 2 and auth[1]:
        found.append(str(auth[1]))
    return sorted(set(found), key=len, reverse=True)


def header(response: httpx.Response, *names: str) -> str | None:
    for name in names:
        value = response.headers.get(name)
        if value is not None:
            return str(value)
    return None


def retry_after(response: httpx.Response, now: float) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date), or ``None``."""
    value = response.headers.get("retry-after")
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def reset_at(response: httpx.Response, now: float) -> float | None:
    """When the rate-limit window resets, as epoch seconds: ``X-RateLimit-Reset`` /
    ``RateLimit-Reset`` as epoch seconds (GitHub, GitLab), delta seconds (a small number)
    or an ISO time (Jira)."""
    value = header(response, "x-ratelimit-reset", "ratelimit-reset")
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return number if number > 1e9 else now + number


def rate_limit_wait(response: httpx.Response, now: float) -> tuple[float, str] | None:
    """``(seconds, reason)`` when ``response`` says "slow down", else ``None``."""
    status = response.status_code
    if status not in (403, 429) and not (status == 503 and "retry-after" in response.headers):
        return None
    after = retry_after(response, now)
    body = response.text[:2000].lower() if status == 403 else ""
    if status == 403 and "secondary rate limit" in body:
        return (after if after is not None else SECONDARY_DEFAULT_WAIT,
                "secondary rate limit (HTTP 403)")  # fmt: skip
    if after is not None:
        return after, f"rate limited (HTTP {status}, Retry-After)"
    remaining = header(response, "x-ratelimit-remaining", "ratelimit-remaining")
    if remaining is not None and remaining.strip() == "0":
        reset = reset_at(response, now)
        return (max(0.0, reset - now) + 1.0 if reset is not None else DEFAULT_WAIT,
                f"rate limit exhausted (HTTP {status})")  # fmt: skip
    if status == 429:
        return DEFAULT_WAIT, "rate limited (HTTP 429)"
    return None


def exhausted_until(response: httpx.Response, now: float) -> float | None:
    """When a successful answer reports ``Remaining: 0``: the epoch time (reset + 1 s) before
    which the next request would be refused, else ``None``."""
    remaining = header(response, "x-ratelimit-remaining", "ratelimit-remaining")
    if remaining is None or remaining.strip() != "0":
        return None
    reset = reset_at(response, now)
    return None if reset is None else reset + 1.0
