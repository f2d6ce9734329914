"""ServiceNow's Table API and Opsgenie's REST API over this repository's recorded and
constructed answers (``tests/fixtures/servicenow/table``, ``tests/fixtures/opsgenie_rest``;
their PROVENANCE says which is which), served the way the tools do.

``FakeServiceNow.install(server)``: ``/api/now/table/{incident,change_request}`` —
``sysparm_offset``/``sysparm_limit`` pages of the records whose ``sys_updated_on`` is on or
after the query's ``sys_updated_on>=…`` (read as UTC, the API user's zone here), ordered
``ORDERBYDESCsys_updated_on^ORDERBYDESCnumber`` (asserted); basic auth is checked (401).

``FakeOpsgenie.install(server)``: ``/v2/alerts`` and ``/v1/incidents`` — ``offset``/``limit``
pages of ``{"data": […], "paging": …}`` narrowed by ``updatedAt>=MS`` / ``createdAt>=MS`` in
``query``, ``sort=updatedAt&order=desc`` (asserted); ``Authorization: GenieKey KEY`` checked.

``rate_limit_once(path, offset)`` makes that page answer 429 + ``Retry-After: 1`` once.
"""

from __future__ import annotations

import base64
import copy
import re
from datetime import UTC, datetime
from typing import Any

from leadline.domain.times import parse_time, to_micros
from tests.conftest import FIXTURES
from tests.replay_server import Reply, Request
from tests.sources.rest_fixtures import load

SN_TABLES = FIXTURES / "servicenow" / "table"
OG_REST = FIXTURES / "opsgenie_rest"
_SN_BOUND = re.compile(r"sys_updated_on>=(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})")
_OG_BOUND = re.compile(r"(updatedAt|createdAt)>=(\d+)")


class _Limits:
    def __init__(self) -> None:
        self.limited: set[tuple[str, int]] = set()

    def rate_limit_once(self, path: str, offset: int) -> None:
        self.limited.add((path, offset))

    def _limited(self, path: str, offset: int) -> Reply | None:
        if (path, offset) in self.limited:
            self.limited.discard((path, offset))
            return Reply(429, {"message": "Too many requests"}, {"Retry-After": "1"})
        return None


class FakeServiceNow(_Limits):
    def __init__(self, user: str, password: str) -> None:
        super().__init__()
        self.tables: dict[str, list[dict[str, Any]]] = {
            name: load(SN_TABLES / f"{name}.json")["result"]
            for name in ("incident", "change_request")
        }
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.queries: list[str] = []

    def install(self, server: Any) -> None:
        for name in self.tables:
            server.add(f"/api/now/table/{name}", self._table)

    def _table(self, request: Request) -> Reply:
        if request.headers.get("authorization") != self.auth:
            return Reply(401, {"error": {"message": "User Not Authenticated"}})
        offset = int(request.query.get("sysparm_offset", "0"))
        limit = int(request.query.get("sysparm_limit", "10000"))
        if limited := self._limited(request.path, offset):
            return limited
        query = request.query.get("sysparm_query", "")
        self.queries.append(query)
        assert query.endswith("ORDERBYDESCsys_updated_on^ORDERBYDESCnumber"), query
        assert request.query.get("sysparm_display_value") == "all"
        found = self.tables[request.path.rsplit("/", 1)[1]]
        if m := _SN_BOUND.search(query):
            found = [r for r in found if r["sys_updated_on"]["value"] >= m.group(1)]
        found = sorted(found, key=lambda r: (r["sys_updated_on"]["value"], r["number"]["value"]),
                       reverse=True)  # fmt: skip
        chunk = copy.deepcopy(found[offset : offset + limit])
        return Reply(body={"result": chunk}, headers={"X-Total-Count": str(len(found))})

    def touch(self, table: str, number: str, updated: str, **fields: Any) -> None:
        """Change a record (as a user would): new fields and a new ``sys_updated_on``."""
        (record,) = [r for r in self.tables[table] if r["number"]["value"] == number]
        record.update(fields)
        record["sys_updated_on"] = {"value": updated, "display_value": updated}


class FakeOpsgenie(_Limits):
    def __init__(self, key: str) -> None:
        super().__init__()
        self.listings: dict[str, list[dict[str, Any]]] = {
            "/v2/alerts": load(OG_REST / "alerts.json"),
            "/v1/incidents": load(OG_REST / "incidents.json"),
        }
        self.key = key
        self.queries: list[str] = []

    def install(self, server: Any) -> None:
        for path in self.listings:
            server.add(path, self._listing)

    def _listing(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"GenieKey {self.key}":
            return Reply(401, {"message": "Could not authenticate", "took": 0.0})
        offset = int(request.query.get("offset", "0"))
        limit = int(request.query.get("limit", "20"))
        if limited := self._limited(request.path, offset):
            return limited
        assert (request.query.get("sort"), request.query.get("order")) == ("updatedAt", "desc")
        query = request.query.get("query", "")
        self.queries.append(query)
        found = list(self.listings[request.path])
        for name, ms in _OG_BOUND.findall(query):
            found = [i for i in found if to_micros(parse_time(i[name])) // 1000 >= int(ms)]
        found.sort(key=lambda i: (parse_time(i["updatedAt"]), i["id"]), reverse=True)
        body: dict[str, Any] = {"data": copy.deepcopy(found[offset : offset + limit]),
                                "took": 0.01, "requestId": f"req-{len(self.queries)}"}  # fmt: skip
        return Reply(body=body)

    def touch(self, path: str, item_id: str, updated: datetime, **fields: Any) -> None:
        (item,) = [i for i in self.listings[path] if i["id"] == item_id]
        item.update(fields)
        item["updatedAt"] = updated.astimezone(UTC).isoformat().replace("+00:00", "Z")
