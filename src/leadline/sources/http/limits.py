"""Rate-limit and retry headers for ``leadline.sources.http.client``: when an answer says
"slow down" and for how long.

``Retry-After`` (delta seconds or an HTTP date), ``X-RateLimit-Remaining`` /
``RateLimit-Remaining`` with ``X-RateLimit-Reset`` / ``RateLimit-Reset`` (epoch seconds,
delta seconds or an ISO time), and GitHub's secondary limit (a 403 whose body says so).
Pure functions of an answer and ``now`` (epoch seconds, passed in: no clock here).
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime

import httpx

SECONDARY_DEFAULT_WAIT = 60.0  # GitHub: "wait at least one minute"
DEFAULT_WAIT = 4.0


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
