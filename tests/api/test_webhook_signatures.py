"""Webhook signatures and tokens through the real ASGI app: a malformed value of any kind
(non-ASCII, empty, a bare prefix, the wrong prefix, odd-length or non-hex digits) is a 401,
never a 500; upper-case hex digits are accepted (hex is case-insensitive)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.api.app import create_app
from leadline.config import Settings

SECRET = "s3cret"
BODY = b'{"zen": "Keep it logically awesome."}'
HEX = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()

# Header values as the bytes on the wire (Starlette reads them as latin-1).
MALFORMED: list[bytes] = [
    "é".encode(), "é".encode("latin-1"), "sha256=é".encode(), "sha256=é".encode("latin-1"),
    b"", b"sha256=", b"sha256", b"=", b"sha1=" + HEX.encode(), b"md5=" + HEX.encode(),
    b"sha256=" + HEX[:-1].encode(), b"sha256=" + HEX[:-2].encode(),
    b"sha256=" + HEX.encode() + b"0", b"sha256=" + HEX[:-1].encode() + b"g",
    b"sha256=" + HEX[:-2].encode() + "é".encode(), b"sha256=\xff\xfe",
    b"sha256=" + b"0" * 64, HEX.encode(),
]  # fmt: skip
PD_MALFORMED: list[bytes] = [
    "é".encode(), b"", b"v1=", b"v1", b"v0=" + HEX.encode(), b"v1=" + HEX[:-1].encode(),
    b"v1=" + HEX[:-1].encode() + b"z", "v1=é".encode(), b"v1=\xff" + HEX[1:].encode(),
    b",,", b"v1=" + b"0" * 64, HEX.encode(),
]  # fmt: skip
TOKENS: list[bytes] = ["é".encode(), "é".encode("latin-1"), b"", b" ", b"s3cre", b"s3cret!",
                       b"\xff", SECRET.upper().encode()]  # fmt: skip


@pytest.fixture
def hooks(db_url: str, engine: Engine) -> Iterator[TestClient]:
    settings = Settings(
        database_url=db_url, github_webhook_secret=SECRET, gitlab_webhook_token=SECRET,
        jira_webhook_secret=SECRET, pagerduty_webhook_secret=SECRET,
    )  # fmt: skip
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _post(client: TestClient, source: str, headers: dict[str, bytes], **kw: object) -> int:
    headers = {"Content-Type": b"application/json", **headers}
    response = client.post(f"/v1/webhooks/{source}", content=BODY, headers=headers, **kw)  # type: ignore[arg-type]
    assert response.status_code < 500, response.text
    if response.status_code == 401:
        assert response.json()["error"]["code"] == "unauthorized"
    return response.status_code


@pytest.mark.parametrize("value", MALFORMED, ids=repr)
def test_github_malformed_signature_is_401(hooks: TestClient, value: bytes) -> None:
    assert _post(hooks, "github", {"X-Hub-Signature-256": value, "X-GitHub-Event": b"ping"}) == 401


@pytest.mark.parametrize("value", MALFORMED, ids=repr)
def test_jira_malformed_signature_is_401(hooks: TestClient, value: bytes) -> None:
    assert _post(hooks, "jira", {"X-Hub-Signature": value}) == 401


@pytest.mark.parametrize("value", PD_MALFORMED, ids=repr)
def test_pagerduty_malformed_signature_is_401(hooks: TestClient, value: bytes) -> None:
    assert _post(hooks, "pagerduty", {"X-PagerDuty-Signature": value}) == 401


@pytest.mark.parametrize("value", TOKENS, ids=repr)
def test_gitlab_wrong_token_is_401(hooks: TestClient, value: bytes) -> None:
    assert _post(hooks, "gitlab", {"X-Gitlab-Token": value}) == 401


@pytest.mark.parametrize(
    "query", ["%C3%A9", "", "s3cre", "%FF%FE", "%ED%B3%BF", "s3cret%00", "%25FF", "é"], ids=repr
)
def test_jira_wrong_query_secret_is_401(hooks: TestClient, query: str) -> None:
    assert _post(hooks, f"jira?secret={query}", {}) == 401


@pytest.mark.parametrize("digits", [HEX, HEX.upper()], ids=["lower", "upper"])
def test_valid_signatures_of_every_source_pass(hooks: TestClient, digits: str) -> None:
    """The same body passes each check (then parses into nothing: 200 or 422, not 401)."""
    good = digits.encode()
    assert _post(hooks, "github", {"X-Hub-Signature-256": b"sha256=" + good,
                                   "X-GitHub-Event": b"ping"}) == 200  # fmt: skip
    assert _post(hooks, "jira", {"X-Hub-Signature": b"sha256=" + good}) != 401
    pd = b"v1=" + b"0" * 64 + b", v1=" + good
    assert _post(hooks, "pagerduty", {"X-PagerDuty-Signature": pd}) != 401
    assert _post(hooks, "gitlab", {"X-Gitlab-Token": SECRET.encode()}) != 401
    assert _post(hooks, "jira", {}, params={"secret": SECRET}) != 401
