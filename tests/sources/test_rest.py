"""``leadline.sources.http``: pagination, retries and errors, against a real HTTP server on
a local socket (``tests/replay_server.py``)."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from leadline.sources.http import RestClient, RestError
from leadline.sources.http.paging import next_link
from tests.replay_server import Reply, Request, link_pages
from tests.sources.rest_client_helpers import TOKEN, Clock, client_for, clock, serve

__all__ = ["clock", "serve"]  # fixtures


# --- pagination ----------------------------------------------------------------------------


def test_link_pagination_follows_rel_next(serve: Any, clock: Clock) -> None:
    server = serve(link_pages("/api/items", list(range(7)), 3))
    client = client_for(server, clock)
    pages = list(client.pages_link("/api/items", {"state": "all"}))
    assert [p.items for p in pages] == [[0, 1, 2], [3, 4, 5], [6]]
    assert pages[0].next == f"{server.base_url}/api/items?page=2&per_page=3"
    assert pages[-1].next is None
    assert [r.target for r in server.requests] == [
        "/api/items?state=all",
        "/api/items?page=2&per_page=3",
        "/api/items?page=3&per_page=3",
    ]
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in server.requests)
    assert clock.sleeps == []


def test_link_pagination_under_a_base_path(serve: Any, clock: Clock) -> None:
    """GitHub Enterprise's API root is ``https://HOST/api/v3``: paths go under it."""
    server = serve({"/api/v3/repos/o/r": Reply(body={"ok": 1})})
    client = RestClient(server.base_url + "/api/v3/", sleep=clock.sleep)
    assert client.get_json("/repos/o/r") == {"ok": 1}
    assert client.get_json("repos/o/r") == {"ok": 1}


def test_link_pagination_with_items_key(serve: Any, clock: Clock) -> None:
    server = serve(
        link_pages("/runs", [1, 2, 3], 2, wrap=lambda c: {"total_count": 3, "workflow_runs": c})
    )
    pages = list(client_for(server, clock).pages_link("/runs", items_key="workflow_runs"))
    assert [p.items for p in pages] == [[1, 2], [3]]


def test_numbered_pagination_stops_on_a_short_page(serve: Any, clock: Clock) -> None:
    def numbered(request: Request) -> Reply:
        page, size = int(request.query["page"]), int(request.query["per_page"])
        return Reply(body=list(range(10))[(page - 1) * size : page * size])

    server = serve({"/items": numbered})
    pages = list(client_for(server, clock).pages_numbered("/items", {"q": "x"}, per_page=4))
    assert [p.items for p in pages] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [r.query["page"] for r in server.requests] == ["1", "2", "3"]
    assert all(r.query["q"] == "x" and r.query["per_page"] == "4" for r in server.requests)


def test_numbered_pagination_obeys_gitlab_next_page_header(serve: Any, clock: Clock) -> None:
    server = serve(
        {
            "/mrs?page=1": Reply(body=[1, 2], headers={"X-Next-Page": "2"}),
            "/mrs?page=2": Reply(body=[3, 4], headers={"X-Next-Page": ""}),
        }
    )
    pages = list(client_for(server, clock).pages_numbered("/mrs", per_page=2))
    assert [p.items for p in pages] == [[1, 2], [3, 4]]
    assert len(server.requests) == 2  # a full last page, but X-Next-Page says it is the last


def test_offset_pagination_jira(serve: Any, clock: Clock) -> None:
    def search(request: Request) -> Reply:
        start = int(request.query["startAt"])
        size = min(int(request.query["maxResults"]), 2)  # the server caps the page size
        issues = [f"P-{i}" for i in range(5)][start : start + size]
        return Reply(body={"startAt": start, "maxResults": size, "total": 5, "issues": issues})

    server = serve({"/rest/api/3/search": search})
    client = client_for(server, clock)
    pages = list(
        client.pages_offset("/rest/api/3/search", {"jql": "project=P"}, items_key="issues")
    )
    assert [i for p in pages for i in p.items] == [f"P-{i}" for i in range(5)]
    assert [r.query["startAt"] for r in server.requests] == ["0", "2", "4"]
    # A stored next page resumes where it points, not at 0.
    resumed = list(client.pages_offset(pages[0].next or "", items_key="issues"))
    assert [i for p in resumed for i in p.items] == [f"P-{i}" for i in range(2, 5)]
    assert [r.query["startAt"] for r in server.requests[3:]] == ["2", "4"]


def test_conditional_get_not_modified_is_an_empty_last_page(serve: Any, clock: Clock) -> None:
    server = serve(link_pages("/tags", ["a", "b", "c"], 2, headers={"ETag": '"v1"'}))
    client = client_for(server, clock)
    pages = list(client.pages_link("/tags", headers={"If-None-Match": '"v1"'}))
    assert [(p.items, p.next, p.response.status_code) for p in pages] == [([], None, 304)]
    assert len(server.requests) == 1


def parse_link_next(header: str | None) -> str | None:
    return next_link(httpx.Response(200, headers={} if header is None else {"link": header}))


def test_parse_link_next() -> None:
    header = (
        '<https://api.github.com/x?page=3>; rel="prev", '
        '<https://api.github.com/x?page=5>; rel="next", <https://api.github.com/x?page=9>; '
        'rel="last"'
    )
    assert parse_link_next(header) == "https://api.github.com/x?page=5"
    assert parse_link_next('<https://x/a?page=2>; rel="last"') is None
    assert parse_link_next(None) is None


# --- retries -------------------------------------------------------------------------------


def test_5xx_retried_with_backoff_then_success(serve: Any, clock: Clock) -> None:
    server = serve({"/x": [Reply(502, "bad gateway"), Reply(503, ""), Reply(body={"n": 1})]})
    assert client_for(server, clock).get_json("/x") == {"n": 1}
    assert clock.sleeps == [1.0, 2.0]
    assert [w[1] for w in clock.waits] == [
        "server error 502, retry 1/6",
        "server error 503, retry 2/6",
    ]


def test_retries_exhausted_raise_rest_error(serve: Any, clock: Clock) -> None:
    server = serve({"/x": Reply(500, {"message": "Server Error"})})
    with pytest.raises(RestError) as err:
        client_for(server, clock, max_retries=2).get("/x", {"q": "1"})
    message = str(err.value)
    assert message.startswith(f"GET {server.base_url}/x?q=1 → 500 Internal Server Error")
    assert "after 3 attempts" in message
    assert err.value.status == 500
    assert len(server.requests) == 3


def test_network_error_retried_then_success(serve: Any, clock: Clock) -> None:
    server = serve({"/x": Reply(body=[1])}, drop={1})
    assert client_for(server, clock).get_json("/x") == [1]
    assert len(server.requests) == 2
    assert clock.waits[0][1].startswith("network error (")


def test_network_errors_exhausted(clock: Clock) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = RestClient(f"http://127.0.0.1:{port}", sleep=clock.sleep, max_retries=2)
    with pytest.raises(RestError) as err:
        client.get("/x")
    assert "network error after 3 attempts" in str(err.value)
    assert err.value.status is None
    assert clock.sleeps == [1.0, 2.0]


def test_other_4xx_is_one_line_with_a_short_excerpt(serve: Any, clock: Clock) -> None:
    body = {"message": "Not Found", "documentation_url": "https://docs.github.com/" + "x" * 500}
    server = serve({"/repos/o/nope": Reply(404, body)})
    with pytest.raises(RestError) as err:
        client_for(server, clock).get("/repos/o/nope")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"GET {server.base_url}/repos/o/nope → 404 Not Found: ")
    assert len(message) < 300
    assert len(server.requests) == 1


def test_answer_that_is_not_json(serve: Any, clock: Clock) -> None:
    server = serve({"/x": Reply(body="<html>login</html>", headers={"Content-Type": "text/html"})})
    with pytest.raises(RestError, match="the answer is not JSON"):
        client_for(server, clock).get_json("/x")


def test_refuses_to_follow_a_next_link_to_another_host(serve: Any, clock: Clock) -> None:
    server = serve(
        {"/x": Reply(body=[1], headers={"Link": '<https://evil.test/x?page=2>; rel="next"'})}
    )
    pages = client_for(server, clock).pages_link("/x")
    assert next(pages).items == [1]
    with pytest.raises(RestError, match=r"refusing to send credentials to https://evil\.test"):
        next(pages)
