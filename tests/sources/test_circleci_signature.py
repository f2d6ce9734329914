"""``circleci-signature`` against the test vectors of CircleCI's webhook documentation."""

from __future__ import annotations

import pytest

from leadline.sources.circleci.signature import signature_ok

VECTORS = [  # body, secret, v1 signature (docs/outbound-webhooks.adoc)
    (b"hello world", "secret", "734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a"),
    (b"lalala", "another-secret",
     "daa220016c8f29a8b214fbfc3671aeec2145cfb1e6790184ffb38b6d0425fa00"),
    (b"an-important-request-payload", "hunter123",
     "9be2242094a9a8c00c64306f382a7f9d691de910b4a266f67bd314ef18ac49fa"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "secret", "v1"), VECTORS)
def test_documented_vectors(body: bytes, secret: str, v1: str) -> None:
    assert signature_ok(body, f"v1={v1}", [secret])
    assert signature_ok(body, f"v1={v1.upper()},v2=whatever", ["other", secret])
    assert signature_ok(body, f"v2={v1}", [secret]) is False  # only v1 is read
    assert signature_ok(body + b" ", f"v1={v1}", [secret]) is False
    assert signature_ok(body, f"v1={v1}", ["wrong"]) is False


@pytest.mark.parametrize(
    "header", [None, "", "v1=", "v1", "sha256=abc", "v1=zz\u00e9", "v1=" + "0" * 64]
)
def test_malformed_headers_are_not_valid(header: str | None) -> None:
    assert signature_ok(b"hello world", header, ["secret"]) is False
