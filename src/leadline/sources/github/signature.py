"""GitHub's webhook signature: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>``.

Checked by the shared rule of ``leadline.sources.signatures`` (bytes, constant time, several
secrets for rotation; a malformed value is simply not valid).
"""

from __future__ import annotations

from leadline.sources.signatures import prefixed_signature_ok


def signature_ok(body: bytes, header: str | None, secrets: list[str]) -> bool:
    """Does ``X-Hub-Signature-256`` sign ``body`` with one of ``secrets``?"""
    return prefixed_signature_ok(body, header, secrets)
