"""A Jira REST API over the recorded answers of ``tests/fixtures/jira_rest`` (the README there
says what is derived): the 33 issues Apache DevLake captured from merico.atlassian.net (with
their inline changelogs), three issues whose changelog is cut (the rest comes from
``/issue/{key}/changelog``, recorded too), the status list, and the projects' versions.

``FakeJira.install(server)`` serves, the way Jira does:

* ``/rest/api/2/search`` — ``startAt``/``maxResults`` pages of the issues whose ``updated``
  is on or after the JQL's ``updated >= "yyyy/MM/dd HH:mm"`` (read as UTC), ordered by
  ``updated DESC, key DESC`` (the order the sync asks for; asserted);
* ``/rest/api/3/search/jql`` — the same with ``nextPageToken`` pages (Jira Cloud);
* ``/rest/api/2/issue/{key}/changelog`` — ``values`` pages of at most 40 histories (with
  ``changelog_api = False``, as on Jira Server, 404; ``/issue/{key}?expand=changelog`` instead);
* ``/rest/api/2/project/{key}/version`` — ``values`` pages of at most 2 versions.

``rate_limit_once("search", start_at)`` makes that page answer 429 + ``Retry-After`` first.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from leadline.domain.times import parse_time
from tests.replay_server import Reply, Request
from tests.sources.rest_fixtures import JIRA, by_input, data, jira_csv, load

DERIVED = JIRA / "derived"
_BOUND = re.compile(r'updated\s*>=\s*"(\d{4}/\d{2}/\d{2} \d{2}:\d{2})"')


def _updated(issue: dict[str, Any]) -> datetime:
    return parse_time(issue["fields"]["updated"])


def _order(issue: dict[str, Any]) -> tuple[datetime, str, int]:
    project, _, number = issue["key"].rpartition("-")
    return _updated(issue), project, int(number)


class FakeJira:
    def __init__(self) -> None:
        self.issues: list[dict[str, Any]] = [
            *data(jira_csv("issues")),
            *load(DERIVED / "cut_changelog_issues.json"),
        ]
        self.statuses = data(jira_csv("status"))
        by_id = by_input(jira_csv("issue_changelogs"), "issue_id")
        self.changelogs = {
            i["key"]: by_id[int(i["id"])] for i in self.issues if int(i["id"]) in by_id
        }
        self.versions: dict[str, list[Any]] = load(DERIVED / "project_versions.json")
        self.limited: set[tuple[str, int]] = set()
        self.jql_seen: list[str] = []
        self.changelog_api = True  # False: no /issue/{key}/changelog (as on Server/DC)

    def install(self, server: Any) -> None:
        server.add("/rest/api/2/status", Reply(body=self.statuses))
        server.add("/rest/api/2/search", self._search)
        server.add("/rest/api/3/search/jql", self._search_jql)
        for key in self.changelogs:
            if self.changelog_api:
                server.add(f"/rest/api/2/issue/{key}/changelog", self._changelog)
            else:  # Jira Server/Data Center: the whole changelog comes with the issue
                server.add(f"/rest/api/2/issue/{key}?expand=changelog", self._issue)
        for project in self.versions:
            server.add(f"/rest/api/2/project/{project}/version", self._versions)

    def rate_limit_once(self, what: str, start_at: int) -> None:
        self.limited.add((what, start_at))

    # --- serving ----------------------------------------------------------------------------

    def _matching(self, request: Request) -> list[dict[str, Any]]:
        jql = request.query.get("jql", "")
        self.jql_seen.append(jql)
        assert jql.endswith(" ORDER BY updated DESC, key DESC"), jql
        found = list(self.issues)
        if m := _BOUND.search(jql):
            bound = datetime.strptime(m.group(1), "%Y/%m/%d %H:%M").replace(tzinfo=UTC)
            found = [i for i in found if _updated(i) >= bound]
        return sorted(found, key=_order, reverse=True)

    def _limited(self, what: str, start: int) -> Reply | None:
        if (what, start) in self.limited:
            self.limited.discard((what, start))
            return Reply(429, {"errorMessages": ["Rate limit exceeded."]}, {"Retry-After": "1"})
        return None

    def _search(self, request: Request) -> Reply:
        start = int(request.query.get("startAt", "0"))
        size = int(request.query.get("maxResults", "50"))
        if limited := self._limited("search", start):
            return limited
        found = self._matching(request)
        chunk = copy.deepcopy(found[start : start + size])
        body = {"expand": "names,schema", "startAt": start, "maxResults": size,
                "total": len(found), "issues": chunk}  # fmt: skip
        return Reply(body=body)

    def _search_jql(self, request: Request) -> Reply:
        token = request.query.get("nextPageToken", "")
        start = int(token.removeprefix("offset-") or "0")
        size = int(request.query.get("maxResults", "50"))
        if limited := self._limited("search-jql", start):
            return limited
        found = self._matching(request)
        body: dict[str, Any] = {"issues": copy.deepcopy(found[start : start + size])}
        if start + size < len(found):
            body["nextPageToken"] = f"offset-{start + size}"
        else:
            body["isLast"] = True
        return Reply(body=body)

    def _values(self, request: Request, items: list[Any], cap: int) -> Reply:
        start = int(request.query.get("startAt", "0"))
        size = min(int(request.query.get("maxResults", "50")), cap)
        chunk = items[start : start + size]
        body = {"self": request.target, "maxResults": size, "startAt": start, "total": len(items),
                "isLast": start + size >= len(items), "values": copy.deepcopy(chunk)}  # fmt: skip
        return Reply(body=body)

    def _changelog(self, request: Request) -> Reply:
        key = request.path.split("/")[-2]
        return self._values(request, self.changelogs[key], 40)

    def _issue(self, request: Request) -> Reply:
        key = request.path.split("/")[-1]
        histories = self.changelogs[key]
        changelog = {"startAt": 0, "maxResults": len(histories), "total": len(histories),
                     "histories": copy.deepcopy(histories)}  # fmt: skip
        return Reply(body={"id": key, "key": key, "fields": {}, "changelog": changelog})

    def _versions(self, request: Request) -> Reply:
        project = request.path.split("/")[-2]
        return self._values(request, self.versions[project], 2)


Handler = Callable[[Request], Reply]
