"""PagerDuty's webhook signature: ``X-PagerDuty-Signature: v1=<hex>,v1=<hex>``.

PagerDuty lists one signature per active secret while a secret is rotated; so may we. Each
``v1`` value is checked as the hex HMAC-SHA256 of the raw body by the shared rule of
``leadline.sources.signatures`` (bytes, constant time).
"""

from __future__ import annotations

from leadline.sources.signatures import any_signature_matches


def signature_ok(body: bytes, header: str | None, secrets: list[str]) -> bool:
    """Does any ``v1`` signature of ``header`` equal HMAC-SHA256(secret, raw body) for one of
    ``secrets``? A missing or malformed header is simply not valid."""
    if not header:
        return False
    signatures = []
    for part in header.split(","):
        version, sep, signature = part.strip().partition("=")
        if sep and version.strip() == "v1" and signature.strip():
            signatures.append(signature)
    return bool(signatures) and any_signature_matches(body, signatures, secrets)
