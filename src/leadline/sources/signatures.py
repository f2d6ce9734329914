"""Webhook authentication: HMAC-SHA256 signatures and shared tokens, checked in constant time
on bytes (pure: no I/O).

Every tool's check (its package's ``signature`` module, ``azure_devops.auth``, the shared
``X-Leadline-Secret`` of the tools that cannot sign) goes through here, so the rules hold in
one place:

- A header value is compared as **bytes** (``str.encode("utf-8", "surrogatepass")``, which
  never fails), never as ``str``: ``hmac.compare_digest`` refuses non-ASCII text with a
  ``TypeError``, and an unauthenticated caller must not be able to turn that into a 500.
- A signature is the hex HMAC-SHA256 of the raw body; hex digits are read case-insensitively.
  Anything else (empty, non-hex, non-ASCII, the wrong length) is simply not valid.
- Several secrets may be configured (rotation, ``secrets_of``: a comma-separated setting):
  every secret is compared against every given signature, with no early exit on a match.
"""

from __future__ import annotations

import hashlib
import hmac
import string

_HEX = frozenset(string.hexdigits)
_HEX_LENGTH = hashlib.sha256().digest_size * 2


def secrets_of(value: str | None) -> list[str]:
    """The secrets of a setting: comma-separated, blanks around them and empty ones dropped."""
    return [s.strip() for s in (value or "").split(",") if s.strip()]


def _bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


def hmac_hex(secret: str, body: bytes) -> str:
    """The lower-case hex HMAC-SHA256 of ``body`` with ``secret``."""
    return hmac.new(_bytes(secret), body, hashlib.sha256).hexdigest()


def _hex_signature(value: str) -> bytes | None:
    """``value`` as lower-case ASCII hex bytes, or ``None`` when it is not a SHA-256 hex."""
    value = value.strip()
    if len(value) != _HEX_LENGTH or not _HEX.issuperset(value):
        return None
    return value.lower().encode("ascii")


def any_signature_matches(body: bytes, signatures: list[str], secrets: list[str]) -> bool:
    """Does any of the hex ``signatures`` equal HMAC-SHA256(secret, body) for any non-empty
    secret? Malformed signatures never match; the others are all compared."""
    given = [s for s in map(_hex_signature, signatures) if s is not None]
    found = False
    for secret in secrets:
        if not secret:
            continue
        expected = hmac_hex(secret, body).encode("ascii")
        for signature in given:
            found |= hmac.compare_digest(expected, signature)
    return found


def prefixed_signature_ok(body: bytes, header: str | None, secrets: list[str]) -> bool:
    """``sha256=<hex>`` (GitHub's ``X-Hub-Signature-256``, Jira's ``X-Hub-Signature``); the
    algorithm name is read case-insensitively, and only SHA-256 is accepted."""
    if not header:
        return False
    algorithm, sep, signature = header.strip().partition("=")
    if not sep or algorithm.strip().lower() != "sha256":
        return False
    return any_signature_matches(body, [signature], secrets)


def token_ok(given: str | None, secrets: list[str]) -> bool:
    """A shared token (GitLab's ``X-Gitlab-Token``, Jira's ``?secret=``): equal, as bytes,
    to one of the non-empty ``secrets``. The SHA-256 digests are compared, so the time taken
    does not depend on the secret's length either."""
    if not given:
        return False
    value = hashlib.sha256(_bytes(given)).digest()
    ok = False
    for secret in secrets:
        if secret:
            ok |= hmac.compare_digest(value, hashlib.sha256(_bytes(secret)).digest())
    return ok
