"""A real HTTP server on a local socket that replays recorded API answers (for sync tests).

    routes = {"/repos/o/r": Reply(body={...}),
              "/repos/o/r/pulls": [Reply(429, headers={"Retry-After": "1"}), Reply(body=[...])],
              "/repos/o/r/pulls?page=2": Reply(body=[...])}
    with ReplayServer(routes) as server:
        client = RestClient(server.base_url)
        ...
        assert server.paths() == [...]

Routing: a key is ``PATH`` or ``PATH?QUERY`` (optionally ``METHOD PATH…``; default GET). A
request matches a key when the path is equal and every query parameter of the key is in the
request with that value; the key with the most parameters wins (then the latest added:
``add`` overrides a route). A list of replies is served
in order and its last reply repeats; a callable gets the ``Request`` and returns a ``Reply``.
Unmatched requests get 404 ``{"message": "Not Found"}``.

``{base}`` in a header value or a string body becomes the server's base URL (for ``Link``
headers). A header value may be a callable (``lambda: str(int(time.time()) + 1)`` for
``X-RateLimit-Reset``). A reply with an ``ETag`` answers 304 to a matching
``If-None-Match``.

Killing a client midway: ``hold(predicate)`` holds the first matching request unanswered
(``holding`` is set when it arrives); ``hang_after=N`` holds every request after the N-th
until ``release()`` (or the server stops); ``close_after=N`` drops the connection instead;
``drop={2, 5}`` drops the connection of just those requests (a network error).
``wait_for_requests(n)`` blocks until ``n`` requests have arrived. ``requests`` logs every
request (method, path, query, headers).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

HeaderValue = str | Callable[[], str]


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # bytes, str, or anything JSON-encodable
    headers: dict[str, HeaderValue] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names

    @property
    def target(self) -> str:
        return self.path + ("?" + urlencode(self.query) if self.query else "")


Handler = Callable[[Request], Reply]
Route = Reply | list[Reply] | Handler
NOT_FOUND = Reply(404, {"message": "Not Found"})


class ReplayServer:
    def __init__(
        self,
        routes: Mapping[str, Route] | None = None,
        *,
        hang_after: int | None = None,
        close_after: int | None = None,
        drop: set[int] | None = None,
    ) -> None:
        self._routes: list[tuple[str, str, dict[str, str], Route]] = []
        self._served: dict[int, int] = {}
        self.requests: list[Request] = []
        self.hang_after = hang_after
        self.close_after = close_after
        self.drop = set(drop or ())
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._released = threading.Event()
        self._hold: Callable[[Request], bool] | None = None
        self.holding = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        for key, route in (routes or {}).items():
            self.add(key, route)

    # --- set-up ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(self, key: str, route: Route) -> None:
        method, _, target = key.partition(" ") if " " in key else ("GET", "", key)
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        with self._lock:
            self._routes.append((method.upper(), parts.path, query, route))

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- control -------------------------------------------------------------------------

    def release(self) -> None:
        """Let held requests (``hang_after``, ``hold``) go on, and hold no more."""
        self.hang_after = None
        self._hold = None
        self._released.set()

    def hold(self, when: Callable[[Request], bool]) -> None:
        """Hold the first request for which ``when(request)`` is true, unanswered, until
        ``release()``; ``holding`` is set once it arrives (then kill the client)."""
        self._released.clear()
        self.holding.clear()
        self._hold = when

    def wait_for_requests(self, n: int, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.requests) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._arrived.wait(left)
        return True

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # --- serving -------------------------------------------------------------------------

    def serve(self, request: Request) -> Reply | None:
        """Log ``request`` and answer it (after any hold or hang); ``None``: drop the
        connection instead (``close_after``, ``drop``)."""
        number = self._arrive(request)
        closing = self.close_after is not None and number > self.close_after
        if closing or number in self.drop:
            return None
        hold = self._hold
        if hold is not None and hold(request):
            self._hold = None
            self.holding.set()
            self._released.wait(120)
        elif self.hang_after is not None and number > self.hang_after:
            self._released.wait(120)
        return self._reply(request)

    def _arrive(self, request: Request) -> int:
        with self._arrived:
            self.requests.append(request)
            self._arrived.notify_all()
            return len(self.requests)

    def _reply(self, request: Request) -> Reply:
        best: tuple[int, int, Route] | None = None
        with self._lock:
            for index, (method, path, query, route) in enumerate(self._routes):
                if method != request.method or path != request.path:
                    continue
                if any(request.query.get(k) != v for k, v in query.items()):
                    continue
                if best is None or len(query) >= best[0]:  # ties: the latest added wins
                    best = (len(query), index, route)
            if best is None:
                return NOT_FOUND
            _, index, route = best
            if isinstance(route, Reply):
                return route
            if isinstance(route, list):
                n = self._served.get(index, 0)
                self._served[index] = n + 1
                return route[min(n, len(route) - 1)]
        return route(request)


def _make_handler(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16  # headers and body in one send (no 40 ms delayed-ACK stalls)
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self._handle()

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            request = Request(
                self.command,
                parts.path,
                dict(parse_qsl(parts.query, keep_blank_values=True)),
                {k.lower(): v for k, v in self.headers.items()},
            )
            reply = server.serve(request)
            if reply is None:
                self.close_connection = True
                return
            if reply.delay:
                time.sleep(reply.delay)
            self._send(request, reply)

        def _send(self, request: Request, reply: Reply) -> None:
            headers = {k: (v() if callable(v) else v) for k, v in reply.headers.items()}
            headers = {k: v.replace("{base}", server.base_url) for k, v in headers.items()}
            etag = next((v for k, v in headers.items() if k.lower() == "etag"), None)
            status, body = reply.status, _encode(reply.body, server.base_url)
            if etag is not None and request.headers.get("if-none-match") == etag:
                status, body = 304, b""
            try:
                self.send_response(status)
                if not any(k.lower() == "content-type" for k in headers):
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
            except OSError:  # the client went away (killed): nothing to do
                self.close_connection = True

    return _Handler


def _encode(body: Any, base_url: str) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.replace("{base}", base_url).encode()
    return json.dumps(body).encode()


def link_pages(
    path: str,
    items: list[Any],
    per_page: int,
    *,
    wrap: Callable[[list[Any]], Any] | None = None,
    headers: Mapping[str, HeaderValue] | None = None,
    page_param: str = "page",
) -> dict[str, Reply]:
    """Routes serving ``items`` in pages of ``per_page`` at ``path`` with GitHub/GitLab-style
    ``Link: <…?page=N>; rel="next"`` headers: page 1 answers any query, page N the query
    ``page=N``. ``wrap`` shapes a page's body (``{"workflow_runs": …}``)."""
    chunks = [items[i : i + per_page] for i in range(0, len(items), per_page)] or [[]]
    routes: dict[str, Reply] = {}
    for number, chunk in enumerate(chunks, start=1):
        page_headers: dict[str, HeaderValue] = dict(headers or {})
        if number < len(chunks):
            page_headers["Link"] = (
                f'<{{base}}{path}?{page_param}={number + 1}&per_page={per_page}>; rel="next", '
                f'<{{base}}{path}?{page_param}={len(chunks)}&per_page={per_page}>; rel="last"'
            )
        key = path if number == 1 else f"{path}?{page_param}={number}"
        routes[key] = Reply(200, wrap(chunk) if wrap else chunk, page_headers)
    return routes
