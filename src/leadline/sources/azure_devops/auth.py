"""The check of an Azure DevOps service-hook delivery: HTTP Basic credentials.

Azure DevOps signs nothing. A "Web Hooks" subscription can send ``Authorization: Basic
base64(user:password)``; leadline takes the **password** as the shared secret (the user
name is free: Azure requires one, leadline ignores it). The comparison is the constant-time
token rule of ``leadline.sources.signatures`` (several secrets for rotation). A header that
is not Basic, not base64 or has no ``:`` is simply not valid (pure: no I/O).
"""

from __future__ import annotations

import base64
import binascii

from leadline.sources.signatures import token_ok


def basic_password(header: str | None) -> str | None:
    """The password of an ``Authorization: Basic …`` header, or ``None`` when there is none
    or it is malformed."""
    if not header:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _user, sep, password = decoded.partition(":")
    return password if sep else None


def basic_auth_ok(header: str | None, secrets: list[str]) -> bool:
    """Does the Basic password equal one of ``secrets`` (constant time, on bytes)?"""
    return token_ok(basic_password(header), secrets)
