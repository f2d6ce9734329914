"""Bitbucket's webhook signature (Cloud and Data Center alike): ``X-Hub-Signature:
sha256=<hex HMAC-SHA256(secret, body)>``, checked by the shared rule of
``leadline.sources.signatures`` (bytes, constant time, several secrets for rotation).
"""

from __future__ import annotations

from leadline.sources.signatures import prefixed_signature_ok


def signature_ok(body: bytes, header: str | None, secrets: list[str]) -> bool:
    """Does ``X-Hub-Signature`` sign ``body`` with one of ``secrets``?"""
    return prefixed_signature_ok(body, header, secrets)
