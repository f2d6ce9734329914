"""Jira's webhook checks: Jira Cloud signs (``X-Hub-Signature: sha256=<hex HMAC-SHA256(secret,
body)>``, webhooks registered with a secret); Jira Server cannot, and passes the shared secret
as ``?secret=``. Both through the shared rules of ``leadline.sources.signatures`` (bytes,
constant time, several secrets for rotation).
"""

from __future__ import annotations

from leadline.sources.signatures import prefixed_signature_ok, token_ok


def signature_ok(body: bytes, header: str | None, secrets: list[str]) -> bool:
    """Does ``X-Hub-Signature`` sign ``body`` with one of ``secrets``?"""
    return prefixed_signature_ok(body, header, secrets)


def secret_ok(given: str | None, secrets: list[str]) -> bool:
    """Is the ``?secret=`` query value one of ``secrets``?"""
    return token_ok(given, secrets)
