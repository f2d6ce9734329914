"""How ``leadline sync azure-devops`` pages through Azure DevOps listings and walks them.

Azure DevOps pages in two ways, both resumable from a stored URL:

- **continuation tokens**: the answer's ``x-ms-continuationtoken`` header (builds, release
  deployments) or the body's ``continuationToken`` (work item revisions, with ``isLastBatch``)
  → the next page is the same request with ``continuationToken=<token>``;
- **``$top``/``$skip``**: the next page is ``$skip + $top`` until a page comes back short
  (pull requests, commits, work item updates).

``filtered_walk`` reads a listing the server filters by a time (``minTime``,
``minModifiedTime``, ``searchCriteria.fromDate``) in whatever order it lists, to the end, and
keeps the cursor ``{"done": W, "run": {"next": URL, "upper": U}}``: a pass asks for
everything at or after ``done`` (less a slack), ``upper`` is the newest time it has seen,
and when the pass ends ``done = upper``. The cursor is committed with each page's records
(``services.sync.engine``), so a killed sync goes on from the page after the last committed one,
and re-reading a page is harmless (records are upserted by natural key).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from leadline.services.sync.walk import key_time, time_key
from leadline.sources.http import Page, RestClient, RestError

TOKEN_HEADER = "x-ms-continuationtoken"


def _with(url: httpx.URL, updates: dict[str, Any]) -> str:
    return str(url.copy_merge_params({k: str(v) for k, v in updates.items()}))


@dataclass
class Pager:
    """Paging over one client; ``next`` URLs are kept relative to the client's base URL, so
    a cursor stays valid when the server moves (another port, another proxy)."""

    client: RestClient

    def relative(self, url: str | None) -> str | None:
        base = self.client.base_url + "/"
        return url[len(base) :] if url and url.startswith(base) else url

    def _body(self, response: httpx.Response, items_key: str) -> tuple[dict[str, Any], list[Any]]:
        try:
            body = response.json()
        except ValueError:
            body = None
        items = body.get(items_key) if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(items, list):
            where = self.relative(str(response.request.url))
            raise RestError(f"GET {where}: expected a JSON object with a list under {items_key!r}")
        return body, items

    def token_pages(
        self, path: str, params: dict[str, Any] | None = None, items_key: str = "value"
    ) -> Iterator[Page]:
        """Continuation-token pages from ``path`` (or a stored next URL, without params)."""
        url: str | None = path
        while url is not None:
            response = self.client.get(url, params)
            body, items = self._body(response, items_key)
            token = response.headers.get(TOKEN_HEADER) or body.get("continuationToken")
            sent = response.request.url.params.get("continuationToken")
            last = body.get("isLastBatch") is True or not token or not items or token == sent
            nxt = None if last else _with(response.request.url, {"continuationToken": token})
            yield Page(items, self.relative(nxt), response)
            url, params = nxt, None

    def skip_pages(
        self, path: str, params: dict[str, Any] | None = None, *, top: int = 100
    ) -> Iterator[Page]:
        """``$top``/``$skip`` pages until a short one; a stored next URL (it carries both)
        given as ``path`` without params resumes there."""
        if params is not None:
            url: str | None = path
            query: dict[str, Any] | None = {**params, "$top": top, "$skip": 0}
        else:
            url, query = path, None
            top = int(dict(parse_qsl(urlsplit(path).query)).get("$top", top))
        while url is not None:
            response = self.client.get(url, query)
            _, items = self._body(response, "value")
            skip = int(response.request.url.params.get("$skip", "0") or 0)
            more = len(items) >= top and len(items) > 0
            nxt = _with(response.request.url, {"$skip": skip + len(items)}) if more else None
            yield Page(items, self.relative(nxt), response)
            url, query = nxt, None


@dataclass
class WalkStep:
    items: list[Any]
    cursor: dict[str, Any]
    page: Page


def filtered_walk(
    cursor: dict[str, Any] | None,
    first: Callable[[str | None], Iterator[Page]],
    resume: Callable[[str], Iterator[Page]],
    key: Callable[[Any], str],
    *,
    since: str | None = None,
    slack: timedelta = timedelta(0),
) -> Iterator[WalkStep]:
    """Walk a listing filtered by time (module doc). ``first(lower)`` gets the pages of a
    pass at or after ``lower`` (a ``time_key`` string, or ``None``: everything);
    ``resume(url)`` the pages from a stored next URL; ``key(item)`` the item's time key
    (``""``: it has none, and does not move the watermark)."""
    state: dict[str, Any] = dict(cursor or {})
    run = state.get("run")
    if isinstance(run, dict) and run.get("next"):
        upper: str | None = run.get("upper")
        pages = resume(str(run["next"]))
    else:
        done = state.get("done", since)
        lower = time_key(key_time(done) - slack) if isinstance(done, str) else None
        upper = done if isinstance(done, str) else None
        pages = first(lower)
    for page in pages:
        for item in page.items:
            k = key(item)
            if k and (upper is None or k > upper):
                upper = k
        if page.next is not None:
            state["run"] = {"next": page.next, "upper": upper}
        else:
            state.pop("run", None)
            if upper is not None:
                state["done"] = upper
        yield WalkStep(list(page.items), dict(state), page)
