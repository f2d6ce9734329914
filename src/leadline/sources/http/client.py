"""HTTP plumbing shared by every ``leadline sync``: one ``RestClient`` over httpx.

* **Retries** with exponential backoff on 5xx answers and network errors (connect, read,
  timeout, a connection closed midway), ``max_retries`` times; then ``RestError``.
* **Rate limits are waited out**, never failed: 429, a ``Retry-After`` header, a 403 with
  ``X-RateLimit-Remaining: 0`` (GitHub's primary limit, until ``X-RateLimit-Reset``) and
  GitHub's *secondary* limit (a 403 whose body says so; ``Retry-After`` or one minute). An
  answer that reports ``Remaining: 0`` makes the *next* request wait for the reset first.
  Every wait goes through ``sleep`` and is announced with ``on_wait(seconds, reason)``.
* **Pagination** in the three styles the tools use (``leadline.sources.http.paging``): RFC
  5988 ``Link: <…>; rel="next"`` (GitHub, GitLab), ``page``/``per_page`` numbers, and Jira's
  ``startAt``/``maxResults``. Each ``Page`` carries ``next``, the absolute URL of the
  following page, so a caller can store it in a cursor and resume there.
* **Secrets stay secret**: tokens travel in headers (or ``auth``) and are scrubbed from every
  message; URLs in messages and logs lose userinfo and secret-looking query values.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from leadline.sources.http.errors import RestError
from leadline.sources.http.limits import exhausted_until, rate_limit_wait, retry_after
from leadline.sources.http.paging import PagingMixin
from leadline.sources.http.urls import safe_url

log = logging.getLogger(__name__)

MAX_BACKOFF = 60.0
MAX_WAIT = 3900.0  # longer than GitHub's hourly window: never sleep for ever on a bad header
_SECRET_HEADER = re.compile(r"authorization|token|key|secret|cookie|password", re.I)


def secrets_to_scrub(headers: Mapping[str, str], auth: object) -> list[str]:
    """The strings to scrub from messages: secret-looking header values, and their token part,
    and the password of an ``auth`` pair; longest first."""
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


class RestClient(PagingMixin):
    """A GET-only JSON client with retries, rate-limit waits and pagination (module doc)."""

    def __init__(
        self,
        base_url: str,
        *,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_retries: int = 6,
        timeout: float = 30.0,
        on_wait: Callable[[float, str], None] | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        max_rate_waits: int = 20,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._sleep = sleep
        self._clock = clock
        self.max_retries = max_retries
        self.max_rate_waits = max_rate_waits
        self.on_wait = on_wait
        self._blocked_until = 0.0
        self._secrets = secrets_to_scrub(headers or {}, auth)
        self._client = httpx.Client(
            base_url=self.base_url + "/",
            headers=headers,
            auth=auth,
            timeout=timeout,
            transport=transport,
            follow_redirects=True,
        )
        self.requests = 0  # answers received (any status), for summaries and tests

    # --- plumbing ------------------------------------------------------------------------

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RestClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def scrub(self, text: str) -> str:
        """``text`` with every secret the client holds replaced by ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _url(self, path_or_url: str) -> str:
        if "://" in path_or_url:
            target, base = urlsplit(path_or_url), urlsplit(self.base_url)
            if (target.scheme, target.netloc) != (base.scheme, base.netloc):
                raise RestError(
                    f"refusing to send credentials to {safe_url(path_or_url)}: "
                    f"not on {safe_url(self.base_url)}"
                )
            return path_or_url
        return path_or_url.lstrip("/")

    def _wait(self, seconds: float, reason: str) -> None:
        seconds = max(0.0, min(seconds, MAX_WAIT))
        log.info("%s; waiting %.1f s", reason, seconds)
        if self.on_wait is not None:
            self.on_wait(seconds, reason)
        self._sleep(seconds)

    def _backoff(self, attempt: int) -> float:
        return min(MAX_BACKOFF, 0.5 * 2.0**attempt)

    # --- requests ------------------------------------------------------------------------

    def get(
        self,
        path_or_url: str,
        params: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """GET with retries and rate-limit waits; a 2xx/304 answer, else ``RestError``.
        ``headers`` are added to this request (``If-None-Match`` for a conditional GET)."""
        url = self._url(path_or_url)
        retries = rate_waits = 0
        while True:
            if self._blocked_until > self._clock():
                wait = self._blocked_until - self._clock()
                self._blocked_until = 0.0
                self._wait(wait, "rate limit exhausted (X-RateLimit-Remaining: 0)")
            try:
                response = self._client.get(url, params=params, headers=headers)
            except httpx.TransportError as exc:
                where = safe_url(self._client.build_request("GET", url, params=params).url)
                if retries >= self.max_retries:
                    raise RestError(
                        self.scrub(f"GET {where}: network error after {retries + 1} attempts: "
                                   f"{type(exc).__name__}: {exc}"),
                        url=where,
                    ) from None  # fmt: skip
                retries += 1
                self._wait(self._backoff(retries), f"network error ({type(exc).__name__}), "
                           f"retry {retries}/{self.max_retries}")  # fmt: skip
                continue
            self.requests += 1
            log.debug("GET %s → %s", safe_url(response.request.url), response.status_code)
            status = response.status_code
            limited = rate_limit_wait(response, self._clock())
            if limited is not None:
                if rate_waits >= self.max_rate_waits:
                    raise self._error(response, "still rate limited after waiting")
                rate_waits += 1
                self._wait(*limited)
                continue
            if status >= 500:
                if retries >= self.max_retries:
                    raise self._error(response, f"after {retries + 1} attempts")
                retries += 1
                delay = retry_after(response, self._clock()) or self._backoff(retries)
                self._wait(delay, f"server error {status}, retry {retries}/{self.max_retries}")
                continue
            if status >= 400:
                raise self._error(response)
            self._blocked_until = exhausted_until(response, self._clock()) or 0.0
            return response

    def get_json(
        self,
        path_or_url: str,
        params: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        response = self.get(path_or_url, params, headers=headers)
        try:
            return response.json()
        except ValueError:
            raise self._error(response, "the answer is not JSON") from None

    def _error(self, response: httpx.Response, note: str = "") -> RestError:
        where = safe_url(response.request.url)
        excerpt = " ".join(response.text.split())[:200]
        reason = response.reason_phrase or ""
        message = f"GET {where} → {response.status_code} {reason}".rstrip()
        if note:
            message += f" ({note})"
        if excerpt:
            message += f": {excerpt}"
        return RestError(self.scrub(message), status=response.status_code, url=where)
