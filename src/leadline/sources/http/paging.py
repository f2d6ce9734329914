"""Pagination for ``leadline.sources.http.client.RestClient``: the three styles the tools use.

RFC 5988 ``Link: <…>; rel="next"`` (GitHub, GitLab), ``page``/``per_page`` numbers, and
Jira's ``startAt``/``maxResults``. Each ``Page`` carries ``next``, the absolute URL of the
following page, so a caller can store it in a cursor and resume there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from leadline.sources.http.errors import RestError
from leadline.sources.http.urls import with_params


@dataclass
class Page:
    """One page of a listing: its items, the absolute URL of the next page (``None`` on the
    last) and the raw answer (headers, the request URL)."""

    items: list[Any]
    next: str | None
    response: httpx.Response


def next_link(response: httpx.Response) -> str | None:
    """The ``rel="next"`` target of the answer's RFC 5988 ``Link`` header, or ``None``."""
    return response.links.get("next", {}).get("url")


class PagingMixin:
    """``pages_link``, ``pages_numbered`` and ``pages_offset`` over ``get``."""

    def get(
        self,
        path_or_url: str,
        params: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        raise NotImplementedError

    def _error(self, response: httpx.Response, note: str = "") -> RestError:
        raise NotImplementedError

    # --- pagination ----------------------------------------------------------------------

    def _items(self, response: httpx.Response, items_key: str | None) -> list[Any]:
        if response.status_code == 304:  # conditional GET: nothing changed
            return []
        try:
            body = response.json()
        except ValueError:
            raise self._error(response, "the answer is not JSON") from None
        if items_key is not None:
            body = body.get(items_key) if isinstance(body, dict) else None
        if not isinstance(body, list):
            what = f"a list under {items_key!r}" if items_key else "a list"
            raise self._error(response, f"expected {what}")
        return body

    def pages_link(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        items_key: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> Iterator[Page]:
        """Follow ``Link: rel="next"`` from ``path`` (or an absolute URL from a cursor).
        ``headers`` go with the first request only; a 304 answer is one empty last page."""
        url: str | None = path
        query: Mapping[str, Any] | None = params
        while url is not None:
            response = self.get(url, query, headers=headers)
            headers = None
            nxt = next_link(response)
            nxt = str(response.url.join(nxt)) if nxt and response.status_code != 304 else None
            yield Page(self._items(response, items_key), nxt, response)
            url, query = nxt, None

    def pages_numbered(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        per_page: int = 100,
        page_param: str = "page",
        size_param: str = "per_page",
        items_key: str | None = None,
        start_page: int = 1,
    ) -> Iterator[Page]:
        """``page=1,2,…`` until a short or empty page (GitLab's ``X-Next-Page`` is obeyed
        when present: an empty value ends the listing)."""
        url = path
        query: dict[str, Any] | None = {**(params or {}), page_param: start_page,
                                        size_param: per_page}  # fmt: skip
        page_no = start_page
        while True:
            response = self.get(url, query)
            items = self._items(response, items_key)
            header = response.headers.get("x-next-page")
            if header is not None:
                more = header.strip().isdigit()
                page_no = int(header) if more else page_no + 1
            else:
                more = len(items) >= per_page and len(items) > 0
                page_no += 1
            nxt = with_params(response.request.url, {page_param: page_no}) if more else None
            yield Page(items, nxt, response)
            if nxt is None:
                return
            url, query = nxt, None

    def pages_offset(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        items_key: str,
        start_at: int = 0,
        max_results: int = 100,
        total_key: str = "total",
        start_param: str = "startAt",
        size_param: str = "maxResults",
    ) -> Iterator[Page]:
        """Jira's ``startAt``/``maxResults``: the next offset is ``startAt + len(items)``,
        until an empty page, ``isLast: true`` or the offset reaching ``total``. A stored
        ``Page.next`` (a URL that already carries ``startAt``) given as ``path`` without
        ``params`` resumes exactly there."""
        url = path
        query: dict[str, Any] | None = {**(params or {}), start_param: start_at,
                                        size_param: max_results}  # fmt: skip
        offset = start_at
        resumed = httpx.URL(path).params.get(start_param) if params is None else None
        if resumed is not None and resumed.isdigit():
            query, offset = None, int(resumed)
        while True:
            response = self.get(url, query)
            items = self._items(response, items_key)
            body = response.json()
            start = body.get(start_param, offset) if isinstance(body, dict) else offset
            offset = (start if isinstance(start, int) else offset) + len(items)
            total = body.get(total_key) if isinstance(body, dict) else None
            last = isinstance(body, dict) and body.get("isLast") is True
            more = bool(items) and not last and (not isinstance(total, int) or offset < total)
            nxt = with_params(response.request.url, {start_param: offset}) if more else None
            yield Page(items, nxt, response)
            if nxt is None:
                return
            url, query = nxt, None
