"""CircleCI's webhook signature: ``circleci-signature: v1=<hex HMAC-SHA256(secret, body)>``.

The header may list several versions (``v1=…,v2=…``); only ``v1`` is read, and several
``v1`` values are all compared (``leadline.sources.signatures``: bytes, constant time).
"""

from __future__ import annotations

from leadline.sources.signatures import any_signature_matches


def signature_ok(body: bytes, header: str | None, secrets: list[str]) -> bool:
    """Does any ``v1=`` signature of ``header`` match the body for one of ``secrets``?"""
    if not header:
        return False
    given = []
    for part in header.split(","):
        version, sep, value = part.strip().partition("=")
        if sep and version.strip().lower() == "v1":
            given.append(value)
    return any_signature_matches(body, given, secrets)
