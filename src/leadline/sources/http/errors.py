"""The error of ``leadline.sources.http``: a request that failed for good (``RestError``).

Its own module so that the client and the pagination both raise it without importing each
other.
"""

from __future__ import annotations

from leadline.errors import LeadlineError


class RestError(LeadlineError):
    """A request that failed for good: ``GET URL → 404 Not Found: excerpt`` in one line.

    ``status`` is the HTTP status (``None`` for a network error). The message never holds a
    token: the URL is cleaned (``safe_url``) and every secret the client knows is scrubbed.
    """

    code = "source_error"

    def __init__(self, message: str, status: int | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.url = url
