"""``leadline sync jira``: issues (with their status history) and versions of a JQL query.

Resources, in order, each with its own cursor (``services.sync.engine``; scope: the site and the
JQL):

``issues``    the JQL's issues, newest update first: ``(JQL) AND updated >= "…" ORDER BY
              updated DESC, key DESC`` with ``expand=changelog`` — ``/rest/api/2/search``
              (``startAt`` pages; Server/Data Center and older Cloud) or Cloud's
              ``/rest/api/3/search/jql`` (``nextPageToken`` pages). An issue whose inline
              changelog is cut (Cloud inlines 100 histories) gets the rest from
              ``/issue/{key}/changelog`` (or, where that is missing, ``/issue/{key}
              ?expand=changelog``). Status categories come from ``/status`` once per run.
``versions``  ``/project/{key}/version`` of every project the issues belong to (all pages,
              every run: Jira cannot list versions changed since a time, and they are few).

**Resume after a kill, without duplicates or gaps.** The issues are walked newest first by
``services.sync.walk.desc_walk`` (its docstring has the argument), keyed by the exact
``updated`` time: a pass reads down to the watermark of the last complete pass, inclusive.
JQL compares times to the minute, in the *user's* time zone, which leadline does not know;
so the query asks for ``updated >=`` the watermark minus ``JQL_SLACK`` (one day covers every
zone), a superset, and the walk itself stops at the first issue older than the watermark —
the extra issues cost at most one page. ``startAt`` offsets are safe in a newest-first
order: an issue updated while the pass runs jumps to the top, pushing the others *down*, so
the pass may read one twice but never skips one, and the next pass (down to this pass's top)
reads the jumper. The cursor — watermark, and the next page's URL while a pass is under way —
is committed with each page's records, so a killed sync goes on at the page after the last
committed one. A page fetched but not committed is fetched again; records are upserted by
natural key (an issue's status changes merge, one per status and time), so nothing doubles.
Re-running a finished sync reads one page and writes nothing new.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from sqlalchemy import Engine

from leadline.domain.records import Issue, RecordModel, Version
from leadline.services.sync.engine import Batch, ProgressCallback, SyncContext, SyncReport, run_sync
from leadline.services.sync.walk import WalkKey, desc_walk, key_time, time_key
from leadline.sources.base import PayloadError, merge
from leadline.sources.http import Page, RestClient, RestError, with_params
from leadline.sources.jira import rest as jira_rest

SOURCE = "jira"
JQL_SLACK = timedelta(days=1)
RELEASE_SLACK = timedelta(days=2)
FIELDS = ",".join([
    "summary", "status", "issuetype", "project", "created", "updated", "fixVersions", "labels",
    "priority", "resolutiondate", "assignee",
])  # fmt: skip
SEARCH_PATHS = {"search": "rest/api/2/search", "search-jql": "rest/api/3/search/jql"}
_ORDER_BY = re.compile(r"\s+order\s+by\s+[^\"']*$", re.IGNORECASE)


@dataclass
class Jira:
    """What both resources need: the client, the query, the options, and what the issues
    resource learns for the versions resource (the projects)."""

    client: RestClient
    jql: str
    search: str = "search"  # a key of SEARCH_PATHS
    since: datetime | None = None
    per_page: int = 100
    categories: dict[str, str] = field(default_factory=dict)
    projects: set[str] = field(default_factory=set)

    def relative(self, url: str | None) -> str | None:
        base = self.client.base_url + "/"
        return url[len(base) :] if url and url.startswith(base) else url

    def query(self, lower: WalkKey | None) -> str:
        """The JQL of a pass reading down to ``lower`` (module doc)."""
        clauses = [f"({self.jql})"] if self.jql else []
        if isinstance(lower, str):
            bound = (key_time(lower) - JQL_SLACK).strftime("%Y/%m/%d %H:%M")
            clauses.append(f'updated >= "{bound}"')
        return " AND ".join(clauses) + " ORDER BY updated DESC, key DESC"

    def pages(self, jql: str) -> Iterator[Page]:
        params = {"jql": jql, "fields": FIELDS, "expand": "changelog"}
        path = SEARCH_PATHS[self.search]
        if self.search == "search":
            found = self.client.pages_offset(path, params, items_key="issues",
                                             max_results=self.per_page)  # fmt: skip
        else:
            found = self._token_pages(path, {**params, "maxResults": self.per_page})
        for page in found:
            yield Page(page.items, self.relative(page.next), page.response)

    def resume(self, url: str) -> Iterator[Page]:
        """The pages from a stored next-page URL (its query holds the JQL and the offset)."""
        if self.search == "search":
            parts = urlsplit(url)
            params: dict[str, Any] = dict(parse_qsl(parts.query, keep_blank_values=True))
            start = int(params.pop("startAt", "0") or 0)
            size = int(params.pop("maxResults", "0") or self.per_page)
            pages = self.client.pages_offset(parts.path, params, items_key="issues",
                                             start_at=start, max_results=size)  # fmt: skip
        else:
            pages = self._token_pages(url, None)
        for page in pages:
            yield Page(page.items, self.relative(page.next), page.response)

    def _token_pages(self, url: str, params: dict[str, Any] | None) -> Iterator[Page]:
        """``/search/jql``: ``nextPageToken`` until ``isLast`` or no token."""
        while True:
            response = self.client.get(url, params)
            try:
                body = response.json()
            except ValueError:
                body = None
            items = body.get("issues") if isinstance(body, dict) else None
            if not isinstance(items, list) or not isinstance(body, dict):
                raise RestError(f"GET {url}: expected a JSON object with a list under 'issues'")
            token = body.get("nextPageToken")
            more = isinstance(token, str) and token and body.get("isLast") is not True
            nxt = with_params(response.request.url, {"nextPageToken": token}) if more else None
            yield Page(items, nxt, response)
            if nxt is None:
                return
            url, params = nxt, None

    def histories(self, key: str) -> list[Any]:
        """Every history of an issue whose inline changelog is cut."""
        try:
            pages = self.client.pages_offset(f"rest/api/2/issue/{quote(key)}/changelog",
                                             items_key="values", max_results=100)  # fmt: skip
            return [h for page in pages for h in page.items]
        except RestError as exc:
            if exc.status != 404:
                raise
        body = self.client.get_json(f"rest/api/2/issue/{quote(key)}",
                                    {"expand": "changelog", "fields": "created"})  # fmt: skip
        return jira_rest.histories_of(body.get("changelog") if isinstance(body, dict) else None)


def _issue_key(item: Any) -> str:
    try:
        return time_key(jira_rest.issue_updated(item))
    except PayloadError as exc:
        key = item.get("key") if isinstance(item, dict) else None
        raise PayloadError(f"issue {key}: {exc.message}") from None


@dataclass
class Issues:
    """The query's issues with their whole status history (module doc)."""

    jira: Jira
    name: str = "issues"

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        jira = self.jira
        start = cursor if isinstance(cursor, dict) else None
        jira.projects.update(p for p in (start or {}).get("projects", []) if isinstance(p, str))
        jira.categories = self._categories(ctx)
        since = time_key(jira.since) if jira.since is not None else None

        def first(lower: WalkKey | None) -> Iterator[Page]:
            return jira.pages(jira.query(lower))

        for step in desc_walk(start, first, jira.resume, _issue_key, since=since):
            records = self._records(step.items, ctx)
            cursor_now = {**step.cursor, "projects": sorted(jira.projects)}
            yield Batch(records, cursor_now, len(step.page.items), keep_release_time)

    def _categories(self, ctx: SyncContext) -> dict[str, str]:
        try:
            return jira_rest.status_categories(self.jira.client.get_json("rest/api/2/status"))
        except (RestError, PayloadError) as exc:
            ctx.warn(f"jira: status categories unavailable ({exc.message}); inferred from names")
            return {}

    def _records(self, items: list[Any], ctx: SyncContext) -> list[RecordModel]:
        jira, records = self.jira, []
        for item in items:
            key = item.get("key") if isinstance(item, dict) else None
            try:
                histories = None
                if not jira_rest.changelog_is_complete(item) and isinstance(key, str):
                    histories = jira.histories(key)
                parsed = jira_rest.issue(item, histories=histories, categories=jira.categories)
            except PayloadError as exc:
                ctx.warn(f"jira: issue {key}: {exc.message}; skipped")
                continue
            except RestError as exc:  # deleted between the search and its changelog
                if exc.status not in (404, 410):
                    raise
                ctx.warn(f"jira: issue {key}: gone ({exc.status}); skipped")
                continue
            for record in parsed.records:
                if isinstance(record, Issue) and record.project:
                    jira.projects.add(record.project)
            records.extend(parsed.records)
        return records


@dataclass
class Versions:
    """Every version of the projects seen (module doc); the cursor keeps the projects."""

    jira: Jira
    name: str = "versions"

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        known = cursor.get("projects", []) if isinstance(cursor, dict) else []
        projects = sorted(self.jira.projects | {p for p in known if isinstance(p, str)})
        for project in projects:
            path = f"rest/api/2/project/{quote(project)}/version"
            try:
                for page in self.jira.client.pages_offset(
                    path, items_key="values", max_results=self.jira.per_page
                ):
                    records = self._records(project, page.items, ctx)
                    cursor_now = {"projects": projects}
                    yield Batch(records, cursor_now, len(page.items), keep_release_time)
            except RestError as exc:
                if exc.status not in (403, 404):
                    raise
                ctx.warn(f"jira: versions of project {project} unavailable ({exc.message})")

    @staticmethod
    def _records(project: str, items: list[Any], ctx: SyncContext) -> list[RecordModel]:
        records: list[RecordModel] = []
        for item in items:
            try:
                records.extend(jira_rest.version(item, project).records)
            except PayloadError as exc:
                ctx.warn(f"jira: a version of project {project}: {exc.message}; skipped")
        return records


def keep_release_time(stored: RecordModel | None, incoming: RecordModel) -> RecordModel:
    """The merge rule of a sync batch, and one more for versions: the REST API gives only a
    release *date* (midnight UTC here), so a stored release time within two days of it — the
    exact one, from the ``jira:version_released`` webhook — is kept."""
    if isinstance(incoming, Version) and isinstance(stored, Version):
        old, new = stored.released_at, incoming.released_at
        if old is not None and new is not None and old != new and abs(old - new) < RELEASE_SLACK:
            return incoming.model_copy(update={"released_at": old})
    return merge(stored, incoming)


def plain_jql(jql: str) -> str:
    """The user's JQL without a trailing ``ORDER BY`` (the sync orders by itself)."""
    return _ORDER_BY.sub("", jql.strip()).strip()


def scope_of(base_url: str, jql: str) -> str:
    """The cursor scope: the site (host and path, not the port) and the JQL (hashed when
    long)."""
    parts = urlsplit(base_url)
    site = f"{parts.hostname or ''}{parts.path.rstrip('/')}"
    if len(jql) > 300:
        jql = "sha256:" + hashlib.sha256(jql.encode("utf-8")).hexdigest()
    return f"{site} {jql}"


def sync_jira(
    engine: Engine,
    client: RestClient,
    jql: str,
    *,
    search: str = "search",
    since: datetime | None = None,
    per_page: int = 100,
    on_progress: ProgressCallback | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> SyncReport:
    """Pull the issues of ``jql`` and their projects' versions into the database."""
    jira = Jira(client, plain_jql(jql), search, since, per_page)
    resources: list[Any] = [Issues(jira), Versions(jira)]
    report = run_sync(
        engine,
        SOURCE,
        scope_of(client.base_url, jira.jql),
        resources,
        on_progress=on_progress,
        on_warning=on_warning,
    )
    report.requests = client.requests
    return report
