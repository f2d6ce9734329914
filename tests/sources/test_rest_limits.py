"""``leadline.sources.http``: rate limits are waited out, and tokens never leak — against a
real HTTP server on a local socket (``tests/replay_server.py``)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from leadline.sources.http import RestClient, RestError
from leadline.sources.http.limits import retry_after
from leadline.sources.http.urls import safe_url
from tests.replay_server import Reply
from tests.sources.rest_client_helpers import TOKEN, Clock, client_for, clock, serve

__all__ = ["clock", "serve"]  # fixtures


# --- rate limits ---------------------------------------------------------------------------


def test_429_with_retry_after_waits_then_succeeds(serve: Any, clock: Clock) -> None:
    server = serve({"/x": [Reply(429, {"message": "slow"}, {"Retry-After": "7"}), Reply(body=[1])]})
    assert client_for(server, clock).get_json("/x") == [1]
    assert clock.sleeps == [7.0]
    assert clock.waits == [(7.0, "rate limited (HTTP 429, Retry-After)")]
    assert len(server.requests) == 2


def test_primary_limit_403_waits_until_reset(serve: Any, clock: Clock) -> None:
    reset = str(int(clock.now) + 30)
    limited = Reply(
        403,
        {"message": "API rate limit exceeded"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
    )
    server = serve({"/x": [limited, Reply(body={"ok": True})]})
    assert client_for(server, clock).get_json("/x") == {"ok": True}
    assert clock.sleeps == [31.0]  # until the reset, plus a second of slack
    assert "rate limit exhausted" in clock.waits[0][1]


def test_remaining_zero_on_a_success_delays_the_next_request(serve: Any, clock: Clock) -> None:
    reset = str(int(clock.now) + 10)
    server = serve(
        {
            "/a": Reply(
                body=[1], headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
            ),
            "/b": Reply(body=[2]),
        }
    )
    client = client_for(server, clock)
    assert client.get_json("/a") == [1]
    assert clock.sleeps == []  # nothing to wait for yet
    assert client.get_json("/b") == [2]
    assert clock.sleeps == [11.0]
    assert len(server.requests) == 2  # the limit was waited out, not hit


def test_secondary_limit_403_with_retry_after(serve: Any, clock: Clock) -> None:
    secondary = Reply(
        403,
        {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."},
        {"Retry-After": "3"},
    )
    server = serve({"/x": [secondary, Reply(body=[])]})
    assert client_for(server, clock).get_json("/x") == []
    assert clock.waits == [(3.0, "secondary rate limit (HTTP 403)")]


def test_secondary_limit_without_retry_after_waits_a_minute(serve: Any, clock: Clock) -> None:
    secondary = Reply(403, {"message": "You have exceeded a secondary rate limit."})
    server = serve({"/x": [secondary, Reply(body=[])]})
    client_for(server, clock).get_json("/x")
    assert clock.sleeps == [60.0]


def test_plain_403_is_an_error_not_a_wait(serve: Any, clock: Clock) -> None:
    server = serve({"/x": Reply(403, {"message": "Resource not accessible by integration"})})
    with pytest.raises(RestError) as err:
        client_for(server, clock).get("/x")
    assert err.value.status == 403
    assert clock.sleeps == []
    assert "Resource not accessible by integration" in str(err.value)


def test_retry_after_as_an_http_date() -> None:

    response = httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert retry_after(response, 1445412470.0) == 10.0


# --- secrets -------------------------------------------------------------------------------


def test_token_never_in_messages_or_logs(
    serve: Any, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """The server echoes the token back (a misbehaving proxy): the error still hides it, and
    nothing logged at any level carries it; secret query values are hidden too."""
    echo = Reply(401, {"message": f"Bad credentials: Bearer {TOKEN}"})
    server = serve({"/user": echo, "/boom": Reply(500, TOKEN)})
    client = client_for(server, clock, max_retries=1)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(RestError) as err:
        client.get("/user", {"private_token": "qs-secret-1", "page": "2"})
    assert TOKEN not in str(err.value)
    assert "qs-secret-1" not in str(err.value)
    assert "private_token=***" in str(err.value) and "page=2" in str(err.value)
    assert "Bad credentials: ***" in str(err.value)
    with pytest.raises(RestError) as err:
        client.get("/boom")
    assert TOKEN not in str(err.value)
    assert caplog.records  # something was logged (waits, requests)
    assert all(TOKEN not in r.getMessage() for r in caplog.records)
    assert all(TOKEN not in w[1] for w in clock.waits)
    assert server.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_basic_auth_password_scrubbed(serve: Any, clock: Clock) -> None:
    server = serve({"/x": Reply(401, {"error": "bad user:hunter2-password"})})
    client = RestClient(server.base_url, auth=("user", "hunter2-password"), sleep=clock.sleep)
    with pytest.raises(RestError) as err:
        client.get("/x")
    assert "hunter2-password" not in str(err.value)


def test_safe_url_hides_userinfo_and_secret_parameters() -> None:
    url = "https://me:pw@gitlab.test/api/v4/projects?private_token=abc&access_token=def&page=2"
    assert (
        safe_url(url)
        == "https://gitlab.test/api/v4/projects?private_token=***&access_token=***&page=2"
    )
